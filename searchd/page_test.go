package main

import (
	"context"
	"encoding/json"
	stdhtml "html"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"countynews/corpus"
	"countynews/internal/ingest"
	"countynews/internal/search"
)

// newPageServer builds an index of the given inputs (none: the embedded
// default corpus) in a temporary folder and returns a server on it.
func newPageServer(t *testing.T, paths ...string) *echo.Echo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := ingest.Run(context.Background(), ingest.Options{Index: dir, Paths: paths}); err != nil {
		t.Fatal(err)
	}
	h, err := newHolderWith(context.Background(), dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.close() })
	return newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))
}

// pageResp is a served page: status, headers, body and its parse.
type pageResp struct {
	code   int
	header http.Header
	body   string
	doc    *html.Node
}

// fetchPage requests target as a browser does (Accept: text/html).
func fetchPage(t *testing.T, e *echo.Echo, target string) pageResp {
	t.Helper()
	target, _, _ = strings.Cut(target, "#") // a browser keeps the fragment to itself
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set(echo.HeaderAccept, "text/html,application/xhtml+xml,*/*;q=0.8")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	r := pageResp{code: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if strings.HasPrefix(r.header.Get(echo.HeaderContentType), "text/html") {
		doc, err := html.Parse(strings.NewReader(r.body))
		if err != nil {
			t.Fatalf("GET %s: HTML does not parse: %v", target, err)
		}
		r.doc = doc
	}
	return r
}

// okPage fetches a page that must be served with 200 and HTML.
func okPage(t *testing.T, e *echo.Echo, target string) pageResp {
	t.Helper()
	r := fetchPage(t, e, target)
	if r.code != http.StatusOK || r.doc == nil {
		t.Fatalf("GET %s: status %d, content type %q\n%.2000s", target, r.code, r.header.Get(echo.HeaderContentType), r.body)
	}
	return r
}

// --- a tiny DOM query kit over x/net/html ---

func nodeAttr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func nodeHasAttr(n *html.Node, name string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == name })
}

func nodeHasClass(n *html.Node, class string) bool {
	return n.Type == html.ElementNode && slices.Contains(strings.Fields(nodeAttr(n, "class")), class)
}

// all returns the elements under n (n included) that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func findByClass(n *html.Node, class string) []*html.Node {
	return findAll(n, func(n *html.Node) bool { return nodeHasClass(n, class) })
}

func findByTag(n *html.Node, tag atom.Atom) []*html.Node {
	return findAll(n, func(n *html.Node) bool { return n.DataAtom == tag })
}

func findByID(n *html.Node, id string) *html.Node {
	found := findAll(n, func(n *html.Node) bool { return nodeAttr(n, "id") == id })
	if len(found) != 1 {
		return nil
	}
	return found[0]
}

// text is an element's text content, as a browser would copy it.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// links returns the parsed hrefs of the <a> elements under n.
func linkURLs(t *testing.T, n *html.Node) []*url.URL {
	t.Helper()
	var out []*url.URL
	for _, a := range findByTag(n, atom.A) {
		u, err := url.Parse(nodeAttr(a, "href"))
		if err != nil {
			t.Fatalf("bad href %q: %v", nodeAttr(a, "href"), err)
		}
		out = append(out, u)
	}
	return out
}

// facetLink finds the facet value link of the sidebar group.
func facetLinkOf(t *testing.T, doc *html.Node, group, value string) *html.Node {
	t.Helper()
	sec := findByID(doc, "f-"+group)
	if sec == nil {
		t.Fatalf("no facet group %s", group)
	}
	for _, a := range findByClass(sec.Parent, "fv") {
		if n := findByClass(a, "name"); len(n) == 1 && strings.TrimPrefix(nodeText(n[0]), "已选：") == value {
			return a
		}
	}
	return nil
}

func hrefURL(t *testing.T, a *html.Node) *url.URL {
	t.Helper()
	u, err := url.Parse(nodeAttr(a, "href"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// sameValues compares URL parameters as sets of values per name.
func sameValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		x, y := slices.Clone(va), slices.Clone(vb)
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}

// apiMessage is the error message the JSON API gives for the same request.
func apiMessage(t *testing.T, e *echo.Echo, target string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: not a JSON error: %v\n%s", target, err, rec.Body.String())
	}
	return body.Error.Status, body.Error.Message
}

// checkPageHygiene checks what every page must satisfy: the CSP holds (no
// inline script, style or event handler), the language is declared, there
// is one main landmark and one h1, and every form control and link has an
// accessible name.
func checkPageHygiene(t *testing.T, target string, r pageResp) {
	t.Helper()
	if r.doc == nil {
		t.Fatalf("%s: not HTML", target)
	}
	if h := findByTag(r.doc, atom.Html); len(h) != 1 || nodeAttr(h[0], "lang") != "zh-CN" {
		t.Errorf("%s: <html lang> is not zh-CN", target)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("%s: CSP header %q", target, csp)
	}
	for _, s := range findByTag(r.doc, atom.Script) {
		if nodeAttr(s, "src") == "" || s.FirstChild != nil {
			t.Errorf("%s: inline <script>: CSP forbids it", target)
		}
	}
	if len(findByTag(r.doc, atom.Style)) > 0 {
		t.Errorf("%s: inline <style>: CSP forbids it", target)
	}
	findAll(r.doc, func(n *html.Node) bool {
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("%s: <%s %s=%q>: CSP forbids inline styles and handlers", target, n.Data, a.Key, a.Val)
			}
		}
		return false
	})
	if n := len(findByTag(r.doc, atom.Main)); n != 1 {
		t.Errorf("%s: %d <main> landmarks, want 1", target, n)
	}
	if n := len(findByTag(r.doc, atom.H1)); n != 1 {
		t.Errorf("%s: %d <h1>, want 1", target, n)
	}
	labelled := map[string]bool{}
	for _, l := range findByTag(r.doc, atom.Label) {
		labelled[nodeAttr(l, "for")] = true
		for _, in := range findByTag(l, atom.Input) {
			labelled[nodeAttr(in, "id")+"\x00wrapped"] = true
			in.Attr = append(in.Attr, html.Attribute{Key: "data-wrapped", Val: "1"})
		}
	}
	for _, in := range findByTag(r.doc, atom.Input) {
		if nodeAttr(in, "type") == "hidden" {
			continue
		}
		if !labelled[nodeAttr(in, "id")] && !nodeHasAttr(in, "data-wrapped") && nodeAttr(in, "aria-label") == "" {
			t.Errorf("%s: <input name=%q> has no label", target, nodeAttr(in, "name"))
		}
	}
	for _, a := range findByTag(r.doc, atom.A) {
		if nodeText(a) == "" && nodeAttr(a, "aria-label") == "" {
			t.Errorf("%s: link to %q has no text", target, nodeAttr(a, "href"))
		}
	}
	for _, b := range findByTag(r.doc, atom.Button) {
		if nodeText(b) == "" {
			t.Errorf("%s: a button has no text", target)
		}
	}
}

