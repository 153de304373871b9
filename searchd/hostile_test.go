package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	xhtml "golang.org/x/net/html"
)

// hostileDeadline is how long any one hostile request may take before the
// test calls it a hang. The embedded corpus answers in milliseconds; the
// bound is generous for -race on two busy cores.
const hostileDeadline = 10 * time.Second

// serveWithin serves req through h and fails the test if it has not
// answered within d. A handler that panics past Recover would crash the
// test binary, which fails the test too.
func serveWithin(t *testing.T, h http.Handler, req *http.Request, d time.Duration) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
		return rec
	case <-time.After(d):
		t.Fatalf("%s %.200s: no answer within %v (hang)", req.Method, req.RequestURI, d)
		return nil
	}
}

// checkErrorJSON asserts body is {"error":{"status":code,"message":"..."}}.
func checkErrorJSON(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	var eb struct {
		Error *struct {
			Status  *int    `json:"status"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatalf("%s: status %d, body is not JSON: %v\n%.500s", what, code, err, body)
	}
	if eb.Error == nil || eb.Error.Status == nil || eb.Error.Message == nil {
		t.Fatalf("%s: status %d, body is not {\"error\":{\"status\",\"message\"}}: %.500s", what, code, body)
	}
	if *eb.Error.Status != code || strings.TrimSpace(*eb.Error.Message) == "" {
		t.Errorf("%s: status %d, error body says status %d, message %q", what, code, *eb.Error.Status, *eb.Error.Message)
	}
}

// hostileCase is one hostile request.
type hostileCase struct {
	name   string
	method string            // default GET
	target string            // raw request target, already percent-encoded as the attacker sends it
	header map[string]string // extra headers
	page   bool              // a browser asking for HTML (Accept: text/html)
	want   []int             // acceptable statuses; nil: 200 or any 4xx
	empty  bool              // a 200 must be an honest empty result (/api/search: total 0, no hits)
	noHits bool              // a 200 from /api/search must hold no hits (paged past the end)
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

// repeatParam returns name=v0&name=v1&... for n values made by val.
func repeatParam(name string, n int, val func(i int) string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name + "=" + url.QueryEscape(val(i)))
	}
	return b.String()
}

func hostileCases(pid, aid string) []hostileCase {
	const ok, bad, notFound, notAllowed = http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed
	q := func(s string) string { return "/api/search?q=" + url.QueryEscape(s) }
	in := func(codes ...int) []int { return codes }
	han := func(n int) string { return rep("县", n) }
	return []hostileCase{
		// Quotes and parentheses.
		{name: "unbalanced quote open", target: q(`"红色物业`), want: in(bad)},
		{name: "unbalanced quote close", target: q(`红色物业"`), want: in(bad)},
		{name: "three quotes", target: q(`"红色"物业"`), want: in(bad)},
		{name: "full-width unbalanced quote", target: q(`＂红色物业`), want: in(bad)},
		{name: "unbalanced paren open", target: q(`(红色物业`)},
		{name: "unbalanced parens close", target: q(`红色物业)))`)},
		{name: "only parentheses", target: q(`((((((((((`), want: in(bad)},
		{name: "nested parens and quotes", target: q(`(("(红色)" OR (物业`)},
		// Punctuation, spaces, minus, OR.
		{name: "only ASCII punctuation", target: q(`!@#$%^&*()_+=[]{}|;':,./<>?`), want: in(bad)},
		{name: "only Chinese punctuation", target: q(`，。！？、；：“”‘’（）【】《》`), want: in(bad)},
		{name: "only spaces", target: "/api/search?q=" + rep("+", 50), want: in(ok)},
		{name: "only ideographic spaces", target: q(rep("\u3000", 50)), want: in(ok)},
		{name: "only tabs and newlines", target: "/api/search?q=%09%0A%0D%0B%0C", want: in(ok)},
		{name: "only minus", target: q(`-`), want: in(bad)},
		{name: "only minuses", target: q(`- -- ---`), want: in(bad)},
		{name: "minus before space", target: q(`红色物业 -`), want: in(bad)},
		{name: "OR OR OR", target: q(`OR OR OR`), want: in(bad)},
		{name: "trailing OR", target: q(`红色物业 OR`), want: in(bad)},
		{name: "leading OR", target: q(`OR 红色物业`), want: in(bad)},
		{name: "excluded term in OR", target: q(`红色物业 OR -梁山`), want: in(bad)},
		{name: "only excluded terms", target: q(`-梁山 -邹城`)},
		// Lengths.
		{name: "256 characters", target: q(han(256)), want: in(ok)},
		{name: "257 characters", target: q(han(257)), want: in(bad)},
		{name: "100000 characters", target: q(han(100_000)), want: in(bad)},
		{name: "100000 ASCII letters", target: q(rep("a", 100_000)), want: in(bad)},
		{name: "256 terms", target: q(strings.TrimSpace(rep("县 ", 128))), want: in(bad)},
		{name: "43 ORs: past query.MaxTerms", target: q("县" + rep(" OR 县", 42)), want: in(bad)},
		{name: "24 ORs: at query.MaxTerms", target: q("县" + rep(" OR 县", 23)), want: in(ok)},
		// Encodings.
		{name: "invalid UTF-8 byte", target: "/api/search?q=%ff%fe", want: in(bad)},
		{name: "invalid UTF-8 inside Chinese", target: "/api/search?q=%e7%ba%a2%e8%89", want: in(bad)},
		{name: "overlong UTF-8 slash", target: "/api/search?q=%c0%af", want: in(bad)},
		{name: "UTF-16 surrogate half", target: "/api/search?q=%ed%a0%80", want: in(bad)},
		{name: "NUL alone", target: "/api/search?q=%00", want: in(ok)},
		{name: "NUL inside a term", target: "/api/search?q=%e7%ba%a2%e8%89%b2%00%e7%89%a9%e4%b8%9a", want: in(ok)},
		{name: "NUL in a county", target: "/api/search?county=%e6%a2%81%00%e5%b1%b1", want: in(ok), empty: true},
		{name: "invalid UTF-8 county", target: "/api/search?county=%ff", want: in(bad)},
		{name: "invalid UTF-8 program", target: "/api/search?program=%c3%28", want: in(bad)},
		{name: "raw bytes of a broken escape", target: "/api/search?q=%zz%", want: in(ok, bad)},
		// Scripts and symbols.
		{name: "emoji only", target: q(`😀🎉🔥`), want: in(bad)},
		{name: "emoji with a phrase", target: q(`红色物业😀`), want: in(ok)},
		{name: "ZWJ emoji sequence", target: q("👨\u200d👩\u200d👧\u200d👦 县"), want: in(ok)},
		{name: "flag and skin tone", target: q("🇨🇳👍🏽"), want: in(bad)},
		{name: "right-to-left Arabic", target: q(`مرحبا بالعالم`), want: in(ok), empty: true},
		{name: "right-to-left Hebrew", target: q(`שלום עולם`), want: in(ok), empty: true},
		{name: "RTL override around Chinese", target: q("\u202e红色物业\u202c"), want: in(ok)},
		{name: "zalgo combining marks", target: q("z" + rep("\u0301\u0336\u0489", 80)), want: in(ok, bad)},
		{name: "lone combining marks", target: q(rep("\u0301", 20)), want: in(bad)},
		{name: "combining mark on Chinese", target: q("红\u0301色物业"), want: in(ok)},
		{name: "full-width everything", target: q(`＂红色物业＂　ＯＲ　红帆驿站　－梁山　２０２１`), want: in(ok)},
		{name: "full-width params", target: "/api/search?q=" + url.QueryEscape("县") + "&size=" + url.QueryEscape("１０") + "&year=" + url.QueryEscape("２０２１"), want: in(ok, bad)},
		{name: "zero-width spaces and BOM", target: q("\u200b\ufeff\u200b"), want: in(ok)},
		{name: "private use and noncharacters", target: q("\ue000\uffff\U0010fffd"), want: in(bad)},
		// Bleve and Lucene query-string syntax is literal.
		{name: "field syntax", target: q(`county:梁山`), want: in(ok), empty: true},
		{name: "wildcard", target: q(`*`), want: in(bad)},
		{name: "wildcard term", target: q(`红*`), want: in(ok)},
		{name: "fuzziness", target: q(`红色物业~2`), want: in(ok), empty: true},
		{name: "regexp", target: q(`/红.*/`), want: in(ok)},
		{name: "boost", target: q(`红色物业^5`), want: in(ok), empty: true},
		{name: "required and prohibited", target: q(`+红色物业 +county:梁山 -_id:*`), want: in(ok), empty: true},
		{name: "range syntax", target: q(`year:>2000 year:[1900 TO 2100]`), want: in(ok), empty: true},
		{name: "escapes", target: q(`\"\\\*\:`), want: in(ok, bad)},
		{name: "AND NOT words", target: q(`红色物业 AND NOT 梁山 && ||`), want: in(ok)},
		// Injection strings.
		{name: "SQL injection", target: q(`' OR 1=1; DROP TABLE paragraphs; --`), want: in(ok), empty: true},
		{name: "SQL injection with quotes", target: q(`" OR ""="`), want: in(ok), empty: true},
		{name: "SQL injection odd quotes", target: q(`admin' OR "1"="1`), want: in(bad)},
		{name: "SQL union", target: q(`1' UNION SELECT * FROM users --`), want: in(ok), empty: true},
		{name: "HTML injection", target: q(`<script>alert(1)</script>`), want: in(ok), empty: true},
		{name: "attribute injection", target: q(`"><img src=x onerror=alert(1)>`), want: in(bad)},
		{name: "template injection", target: q(`{{.}} {{template "layout" .}} ${7*7} <%= 7*7 %>`), want: in(ok), empty: true},
		{name: "format verbs", target: q(`%s%n%x%v%!`), want: in(ok), empty: true},
		{name: "log injection newline", target: q("县\n{\"level\":\"ERROR\",\"msg\":\"forged\"}"), want: in(ok, bad)},
		{name: "JSON in q", target: q(`{"query":{"match_all":{}}}`), want: in(ok, bad)},
		// Paging and size.
		{name: "size=-1", target: "/api/search?size=-1", want: in(bad)},
		{name: "size=0", target: "/api/search?size=0", want: in(bad)},
		{name: "size=1e9", target: "/api/search?size=1e9", want: in(bad)},
		{name: "size=1000000000", target: "/api/search?size=1000000000", want: in(bad)},
		{name: "size overflows int64", target: "/api/search?size=99999999999999999999999999", want: in(bad)},
		{name: "size=101", target: "/api/search?size=101", want: in(bad)},
		{name: "size=NaN", target: "/api/search?size=NaN", want: in(bad)},
		{name: "size=0x10", target: "/api/search?size=0x10", want: in(bad)},
		{name: "page=99999999", target: "/api/search?page=99999999", want: in(bad)},
		{name: "page=0", target: "/api/search?page=0", want: in(bad)},
		{name: "page=-1", target: "/api/search?page=-1", want: in(bad)},
		{name: "window past 10000", target: "/api/search?page=101&size=100", want: in(bad)},
		{name: "last page of the window", target: "/api/search?page=100&size=100", want: in(ok), noHits: true},
		{name: "sort injection", target: "/api/search?sort=" + url.QueryEscape("-_score,year"), want: in(bad)},
		{name: "year not a number", target: "/api/search?year=abc", want: in(bad)},
		{name: "year far future", target: "/api/search?year=99999", want: in(bad)},
		{name: "year_from after year_to", target: "/api/search?year_from=2030&year_to=2000", want: in(bad)},
		{name: "year range with no hits", target: "/api/search?year=2021&year_from=2030", want: in(ok), empty: true},
		// Repeated parameters, by the thousand.
		{name: "q repeated 5000 times", target: "/api/search?" + repeatParam("q", 5000, func(int) string { return "县" }), want: in(ok)},
		{name: "county repeated 5000 times", target: "/api/search?" + repeatParam("county", 5000, func(int) string { return "梁山" }), want: in(ok)},
		{name: "5000 distinct counties", target: "/api/search?" + repeatParam("county", 5000, func(i int) string { return fmt.Sprint("县", i) }), want: in(bad)},
		{name: "one county list of 5000 commas", target: "/api/search?county=" + rep(",", 5000), want: in(ok)},
		{name: "size repeated 3000 times", target: "/api/search?" + repeatParam("size", 3000, func(i int) string { return fmt.Sprint(i - 1000) }), want: in(bad)},
		{name: "9000 unknown parameters", target: "/api/search?" + repeatParam("x", 9000, func(int) string { return "1" }), want: in(ok)},
		{name: "20000 unknown parameters", target: "/api/search?q=%E5%8E%BF&" + repeatParam("x", 20_000, func(int) string { return "1" }), want: in(ok, bad)},
		{name: "unknown county", target: "/api/search?county=" + url.QueryEscape("火星"), want: in(ok), empty: true},
		{name: "unknown program", target: "/api/search?program=" + url.QueryEscape("<script>"), want: in(ok), empty: true},
		{name: "prototype pollution names", target: "/api/search?__proto__=1&constructor=2&q[]=3", want: in(ok)},
		// IDs: traversal, encodings, oddities.
		{name: "article traversal", target: "/api/articles/../../etc/passwd", want: in(notFound)},
		{name: "article traversal encoded slash", target: "/api/articles/..%2f..%2fetc%2fpasswd", want: in(notFound)},
		{name: "article traversal all encoded", target: "/api/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd", want: in(notFound)},
		{name: "article traversal double encoded", target: "/api/articles/%252e%252e%252fetc%252fpasswd", want: in(notFound)},
		{name: "article traversal backslash", target: "/api/articles/..%5c..%5cwindows%5cwin.ini", want: in(notFound)},
		{name: "paragraph traversal", target: "/api/paragraphs/....//....//etc/passwd", want: in(notFound)},
		{name: "paragraph overlong-encoded dot", target: "/api/paragraphs/%c0%ae%c0%ae%c0%afetc", want: in(notFound)},
		{name: "similar traversal", target: "/api/paragraphs/..%2f" + pid + "/similar", want: in(notFound)},
		{name: "id NUL", target: "/api/articles/%00", want: in(notFound)},
		{name: "id invalid UTF-8", target: "/api/articles/%ff%fe", want: in(notFound)},
		{name: "id template", target: "/api/paragraphs/" + url.PathEscape("{{.}}"), want: in(notFound)},
		{name: "id 10000 characters", target: "/api/paragraphs/" + rep("a", 10_000), want: in(notFound)},
		{name: "id with query syntax", target: "/api/paragraphs/" + url.PathEscape("*"), want: in(notFound)},
		{name: "empty id", target: "/api/articles/", want: in(notFound)},
		{name: "well-formed unknown id", target: "/api/articles/0123456789abcdef", want: in(notFound)},
		{name: "similar size=-1", target: "/api/paragraphs/" + pid + "/similar?size=-1", want: in(bad)},
		{name: "similar size=1e9", target: "/api/paragraphs/" + pid + "/similar?size=1e9", want: in(bad)},
		{name: "similar scope traversal", target: "/api/paragraphs/" + pid + "/similar?scope=..%2f..%2f", want: in(bad)},
		{name: "static traversal", target: "/static/../../../../etc/passwd", want: in(notFound)},
		{name: "static traversal encoded", target: "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", want: in(notFound)},
		{name: "static traversal to source", target: "/static/..%2f..%2fserver.go", want: in(notFound)},
		{name: "static folder listing", target: "/static/", want: in(notFound)},
		// Methods.
		{name: "POST search", method: http.MethodPost, target: q("县"), want: in(notAllowed)},
		{name: "PUT article", method: http.MethodPut, target: "/api/articles/" + aid, want: in(notAllowed)},
		{name: "DELETE paragraph", method: http.MethodDelete, target: "/api/paragraphs/" + pid, want: in(notAllowed)},
		{name: "PATCH facets", method: http.MethodPatch, target: "/api/facets", want: in(notAllowed)},
		{name: "POST metrics", method: http.MethodPost, target: "/metrics", want: in(notAllowed)},
		{name: "TRACE", method: http.MethodTrace, target: "/api/search", want: in(notAllowed)},
		{name: "made-up method", method: "BREW", target: "/api/search", want: in(notAllowed)},
		{name: "HEAD search", method: http.MethodHead, target: q("红色物业"), want: in(ok)},
		{name: "HEAD bad search", method: http.MethodHead, target: q(`"`), want: in(bad)},
		{name: "OPTIONS search", method: http.MethodOptions, target: q("县"), want: in(http.StatusMethodNotAllowed)},
		// Accept headers.
		{name: "Accept XML", target: q("县"), header: map[string]string{"Accept": "application/xml"}, want: in(ok)},
		{name: "Accept HTML on the API", target: q(`"`), header: map[string]string{"Accept": "text/html"}, want: in(bad)},
		{name: "Accept 64 KB of junk", target: q("县"), header: map[string]string{"Accept": rep("x/y;q=0.1,", 6000)}, want: in(ok)},
		{name: "Accept with NUL-ish bytes", target: "/api/search?q=%22", header: map[string]string{"Accept": "\x01\x7f/\x02"}, want: in(bad)},
		{name: "Accept-Encoding bomb", target: q("县"), header: map[string]string{"Accept-Encoding": rep("gzip;q=0.5,", 500)}, want: in(ok)},
		{name: "Content-Type on GET", target: q("县"), header: map[string]string{"Content-Type": "multipart/form-data; boundary=" + rep("-", 70)}, want: in(ok)},

		// The page: /, /articles/:id, /compare.
		{name: "page unbalanced quote", page: true, target: "/?q=" + url.QueryEscape(`"红色物业`), want: in(bad)},
		{name: "page OR OR OR", page: true, target: "/?q=OR+OR+OR", want: in(bad)},
		{name: "page only punctuation", page: true, target: "/?q=" + url.QueryEscape(`!?*`), want: in(bad)},
		{name: "page only spaces", page: true, target: "/?q=+++", want: in(ok)},
		{name: "page 100000 characters", page: true, target: "/?q=" + url.QueryEscape(han(100_000)), want: in(bad)},
		{name: "page invalid UTF-8", page: true, target: "/?q=%ff", want: in(bad)},
		{name: "page NUL", page: true, target: "/?q=%00%00", want: in(ok)},
		{name: "page emoji RTL combining", page: true, target: "/?q=" + url.QueryEscape("😀 مرحبا e\u0301\u0301 县")},
		{name: "page full-width", page: true, target: "/?q=" + url.QueryEscape(`＂红色物业＂　ＯＲ　县`), want: in(ok)},
		{name: "page Bleve syntax", page: true, target: "/?q=" + url.QueryEscape(`county:梁山 红~2 /re/ 县^5`), want: in(ok)},
		{name: "page script in q", page: true, target: "/?q=" + url.QueryEscape(`<script>alert(1)</script>`), want: in(ok)},
		{name: "page template in q", page: true, target: "/?q=" + url.QueryEscape(`{{.}}{{template "x"}}`), want: in(ok)},
		{name: "page size=-1", page: true, target: "/?size=-1", want: in(bad)},
		{name: "page size=1e9", page: true, target: "/?size=1e9", want: in(bad)},
		{name: "page page=99999999", page: true, target: "/?page=99999999", want: in(bad)},
		{name: "page unknown county", page: true, target: "/?county=" + url.QueryEscape("火星"), want: in(ok)},
		{name: "page 5000 distinct counties", page: true, target: "/?" + repeatParam("county", 5000, func(i int) string { return fmt.Sprint(i) }), want: in(bad)},
		{name: "page county repeated 5000 times", page: true, target: "/?" + repeatParam("county", 5000, func(int) string { return "梁山" }), want: in(ok)},
		{name: "page article traversal", page: true, target: "/articles/../../etc/passwd", want: in(notFound)},
		{name: "page article traversal encoded", page: true, target: "/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd", want: in(notFound)},
		{name: "page article script id", page: true, target: "/articles/" + url.PathEscape("<script>alert(1)</script>"), want: in(notFound)},
		{name: "page article NUL id", page: true, target: "/articles/%00", want: in(notFound)},
		{name: "page article long id", page: true, target: "/articles/" + rep("a", 10_000), want: in(notFound)},
		{name: "page compare bad q", page: true, target: "/compare?q=%22", want: in(bad)},
		{name: "page compare hostile filters", page: true, target: "/compare?county=" + url.QueryEscape("火星") + "&program=" + url.QueryEscape("{{.}}") + "&year=1e9"},
		{name: "page compare invalid UTF-8", page: true, target: "/compare?county=%ff", want: in(bad)},
		{name: "page POST", page: true, method: http.MethodPost, target: "/?q=x", want: in(notAllowed)},
		{name: "page DELETE article", page: true, method: http.MethodDelete, target: "/articles/" + aid, want: in(notAllowed)},
		{name: "page HEAD", page: true, method: http.MethodHead, target: "/", want: in(ok)},
		{name: "page absurd Accept", target: "/?q=" + url.QueryEscape("县"), header: map[string]string{"Accept": "image/png;q=1, text/html;q=0"}, want: in(ok)},
		{name: "page unknown path", page: true, target: "/" + url.PathEscape("<script>") + "/../wp-admin.php", want: in(notFound)},
	}
}

// TestHostileRequests sends each hostile request through the server and
// requires an honest answer: a 4xx error (JSON {"error":{...}} from the
// API, an HTML page from the page routes) or a 200, never a 5xx, a panic
// or a hang.
func TestHostileRequests(t *testing.T) {
	f := defaultFixture(t)
	pid, aid := f.paragraphs[1].ID, f.paragraphs[1].ArticleID
	cases := hostileCases(pid, aid)
	if len(cases) < 60 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tc.target, nil)
			if tc.page {
				req.Header.Set(echo.HeaderAccept, "text/html,application/xhtml+xml,*/*;q=0.8")
			} else {
				req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := serveWithin(t, f.e.Server.Handler, req, hostileDeadline)
			checkHostile(t, tc, method, rec)
			if tc.empty && strings.HasPrefix(tc.target, "/api/search?q=") {
				// An honest empty result is exact mode's: under the default
				// (auto) the words of a hostile q may well occur. The same
				// request in exact mode must find nothing.
				ex := tc
				ex.target += "&match=exact"
				req := httptest.NewRequest(method, ex.target, nil)
				req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
				checkHostile(t, ex, method, serveWithin(t, f.e.Server.Handler, req, hostileDeadline))
			}
		})
	}
	t.Logf("%d hostile requests answered", len(cases))
}

