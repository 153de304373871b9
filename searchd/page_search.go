package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/internal/search"
)

// searchPage is the data of the search page.
type searchPage struct {
	layout
	Params   searchParams
	Total    int
	TookMS   string
	First    int // 1-based rank of the first card
	LastRank int
	Cards    []card
	Chips    []chip
	ClearAll string // URL without any filter; "" when there is none
	Counties facetGroup
	Programs facetGroup
	Years    yearChart
	NoYear   *unknownYearLink // the 未知年份 value of the year facet, nil when no hit lacks a year
	YearForm []field          // hidden inputs of the year-range form
	Sorts    []sortLink
	Pager    pager
	Empty    *emptyHelp
}

// card is one hit as a result card.
type card struct {
	hitJSON
	// TitleDerived: the article printed no headline; Title is made from
	// its first sentence and shown as such.
	TitleDerived bool
	URL          string
	Title        string
	When         string
	DateAttr     string
	Snippet      string // plain text, when the highlighter gave no fragment
	Cite         string
	SourceText   string
	Programs     []tag
	Initiatives  []tag
}

// tag is a program or named initiative on a card, linking to a search.
type tag struct{ Label, URL string }

// facetGroup is one facet in the sidebar: the first values, and the rest
// behind a "more" disclosure (open when one of them is picked).
type facetGroup struct {
	Name     string // the URL parameter
	Label    string
	Values   []facetLink
	More     []facetLink
	MoreOpen bool
}

// facetShown is how many values of a facet show before "more".
const facetShown = 12

func newFacetGroup(st pageState, name, label string, vals []facetJSON, active []string) facetGroup {
	g := facetGroup{Name: name, Label: label, Values: facetLinks(st, name, vals, active)}
	if len(g.Values) > facetShown+2 { // hiding one or two values would save nothing
		g.Values, g.More = g.Values[:facetShown], g.Values[facetShown:]
		g.MoreOpen = slices.ContainsFunc(g.More, func(f facetLink) bool { return f.On })
	}
	return g
}

// facetLink is one facet value: a link that adds it to the filter, or
// removes it when it is on.
type facetLink struct {
	Value string
	Count int
	On    bool
	URL   string
}

// chip is an active filter, with the link that removes it.
type chip struct{ Label, Value, URL string }

type sortLink struct {
	Label, URL string
	Current    bool
}

// pager is the pagination: previous, numbered pages around the current one
// with gaps, next.
type pager struct {
	Prev, Next string
	Pages      []pageLink
	Current    int
	Last       int
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis
}

// emptyHelp explains an empty result and what to do about it.
type emptyHelp struct {
	Reason   string
	Remove   []suggestion // drop one filter
	Terms    []suggestion // search one term alone
	FirstURL string       // past the last page: back to page 1
}

type suggestion struct {
	Label string
	URL   string
	Count int
}

// search handles GET /: the search page.
func (pg *pages) search(c echo.Context) error {
	start := time.Now()
	raw := c.QueryParams()
	p, err := bindSearch(raw)
	if err != nil {
		return err
	}
	st := newPageState(p, raw)
	ctx := c.Request().Context()
	res, err := pg.api.runSearch(ctx, p)
	if err != nil {
		return err
	}
	// The index counts facets disjunctively (a facet's counts ignore its
	// own filter): values of one facet are ORed, so they show what picking
	// another value adds, and the other values stay once one is picked.
	facets := res.Facets

	title := "县域新闻检索"
	if p.Q != "" {
		title = p.Q + " - 县域新闻检索"
	}
	data := searchPage{
		layout: newLayout(c, title, "/"),
		Params: p, Total: res.Total,
		First:    (p.Page-1)*p.Size + 1,
		Counties: newFacetGroup(st, "county", "县（市、区）", facets.County, p.Counties),
		Programs: newFacetGroup(st, "program", "工作项目", facets.Program, p.Programs),
		Years:    newYearChart(st, facets.Year),
		NoYear:   unknownYear(st, facets.Year),
		Sorts:    sortLinks(st),
		Pager:    newPager(st, res.Total),
	}
	data.Keep = st.hidden()
	data.CompareURL = st.url("/compare", func(v url.Values) { v.Del("sort"); v.Del("size") })
	data.SearchURL = st.url("/", nil)
	for _, f := range data.Keep {
		if f.Name != "year_from" && f.Name != "year_to" && f.Name != "date_from" && f.Name != "date_to" {
			data.YearForm = append(data.YearForm, f)
		}
	}
	if p.Q != "" {
		data.YearForm = append(data.YearForm, field{"q", p.Q})
	}
	if p.In == "headline" {
		data.YearForm = append(data.YearForm, field{"in", p.In})
	}
	data.Chips = chips(st)
	if len(data.Chips) > 0 {
		data.ClearAll = st.url("/", clearFilters)
	}
	for _, h := range res.Hits {
		data.Cards = append(data.Cards, newCard(st, h))
	}
	data.LastRank = data.First + len(data.Cards) - 1
	if len(res.Hits) == 0 {
		data.Empty = pg.emptyHelp(ctx, st, res.Total)
	}
	data.TookMS = strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	return c.Render(http.StatusOK, "search", data)
}