// TestPages serves the search page, the article view and the comparison
// through e.ServeHTTP on an index of the embedded corpus.
func TestPages(t *testing.T) {
	e := newPageServer(t)

	t.Run("Status", func(t *testing.T) {
		for _, tc := range []struct {
			name, target string
			code         int
			ctype        string
		}{
			{"browse", "/", 200, "text/html"},
			{"query", "/?q=" + url.QueryEscape("红色物业"), 200, "text/html"},
			{"query and filters", "/?q=" + url.QueryEscape("红色物业") + "&county=" + url.QueryEscape("梁山") + "&year=2021&sort=newest&size=5", 200, "text/html"},
			{"no hits", "/?q=" + url.QueryEscape("没有这样的词语组合"), 200, "text/html"},
			{"past the last page", "/?page=500&size=20", 200, "text/html"},
			{"bad query", "/?q=" + url.QueryEscape("OR 红色物业"), 400, "text/html"},
			{"bad year", "/?year=abc", 400, "text/html"},
			{"bad sort", "/?sort=best", 400, "text/html"},
			{"bad page", "/?page=0", 400, "text/html"},
			{"window too deep", "/?page=200&size=100", 400, "text/html"},
			{"query too long", "/?q=" + strings.Repeat("县", 300), 400, "text/html"},
			{"compare", "/compare?q=" + url.QueryEscape("红色物业"), 200, "text/html"},
			{"compare all", "/compare", 200, "text/html"},
			{"compare bad query", "/compare?q=" + url.QueryEscape("OR"), 400, "text/html"},
			{"no such article", "/articles/0000000000000000", 404, "text/html"},
			{"bad article id", "/articles/" + url.PathEscape("<script>"), 404, "text/html"},
			{"no such page", "/no/such/page", 404, "text/html"},
			{"stylesheet", "/static/app.css", 200, "text/css"},
			{"script", "/static/app.js", 200, "text/javascript"},
			{"icon", "/static/favicon.svg", 200, "image/svg+xml"},
			{"no such asset", "/static/nope.css", 404, "application/json"},
			{"asset path escape", "/static/../page.go", 404, "application/json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := fetchPage(t, e, tc.target)
				if r.code != tc.code {
					t.Errorf("GET %s: status %d, want %d\n%.1500s", tc.target, r.code, tc.code, r.body)
				}
				if ct := r.header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, tc.ctype) {
					t.Errorf("GET %s: content type %q, want %s", tc.target, ct, tc.ctype)
				}
				if r.doc != nil {
					checkPageHygiene(t, tc.target, r)
				}
				for _, leak := range []string{"goroutine ", ".go:", "panic", "runtime/"} {
					if r.code >= 400 && strings.Contains(r.body, leak) {
						t.Errorf("GET %s: the error page leaks %q", tc.target, leak)
					}
				}
			})
		}
	})

	t.Run("ErrorsInPlace", func(t *testing.T) {
		all := totalOf(t, okPage(t, e, "/"))
		hong := totalOf(t, okPage(t, e, "/?q="+url.QueryEscape("红色物业")))
		for _, tc := range []struct {
			name, target string
			code         string
			total        int      // what the rest of the request finds
			says         []string // in the Chinese message
			marked       string   // the character of q pointed at ("" for none)
			qHelp        bool
		}{
			{"unclosed quote", "/?q=" + url.QueryEscape(`"乡村振兴`), "unbalanced_quote", all, []string{"第 1 个字符", "引号没有配对"}, `"`, true},
			{"unclosed quote later", "/?q=" + url.QueryEscape(`红色 "物业`), "unbalanced_quote", all, []string{"第 4 个字符"}, `"`, true},
			{"OR first", "/?q=" + url.QueryEscape("OR 红色物业"), "dangling_or", all, []string{"第 1 个字符", "OR"}, "O", true},
			{"reversed year range", "/?q=" + url.QueryEscape("红色物业") + "&year_from=2024&year_to=2020", "year_range_reversed", hong, []string{"起始年份 2024 晚于截止年份 2020", "已忽略"}, "", false},
			{"bad year kept the query", "/?q=" + url.QueryEscape("红色物业") + "&year=19", "invalid_year", hong, []string{"年份“19”无效"}, "", false},
			{"bad sort", "/?q=" + url.QueryEscape("红色物业") + "&sort=best", "invalid_sort", hong, []string{"排序方式“best”无效"}, "", false},
			{"two problems", "/?q=" + url.QueryEscape("OR") + "&year=abc", "dangling_or", all, []string{"OR", "年份“abc”无效"}, "O", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := fetchPage(t, e, tc.target)
				if r.code != 400 || r.doc == nil {
					t.Fatalf("status %d, want 400 with the page", r.code)
				}
				checkPageHygiene(t, tc.target, r)
				probs := findByClass(r.doc, "problems")
				if len(probs) != 1 || nodeAttr(probs[0], "role") != "alert" {
					t.Fatalf("no problem notice (role=alert) above the results")
				}
				text := nodeText(probs[0])
				for _, want := range tc.says {
					if !strings.Contains(text, want) {
						t.Errorf("the notice %q does not say %q", text, want)
					}
				}
				if m := findByClass(probs[0], "err"); tc.marked != "" && (len(m) != 1 || nodeText(m[0]) != tc.marked) {
					t.Errorf("the notice does not point at %q in the query", tc.marked)
				}
				if got := totalOf(t, r); got != tc.total {
					t.Errorf("the page shows %d results, the rest of the request finds %d", got, tc.total)
				}
				if len(findByID(r.doc, "facets").FirstChild.Data) == 0 {
					t.Errorf("no facets")
				}
				// The query is kept in the box as typed.
				u, _ := url.Parse(tc.target)
				if q := findByID(r.doc, "q"); q == nil || nodeAttr(q, "value") != u.Query().Get("q") {
					t.Errorf("the search box does not hold the query")
				}
				if d := findAll(probs[0], func(n *html.Node) bool { return n.DataAtom == atom.Details && nodeHasAttr(n, "open") }); (len(d) == 1) != tc.qHelp {
					t.Errorf("query help open: %v, want %v", len(d) == 1, tc.qHelp)
				}
				// The API says the same in English, with the same code.
				req := httptest.NewRequest(http.MethodGet, "/api/search?"+u.RawQuery, nil)
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				var body errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != tc.code || rec.Code != 400 {
					t.Errorf("the API: %d %s (%v), want code %s", rec.Code, rec.Body.String(), err, tc.code)
				}
			})
		}
		// The comparison keeps its table under a bad query.
		r := fetchPage(t, e, "/compare?q="+url.QueryEscape(`"红色物业`))
		if r.code != 400 || len(findByClass(r.doc, "problems")) != 1 || len(findByTag(r.doc, atom.Table)) != 1 {
			t.Errorf("/compare with a bad query: %d, problems %d, tables %d", r.code, len(findByClass(r.doc, "problems")), len(findByTag(r.doc, atom.Table)))
		}
		// An error that leaves nothing to show is a page in Chinese.
		r = fetchPage(t, e, "/articles/0000000000000000")
		if m := findByClass(r.doc, "message"); r.code != 404 || len(m) != 1 || !strings.Contains(nodeText(m[0]), "没有找到") {
			t.Errorf("no such article: %d", r.code)
		}
		// A client asking for JSON still gets JSON from the same URL.
		req := httptest.NewRequest(http.MethodGet, "/?year=abc", nil)
		req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != 400 || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
			t.Errorf("Accept: application/json: %d %s", rec.Code, rec.Header().Get(echo.HeaderContentType))
		}
	})

	t.Run("Results", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape("红色物业"))
		cards := findByClass(r.doc, "card")
		if len(cards) != 2 {
			t.Fatalf("%d cards for 红色物业, want 2", len(cards))
		}
		for _, c := range cards {
			marks := findByTag(c, atom.Mark)
			if len(marks) == 0 || nodeText(marks[0]) != "红色物业" {
				t.Errorf("card %q: no <mark>红色物业</mark> in the snippet", nodeText(c))
			}
			title := findByClass(c, "card-title")
			if len(title) != 1 {
				t.Fatalf("card without a title")
			}
			u := hrefURL(t, findByTag(title[0], atom.A)[0])
			if !strings.HasPrefix(u.Path, "/articles/") || u.Query().Get("q") != "红色物业" || u.Fragment != "p-"+u.Query().Get("hl") {
				t.Errorf("card link %s: want /articles/ID?q=…&hl=PID#p-PID", u)
			}
			if when := findByTag(c, atom.Time); len(when) != 1 || nodeText(when[0]) != "2021年（推断）" {
				t.Errorf("card date: want 2021年（推断） (the sample page has no date)")
			}
			cite := findByClass(c, "cite-text")
			if len(cite) != 1 || !regexp.MustCompile(`^\S+：《.+》，2021年（推断）。来源：default/\S+\.txt 第\d+(–\d+)?行$`).MatchString(nodeText(cite[0])) {
				t.Errorf("citation %q", nodeText(cite[0]))
			}
			btn := findByClass(c, "copy")
			if len(btn) != 1 || nodeAttr(btn[0], "data-copy") != nodeText(cite[0]) || !nodeHasAttr(btn[0], "hidden") {
				t.Errorf("copy button: want a hidden button (shown by app.js) copying the citation")
			}
			if tags := findByClass(c, "prog"); !slices.ContainsFunc(tags, func(n *html.Node) bool { return nodeText(n) == "红色物业" }) {
				t.Errorf("card %q has no 红色物业 program tag", nodeText(title[0]))
			}
		}
		count := findByClass(r.doc, "tally")
		if len(count) != 1 || !regexp.MustCompile(`共 2 条.*用时 [0-9.]+ 毫秒`).MatchString(nodeText(count[0])) {
			t.Errorf("summary %q: want the total and the time taken", nodeText(count[0]))
		}
		// The sort links keep the query and set sort.
		var sorts []string
		for _, u := range linkURLs(t, findByClass(r.doc, "sort")[0]) {
			if u.Query().Get("q") != "红色物业" {
				t.Errorf("sort link %s loses q", u)
			}
			sorts = append(sorts, u.Query().Get("sort"))
		}
		if !slices.Equal(sorts, []string{"relevance", "newest", "oldest"}) {
			t.Errorf("sort links %v", sorts)
		}
	})

	t.Run("FacetLinks", func(t *testing.T) {
		base := "/?q=" + url.QueryEscape("红色物业")
		r := okPage(t, e, base)
		lz := facetLinkOf(t, r.doc, "county", "梁山")
		zc := facetLinkOf(t, r.doc, "county", "邹城")
		if lz == nil || zc == nil {
			t.Fatalf("county facet lacks 梁山 or 邹城:\n%s", nodeText(findByID(r.doc, "facets")))
		}
		if n := nodeText(findByClass(lz, "n")[0]); n != "1" {
			t.Errorf("梁山 count %s, want 1", n)
		}
		u := hrefURL(t, lz)
		if u.Path != "/" || !sameValues(u.Query(), url.Values{"q": {"红色物业"}, "county": {"梁山"}}) {
			t.Errorf("梁山 facet links to %s", u)
		}

		// Picked: one card, 梁山 is on (its link removes it), 邹城 is still
		// offered (values of a facet are ORed) and adds to the filter.
		r = okPage(t, e, u.String())
		if n := len(findByClass(r.doc, "card")); n != 1 {
			t.Errorf("%s: %d cards, want 1", u, n)
		}
		lz = facetLinkOf(t, r.doc, "county", "梁山")
		if lz == nil || !nodeHasClass(lz, "on") || nodeAttr(lz, "aria-current") != "true" {
			t.Fatalf("梁山 is not shown as picked")
		}
		if got := hrefURL(t, lz).Query(); !sameValues(got, url.Values{"q": {"红色物业"}}) {
			t.Errorf("picked 梁山 links to %v, want it removed", got)
		}
		zc = facetLinkOf(t, r.doc, "county", "邹城")
		if zc == nil {
			t.Fatalf("邹城 vanished once 梁山 was picked")
		}
		both := hrefURL(t, zc)
		if !sameValues(both.Query(), url.Values{"q": {"红色物业"}, "county": {"梁山", "邹城"}}) {
			t.Errorf("邹城 links to %s, want both counties", both)
		}
		if n := len(findByClass(okPage(t, e, both.String()).doc, "card")); n != 2 {
			t.Errorf("梁山 OR 邹城: %d cards, want 2", n)
		}

		// The chip removes the filter.
		chips := findByClass(r.doc, "chip")
		if len(chips) != 1 || !strings.Contains(nodeText(chips[0]), "梁山") {
			t.Fatalf("chips %d, want one for 梁山", len(chips))
		}
		if got := hrefURL(t, chips[0]).Query(); !sameValues(got, url.Values{"q": {"红色物业"}}) {
			t.Errorf("chip links to %v", got)
		}
		// The search form keeps the filter for the next query.
		var hidden []string
		for _, in := range findByTag(findByTag(r.doc, atom.Form)[0], atom.Input) {
			if nodeAttr(in, "type") == "hidden" {
				hidden = append(hidden, nodeAttr(in, "name")+"="+nodeAttr(in, "value"))
			}
		}
		if !slices.Equal(hidden, []string{"county=梁山"}) {
			t.Errorf("search form keeps %v, want county=梁山", hidden)
		}

		// Program facet: every value's link adds it, and its count is what
		// the filtered search finds.
		r = okPage(t, e, "/?q="+url.QueryEscape("党"))
		sec := findByID(r.doc, "f-program").Parent
		fvs := findByClass(sec, "fv")
		if len(fvs) < 3 {
			t.Fatalf("only %d program values for 党", len(fvs))
		}
		for _, a := range fvs {
			name := nodeText(findByClass(a, "name")[0])
			want, _ := strconv.Atoi(nodeText(findByClass(a, "n")[0]))
			u := hrefURL(t, a)
			if !sameValues(u.Query(), url.Values{"q": {"党"}, "program": {name}}) {
				t.Errorf("program %s links to %s", name, u)
			}
			if got := totalOf(t, okPage(t, e, u.String())); got != want {
				t.Errorf("program %s: facet says %d, the filtered page finds %d", name, want, got)
			}
		}
	})

	t.Run("YearChart", func(t *testing.T) {
		r := okPage(t, e, "/")
		svg := findByTag(r.doc, atom.Svg)
		if len(svg) != 1 {
			t.Fatalf("%d <svg> charts, want 1", len(svg))
		}
		bars := findByClass(svg[0], "bar")
		if len(bars) == 0 {
			t.Fatal("no bars")
		}
		total := totalOf(t, r)
		sum := 0
		for _, b := range bars {
			u := hrefURL(t, b)
			y := u.Query().Get("year")
			label := nodeAttr(b, "aria-label")
			m := regexp.MustCompile(`^(\d{4})年：(\d+) 条$`).FindStringSubmatch(label)
			if m == nil || m[1] != y {
				t.Fatalf("bar %q links to %s", label, u)
			}
			n, _ := strconv.Atoi(m[2])
			sum += n
			if n > 0 {
				if got := totalOf(t, okPage(t, e, u.String())); got != n {
					t.Errorf("bar %s: %d, the filtered page finds %d", y, n, got)
				}
			}
		}
		if sum != total {
			t.Errorf("bars add up to %d, total %d", sum, total)
		}
		// Outside a picked range, a bar links to its year without the range.
		r = okPage(t, e, "/?year_from=2022")
		out := findByClass(findByTag(r.doc, atom.Svg)[0], "out")
		if len(out) == 0 {
			t.Fatal("no bar marked outside the range")
		}
		for _, b := range out {
			u := hrefURL(t, b)
			m := regexp.MustCompile(`^(\d{4})年：(\d+) 条`).FindStringSubmatch(nodeAttr(b, "aria-label"))
			if m == nil || !sameValues(u.Query(), url.Values{"year": {m[1]}}) {
				t.Fatalf("bar %q outside the range links to %s", nodeAttr(b, "aria-label"), u)
			}
			if n, _ := strconv.Atoi(m[2]); totalOf(t, okPage(t, e, u.String())) != n {
				t.Errorf("bar %s: the link does not find the %d hits it counts", m[1], n)
			}
		}
		// Picked, the bar is marked and links back.
		r = okPage(t, e, "/?year=2021")
		on := findByClass(findByTag(r.doc, atom.Svg)[0], "on")
		if len(on) != 1 || hrefURL(t, on[0]).RawQuery != "" {
			t.Errorf("picked year bar: %d marked", len(on))
		}
	})

	t.Run("YearRange", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape("党")+"&county="+url.QueryEscape("金乡")+"&year_from=2020&year_to=2021")
		chips := map[string]url.Values{}
		for _, c := range findByClass(r.doc, "chip") {
			chips[strings.TrimPrefix(strings.TrimSuffix(nodeText(c), "×"), "去掉筛选条件 ")] = hrefURL(t, c).Query()
		}
		want := map[string]url.Values{
			"县区：金乡":    {"q": {"党"}, "year_from": {"2020"}, "year_to": {"2021"}},
			"起始：2020年": {"q": {"党"}, "county": {"金乡"}, "year_to": {"2021"}},
			"截止：2021年": {"q": {"党"}, "county": {"金乡"}, "year_from": {"2020"}},
		}
		if len(chips) != len(want) {
			t.Errorf("chips %v", chips)
		}
		for label, v := range want {
			if !sameValues(chips[label], v) {
				t.Errorf("chip %s removes to %v, want %v", label, chips[label], v)
			}
		}
		// The range form carries the rest of the state and shows the range.
		form := findByClass(r.doc, "years")[0]
		got := url.Values{}
		for _, in := range findByTag(form, atom.Input) {
			got.Add(nodeAttr(in, "name"), nodeAttr(in, "value"))
		}
		if !sameValues(got, url.Values{"q": {"党"}, "county": {"金乡"}, "year_from": {"2020"}, "year_to": {"2021"}, "date_from": {""}, "date_to": {""}}) {
			t.Errorf("year form fields %v", got)
		}
		// An empty range is the same as none.
		if a, b := totalOf(t, okPage(t, e, "/?q="+url.QueryEscape("党")+"&year_from=&year_to=")), totalOf(t, okPage(t, e, "/?q="+url.QueryEscape("党"))); a != b {
			t.Errorf("an empty year range finds %d, no range %d", a, b)
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		// Paragraph by paragraph (collapse=none): paging through stories
		// is TestPageStories'.
		r := okPage(t, e, "/?collapse=none&size=3&county="+url.QueryEscape("梁山")+"&county="+url.QueryEscape("邹城"))
		total := totalOf(t, r)
		last := (total + 2) / 3
		if last < 3 {
			t.Fatalf("only %d hits: the test needs 3 pages", total)
		}
		pager := findByClass(r.doc, "pager")
		if len(pager) != 1 {
			t.Fatalf("no pager for %d hits", total)
		}
		seen := map[int]bool{}
		for _, u := range linkURLs(t, pager[0]) {
			q := u.Query()
			if q.Get("size") != "3" || len(q["county"]) != 2 {
				t.Errorf("page link %s loses the state", u)
			}
			n := 1
			if p := q.Get("page"); p != "" {
				n, _ = strconv.Atoi(p)
			}
			seen[n] = true
		}
		if !seen[2] || !seen[last] {
			t.Errorf("pager links to pages %v, want 2 and %d", seen, last)
		}
		// Walking "next" visits every hit exactly once.
		ids := map[string]bool{}
		next := "/?collapse=none&size=3&county=" + url.QueryEscape("梁山") + "&county=" + url.QueryEscape("邹城")
		for page := 1; next != ""; page++ {
			r := okPage(t, e, next)
			ol := findByClass(r.doc, "cards")
			if len(ol) != 1 || nodeAttr(ol[0], "start") != strconv.Itoa((page-1)*3+1) {
				t.Fatalf("page %d: list does not start at %d", page, (page-1)*3+1)
			}
			for _, c := range findByClass(r.doc, "card") {
				id := nodeAttr(c, "aria-labelledby")
				if ids[id] {
					t.Errorf("page %d repeats %s", page, id)
				}
				ids[id] = true
			}
			cur := findAll(r.doc, func(n *html.Node) bool {
				return nodeAttr(n, "aria-current") == "page" && nodeHasClass(n.Parent.Parent.Parent, "pager")
			})
			if len(cur) != 1 || nodeText(cur[0]) != strconv.Itoa(page) {
				t.Errorf("page %d is not marked current", page)
			}
			next = ""
			for _, a := range findByTag(r.doc, atom.A) {
				if nodeAttr(a, "rel") == "next" {
					next = nodeAttr(a, "href")
				}
			}
			if page > last {
				t.Fatal("next link past the last page")
			}
		}
		if len(ids) != total {
			t.Errorf("paging showed %d hits, total %d", len(ids), total)
		}
		// Past the end: explained, with a way back.
		r = okPage(t, e, "/?size=3&page=99")
		if len(findByClass(r.doc, "empty")) != 1 || len(findByClass(r.doc, "card")) != 0 {
			t.Errorf("past the end: no explanation")
		}
	})

	t.Run("EmptyResults", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape("红色物业")+"&county="+url.QueryEscape("金乡")+"&year=2021")
		empty := findByClass(r.doc, "empty")
		if len(empty) != 1 {
			t.Fatalf("no explanation of the empty result")
		}
		suggest := map[string]url.Values{}
		for _, a := range findByTag(empty[0], atom.A) {
			suggest[nodeText(a)] = hrefURL(t, a).Query()
		}
		// 红色物业 has no paragraph of 金乡 in any year: dropping the year
		// finds nothing and is not offered.
		want := map[string]url.Values{
			"去掉“县区：金乡”": {"q": {"红色物业"}, "year": {"2021"}},
			"清除全部筛选":    {"q": {"红色物业"}},
		}
		if _, ok := suggest["去掉“年份：2021年”"]; ok || len(suggest) != len(want) {
			t.Errorf("suggestions %v, want exactly %v", suggest, want)
		}
		for label, v := range want {
			if !sameValues(suggest[label], v) {
				t.Errorf("suggestion %s: %v, want %v", label, suggest[label], v)
			}
		}
		if !strings.Contains(nodeText(empty[0]), "去掉“县区：金乡”（2 条）") {
			t.Errorf("the suggestion does not say how many hits it gives: %s", nodeText(empty[0]))
		}
		// Several terms, no hits: each term alone is offered.
		// (exact: under the default, auto, the words of the second term
		// are found apart)
		r = okPage(t, e, "/?match=exact&q="+url.QueryEscape("红色物业 乡村振兴示范片区建设不存在"))
		if !strings.Contains(nodeText(findByClass(r.doc, "empty")[0]), "只搜“红色物业”（2 条）") {
			t.Errorf("no one-term suggestion: %s", nodeText(findByClass(r.doc, "empty")[0]))
		}
	})

	t.Run("Article", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape("红色物业")+"&county="+url.QueryEscape("梁山"))
		link := hrefURL(t, findByTag(findByClass(r.doc, "card-title")[0], atom.A)[0])
		hl := link.Query().Get("hl")
		a := okPage(t, e, link.String())
		checkPageHygiene(t, link.String(), a)
		if h1 := findByTag(a.doc, atom.H1); nodeText(h1[0]) != "梁山依托三方力量 推进城市基层党建提档升级" {
			t.Errorf("headline %q", nodeText(h1[0]))
		}
		target := findByID(a.doc, "p-"+hl)
		if target == nil || !nodeHasClass(target, "hit") {
			t.Fatalf("the matched paragraph p-%s is not highlighted", hl)
		}
		if len(findByClass(a.doc, "hit")) != 1 {
			t.Errorf("%d paragraphs highlighted, want 1", len(findByClass(a.doc, "hit")))
		}
		if marks := findByTag(target, atom.Mark); len(marks) == 0 || nodeText(marks[0]) != "红色物业" {
			t.Errorf("红色物业 is not marked in the matched paragraph")
		}
		paras := findByClass(a.doc, "para")
		if len(paras) < 3 {
			t.Fatalf("%d paragraphs", len(paras))
		}
		similarLists := 0
		for _, p := range paras[1:] { // initiatives
			sim := findByClass(p, "similar")
			if len(sim) != 1 {
				t.Errorf("initiative %s has no similar-initiatives section", nodeAttr(p, "id"))
				continue
			}
			for _, li := range findByTag(sim[0], atom.Li) {
				similarLists++
				if c := nodeText(findByClass(li, "county")[0]); c == "梁山" {
					t.Errorf("a similar initiative of the same county: %s", nodeText(li))
				}
				u := hrefURL(t, findByTag(li, atom.A)[0])
				if !strings.HasPrefix(u.Path, "/articles/") || u.Fragment != "p-"+u.Query().Get("hl") {
					t.Errorf("similar link %s", u)
				}
				// It carries the search state, so that its article's way
				// back is the list the reader came from.
				if st := u.Query(); st.Get("q") != "红色物业" || st.Get("county") != "梁山" {
					t.Errorf("similar link %s loses the search state", u)
				}
			}
		}
		if similarLists == 0 {
			t.Error("no similar initiatives at all")
		}
		if len(findByClass(paras[0], "similar")) != 0 {
			t.Error("the lead has a similar-initiatives list")
		}
		// The lead opens with the dateline as printed.
		if lead := nodeText(findByClass(paras[0], "text")[0]); !strings.HasPrefix(lead, "本报梁山讯（通讯员 许鑫 段伟伟）") {
			t.Errorf("the lead does not open with its dateline: %.40s", lead)
		}
		// Metadata: county, date, reporters, source.
		meta := nodeText(findByClass(a.doc, "docmeta")[0])
		for _, want := range []string{"梁山县", "2021年（推断）", "许鑫", "default/"} {
			if !strings.Contains(meta, want) {
				t.Errorf("article metadata %q lacks %q", meta, want)
			}
		}
		// Without q nothing is marked; a bad q marks nothing but still shows.
		for _, target := range []string{link.Path, link.Path + "?q=" + url.QueryEscape("OR")} {
			a := okPage(t, e, target)
			if n := len(findByTag(a.doc, atom.Mark)); n != 0 {
				t.Errorf("%s: %d marks", target, n)
			}
		}
	})

	t.Run("Compare", func(t *testing.T) {
		r := okPage(t, e, "/compare?q="+url.QueryEscape("红色物业"))
		table := findByTag(r.doc, atom.Table)
		if len(table) != 1 {
			t.Fatalf("no table")
		}
		var programs []string
		for _, th := range findByClass(table[0], "prog") {
			programs = append(programs, nodeText(th))
		}
		if !slices.Contains(programs, "红色物业") {
			t.Fatalf("columns %v lack 红色物业", programs)
		}
		rows := map[string][]string{}
		cellLinks := 0
		for _, tr := range findByTag(findByTag(table[0], atom.Tbody)[0], atom.Tr) {
			county := nodeText(findByTag(tr, atom.Th)[0])
			tds := findByTag(tr, atom.Td)
			var cells []string
			for i, td := range tds {
				cells = append(cells, nodeText(td))
				if i == 0 {
					continue
				}
				as := findByTag(td, atom.A)
				if len(as) == 0 {
					continue
				}
				// Metamorphic: the cell's link finds as many hits as it says.
				cellLinks++
				u := hrefURL(t, as[0])
				want, _ := strconv.Atoi(nodeText(td))
				if !sameValues(u.Query(), url.Values{"q": {"红色物业"}, "county": {county}, "program": {programs[i-1]}}) {
					t.Errorf("cell %s×%s links to %s", county, programs[i-1], u)
				}
				if got := totalOf(t, okPage(t, e, u.String())); got != want {
					t.Errorf("cell %s×%s says %d, its search finds %d", county, programs[i-1], want, got)
				}
			}
			rows[county] = cells
		}
		col := slices.Index(programs, "红色物业") + 1
		for _, c := range []string{"梁山", "邹城"} {
			if len(rows[c]) == 0 || rows[c][0] != "1" || rows[c][col] != "1" {
				t.Errorf("row %s: %v, want total 1 and 红色物业 1", c, rows[c])
			}
		}
		if len(rows["金乡"]) == 0 || rows["金乡"][0] != "0" {
			t.Errorf("counties without hits are not listed: %v", rows)
		}
		if cellLinks < 2 {
			t.Errorf("only %d cell links", cellLinks)
		}
		// Filters: the county filter limits the rows, the program filter
		// the columns, and every filter is kept in every link.
		r2 := okPage(t, e, "/compare?q="+url.QueryEscape("党")+"&county="+url.QueryEscape("金乡")+"&year=2021&program="+url.QueryEscape("红色物业"))
		var counties []string
		for _, th := range findByTag(findByTag(r2.doc, atom.Tbody)[0], atom.Th) {
			counties = append(counties, nodeText(th))
		}
		if !slices.Equal(counties, []string{"金乡"}) {
			t.Errorf("rows %v, want only 金乡", counties)
		}
		var cols []string
		for _, th := range findByClass(findByTag(r2.doc, atom.Table)[0], "prog") {
			cols = append(cols, nodeText(th))
		}
		if !slices.Equal(cols, []string{"红色物业"}) {
			t.Errorf("columns %v, want only the picked program 红色物业", cols)
		}
		for _, u := range linkURLs(t, findByTag(r2.doc, atom.Table)[0]) {
			if q := u.Query(); q.Get("year") != "2021" || q.Get("county") != "金乡" && q.Get("county") != "" || q.Get("program") != "红色物业" {
				t.Errorf("table link %s loses the filters", u)
			}
		}
		// Its filters show as chips that remove them and stay on the page.
		chipsOn := map[string]url.Values{}
		for _, c := range findByClass(r2.doc, "chip") {
			u := hrefURL(t, c)
			if u.Path != "/compare" {
				t.Errorf("a chip leaves the comparison: %s", u)
			}
			chipsOn[strings.TrimPrefix(strings.TrimSuffix(nodeText(c), "×"), "去掉筛选条件 ")] = u.Query()
		}
		for label, rest := range map[string]url.Values{
			"县区：金乡":    {"q": {"党"}, "year": {"2021"}, "program": {"红色物业"}},
			"项目：红色物业":  {"q": {"党"}, "year": {"2021"}, "county": {"金乡"}},
			"年份：2021年": {"q": {"党"}, "county": {"金乡"}, "program": {"红色物业"}},
		} {
			if !sameValues(chipsOn[label], rest) {
				t.Errorf("chip %s removes to %v, want %v", label, chipsOn[label], rest)
			}
		}
		// The program filter changes the counts as the search page's does.
		r3 := okPage(t, e, "/compare?q="+url.QueryEscape("党")+"&program="+url.QueryEscape("红色物业"))
		if got, want := totalOfCompare(t, r3), totalOf(t, okPage(t, e, "/?q="+url.QueryEscape("党")+"&program="+url.QueryEscape("红色物业"))); got != want {
			t.Errorf("the comparison under program=红色物业 counts %d, the search %d", got, want)
		}
		// The form of the comparison page stays on it.
		if f := findByTag(r.doc, atom.Form); len(f) == 0 || nodeAttr(f[0], "action") != "/compare" {
			t.Errorf("the comparison's search form does not go to /compare")
		}
	})

	t.Run("Weight", func(t *testing.T) {
		total := 0
		for _, target := range []string{"/?q=" + url.QueryEscape("党"), "/static/app.css", "/static/app.js", "/static/favicon.svg"} {
			r := fetchPage(t, e, target)
			if r.code != 200 {
				t.Fatalf("%s: %d", target, r.code)
			}
			total += len(r.body)
		}
		t.Logf("search page with 10 results: %d bytes of HTML, CSS, JS and icon", total)
		if total > 100_000 {
			t.Errorf("the page weighs %d bytes, more than 100 KB", total)
		}
		// The page refers to its assets by content-hashed URLs, and only to
		// its own origin.
		r := okPage(t, e, "/")
		for _, n := range findAll(r.doc, func(n *html.Node) bool { return nodeHasAttr(n, "src") || n.DataAtom == atom.Link }) {
			ref := nodeAttr(n, "src") + nodeAttr(n, "href")
			if nodeAttr(n, "rel") == "alternate" && nodeAttr(n, "type") == "application/atom+xml" && strings.HasPrefix(ref, "/feed") {
				continue // the search's feed, not an asset
			}
			if !regexp.MustCompile(`^/static/[a-z]+\.(css|js|svg)\?v=[0-9a-f]{12}$`).MatchString(ref) {
				t.Errorf("asset reference %q", ref)
			}
		}
	})
}

