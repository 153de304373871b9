package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// viewsCorpus is a small export: years with long gaps between them, an
// article without a county, one without a headline, and numbers that a
// loose highlighter would mark inside longer ones.
const viewsCorpus = `{"id":"a1","title":"梁山县推进安全生产","date":"2003-05-01","county":"梁山","text":"梁山县开展安全生产检查。全县检查企业第15级台阶和5级风险点，整改隐患，网格化管理到位。"}
{"id":"a2","title":"","date":"2004-06-02","county":"金乡","text":"金乡县推行网格化管理。网格员每日巡查社区，发现问题及时处置。"}
{"id":"a3","title":"网格化管理见实效","date":"2015-07-03","county":"","text":"各地推行网格化管理。网格员上门服务群众，化解矛盾纠纷。"}
{"id":"a4","title":"嘉祥网格化管理","date":"2024-08-04","county":"嘉祥","text":"嘉祥县推行网格化管理。网格员队伍不断壮大，５级预警及时上报。"}
`

// TestPageViews: sticky search state, results per page, the topic shown
// once, the year chart over a span with gaps, the comparison's row of
// paragraphs without a county, and the article view marking exactly what
// search matched.
func TestPageViews(t *testing.T) {
	file := filepath.Join(t.TempDir(), "news.jsonl")
	if err := os.WriteFile(file, []byte(viewsCorpus), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newPageServer(t, file)
	q := "网格化管理"

	t.Run("StickyState", func(t *testing.T) {
		state := url.Values{"q": {q}, "sort": {"oldest"}, "size": {"2"}, "page": {"2"}, "year_from": {"2003"}, "county": {"梁山", "金乡", "嘉祥"}}
		search := "/?" + state.Encode()
		r := okPage(t, e, search)
		cards := findByClass(r.doc, "card")
		if len(cards) != 1 {
			t.Fatalf("page 2 of size 2: %d cards, want 1", len(cards))
		}
		link := hrefURL(t, findByTag(findByClass(cards[0], "card-title")[0], atom.A)[0])
		got := link.Query()
		hl := got.Get("hl")
		got.Del("hl")
		if !sameValues(got, state) || hl == "" || link.Fragment != "p-"+hl {
			t.Errorf("card link %s does not carry the state %v", link, state)
		}
		// The article's ways back restore the search exactly.
		a := okPage(t, e, link.String())
		back := hrefURL(t, findByTag(findByClass(a.doc, "back")[0], atom.A)[0])
		if back.Path != "/" || !sameValues(back.Query(), state) {
			t.Errorf("返回检索结果 goes to %s, want the search %v", back, state)
		}
		nav := navLinks(t, a.doc)
		if !sameValues(nav["检索"].Query(), state) {
			t.Errorf("the article's 检索 tab goes to %s", nav["检索"])
		}
		// The article's form keeps the state for a new query.
		if got := formState(findByTag(a.doc, atom.Form)[0]); !sameValues(got, without(state, "page")) {
			t.Errorf("the article's search form holds %v", got)
		}
		// The comparison carries it too, and its way back restores it.
		cmp := navLinks(t, r.doc)["县区对比"]
		if cmp.Path != "/compare" || !sameValues(cmp.Query(), state) {
			t.Errorf("县区对比 goes to %s", cmp)
		}
		c := okPage(t, e, cmp.String())
		if back := navLinks(t, c.doc)["检索"]; !sameValues(back.Query(), state) {
			t.Errorf("the comparison's 检索 tab goes to %s, want %v", back, state)
		}
		for _, u := range linkURLs(t, findByTag(c.doc, atom.Table)[0]) {
			if u.Query().Get("sort") != "oldest" || u.Query().Get("size") != "2" || u.Query().Get("year_from") != "2003" || u.Query().Has("page") {
				t.Errorf("comparison link %s loses the state (or keeps the page)", u)
			}
		}
		// The search form shows exactly the URL's state: hidden fields for
		// the rest of the state, the year box the range.
		if got := formState(findByTag(r.doc, atom.Form)[0]); !sameValues(got, without(state, "page")) {
			t.Errorf("the search form holds %v, want %v", got, without(state, "page"))
		}
		yf := findAll(findByClass(r.doc, "years")[0], func(n *html.Node) bool { return nodeAttr(n, "name") == "year_from" })
		if len(yf) != 1 || nodeAttr(yf[0], "value") != "2003" || nodeAttr(yf[0], "autocomplete") != "off" {
			t.Errorf("the year box does not show 2003 (with autocomplete off)")
		}
	})

	t.Run("ResultsPerPage", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape(q)+"&size=2&page=2")
		sizes := map[string]*url.URL{}
		for _, a := range findByTag(findByClass(r.doc, "sizes")[0], atom.A) {
			sizes[nodeText(a)] = hrefURL(t, a)
			if nodeText(a) == "10" && nodeAttr(a, "aria-current") != "" {
				t.Errorf("10 is marked current at size 2")
			}
		}
		for _, n := range []string{"10", "20", "50"} {
			u := sizes[n]
			if u == nil {
				t.Fatalf("no %s-per-page link", n)
			}
			if n != "10" && u.Query().Get("size") != n || u.Query().Get("q") != q {
				t.Errorf("%s per page links to %s", n, u)
			}
			// The first card shown (rank 3) stays on the page opened.
			if got := len(findByClass(okPage(t, e, u.String()).doc, "card")); got != 4 {
				t.Errorf("%s per page: %d cards, want all 4", n, got)
			}
		}
		r = okPage(t, e, "/?q="+url.QueryEscape(q)+"&size=20")
		cur := findAll(findByClass(r.doc, "sizes")[0], func(n *html.Node) bool { return nodeAttr(n, "aria-current") == "true" })
		if len(cur) != 1 || nodeText(cur[0]) != "20" {
			t.Errorf("size 20 is not marked current")
		}
	})

	t.Run("TopicOnce", func(t *testing.T) {
		// The topic sentence appears once on a card: as its title, or under
		// a headline that does not hold it, and the snippet does not start
		// with it again. Both corpora: news without topics, and the county
		// pages, whose initiatives have topics and headlines.
		for _, srv := range []struct {
			name string
			e    *echo.Echo
			q    string
		}{{"news", e, q}, {"county pages", newPageServer(t), "党"}, {"county pages, browsing", newPageServer(t), ""}} {
			r := okPage(t, srv.e, "/?collapse=none&size=50&q="+url.QueryEscape(srv.q)) // paragraph cards: initiatives, not only leads
			topics := 0
			for _, c := range findByClass(r.doc, "card") {
				title := strings.TrimSuffix(nodeText(findByClass(c, "card-title")[0]), "…")
				topic := ""
				if tp := findByClass(c, "topic"); len(tp) == 1 {
					topics++
					topic = strings.TrimPrefix(nodeText(tp[0]), "主题 ")
					if strings.Contains(title, topic) || strings.HasPrefix(topic, title) {
						t.Errorf("%s: card %q repeats its title as the topic %q", srv.name, title, topic)
					}
				}
				snippet := ""
				if s := findByClass(c, "snippet"); len(s) == 1 {
					snippet = strings.TrimPrefix(nodeText(s[0]), "…")
				}
				for _, shown := range []string{title, topic} {
					if shown != "" && strings.HasPrefix(snippet, shown) {
						t.Errorf("%s: card %q: the snippet starts with %q again: %q", srv.name, title, shown, snippet)
					}
				}
				if title == "（无标题）" {
					t.Errorf("%s: an untitled card; its first sentence should be the title", srv.name)
				}
			}
			if srv.name != "news" && topics == 0 {
				t.Errorf("%s: no card shows an initiative's topic under its headline", srv.name)
			}
		}
		// The untitled article's first sentence is its title, marked.
		r := okPage(t, e, "/?q="+url.QueryEscape(q))
		found := false
		for _, c := range findByClass(r.doc, "card") {
			if nodeText(findByClass(c, "card-title")[0]) == "金乡县推行网格化管理" {
				found = true
				if m := findByTag(findByClass(c, "card-title")[0], atom.Mark); len(m) != 1 || nodeText(m[0]) != q {
					t.Errorf("the title does not mark %s", q)
				}
				if s := nodeText(findByClass(c, "snippet")[0]); !strings.HasPrefix(s, "网格员每日巡查") {
					t.Errorf("the snippet %q does not go on after the title's sentence", s)
				}
			}
		}
		if !found {
			t.Errorf("no card titled by the first sentence of the untitled article")
		}
	})

	t.Run("YearChart", func(t *testing.T) {
		r := okPage(t, e, "/?q="+url.QueryEscape(q))
		svg := findByTag(r.doc, atom.Svg)[0]
		w, _ := strconv.Atoi(nodeAttr(svg, "width"))
		if w > 250 || nodeAttr(svg, "viewBox") != "0 0 "+nodeAttr(svg, "width")+" "+nodeAttr(svg, "height") {
			t.Errorf("the chart is %d wide (viewBox %s): it must fit the 250 px sidebar", w, nodeAttr(svg, "viewBox"))
		}
		var years []string
		for _, b := range findByClass(svg, "bar") {
			u := hrefURL(t, b)
			m := regexp.MustCompile(`^(\d{4})年：(\d+) 条$`).FindStringSubmatch(nodeAttr(b, "aria-label"))
			if m == nil || u.Query().Get("year") != m[1] {
				t.Fatalf("bar %q links to %s", nodeAttr(b, "aria-label"), u)
			}
			if m[2] == "0" {
				t.Errorf("a link on a year without hits: %s", m[1])
			}
			years = append(years, m[1])
			if n, _ := strconv.Atoi(m[2]); totalOf(t, okPage(t, e, u.String())) != n {
				t.Errorf("bar %s: its link does not find its %d hits", m[1], n)
			}
		}
		if !slices.Equal(years, []string{"2003", "2004", "2015", "2024"}) {
			t.Errorf("bars %v, want one for each year with hits", years)
		}
		var gaps []string
		for _, g := range findByClass(svg, "gap") {
			gaps = append(gaps, nodeText(g))
		}
		if !slices.Equal(gaps, []string{"2005–2014年无结果", "2016–2023年无结果"}) {
			t.Errorf("gaps %v: the empty runs must be compressed and marked", gaps)
		}
		var ticks []string
		for _, y := range findByClass(svg, "year") {
			ticks = append(ticks, nodeText(y))
		}
		if len(ticks) < 2 || ticks[0] != "2003" || ticks[len(ticks)-1] != "2024" {
			t.Errorf("year labels %v: the range's ends must be labelled", ticks)
		}
		if s := findByClass(svg, "scale"); len(s) == 0 || nodeText(s[0]) != "1" {
			t.Errorf("no scale with the largest count")
		}
		// Every bar lies inside the chart.
		for _, rect := range findByClass(svg, "fill") {
			x, _ := strconv.Atoi(nodeAttr(rect, "x"))
			bw, _ := strconv.Atoi(nodeAttr(rect, "width"))
			if x < 0 || x+bw > w {
				t.Errorf("a bar at %d–%d leaves the %d-wide chart", x, x+bw, w)
			}
		}
	})

	t.Run("CompareUnlabelled", func(t *testing.T) {
		r := okPage(t, e, "/compare?q="+url.QueryEscape(q))
		rows := map[string]string{}
		for _, tr := range findByTag(findByTag(r.doc, atom.Tbody)[0], atom.Tr) {
			rows[nodeText(findByTag(tr, atom.Th)[0])] = nodeText(findByTag(tr, atom.Td)[0])
		}
		if rows["未标注县区"] != "1" {
			t.Errorf("rows %v: want 未标注县区 with the 1 paragraph without a county", rows)
		}
		sum := 0
		for _, n := range rows {
			v, _ := strconv.Atoi(n)
			sum += v
		}
		if sum != 4 {
			t.Errorf("the rows add up to %d, the total is 4", sum)
		}
		// With a county picked there is no such row.
		r = okPage(t, e, "/compare?q="+url.QueryEscape(q)+"&county="+url.QueryEscape("梁山"))
		if strings.Contains(nodeText(findByTag(r.doc, atom.Table)[0]), "未标注县区") {
			t.Errorf("a 未标注县区 row under a county filter")
		}
	})

	t.Run("ArticleMarks", func(t *testing.T) {
		for _, tc := range []struct {
			q      string
			cards  int
			marked []string // in each article opened
		}{
			{"5级", 2, []string{"5级"}}, // not the 5级 of 第15级
			{"５级", 2, []string{"5级"}}, // width folded
			{"梁山县 -网格员", 1, []string{"梁山县"}},
			{"第15级 OR 壮大", 2, nil}, // each article marks its own term
		} {
			r := okPage(t, e, "/?q="+url.QueryEscape(tc.q))
			titles := findByClass(r.doc, "card-title")
			if len(titles) != tc.cards {
				t.Fatalf("q %s: %d cards, want %d", tc.q, len(titles), tc.cards)
			}
			for _, title := range titles {
				a := okPage(t, e, hrefURL(t, findByTag(title, atom.A)[0]).String())
				var got []string
				for _, m := range findByTag(findByTag(a.doc, atom.Main)[0], atom.Mark) {
					got = append(got, nodeText(m))
				}
				want := tc.marked
				if want == nil {
					want = []string{"第15级"}
					if strings.Contains(nodeText(a.doc), "壮大") {
						want = []string{"壮大"}
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("q %s: the article marks %q, want %q", tc.q, got, want)
				}
			}
		}
	})
}

// navLinks maps the section tabs (检索, 县区对比) to their URLs.
func navLinks(t *testing.T, doc *html.Node) map[string]*url.URL {
	t.Helper()
	out := map[string]*url.URL{}
	for _, a := range findByTag(findByClass(doc, "sections")[0], atom.A) {
		out[nodeText(a)] = hrefURL(t, a)
	}
	return out
}

// formState is what a form submits as typed: its named inputs' values
// (unticked boxes and empty fields left out, as app.js leaves them).
func formState(form *html.Node) url.Values {
	v := url.Values{}
	for _, in := range findByTag(form, atom.Input) {
		name, val := nodeAttr(in, "name"), nodeAttr(in, "value")
		if name == "" || val == "" || nodeAttr(in, "type") == "checkbox" && !nodeHasAttr(in, "checked") {
			continue
		}
		v.Add(name, val)
	}
	return v
}

// without returns a copy of v without the names.
func without(v url.Values, names ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if !slices.Contains(names, k) {
			out[k] = vs
		}
	}
	return out
}