func clearFilters(v url.Values) {
	for _, name := range []string{"county", "program", "year", "year_from", "year_to", "date_from", "date_to"} {
		v.Del(name)
	}
}

// count runs the search a page URL describes for its total (and facets),
// without hits or highlighting.
func (pg *pages) count(ctx context.Context, pageURL string, facets bool) (*search.Result, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("page url: %w", err)
	}
	p, err := bindSearch(u.Query())
	if err != nil {
		return nil, err
	}
	r := p.request()
	r.From, r.Size, r.Highlight, r.Facets = 0, 0, false, facets
	ix, release := pg.api.index()
	defer release()
	return ix.Search(ctx, r)
}

// facetLinks turns facet counts into toggle links. A picked value that the
// facet does not list (no hits) is still shown, so that it can be removed.
func facetLinks(st pageState, name string, vals []facetJSON, active []string) []facetLink {
	out := make([]facetLink, 0, len(vals)+len(active))
	seen := map[string]bool{}
	for _, v := range vals {
		seen[v.Value] = true
		out = append(out, facetLink{Value: v.Value, Count: v.Count, On: slices.Contains(active, v.Value), URL: st.toggle(name, v.Value)})
	}
	for _, a := range active {
		if !seen[a] {
			out = append(out, facetLink{Value: a, On: true, URL: st.toggle(name, a)})
		}
	}
	return out
}

// chips lists the active filters, each with the link that removes it.
func chips(st pageState) []chip {
	var out []chip
	for _, c := range st.p.Counties {
		out = append(out, chip{"县区", c, st.toggle("county", c)})
	}
	for _, p := range st.p.Programs {
		out = append(out, chip{"项目", p, st.toggle("program", p)})
	}
	for _, y := range st.p.Years {
		label := strconv.Itoa(y) + "年"
		if y == search.UnknownYear {
			label = "未知年份"
		}
		out = append(out, chip{"年份", label, st.toggle("year", strconv.Itoa(y))})
	}
	if st.p.YearFrom > 0 {
		out = append(out, chip{"起始", strconv.Itoa(st.p.YearFrom) + "年", st.url("/", func(v url.Values) { v.Del("year_from") })})
	}
	if st.p.YearTo > 0 {
		out = append(out, chip{"截止", strconv.Itoa(st.p.YearTo) + "年", st.url("/", func(v url.Values) { v.Del("year_to") })})
	}
	if st.p.DateFrom != "" {
		out = append(out, chip{"起始日期", dateText(st.p.DateFrom, 0, false), st.url("/", func(v url.Values) { v.Del("date_from") })})
	}
	if st.p.DateTo != "" {
		out = append(out, chip{"截止日期", dateText(st.p.DateTo, 0, false), st.url("/", func(v url.Values) { v.Del("date_to") })})
	}
	if st.p.In == "headline" {
		out = append(out, chip{"范围", "只搜标题", st.url("/", func(v url.Values) { v.Del("in") })})
	}
	return out
}

func sortLinks(st pageState) []sortLink {
	var out []sortLink
	for _, s := range []struct{ value, label string }{{"relevance", "相关度"}, {"newest", "最新"}, {"oldest", "最早"}} {
		out = append(out, sortLink{Label: s.label, Current: st.p.Sort == s.value,
			URL: st.url("/", func(v url.Values) { v.Set("sort", s.value) })})
	}
	return out
}