func checkHostile(t *testing.T, tc hostileCase, method string, rec *httptest.ResponseRecorder) {
	t.Helper()
	code, body, ctype := rec.Code, rec.Body.Bytes(), rec.Header().Get(echo.HeaderContentType)
	if code >= 500 {
		t.Fatalf("status %d: %.500s", code, body)
	}
	if tc.want != nil {
		found := false
		for _, w := range tc.want {
			found = found || code == w
		}
		if !found {
			t.Fatalf("status %d, want one of %v: %.300s", code, tc.want, body)
		}
	} else if code != http.StatusOK && (code < 400 || code > 499) {
		t.Fatalf("status %d, want 200 or 4xx: %.300s", code, body)
	}
	switch method {
	case http.MethodHead:
		return // the handlers answer as to GET; net/http drops the body (see TestHead)
	case http.MethodOptions:
		if code == http.StatusMethodNotAllowed { // refused like any method but GET and HEAD
			checkErrorJSON(t, "OPTIONS", code, body)
		} else if len(body) != 0 {
			t.Errorf("OPTIONS answered with a body of %d bytes", len(body))
		}
		return
	}
	isAPI := strings.HasPrefix(tc.target, "/api/") || !tc.page && code >= 400
	switch {
	case isAPI && code >= 400:
		if !strings.HasPrefix(ctype, echo.MIMEApplicationJSON) {
			t.Errorf("error with content type %q, want JSON", ctype)
		}
		checkErrorJSON(t, tc.name, code, body)
	case isAPI:
		if !json.Valid(body) {
			t.Fatalf("200 with a body that is not JSON: %.300s", body)
		}
		if strings.HasPrefix(tc.target, "/api/search") {
			var res searchJSON
			if err := json.Unmarshal(body, &res); err != nil {
				t.Fatalf("search response: %v", err)
			}
			if res.Hits == nil || res.Total < len(res.Hits) {
				t.Errorf("total %d with %d hits", res.Total, len(res.Hits))
			}
			relaxed := res.Match != "exact" || len(res.Words) > 0
			if tc.empty && (res.Total != 0 || len(res.Hits) != 0) && !relaxed {
				t.Errorf("total %d, want an honest empty result", res.Total)
			}
			if tc.noHits && len(res.Hits) != 0 {
				t.Errorf("%d hits past the end of %d", len(res.Hits), res.Total)
			}
		}
	default: // the page, error pages included
		if !strings.HasPrefix(ctype, echo.MIMETextHTML) {
			t.Errorf("page answered with content type %q, want HTML", ctype)
		}
		for _, raw := range []string{"<script>alert", "<img src=x"} {
			if strings.Contains(string(body), raw) {
				t.Errorf("page echoes %q unescaped", raw)
			}
		}
	}
	// Hostile input never reaches a JSON body unescaped either: encoding/json
	// writes < > & as \u003c \u003e \u0026.
	if isAPI && strings.Contains(string(body), "<script>") {
		t.Errorf("JSON body holds a raw <script>")
	}
}

