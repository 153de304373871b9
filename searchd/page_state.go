package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// Every state of the page lives in its URL, under the API's parameter names
// (q, county, program, year, year_from, year_to, sort, page, size), so that
// a search can be bookmarked and shared. Every link out of a result list
// (a card, the article view, a similar initiative, the comparison) carries
// the whole state, and every way back (返回检索结果, the 检索 tab) restores
// it. pageState holds the validated parameters; links are made by editing
// a copy of them (with) and writing it as a URL (href), never by editing
// URLs.
type pageState struct {
	p searchParams
}

func newPageState(p searchParams) pageState { return pageState{p: p} }

// values returns the state as URL parameters, without defaults.
func (s pageState) values() url.Values {
	v := url.Values{}
	if s.p.Q != "" {
		v.Set("q", s.p.Q)
	}
	for _, c := range s.p.Counties {
		v.Add("county", c)
	}
	for _, pr := range s.p.Programs {
		v.Add("program", pr)
	}
	for _, y := range s.p.Years {
		v.Add("year", strconv.Itoa(y))
	}
	if s.p.YearFrom > 0 {
		v.Set("year_from", strconv.Itoa(s.p.YearFrom))
	}
	if s.p.YearTo > 0 {
		v.Set("year_to", strconv.Itoa(s.p.YearTo))
	}
	if s.p.DateFrom != "" {
		v.Set("date_from", string(s.p.DateFrom))
	}
	if s.p.DateTo != "" {
		v.Set("date_to", string(s.p.DateTo))
	}
	if s.p.In == "headline" {
		v.Set("in", s.p.In)
	}
	if s.p.Match != "" && s.p.Match != search.MatchAuto.String() {
		v.Set("match", s.p.Match) // links keep a chosen mode; a new query typed in the form does not
	}
	if s.p.sortSet {
		v.Set("sort", s.p.Sort)
	}
	if s.p.collapseSet {
		v.Set("collapse", s.p.Collapse)
	}
	if s.p.Size != defaultSize {
		v.Set("size", strconv.Itoa(s.p.Size))
	}
	if s.p.Page > 1 {
		v.Set("page", strconv.Itoa(s.p.Page))
	}
	return v
}

// href is the URL of path with the state, page included.
func (s pageState) href(path string) string {
	return withQuery(path, s.values())
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// with returns a copy of the state edited by edit, on page 1: any edit but
// paging starts the list again. The copy shares no slice with s.
func (s pageState) with(edit func(p *searchParams)) pageState {
	c := s
	c.p.Counties = slices.Clone(s.p.Counties)
	c.p.Programs = slices.Clone(s.p.Programs)
	c.p.Years = slices.Clone(s.p.Years)
	c.p.Terms = slices.Clone(s.p.Terms)
	c.p.Page = 1
	if edit != nil {
		edit(&c.p)
	}
	return c
}

// url returns path with the state edited by edit, on page 1.
func (s pageState) url(path string, edit func(p *searchParams)) string {
	return s.with(edit).href(path)
}

// toggle returns the state with value added to or removed from the
// repeatable filter name (county, program, year): what a facet link does.
func (s pageState) toggle(name, value string) pageState {
	return s.with(func(p *searchParams) {
		switch name {
		case "county":
			p.Counties = toggled(p.Counties, value)
		case "program":
			p.Programs = toggled(p.Programs, value)
		case "year":
			if y, err := strconv.Atoi(value); err == nil {
				p.Years = toggled(p.Years, y)
			}
		}
	})
}

// toggled returns vs with v removed if it is there, else added.
func toggled[T comparable](vs []T, v T) []T {
	if i := slices.Index(vs, v); i >= 0 {
		return slices.Delete(slices.Clone(vs), i, i+1)
	}
	return append(slices.Clone(vs), v)
}

// clearFilters removes every filter, keeping the query (and where it is
// looked for), sort and size.
func clearFilters(p *searchParams) {
	p.Counties, p.Programs, p.Years = []string{}, []string{}, []int{}
	p.YearFrom, p.YearTo = 0, 0
	p.DateFrom, p.DateTo = "", ""
}

// field is a hidden form input: the state a new query keeps.
type field struct{ Name, Value string }

// hidden returns the state the search form carries besides q and in (its
// own fields): the filters, the chosen sort and the page size (not the
// page: a new query starts at page 1).
func (s pageState) hidden() []field {
	var fs []field
	v := s.values()
	for _, name := range []string{"county", "program", "year", "year_from", "year_to", "date_from", "date_to", "sort", "size"} {
		for _, x := range v[name] {
			fs = append(fs, field{name, x})
		}
	}
	return fs
}

// layout is what every page's frame needs: the title, the search form and
// the navigation, which carry the current search state along.
type layout struct {
	Title       string
	Q           string
	Action      string  // where the search form goes: / or /compare
	Keep        []field // hidden inputs of the form
	Nav         string  // "search", "compare" or "article": the current section
	SearchURL   string
	CompareURL  string
	HelpOpen    bool   // show the query-language help (after a bad query)
	SkipResults string // the page has results and facets: the skip link's target in the results ("": one skip link to main)
	InHeadline  bool   // the form's 只搜标题 box is ticked (in=headline)
	Feed        string // URL of the Atom feed of the search shown ("": none)
	// Problems are what was wrong with the request, in Chinese, shown above
	// the page's content (which shows what the rest of the request finds).
	Problems []problem
}

// newLayout returns the frame of a page at action for the search state
// st. The search box holds q as typed, even a q that could not be used.
func newLayout(c echo.Context, title, action string, st pageState) layout {
	q := strings.ToValidUTF8(c.QueryParam("q"), "\uFFFD")
	if utf8.RuneCountInString(q) > 1000 {
		q = string([]rune(q)[:1000])
	}
	return layout{
		Title: title, Q: q, Action: action, Nav: "search", InHeadline: st.p.In == "headline",
		Keep:       st.hidden(),
		SearchURL:  st.href("/"),
		CompareURL: st.href("/compare"), // with the page: the way back restores it
	}
}

// dateText says when a paragraph or article was published, in Chinese:
// 2021年7月5日, or 2021年（推断） when only an inferred year is known (the
// citation formatter's wording).
func dateText(d corpus.Date, year int, inferred bool) string {
	return corpus.DateText(d, year, inferred)
}

// dateAttr is the machine-readable form of a date for <time datetime>.
func dateAttr(d corpus.Date, year int) string {
	if d != "" {
		return string(d)
	}
	if year > 0 {
		return strconv.Itoa(year)
	}
	return ""
}

// lineSpan is a source span in Chinese: 第5行 or 第5–13行.
func lineSpan(src corpus.Provenance) string { return corpus.LineSpan(src.Lines) }

// articleURL links to a paragraph in its article view: highlighted (hl),
// scrolled to (#p-ID), and carrying the search state st, so that the
// article marks what the search matched and its way back restores the
// search.
func articleURL(st pageState, articleID, paragraphID string) string {
	v := st.values()
	if paragraphID != "" {
		v.Set("hl", paragraphID)
	}
	u := withQuery("/articles/"+url.PathEscape(articleID), v)
	if paragraphID != "" {
		u += "#p-" + paragraphID
	}
	return u
}

// clipRunes shortens s to n characters (never splitting one), adding … if
// it cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