// newPager links the pages around the current one: 1 … p-2 p-1 p p+1 p+2 … last.
func newPager(st pageState, total int) pager {
	size := st.p.Size
	last := (total + size - 1) / size
	if max := maxWindow / size; last > max {
		last = max // the API pages through the first maxWindow hits only
	}
	cur := st.p.Page
	pg := pager{Current: cur, Last: last}
	link := func(n int) string {
		return st.url("/", func(v url.Values) {
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
		})
	}
	if last <= 1 {
		return pg
	}
	if cur > 1 && cur <= last {
		pg.Prev = link(cur - 1)
	}
	if cur < last {
		pg.Next = link(cur + 1)
	}
	prevShown := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < cur-2 || n > cur+2) {
			continue
		}
		if prevShown > 0 && n > prevShown+1 {
			pg.Pages = append(pg.Pages, pageLink{Gap: true})
		}
		pg.Pages = append(pg.Pages, pageLink{N: n, URL: link(n), Current: n == cur})
		prevShown = n
	}
	return pg
}

// newCard prepares one hit for display.
func newCard(st pageState, h hitJSON) card {
	c := card{
		hitJSON:    h,
		URL:        articleURL(h.ArticleID, h.ID, st.p.Q),
		Title:      h.Headline,
		When:       dateText(h.Date, h.Year, h.YearInferred),
		DateAttr:   dateAttr(h.Date, h.Year),
		Cite:       citation(h.Headline, h.Date, h.Year, h.YearInferred, h.Source),
		SourceText: h.Source.File + " " + lineSpan(h.Source),
	}
	if c.Title == "" {
		c.Title = clipRunes(h.Topic, 40)
	}
	if c.Title == "" {
		c.Title = "（无标题）"
	}
	c.TitleDerived = h.HeadlineDerived
	if !strings.Contains(h.Highlight, "<mark>") {
		c.Highlight = ""
		c.Snippet = clipRunes(h.Text, 160)
	}
	for _, p := range h.Programs {
		c.Programs = append(c.Programs, tag{p, st.toggle("program", p)})
	}
	for _, name := range h.Initiatives {
		t := tag{Label: name}
		if !strings.ContainsAny(name, `"`) {
			t.URL = "/?" + url.Values{"q": {`"` + name + `"`}}.Encode()
		}
		c.Initiatives = append(c.Initiatives, t)
	}
	return c
}

// emptyHelp explains why a search found nothing on this page and links to
// searches that find something: without one of the filters, without all
// of them, or with one of several terms alone.
func (pg *pages) emptyHelp(ctx context.Context, st pageState, total int) *emptyHelp {
	h := &emptyHelp{}
	if total > 0 {
		h.Reason = fmt.Sprintf("这一页超出了结果范围：共有 %d 条结果，不到第 %d 页。", total, st.p.Page)
		h.FirstURL = st.url("/", nil)
		return h
	}
	cs := chips(st)
	switch {
	case len(cs) > 0 && len(st.p.Terms) > 0:
		h.Reason = fmt.Sprintf("在所选的 %d 个筛选条件下，没有段落符合“%s”。", len(cs), st.p.Q)
	case len(cs) > 0:
		h.Reason = fmt.Sprintf("所选的 %d 个筛选条件下没有段落。", len(cs))
	case len(st.p.Terms) > 0:
		h.Reason = fmt.Sprintf("没有段落符合“%s”。连续的汉字按整体短语精确匹配，词越长、条件越多，结果越少。", st.p.Q)
	default:
		h.Reason = "索引里还没有段落。"
	}
	const maxTries = 8 // each suggestion is one more search
	for _, c := range cs {
		if len(h.Remove) == maxTries {
			break
		}
		h.Remove = append(h.Remove, suggestion{Label: "去掉“" + c.Label + "：" + c.Value + "”", URL: c.URL, Count: pg.total(ctx, c.URL)})
	}
	if len(cs) > 1 {
		u := st.url("/", clearFilters)
		h.Remove = append(h.Remove, suggestion{Label: "清除全部筛选", URL: u, Count: pg.total(ctx, u)})
	}
	if len(st.p.Terms) > 1 {
		for _, t := range st.p.Terms {
			if len(h.Terms) == maxTries {
				break
			}
			q := t
			if strings.ContainsAny(t, " \t") {
				q = `"` + t + `"`
			}
			u := st.url("/", func(v url.Values) { v.Set("q", q) })
			h.Terms = append(h.Terms, suggestion{Label: "只搜“" + t + "”", URL: u, Count: pg.total(ctx, u)})
		}
	}
	return h
}

// total counts the hits of the search a page URL describes for a
// suggestion; -1 when that fails (the link is offered all the same).
func (pg *pages) total(ctx context.Context, pageURL string) int {
	res, err := pg.count(ctx, pageURL, false)
	if err != nil {
		return -1
	}
	return res.Total
}