// TestHostileTenMegabyteQuery sends a 10 MB query string to a real
// listener: Go's server refuses the request line (431) before any handler
// runs, and keeps serving. Through the handler (no header limit) the same
// URL is a 400, not a crash.
func TestHostileTenMegabyteQuery(t *testing.T) {
	f := defaultFixture(t)
	big := "/api/search?q=" + rep("%E5%8E%BF", 10<<20/9)

	req := httptest.NewRequest(http.MethodGet, big, nil)
	rec := serveWithin(t, f.e.Server.Handler, req, hostileDeadline)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("handler: status %d, want 400", rec.Code)
	}
	checkErrorJSON(t, "10 MB q through the handler", rec.Code, rec.Body.Bytes())

	d := startLive(t, "-index", copyIndex(t, f.dir))
	for _, target := range []string{big, "/?q=" + rep("%E5%8E%BF", 10<<20/9), "/api/search?" + rep("x=1&", 10<<20/4)} {
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Get(d.url + target)
		if err != nil {
			// The server may answer and close before reading the whole
			// request; the client then sees a reset, which is a refusal.
			t.Logf("10 MB request: %v (refused before the body was read)", err)
		} else {
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge, http.StatusBadRequest:
			default:
				t.Errorf("10 MB request over HTTP: status %d, want 414, 431 or 400", resp.StatusCode)
			}
		}
	}
	// Raw: the request line without an end, then the connection closed.
	conn, err := net.Dial("tcp", strings.TrimPrefix(d.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/search?q=%s", rep("a", 1<<20))
	conn.Close()

	resp, err := http.Get(d.url + "/api/search?q=" + url.QueryEscape("红色物业"))
	if err != nil {
		t.Fatalf("the daemon stopped serving after the 10 MB requests: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the 10 MB requests: status %d", resp.StatusCode)
	}
}

// copyIndex makes a private copy of an index folder (for a daemon that
// might swap or close it), keeping the current symlink.
func copyIndex(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "index")
	err := filepath.WalkDir(src, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case de.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case de.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// markupPage is a page in the OCR layout (README: Corpus formats) whose
// text holds markup, template actions, entities and stray <mark> tags.
const markupPage = `---
date: 2023-05-04
---
本报梁山讯（通讯员 李四）梁山县推进红色物业<script>alert(1)</script>建设。

小区打造"><img src=x onerror=alert(1)>示范点，墙上写着{{.}}和</mark>记号，红色物业覆盖全县。

网格员带着<mark>假标记</mark>和&amp;lt;实体&gt;上门，红色物业服务到家。

梁山红色物业<script>alert(9)</script>见成效
——探索{{template "layout" .}}新路子
`

// TestAPIEscaping indexes markupPage and checks the API: every highlight,
// whatever the query marks, is escaped text with <mark> as its only
// markup, never cuts an entity, and unescapes to the paragraph's text; the
// JSON bodies carry no raw markup. (The page's escaping of the same kind of
// text is TestPageEscaping's; here the page is checked only for the
// queries that mark text next to the markup.)
func TestAPIEscaping(t *testing.T) {
	file := filepath.Join(t.TempDir(), "markup_20230504.txt")
	if err := os.WriteFile(file, []byte(markupPage), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newPageServer(t, file)

	queries := []string{"红色物业", `"alert(1)"`, "alert", "onerror", "img", "mark", "script", "假标记", "实体", "amp", "lt", "记号", "示范点"}
	seen := 0
	for _, q := range queries {
		var res searchJSON
		target := "/api/search?q=" + url.QueryEscape(q)
		if code := get(t, e, target, &res); code != http.StatusOK {
			t.Fatalf("%s: status %d", target, code)
		}
		if res.Total == 0 {
			t.Errorf("q=%s: no hits; the markup's text should be searchable", q)
		}
		for _, h := range res.Hits {
			seen++
			checkHighlight(t, q, h.Highlight, h.Text)
		}
		// The page marks the same fragments: the only elements are <mark>
		// around text, nothing of the corpus is markup.
		req := httptest.NewRequest(http.MethodGet, "/?q="+url.QueryEscape(q), nil)
		req.Header.Set(echo.HeaderAccept, "text/html")
		rec := serveWithin(t, e.Server.Handler, req, hostileDeadline)
		checkPageMarkup(t, "/?q="+q, rec.Body.String(), strings.Trim(q, `"`))
	}
	if seen == 0 {
		t.Fatal("no highlights checked")
	}

	// Whole documents: the text is data, sent as JSON strings; the encoder
	// escapes < > & so that no consumer can mistake the body for HTML.
	var res searchJSON
	get(t, e, "/api/search", &res)
	for _, h := range res.Hits {
		for _, target := range []string{"/api/paragraphs/" + h.ID, "/api/articles/" + h.ArticleID, "/api/paragraphs/" + h.ID + "/similar?scope=all"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			rec := serveWithin(t, e.Server.Handler, req, hostileDeadline)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", target, rec.Code)
			}
			if strings.ContainsAny(rec.Body.String(), "<>") {
				t.Errorf("%s: raw < or > in the JSON body", target)
			}
		}
		var p struct{ Text string }
		get(t, e, "/api/paragraphs/"+h.ID, &p)
		if p.Text != h.Text {
			t.Errorf("paragraph %s: text changed on the way: %q", h.ID, p.Text)
		}
	}
	var art struct{ Headline, Subtitle string }
	get(t, e, "/api/articles/"+res.Hits[0].ArticleID, &art)
	if !strings.Contains(art.Headline, "<script>alert(9)</script>") || !strings.Contains(art.Subtitle, `{{template "layout" .}}`) {
		t.Errorf("headline %q, subtitle %q: the markup should survive as text", art.Headline, art.Subtitle)
	}
}

// checkHighlight asserts that a highlight is escaped text plus balanced,
// unnested <mark> elements, cuts no entity, and unescapes to a part of
// text (cut with … at either end).
func checkHighlight(t *testing.T, q, hl, text string) {
	t.Helper()
	if hl == "" {
		t.Errorf("q=%s: empty highlight of %q", q, text)
		return
	}
	var plain strings.Builder
	open := false
	for rest := hl; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "<mark>"):
			if open {
				t.Errorf("q=%s: nested <mark> in %q", q, hl)
			}
			open, rest = true, rest[len("<mark>"):]
		case strings.HasPrefix(rest, "</mark>"):
			if !open {
				t.Errorf("q=%s: stray </mark> in %q", q, hl)
			}
			open, rest = false, rest[len("</mark>"):]
		case rest[0] == '<' || rest[0] == '>' || rest[0] == '"':
			t.Errorf("q=%s: unescaped %q in highlight %q", q, rest[0], hl)
			rest = rest[1:]
		case rest[0] == '&':
			end := strings.IndexByte(rest, ';')
			ent := ""
			if end > 0 {
				ent = rest[:end+1]
			}
			switch ent {
			case "&lt;", "&gt;", "&amp;", "&#34;", "&#39;", "&quot;":
				plain.WriteString(html.UnescapeString(ent))
				rest = rest[len(ent):]
			default:
				t.Errorf("q=%s: & not starting an entity (cut by a mark?) in %q", q, hl)
				plain.WriteByte('&')
				rest = rest[1:]
			}
		default:
			plain.WriteByte(rest[0])
			rest = rest[1:]
		}
	}
	if open {
		t.Errorf("q=%s: unclosed <mark> in %q", q, hl)
	}
	for _, part := range strings.Split(plain.String(), "…") {
		if !strings.Contains(text, part) {
			t.Errorf("q=%s: highlight %q unescapes to %q, not part of the text %q", q, hl, part, text)
		}
	}
}

