package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
)

// Every state of the page lives in its URL, under the API's parameter names
// (q, county, program, year, year_from, year_to, sort, page, size), so that
// a search can be bookmarked and shared. pageState rebuilds those URLs from
// the validated parameters.
type pageState struct {
	p       searchParams
	sortSet bool // the user chose the sort; else it follows q (relevance with terms, newest without)
}

func newPageState(p searchParams, raw url.Values) pageState {
	return pageState{p: p, sortSet: strings.TrimSpace(raw.Get("sort")) != ""}
}

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
	if s.sortSet {
		v.Set("sort", s.p.Sort)
	}
	if s.p.Size != defaultSize {
		v.Set("size", strconv.Itoa(s.p.Size))
	}
	if s.p.Page > 1 {
		v.Set("page", strconv.Itoa(s.p.Page))
	}
	return v
}

// url returns path with the state edited by edit. Any edit but paging goes
// back to the first page.
func (s pageState) url(path string, edit func(v url.Values)) string {
	v := s.values()
	v.Del("page")
	if edit != nil {
		edit(v)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// toggle returns the search URL with value added to or removed from the
// repeatable parameter name: how a facet link works.
func (s pageState) toggle(name, value string) string {
	return s.url("/", func(v url.Values) { toggleValue(v, name, value) })
}

func toggleValue(v url.Values, name, value string) {
	vals := v[name]
	out := make([]string, 0, len(vals)+1)
	found := false
	for _, x := range vals {
		if x == value {
			found = true
			continue
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, value)
	}
	if len(out) == 0 {
		v.Del(name)
	} else {
		v[name] = out
	}
}

// field is a hidden form input: the filters a new query keeps.
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
// the navigation, which carry the current query along.
type layout struct {
	Title      string
	Q          string
	Action     string  // where the search form goes: / or /compare
	Keep       []field // hidden inputs of the form
	Nav        string  // "search", "compare" or "article": the current section
	SearchURL  string
	CompareURL string
	HelpOpen   bool   // show the query-language help with the error (after a bad query)
	InHeadline bool   // the form's 只搜标题 box is ticked (in=headline)
	Feed       string // URL of the Atom feed of the search shown ("": none)
}

// newLayout returns the frame of a page at action for the request's q.
func newLayout(c echo.Context, title, action string) layout {
	q := strings.ToValidUTF8(c.QueryParam("q"), "�")
	if utf8.RuneCountInString(q) > 1000 {
		q = string([]rune(q)[:1000])
	}
	l := layout{Title: title, Q: q, Action: action, Nav: "search", SearchURL: "/", CompareURL: "/compare",
		InHeadline: c.QueryParam("in") == "headline"}
	if q != "" {
		l.SearchURL = "/?" + url.Values{"q": {q}}.Encode()
		l.CompareURL = "/compare?" + url.Values{"q": {q}}.Encode()
	}
	return l
}

// dateText says when a paragraph or article was published, in Chinese:
// 2021年7月5日, or 2021年（推断） when only an inferred year is known.
func dateText(d corpus.Date, year int, inferred bool) string {
	if d != "" {
		if t, err := time.Parse("2006-01-02", string(d)); err == nil {
			return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
		}
		return string(d)
	}
	switch {
	case year > 0 && inferred:
		return fmt.Sprintf("%d年（推断）", year)
	case year > 0:
		return fmt.Sprintf("%d年", year)
	}
	return "日期不详"
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
func lineSpan(src corpus.Provenance) string {
	if src.Lines[0] == src.Lines[1] {
		return fmt.Sprintf("第%d行", src.Lines[0])
	}
	return fmt.Sprintf("第%d–%d行", src.Lines[0], src.Lines[1])
}

// citation is how a journalist cites a paragraph: headline, date, and the
// source file and lines it was read from.
func citation(headline string, d corpus.Date, year int, inferred bool, src corpus.Provenance) string {
	h := headline
	if h == "" {
		h = "无标题"
	}
	return fmt.Sprintf("《%s》，%s，%s %s", h, dateText(d, year, inferred), src.File, lineSpan(src))
}

// articleURL links to a paragraph in its article view: highlighted (hl),
// with the query's terms marked (q), and scrolled to (#p-ID).
func articleURL(articleID, paragraphID, q string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if paragraphID != "" {
		v.Set("hl", paragraphID)
	}
	u := "/articles/" + url.PathEscape(articleID)
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
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
