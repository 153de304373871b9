package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// FuzzSearchHandler sends fuzzed q, filters, sort and paging to
// /api/search on the embedded corpus index, through the whole middleware
// chain, and requires a JSON answer with a 2xx or 4xx status: never a 5xx,
// a panic or a hang. A 200 must be a consistent search response and a 4xx
// the one error shape.
//
//	go test ./searchd -run '^$' -fuzz FuzzSearchHandler -fuzztime 5m
func FuzzSearchHandler(f *testing.F) {
	for _, s := range []struct{ q, county, program, year, sort, page, size string }{
		{"红色物业", "", "", "", "", "", ""},
		{"红色物业", "梁山", "", "", "", "", ""},
		{"红色物业 -梁山", "", "", "", "newest", "1", "5"},
		{"县", "梁山,邹城", "", "2021", "oldest", "2", "3"},
		{"红色物业 OR 红帆驿站", "", "红色物业", "", "relevance", "", "100"},
		{`"街呼县应、接诉即办"`, "", "", "", "", "", ""},
		{`"红色物业`, "", "", "", "", "", ""},
		{"OR OR OR", "", "", "", "", "", ""},
		{"-", "", "", "", "", "-1", "1e9"},
		{"county:梁山 * ~2 /re/ ^5", "火星", "", "99999", "", "99999999", ""},
		{"＂红色物业＂　ＯＲ　－梁山", "", "", "２０２１", "", "", "１０"},
		{"\x00\xff\xfe", "\xff", "\x00", "", "", "", ""},
		{"😀 مرحبا e\u0301\u0301", "", "", "", "", "", ""},
		{"<script>alert(1)</script> {{.}}", "", "<b>", "", "", "", ""},
		{"", "", "", "", "", "100", "100"},
		{"", "", "", "", "", "101", "100"},
		{strings.Repeat("县", 256), "", "", "", "", "", ""},
		{strings.Repeat("县", 257), "", "", "", "", "", ""},
	} {
		f.Add(s.q, s.county, s.program, s.year, s.sort, s.page, s.size)
	}
	fx := defaultFixture(f)
	h := fx.e.Server.Handler
	f.Fuzz(func(t *testing.T, q, county, program, year, sortBy, page, size string) {
		v := url.Values{}
		set := func(name, val string) {
			if val != "" {
				v.Set(name, val)
			}
		}
		v.Set("q", q)
		set("county", county)
		set("program", program)
		set("year", year)
		set("sort", sortBy)
		set("page", page)
		set("size", size)
		req := httptest.NewRequest(http.MethodGet, "/api/search?"+v.Encode(), nil)
		req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
		rec := serveWithin(t, h, req, 20*time.Second)
		code, body := rec.Code, rec.Body.Bytes()
		if code >= 500 || code < 200 || code >= 300 && code < 400 {
			t.Fatalf("status %d for %s: %.500s", code, v.Encode(), body)
		}
		if !json.Valid(body) {
			t.Fatalf("status %d, body not JSON: %.500s", code, body)
		}
		if code >= 400 {
			checkErrorJSON(t, v.Encode(), code, body)
			return
		}
		var res searchJSON
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("200 that is not a search response: %v", err)
		}
		if res.Hits == nil || len(res.Hits) > res.Size || res.Total < len(res.Hits) || res.Page < 1 || res.Size < 1 || res.Size > maxSize {
			t.Fatalf("inconsistent response: total %d, %d hits, page %d, size %d", res.Total, len(res.Hits), res.Page, res.Size)
		}
		if (res.Page-1)*res.Size < res.Total && len(res.Hits) == 0 {
			t.Fatalf("page %d of size %d is within total %d but has no hits", res.Page, res.Size, res.Total)
		}
		for _, hit := range res.Hits {
			// The only markup in a highlight is <mark>.
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(hit.Highlight)
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("highlight %q holds markup other than <mark>", hit.Highlight)
			}
		}
	})
}
