package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"countynews/internal/search"
)

// searchPage is the data of the search page.
type searchPage struct {
	layout
	Params searchParams
	Total  int
	// Groups is the number of stories (or articles) the Total paragraphs
	// make when the page collapses them; the pager counts these.
	Groups int
	// CollapseLinks switch between one card per story (the default), per
	// article and per paragraph.
	CollapseLinks []sortLink
	TookMS        string
	First         int // 1-based rank of the first card
	LastRank      int
	Cards         []card
	Chips         []chip
	ClearAll      string // URL without any filter; "" when there is none
	Counties      facetGroup
	Programs      facetGroup
	Years         yearChart
	NoYear        *unknownYearLink // the 未知年份 value of the year facet, nil when no hit lacks a year
	YearForm      []field          // hidden inputs of the year-range form
	Sorts         []sortLink
	Sizes         []sortLink // results per page
	Pager         pager
	Empty         *emptyHelp
	Help          queryHelp // did you mean, filters the query names, relaxed matching
	// ExportURL downloads the whole result list as CSV (/api/export).
	ExportURL string
}

// card is one hit as a result card: a view of a search.Hit.
type card struct {
	ID, Kind string
	Position int
	County   string
	Outlet   string // the paper or outlet that printed it ("" when unknown)
	URL      string
	Title    []segment // the headline, or else the topic, with the matched terms marked
	Topic    []segment // the topic sentence under a headline that does not hold it
	// TitleDerived: the article printed no headline; Title is made from
	// its first sentence and shown as such.
	TitleDerived bool
	When         string
	DateAttr     string
	Highlight    string // the highlighter's fragment (HTML with <mark>), or ""
	Snippet      string // plain text, when the highlighter marked nothing
	Cite         string
	SourceText   string
	// Others counts the other matching copies of the card's story
	// (另有 N 家媒体转载) or, per article, its other matching paragraphs.
	Others       int
	OthersText   string
	Copies       []copyLink
	Programs     []tag
	Initiatives  []tag
	TopicAsTitle bool // the title is the topic sentence, so the snippet skips it
}

// copyLink is another printing of a card's story: its outlet (or
// headline) and date, linking to its best matching paragraph.
type copyLink struct{ Label, When, URL string }

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

func newFacetGroup(st pageState, name, label string, vals []search.FacetValue, active []string) facetGroup {
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

// pageSizes are the results-per-page choices offered.
var pageSizes = [...]int{10, 20, 50}

// search handles GET /: the search page. An invalid parameter does not
// replace the page: it is dropped, the page shows what the rest of the
// request finds, and the problem is explained above the results (with the
// status 400, so that the request is still known to be bad).
func (pg *pages) search(c echo.Context) error {
	start := time.Now()
	p, problems, err := bindPage(c.QueryParams())
	if err != nil {
		return err
	}
	if len(problems) > 0 && !isPage(c) {
		return problems[0].err // a client that does not take HTML gets the API's error
	}
	if !p.collapseSet {
		p.Collapse = "story" // the page shows one card per story unless asked otherwise
	}
	st := newPageState(p)
	ctx := c.Request().Context()
	ix, release := pg.api.index()
	defer release()
	res, err := ix.Search(ctx, p.request())
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
		layout: newLayout(c, title, "/", st),
		Params: p, Total: res.Total, Groups: res.Groups,
		CollapseLinks: collapseLinks(st),
		First:         (p.Page-1)*p.Size + 1,
		Counties:      newFacetGroup(st, "county", "县（市、区）", facets.County, p.Counties),
		Programs:      newFacetGroup(st, "program", "工作项目", facets.Program, p.Programs),
		Years:         newYearChart(st, facets.Year),
		NoYear:        unknownYear(st, facets.Year),
		Sorts:         sortLinks(st),
		Sizes:         sizeLinks(st),
		Pager:         newPager(st, res.Groups),
	}
	data.Feed = feedURL(st)
	data.ExportURL = st.url("/api/export", func(p *searchParams) { p.Size = defaultSize })
	data.setProblems(problems)
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
	data.Chips = chips(st, "/")
	if len(data.Chips) > 0 {
		data.ClearAll = st.url("/", clearFilters)
	}
	r := p.request()
	for _, h := range res.Hits {
		data.Cards = append(data.Cards, newCard(st, h, func(text string) []search.Span { return ix.Marks(r, text) }))
	}
	data.LastRank = data.First + len(data.Cards) - 1
	data.SkipResults = "#results"
	if len(data.Cards) > 0 {
		data.SkipResults = "#hits" // the first card is the next Tab stop
	}
	if len(res.Hits) == 0 {
		data.Empty = pg.emptyHelp(ctx, ix, st, res.Total)
	}
	if data.Help, err = pg.queryHelp(ctx, ix, st, r, res); err != nil {
		return err
	}
	data.TookMS = strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	return c.Render(status, "search", data)
}

