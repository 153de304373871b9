package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
)

// TestOpenAPI: the document served at /api/openapi.json is valid OpenAPI 3,
// describes every API route the server has, and real responses of every
// endpoint — successes and errors — validate against it.
func TestOpenAPI(t *testing.T) {
	f := defaultFixture(t)
	ctx := context.Background()
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	for _, r := range f.e.Routes() {
		if r.Method != http.MethodGet || !(strings.HasPrefix(r.Path, "/api/") || r.Path == "/healthz" || r.Path == "/readyz" || r.Path == "/metrics") {
			continue
		}
		path := r.Path
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, ":") {
				path = strings.Replace(path, seg, "{"+seg[1:]+"}", 1)
			}
		}
		if doc.Paths.Find(path) == nil {
			t.Errorf("route %s is not described in the OpenAPI document", path)
		}
	}

	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	hit := doSearch(t, f.e, url.Values{"q": {"红色物业"}}).Hits[0]
	targets := []string{
		"/api/search?q=" + url.QueryEscape("红色物业") + "&county=" + url.QueryEscape("梁山"),
		"/api/search",
		"/api/search?year=2021&sort=oldest&page=2&size=5",
		"/api/search?q=" + url.QueryEscape(`"unbalanced`),
		"/api/search?size=1000",
		"/api/search?q=" + url.QueryEscape("乡村振新"),             // suggestions
		"/api/search?q=" + url.QueryEscape("党建 OR 微山 OR 乡村振兴"), // suggested_filters
		"/api/search?county=" + url.QueryEscape("微山县"),
		"/api/search?q=" + url.QueryEscape("红色") + "&in=headline&date_from=2021-01-01&date_to=2021-12-31",
		"/api/search?date_from=2021-02-30",
		"/api/facets",
		"/api/articles/" + hit.ArticleID,
		"/api/articles/0000000000000000",
		"/api/paragraphs/" + hit.ID,
		"/api/paragraphs/" + hit.ID + "/similar?scope=all&size=3",
		"/api/paragraphs/" + hit.ID + "/similar?scope=nope",
		"/healthz",
		"/readyz",
		"/metrics",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://localhost"+target, nil)
			req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
			rec := httptest.NewRecorder()
			f.e.ServeHTTP(rec, req)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no OpenAPI route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{ExcludeRequestQueryParams: rec.Code >= 400}}
			if rec.Code < 400 {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					t.Errorf("request does not match the document: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
				Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
				Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("status %d response does not match the document: %v", rec.Code, err)
			}
		})
	}
}
