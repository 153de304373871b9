package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
)

// TestOpenAPI: the document served at /api/openapi.json is valid OpenAPI 3,
// describes every API route the server has, and real responses of every
// endpoint — successes and errors — validate against it.
func TestOpenAPI(t *testing.T) {
	registerDecoders()
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
		if r.Method != http.MethodGet || !(strings.HasPrefix(r.Path, "/api/") || r.Path == "/healthz" || r.Path == "/readyz" || r.Path == "/metrics" || r.Path == "/feed") {
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
		"/api/search?q=" + url.QueryEscape("微山乡村振兴"),
		"/api/search?match=any&q=" + url.QueryEscape("哪个县推行了红色物业？"),
		"/api/search?match=exact&q=" + url.QueryEscape("微山乡村振兴"),
		"/api/search?match=nope&q=x",
		"/api/search?q=" + url.QueryEscape("乡村振新"),             // suggestions
		"/api/search?q=" + url.QueryEscape("党建 OR 微山 OR 乡村振兴"), // suggested_filters
		"/api/search?county=" + url.QueryEscape("微山县"),
		"/api/search?q=" + url.QueryEscape("红色") + "&in=headline&date_from=2021-01-01&date_to=2021-12-31",
		"/api/search?date_from=2021-02-30",
		"/api/search?q=" + url.QueryEscape("红色物业") + "&collapse=story",
		"/api/search?collapse=article&size=3",
		"/api/search?collapse=all",
		"/api/facets",
		"/api/export?q=" + url.QueryEscape("红色物业"),
		"/api/export?format=jsonl&limit=3",
		"/api/export?format=xml",
		"/feed?q=" + url.QueryEscape("红色物业") + "&size=3",
		"/feed?size=0",
		"/api/suggest?q=" + url.QueryEscape("红"),
		"/api/suggest?q=" + url.QueryEscape("梁山") + "&size=3",
		"/api/suggest?size=99",
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
		t.Run(target, func(t *testing.T) { validateResponse(t, f.e, router, target) })
	}
}

// validateResponse serves target and checks the request (when it
// succeeded) and the response against the OpenAPI document's router.
func validateResponse(t *testing.T, e *echo.Echo, router routers.Router, target string) {
	t.Helper()
	ctx := context.Background()
	req := httptest.NewRequest(http.MethodGet, "http://localhost"+target, nil)
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
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
}

// openAPIRouter loads the document e serves and returns its router.
func openAPIRouter(t *testing.T, e *echo.Echo) routers.Router {
	t.Helper()
	registerDecoders()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

var decodersOnce sync.Once

// registerDecoders teaches the validator the API's non-JSON bodies: JSON
// Lines (each line validated as an item of the schema's array) and Atom
// (well-formed XML, checked in full by TestFeedAtom).
func registerDecoders() {
	decodersOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/x-ndjson", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			var out []any
			dec := json.NewDecoder(body)
			for {
				var v any
				if err := dec.Decode(&v); err == io.EOF {
					return out, nil
				} else if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
		})
		openapi3filter.RegisterBodyDecoder("application/atom+xml", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			data, err := io.ReadAll(body)
			if err != nil {
				return nil, err
			}
			dec := xml.NewDecoder(bytes.NewReader(data))
			for {
				if _, err := dec.Token(); err == io.EOF {
					return string(data), nil
				} else if err != nil {
					return nil, err
				}
			}
		})
	})
}

// TestOpenAPIErrorCodes: the document's enum of error codes is exactly the
// codes the server can give.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	var enum []string
	for _, v := range doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum {
		enum = append(enum, v.(string))
	}
	want := errorCodes()
	slices.Sort(enum)
	slices.Sort(want)
	if !slices.Equal(enum, want) {
		t.Errorf("the document's error codes %v, the server's %v", enum, want)
	}
}

// TestAPIErrorCodes: every error response carries its stable code, with
// the English message.
func TestAPIErrorCodes(t *testing.T) {
	f := defaultFixture(t)
	for _, tc := range []struct {
		target string
		status int
		code   string
		msg    string
	}{
		{"/api/search?q=" + url.QueryEscape(`"乡村振兴`), 400, "unbalanced_quote", "unbalanced quote in q at character 1"},
		{"/api/search?q=" + url.QueryEscape("红色 -"), 400, "nothing_to_exclude", `nothing to exclude after "-" in q at character 4`},
		{"/api/search?q=OR", 400, "dangling_or", "OR with no term before it"},
		{"/api/search?q=" + url.QueryEscape("a OR -b"), 400, "excluded_or", "cannot be joined with OR"},
		{"/api/search?q=" + url.QueryEscape("，，"), 400, "no_searchable_characters", "no searchable characters"},
		{"/api/search?q=" + strings.Repeat("a", 300), 400, "query_too_long", "300 characters long"},
		{"/api/search?year_from=2024&year_to=2020", 400, "year_range_reversed", "year_from 2024 is after year_to 2020"},
		{"/api/search?year=19", 400, "invalid_year", "year must be a year between 1900 and 2100"},
		{"/api/search?sort=best", 400, "invalid_sort", "sort must be"},
		{"/api/search?size=0", 400, "invalid_number", "size must be a whole number"},
		{"/api/search?page=200&size=100", 400, "window_too_deep", "at most 10000 hits"},
		{"/api/search?county=" + manyValues(60), 400, "too_many_values", "too many county values"},
		{"/api/paragraphs/x/similar?scope=nope", 400, "invalid_scope", "scope must be"},
		{"/api/articles/0000000000000000", 404, "not_found", "not found"},
		{"/api/no/such/route", 404, "not_found", "Not Found"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.target, nil)
			rec := httptest.NewRecorder()
			f.e.ServeHTTP(rec, req)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not a JSON error: %v\n%s", err, rec.Body.String())
			}
			if rec.Code != tc.status || body.Error.Status != tc.status || body.Error.Code != tc.code || !strings.Contains(body.Error.Message, tc.msg) {
				t.Errorf("got %d %+v, want %d %s %q", rec.Code, body.Error, tc.status, tc.code, tc.msg)
			}
		})
	}
}

// manyValues is a comma-separated list of n distinct values.
func manyValues(n int) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = "c" + strconv.Itoa(i)
	}
	return strings.Join(vs, ",")
}