// count runs the search of state st for its total (and facets), without
// hits or highlighting.
func count(ctx context.Context, ix Index, st pageState, facets bool) (*search.Result, error) {
	r := st.p.request()
	r.From, r.Size, r.Highlight, r.Facets = 0, 0, false, facets
	return ix.Search(ctx, r)
}

// facetLinks turns facet counts into toggle links. A picked value that the
// facet does not list (no hits) is still shown, so that it can be removed.
func facetLinks(st pageState, name string, vals []search.FacetValue, active []string) []facetLink {
	out := make([]facetLink, 0, len(vals)+len(active))
	seen := map[string]bool{}
	for _, v := range vals {
		seen[v.Value] = true
		out = append(out, facetLink{Value: v.Value, Count: v.Count, On: slices.Contains(active, v.Value), URL: st.toggle(name, v.Value).href("/")})
	}
	for _, a := range active {
		if !seen[a] {
			out = append(out, facetLink{Value: a, On: true, URL: st.toggle(name, a).href("/")})
		}
	}
	return out
}

// filterChip is an active filter and the state without it.
type filterChip struct {
	Label, Value string
	Without      pageState
}

// filterChips lists the active filters, each with the state that removes
// it.
func filterChips(st pageState) []filterChip {
	var out []filterChip
	for _, c := range st.p.Counties {
		out = append(out, filterChip{"县区", c, st.toggle("county", c)})
	}
	for _, p := range st.p.Programs {
		out = append(out, filterChip{"项目", p, st.toggle("program", p)})
	}
	for _, y := range st.p.Years {
		label := strconv.Itoa(y) + "年"
		if y == search.UnknownYear {
			label = "未知年份"
		}
		out = append(out, filterChip{"年份", label, st.toggle("year", strconv.Itoa(y))})
	}
	if st.p.YearFrom > 0 {
		out = append(out, filterChip{"起始", strconv.Itoa(st.p.YearFrom) + "年", st.with(func(p *searchParams) { p.YearFrom = 0 })})
	}
	if st.p.YearTo > 0 {
		out = append(out, filterChip{"截止", strconv.Itoa(st.p.YearTo) + "年", st.with(func(p *searchParams) { p.YearTo = 0 })})
	}
	if st.p.DateFrom != "" {
		out = append(out, filterChip{"起始日期", dateText(st.p.DateFrom, 0, false), st.with(func(p *searchParams) { p.DateFrom = "" })})
	}
	if st.p.DateTo != "" {
		out = append(out, filterChip{"截止日期", dateText(st.p.DateTo, 0, false), st.with(func(p *searchParams) { p.DateTo = "" })})
	}
	if st.p.In == "headline" {
		out = append(out, filterChip{"范围", "只搜标题", st.with(func(p *searchParams) { p.In = "text" })})
	}
	return out
}

// chips are the active filters as links, on the page at path, that remove
// them.
func chips(st pageState, path string) []chip {
	var out []chip
	for _, f := range filterChips(st) {
		out = append(out, chip{f.Label, f.Value, f.Without.href(path)})
	}
	return out
}

func sortLinks(st pageState) []sortLink {
	var out []sortLink
	for _, s := range []struct{ value, label string }{{"relevance", "相关度"}, {"newest", "最新"}, {"oldest", "最早"}} {
		out = append(out, sortLink{Label: s.label, Current: st.p.Sort == s.value,
			URL: st.url("/", func(p *searchParams) { p.Sort, p.sortSet = s.value, true })})
	}
	return out
}

// collapseLinks offer one card per story (the default: syndicated copies
// folded into one), per article, or per paragraph.
func collapseLinks(st pageState) []sortLink {
	var out []sortLink
	for _, m := range []struct{ value, label string }{{"story", "按报道"}, {"article", "按文章"}, {"none", "全部段落"}} {
		out = append(out, sortLink{Label: m.label, Current: st.p.Collapse == m.value,
			URL: st.url("/", func(p *searchParams) { p.Collapse, p.collapseSet = m.value, m.value != "story" })})
	}
	return out
}