// totalOfCompare reads the total from the comparison's summary.
func totalOfCompare(t *testing.T, r pageResp) int {
	t.Helper()
	m := regexp.MustCompile(`共 (\d+) 个段落`).FindStringSubmatch(nodeText(findByClass(r.doc, "tally")[0]))
	if m == nil {
		t.Fatalf("the comparison's summary has no total")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// totalOf reads the total from a search page's summary.
func totalOf(t *testing.T, r pageResp) int {
	t.Helper()
	c := findByClass(r.doc, "tally")
	if len(c) != 1 {
		t.Fatalf("no summary")
	}
	m := regexp.MustCompile(`共 (\d+) 条`).FindStringSubmatch(nodeText(c[0]))
	if m == nil {
		t.Fatalf("summary %q has no total", nodeText(c[0]))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// evilPage is a page whose text holds markup, a template action and a
// stray </mark>: all of it must reach the reader as text.
const evilPage = `---
date: 2022-03-01
---
本报梁山讯（通讯员 张三）梁山县推进红色物业<script>alert(1)</script>建设，成效明显。

打造"><img src=x onerror=alert(1)>红色物业示范小区。小区里写着{{.}}和</mark>两个记号，红色物业覆盖全县。

建好“<b>红帆驿站</b>”。居民在驿站议事，网格员<script>alert(2)</script>上门服务，红色物业进小区。

红色物业<script>alert(3)</script>
——梁山"><img src=x onerror=alert(4)>探索
`

// TestPageEscaping indexes a page full of markup and checks that none of it
// survives unescaped on the search page or in the article view: the only
// elements in the results are the page's own, and the markup is there as
// text.
func TestPageEscaping(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "evil_20220301.txt")
	if err := os.WriteFile(file, []byte(evilPage), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newPageServer(t, file)

	raw := []string{"<script>alert", "<img src=x", "<b>红帆驿站", "\"><img"}
	check := func(t *testing.T, target string, r pageResp, scope *html.Node, wantText []string) {
		t.Helper()
		checkPageHygiene(t, target, r)
		for _, s := range raw {
			if strings.Contains(r.body, s) {
				t.Errorf("%s: %q survives unescaped", target, s)
			}
		}
		if n := len(findByTag(r.doc, atom.Img)) + len(findByTag(r.doc, atom.B)); n != 0 {
			t.Errorf("%s: %d <img>/<b> elements made it into the DOM", target, n)
		}
		for _, s := range findByTag(r.doc, atom.Script) {
			if src := nodeAttr(s, "src"); !strings.HasPrefix(src, "/static/app.js") && !strings.HasPrefix(src, "/static/suggest.js") {
				t.Errorf("%s: a <script> that is not app.js or suggest.js", target)
			}
		}
		for _, m := range findByTag(r.doc, atom.Mark) {
			if nodeText(m) != "红色物业" {
				t.Errorf("%s: <mark>%s</mark>: only the query may be marked", target, nodeText(m))
			}
		}
		got := nodeText(scope)
		for _, w := range wantText {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the text %q is not shown as text", target, w)
			}
		}
	}

	r := okPage(t, e, "/?collapse=none&q="+url.QueryEscape("红色物业"))
	cards := findByClass(r.doc, "card")
	if len(cards) != 3 {
		t.Fatalf("%d cards, want 3:\n%s", len(cards), r.body)
	}
	results := findByClass(r.doc, "results")[0]
	check(t, "/?q=红色物业", r, results, []string{"<script>alert(3)</script>", "{{.}}", "</mark>", "<b>红帆驿站</b>", `"><img src=x onerror=alert(1)>`})

	// Browsing (no highlight fragment) shows the plain text, escaped.
	r = okPage(t, e, "/")
	check(t, "/", r, findByClass(r.doc, "results")[0], []string{"<script>alert(3)</script>"})

	link := hrefURL(t, findByTag(findByClass(cards[0], "card-title")[0], atom.A)[0])
	a := okPage(t, e, link.String())
	check(t, link.String(), a, findByTag(a.doc, atom.Main)[0], []string{
		"<script>alert(1)</script>", "{{.}}", "</mark>", "<b>红帆驿站</b>", `"><img src=x onerror=alert(4)>`, "<script>alert(3)</script>",
	})
	if title := nodeText(findByTag(a.doc, atom.Title)[0]); !strings.HasPrefix(title, "红色物业<script>alert(3)</script>") {
		t.Errorf("<title> %q", title)
	}

	c := okPage(t, e, "/compare?q="+url.QueryEscape("红色物业"))
	checkPageHygiene(t, "/compare", c)
	for _, s := range raw {
		if strings.Contains(c.body, s) {
			t.Errorf("/compare: %q survives unescaped", s)
		}
	}

	// The query itself is user input too.
	q := `"><script>alert(5)</script>`
	r = fetchPage(t, e, "/?q="+url.QueryEscape(q))
	if strings.Contains(r.body, "<script>alert(5)") {
		t.Errorf("the query is echoed unescaped")
	}
	if box := findByID(r.doc, "q"); box == nil || nodeAttr(box, "value") != q {
		t.Errorf("the search box does not hold the query as typed")
	}
}

// TestPageHighlightHTML: the highlighter's fragment is the one string the
// page trusts as HTML; highlightHTML lets nothing but <mark> through even
// if the fragment is not the escaped text it should be.
func TestPageHighlightHTML(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"escaped text", "a &lt;b&gt; &amp; <mark>红色物业</mark>", "a &lt;b&gt; &amp; <mark>红色物业</mark>"},
		{"raw markup is escaped", "<script>alert(1)</script><mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>"},
		{"quotes", `"><img src=x onerror=alert(1)>`, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"},
		{"escaped mark stays text", "&lt;/mark&gt;<mark>a</mark>", "&lt;/mark&gt;<mark>a</mark>"},
		{"stray closing tag", "</mark>a<mark>b", "a<mark>b</mark>"},
		{"nested open", "<mark>a<mark>b</mark>c</mark>", "<mark>ab</mark>c"},
		{"other tags", "<b>a</b><MARK>b</MARK>", "&lt;b&gt;a&lt;/b&gt;&lt;MARK&gt;b&lt;/MARK&gt;"},
		{"template action", "{{.}}", "{{.}}"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(highlightHTML(tc.in)); got != tc.want {
				t.Errorf("highlightHTML(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzPageHighlightHTML: whatever the highlighter returns, the HTML that
// reaches the page is text and <mark> elements only, never nested, and its
// text is the fragment's text.
func FuzzPageHighlightHTML(f *testing.F) {
	for _, s := range []string{"<mark>红色物业</mark>示范", "&lt;script&gt;", "<script>x</script>", "</mark><mark>", "&amp;lt;", "<mark><mark>a", "a<mar<mark>k>", "\x00<mark>\xff</mark>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := string(highlightHTML(in))
		body := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		nodes, err := html.ParseFragment(strings.NewReader(out), body)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, n := range nodes {
			switch {
			case n.Type == html.TextNode:
				sb.WriteString(n.Data)
			case n.Type == html.ElementNode && n.DataAtom == atom.Mark:
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type != html.TextNode {
						t.Fatalf("%q → %q: <%s> inside <mark>", in, out, c.Data)
					}
					sb.WriteString(c.Data)
				}
			default:
				t.Fatalf("%q → %q: a %v node %q", in, out, n.Type, n.Data)
			}
		}
		// The text is the fragment's, unescaped piece by piece as the
		// standard library reads entities (the HTML parser itself rewrites
		// NUL, CR and invalid UTF-8: not compared).
		var want strings.Builder
		for _, piece := range markTagRE.Split(in, -1) {
			want.WriteString(stdhtml.UnescapeString(piece))
		}
		if w := want.String(); utf8.ValidString(w) && !strings.ContainsAny(w, "\x00\r") && sb.String() != w {
			t.Fatalf("%q → %q: text %q, want %q", in, out, sb.String(), w)
		}
	})
}

// TestPageSegments: cutting a text at the search's spans keeps the text
// intact, marks exactly the spans, and ignores spans that are not of the
// text (out of order or range) rather than cut a character.
func TestPageSegments(t *testing.T) {
	join := func(segs []segment) (string, []string) {
		var b strings.Builder
		var marked []string
		for _, s := range segs {
			b.WriteString(s.Text)
			if s.Mark {
				marked = append(marked, s.Text)
			}
		}
		return b.String(), marked
	}
	text := "打造红色物业示范小区，红色物业覆盖全县"
	for _, tc := range []struct {
		name   string
		spans  []search.Span
		marked []string
	}{
		{"none", nil, nil},
		{"two", []search.Span{{Start: 6, End: 18}, {Start: 33, End: 45}}, []string{"红色物业", "红色物业"}},
		{"at the start and the end", []search.Span{{Start: 0, End: 6}, {Start: 51, End: 57}}, []string{"打造", "全县"}},
		{"out of order ignored", []search.Span{{Start: 33, End: 45}, {Start: 6, End: 18}}, []string{"红色物业"}},
		{"out of range ignored", []search.Span{{Start: 6, End: 18}, {Start: 50, End: 900}}, []string{"红色物业"}},
		{"empty ignored", []search.Span{{Start: 6, End: 6}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, marked := join(segments(text, tc.spans))
			if got != text {
				t.Errorf("text %q, want %q", got, text)
			}
			if !slices.Equal(marked, tc.marked) {
				t.Errorf("marked %q, want %q", marked, tc.marked)
			}
		})
	}
}

// TestPageTemplatesParse: every page template parses with the layout (the
// server panics at start otherwise), and only the highlight function
// produces template.HTML.
func TestPageTemplatesParse(t *testing.T) {
	r, err := newPageRenderer(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range pageNames {
		if r.pages[name] == nil || r.pages[name].Lookup("content") == nil {
			t.Errorf("page %s has no content template", name)
		}
	}
	var _ func(string) template.HTML = highlightHTML
}

// TestPageDates: dates in Chinese, with inferred years flagged.
func TestPageDates(t *testing.T) {
	for _, tc := range []struct {
		d        corpus.Date
		year     int
		inferred bool
		want     string
	}{
		{"2021-07-05", 2021, false, "2021年7月5日"},
		{"", 2021, true, "2021年（推断）"},
		{"", 2021, false, "2021年"},
		{"", 0, false, "日期不详"},
	} {
		if got := dateText(tc.d, tc.year, tc.inferred); got != tc.want {
			t.Errorf("dateText(%q, %d, %v) = %q, want %q", tc.d, tc.year, tc.inferred, got, tc.want)
		}
	}
}