// checkPageMarkup tokenizes a page and fails on any element the corpus
// could have injected: a script without src, an img, and a <mark> whose
// text is not the query term.
func checkPageMarkup(t *testing.T, target, body, term string) {
	t.Helper()
	z := xhtml.NewTokenizer(strings.NewReader(body))
	inMark, marks := false, 0
	var text strings.Builder
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("%s: %v", target, z.Err())
			}
			if marks == 0 {
				t.Errorf("%s: nothing marked", target)
			}
			return
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "img", "iframe", "object", "embed":
				t.Errorf("%s: <%s> element in the page", target, tok.Data)
			case "script":
				src := ""
				for _, a := range tok.Attr {
					if a.Key == "src" {
						src = a.Val
					}
				}
				if !strings.HasPrefix(src, "/static/") {
					t.Errorf("%s: inline or foreign <script>", target)
				}
			case "mark":
				inMark = true
				text.Reset()
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: event handler attribute %s on <%s>", target, a.Key, tok.Data)
				}
			}
		case xhtml.EndTagToken:
			if tok := z.Token(); tok.Data == "mark" && inMark {
				inMark = false
				marks++
				if !strings.EqualFold(text.String(), term) {
					t.Errorf("%s: <mark>%s</mark>, only %q may be marked", target, text.String(), term)
				}
			}
		case xhtml.TextToken:
			if inMark {
				text.Write(z.Text())
			}
		}
	}
}

