package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"golang.org/x/net/html/atom"

	"countynews/corpus"
)

// newsServer serves a small export of ordinary news, the way real JSONL
// exports arrive: no titles (one 原标题 in the text), no initiative
// structure, one record undated, in a file whose name carries no year.
func newsServer(t *testing.T) *echo.Echo {
	t.Helper()
	long := strings.Repeat("社区志愿服务队走访群众，了解急难愁盼问题。", 40) // > corpus.MaxParagraph: two paragraphs
	recs := []map[string]any{
		{"id": "n1", "date": "2023-08-01", "text": "原标题：梁山县开展夏季志愿服务\n7月31日，梁山县组织志愿服务活动。" + long},
		{"id": "n2", "date": "2023-08-02", "text": "大众网记者 朱铜辉 济宁报道8月2日，曲阜市人民医院召开志愿服务推进会议。" + long},
		{"id": "n3", "date": nil, "text": "济宁市志愿服务联合会召开志愿服务年会，部署下半年工作。"},
	}
	var b strings.Builder
	for _, r := range recs {
		line, _ := json.Marshal(r)
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "news.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return newPageServer(t, path)
}

// TestNewsExportOnTheAPI: export paragraphs are kind paragraph (no topic),
// an article without a headline carries a derived one flagged
// headline_derived, and the undated article is counted and found under the
// year facet's unknown value (0) and under no year range.
func TestNewsExportOnTheAPI(t *testing.T) {
	e := newsServer(t)
	res := doSearch(t, e, url.Values{"q": {"志愿服务"}, "size": {"50"}})
	derived, body := 0, 0
	for _, h := range res.Hits {
		if h.Position > 0 {
			body++
			if h.Kind != corpus.KindParagraph || h.Topic != "" {
				t.Errorf("hit %s: kind %q topic %q, want paragraph without topic", h.ID, h.Kind, h.Topic)
			}
		}
		if h.Headline == "" {
			t.Errorf("hit %s: no headline", h.ID)
		}
		if h.HeadlineDerived {
			derived++
		} else if h.Headline != "梁山县开展夏季志愿服务" {
			t.Errorf("hit %s: headline %q not derived", h.ID, h.Headline)
		}
	}
	if body == 0 || derived == 0 {
		t.Fatalf("%d body paragraphs, %d derived headlines: fixture too small", body, derived)
	}
	unknown := 0
	for _, f := range res.Facets.Year {
		if f.Value == "0" {
			unknown = f.Count
		}
	}
	if unknown != 1 {
		t.Errorf("year facet %v: want the undated paragraph under 0", res.Facets.Year)
	}
	only := doSearch(t, e, url.Values{"q": {"志愿服务"}, "year": {"0"}})
	if only.Total != 1 || only.Hits[0].Year != 0 || only.Hits[0].Date != "" {
		t.Errorf("year=0: %d hits %+v, want the undated one", only.Total, only.Hits)
	}
	if r := doSearch(t, e, url.Values{"year": {"0"}, "year_from": {"2000"}}); r.Total != 0 {
		t.Errorf("year=0 with a range: %d hits, want 0", r.Total)
	}
	if code := get(t, e, "/api/search?year=1", nil); code != 400 {
		t.Errorf("year=1: status %d, want 400", code)
	}
}

// TestNewsExportOnThePage: no card says （无标题） or 第 N 项举措 for an
// export; derived titles are marked; 未知年份 is a facet value with its
// count, and picking it shows a chip of that name.
func TestNewsExportOnThePage(t *testing.T) {
	e := newsServer(t)
	r := okPage(t, e, "/?q="+url.QueryEscape("志愿服务")+"&size=50")
	if strings.Contains(r.body, "无标题") || strings.Contains(r.body, "项举措") {
		t.Errorf("page shows （无标题） or 项举措 for an export")
	}
	if !strings.Contains(r.body, "第 1 段") {
		t.Errorf("page does not label export paragraphs 第 N 段")
	}
	derived := 0
	for _, c := range findByClass(r.doc, "card") {
		title := findByClass(c, "card-title")[0]
		note := findByClass(c, "derived-note")
		if nodeHasClass(title, "derived") != (len(note) == 1) {
			t.Errorf("card %q: derived class and note disagree", nodeText(title))
		}
		if nodeHasClass(title, "derived") {
			derived++
		}
	}
	if derived == 0 {
		t.Errorf("no card title marked derived")
	}
	noYear := findByClass(r.doc, "no-year")
	if len(noYear) != 1 || !strings.Contains(nodeText(noYear[0]), "未知年份") || !strings.Contains(nodeText(noYear[0]), "1") {
		t.Fatalf("no 未知年份 facet value with its count")
	}
	if a := findByTag(noYear[0], atom.A); len(a) != 1 || !strings.Contains(nodeAttr(a[0], "href"), "year=0") {
		t.Errorf("未知年份 does not link to year=0")
	}
	picked := okPage(t, e, "/?q="+url.QueryEscape("志愿服务")+"&year=0")
	chips := findByClass(picked.doc, "chips")
	if len(chips) != 1 || !strings.Contains(nodeText(chips[0]), "未知年份") || strings.Contains(nodeText(chips[0]), "0年") {
		t.Errorf("year=0 page: want a 未知年份 chip, not 0年")
	}
}

// TestNewsExportOpenAPI: responses over an export (kind paragraph,
// headline_derived, the year facet's 0, year=0) validate against the
// OpenAPI document.
func TestNewsExportOpenAPI(t *testing.T) {
	registerDecoders()
	e := newsServer(t)
	ctx := context.Background()
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
	hit := doSearch(t, e, url.Values{"q": {"志愿服务"}, "year": {"0"}}).Hits[0]
	for _, target := range []string{
		"/api/search?q=" + url.QueryEscape("志愿服务") + "&size=50",
		"/api/search?year=0",
		"/api/search?year=0&year=2023&sort=oldest",
		"/api/articles/" + hit.ArticleID,
	} {
		req := httptest.NewRequest(http.MethodGet, "http://localhost"+target, nil)
		req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: no OpenAPI route: %v", target, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s: request does not match the document: %v", target, err)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: status %d response does not match the document: %v", target, rec.Code, err)
		}
	}
}