// sizeLinks offers the results-per-page choices. The first card of the
// current page stays on the page the link opens.
func sizeLinks(st pageState) []sortLink {
	var out []sortLink
	first := (st.p.Page - 1) * st.p.Size
	for _, n := range pageSizes {
		out = append(out, sortLink{Label: strconv.Itoa(n), Current: st.p.Size == n,
			URL: st.url("/", func(p *searchParams) { p.Size, p.Page = n, first/n+1 })})
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
		return st.url("/", func(p *searchParams) { p.Page = n })
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

// newCard prepares one hit for display. The topic sentence shows once:
// as the title when the paragraph has no headline (or the headline is the
// topic), else under the headline (unless the headline holds it); the
// snippet then skips it when it starts with it. marks finds what the
// search matched in a text, for the title and the topic.
func newCard(st pageState, h search.Hit, marks func(string) []search.Span) card {
	c := card{
		ID: h.ID, Kind: string(h.Kind), Position: h.Position, County: h.County,
		URL:        articleURL(st, h.ArticleID, h.ID),
		When:       dateText(h.Date, h.Year, h.YearInferred),
		DateAttr:   dateAttr(h.Date, h.Year),
		Cite:       h.Citation(),
		SourceText: h.Source.File + " " + lineSpan(h.Source),
		Highlight:  h.Highlight,
		Others:     h.Others,
		Outlet:     h.Outlet,
	}
	switch {
	case h.Others > 0 && st.p.Collapse == "story":
		c.OthersText = fmt.Sprintf("另有 %d 家媒体转载", h.Others)
	case h.Others > 0:
		c.OthersText = fmt.Sprintf("本文另有 %d 段匹配", h.Others)
	}
	for i, cp := range h.Copies {
		label := cp.Outlet
		if label == "" {
			label = cp.Headline
		}
		if label == "" {
			label = fmt.Sprintf("转载 %d", i+1)
		}
		c.Copies = append(c.Copies, copyLink{Label: label, When: dateText(cp.Date, cp.Year, cp.YearInferred), URL: articleURL(st, cp.ArticleID, cp.ID)})
	}
	title := h.Headline
	topic := strings.TrimSpace(h.Topic)
	derived := h.HeadlineDerived && topic == ""  // the title is made from the first sentence
	if topic == "" && (title == "" || derived) { // an untitled lead: its first sentence stands for the topic
		topic, _, _ = strings.Cut(strings.TrimSpace(h.Text), "。")
	}
	shown := false // the topic is on the card already: the snippet skips it
	switch {
	case title == "" || title == topic:
		title = clipRunes(topic, 40)
		c.TopicAsTitle, shown = topic != "", topic != ""
	case derived: // the derived title stands for the first sentence
		shown = topic != ""
	case topic != "" && !strings.Contains(title, topic):
		c.Topic = segments(topic, marks(topic))
		shown = true
	}
	if title == "" {
		title = "（无标题）"
	}
	c.Title = segments(title, marks(title))
	c.TitleDerived = h.HeadlineDerived
	if !strings.Contains(h.Highlight, "<mark>") {
		c.Highlight = ""
		c.Snippet = h.Text
		if shown {
			c.Snippet = skipLeading(h.Text, topic)
		}
		c.Snippet = clipRunes(c.Snippet, 160)
	} else if shown {
		c.Highlight = skipFragmentLead(h.Highlight, topic)
	}
	for _, p := range h.Programs {
		c.Programs = append(c.Programs, tag{p, st.toggle("program", p).href("/")})
	}
	for _, name := range h.Initiatives {
		t := tag{Label: name}
		if !strings.ContainsAny(name, `"`) {
			t.URL = withQuery("/", map[string][]string{"q": {`"` + name + `"`}})
		}
		c.Initiatives = append(c.Initiatives, t)
	}
	return c
}

// skipLeading returns text without its leading sentence lead (and the
// punctuation and space after it), or text itself when it does not start
// with lead or nothing would be left.
func skipLeading(text, lead string) string {
	rest, ok := strings.CutPrefix(strings.TrimLeftFunc(text, unicode.IsSpace), lead)
	if !ok || lead == "" {
		return text
	}
	rest = strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	if rest == "" {
		return text
	}
	return rest
}

// skipFragmentLead drops the leading sentence lead from a highlighter
// fragment (escaped text with <mark> tags) when the fragment starts with
// it, keeping the marks of what follows. The title already shows the
// sentence (with its own marks).
func skipFragmentLead(frag, lead string) string {
	if lead == "" || strings.HasPrefix(frag, "…") {
		return frag
	}
	plain := html.UnescapeString(markTagRE.ReplaceAllString(frag, ""))
	rest, ok := strings.CutPrefix(plain, lead)
	if !ok {
		return frag
	}
	rest = strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	if rest == "" {
		return frag
	}
	// Walk the fragment, dropping the characters of plain that precede rest.
	drop := utf8.RuneCountInString(plain) - utf8.RuneCountInString(rest)
	var b strings.Builder
	open := false
	for i := 0; i < len(frag); {
		if t := markTagRE.FindStringIndex(frag[i:]); t != nil && t[0] == 0 {
			tag := frag[i : i+t[1]]
			open = tag == "<mark>"
			if drop == 0 {
				b.WriteString(tag)
			}
			i += t[1]
			continue
		}
		// One character of text: an entity or a rune.
		n := 1
		if frag[i] == '&' {
			if j := strings.IndexByte(frag[i:], ';'); j > 0 {
				n = j + 1
			}
		} else {
			_, n = utf8.DecodeRuneInString(frag[i:])
		}
		if drop > 0 {
			drop--
			if drop == 0 && open {
				b.WriteString("<mark>")
			}
		} else {
			b.WriteString(frag[i : i+n])
		}
		i += n
	}
	return b.String()
}