// TestHostileRawRequests writes malformed requests straight to a real
// listener, bytes a client library would refuse to send: raw NUL and
// invalid UTF-8 in the request line, a header past the size limit, a TLS
// hello on the plain port, an HTTP/0.9 line. Each gets a 4xx status line
// (or the connection closed), and the daemon keeps serving.
func TestHostileRawRequests(t *testing.T) {
	d := startLive(t, "-index", copyIndex(t, defaultFixture(t).dir))
	addr := strings.TrimPrefix(d.url, "http://")
	for _, tc := range []struct{ name, raw string }{
		{"raw NUL in the target", "GET /api/search?q=a\x00b HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"raw invalid UTF-8 in the target", "GET /api/search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"raw invalid UTF-8 in the path", "GET /articles/\xc0\xaf HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n"},
		{"space in the target", "GET /api/search?q=a b HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"header past the limit", "GET /api/search HTTP/1.1\r\nHost: x\r\nX-Big: " + rep("a", 200<<10) + "\r\n\r\n"},
		{"10000 headers", "GET /api/search HTTP/1.1\r\nHost: x\r\n" + rep("X-A: b\r\n", 10_000) + "\r\n"},
		{"NUL in a header", "GET /api/search HTTP/1.1\r\nHost: x\r\nAccept: a\x00b\r\n\r\n"},
		{"TLS hello on the plain port", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rep("\x00", 64) + "\r\n\r\n"},
		{"HTTP/0.9", "GET /\r\n\r\n"},
		{"no Host on HTTP/1.1", "GET /api/search HTTP/1.1\r\n\r\n"},
		{"absolute URI to another host", "GET http://evil.example/api/search?q=%E5%8E%BF HTTP/1.1\r\nHost: evil.example\r\n\r\n"},
		{"request smuggling headers", "GET /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
		{"negative content length", "GET /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(hostileDeadline))
			if _, err := io.WriteString(conn, tc.raw); err != nil {
				t.Logf("write: %v (closed early)", err)
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("no answer within %v", hostileDeadline)
				}
				t.Logf("connection closed without a status line: %v", err)
				return
			}
			var proto string
			var code int
			if _, err := fmt.Sscanf(line, "%s %d", &proto, &code); err != nil {
				t.Fatalf("not a status line: %q", line)
			}
			if code >= 500 {
				t.Errorf("status %d", code)
			}
			t.Logf("%s", strings.TrimSpace(line))
		})
	}
	resp, err := http.Get(d.url + "/api/search?q=" + url.QueryEscape("红色物业"))
	if err != nil {
		t.Fatalf("the daemon stopped serving: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the raw requests: status %d", resp.StatusCode)
	}
}
