package main

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"countynews/corpus"
	"countynews/internal/search"
	"countynews/internal/text"
	"countynews/query"
)

// Limits of the search API, documented in the OpenAPI document.
const (
	maxSize        = 100    // hits a page
	maxWindow      = 10_000 // page*size
	maxFilterVals  = 50     // values of one facet parameter
	defaultSize    = 10
	minYear        = 1900
	maxYear        = 2100
	maxSimilarSize = 50
)

// searchParams is a bound and validated /api/search request. Its JSON form
// is the "query" echo in the response.
type searchParams struct {
	Q        string      `json:"q"`
	Parsed   string      `json:"parsed"`
	Terms    []string    `json:"terms"`
	Counties []string    `json:"county"`
	Programs []string    `json:"program"`
	Years    []int       `json:"year"`
	YearFrom int         `json:"year_from,omitempty"`
	YearTo   int         `json:"year_to,omitempty"`
	DateFrom corpus.Date `json:"date_from,omitempty"`
	DateTo   corpus.Date `json:"date_to,omitempty"`
	In       string      `json:"in"`
	Sort     string      `json:"sort"`
	// Collapse is none, article, story or auto: one hit per article or
	// story (syndicated copies) instead of one per paragraph; auto (the
	// API's default) is none for exact answers, story for relaxed ones.
	Collapse string      `json:"collapse"`
	Match    string      `json:"match"`
	Page     int         `json:"page"`
	Size     int         `json:"size"`
	query    query.Query `json:"-"`
	match    search.Match
	sortSet  bool // sort was given; else it follows q (relevance with terms, newest without)
	// collapseSet: collapse was given (the page's default, story, differs
	// from the API's, auto).
	collapseSet bool
}

// bindSearch reads and validates the search parameters. Unknown parameters
// are ignored; every invalid one gives a 400 with a message saying which
// and why.
func bindSearch(v url.Values) (searchParams, error) {
	p := searchParams{Page: 1, Size: defaultSize, Counties: []string{}, Programs: []string{}, Years: []int{}, Terms: []string{}}
	var err error

	if err := p.setQ(v.Get("q")); err != nil {
		return p, err
	}

	if p.Counties, err = values(v, "county"); err != nil {
		return p, err
	}
	p.Counties = builtinNames.canonical(p.Counties) // 微山县 → 微山
	if p.Programs, err = values(v, "program"); err != nil {
		return p, err
	}
	years, err := values(v, "year")
	if err != nil {
		return p, err
	}
	for _, y := range years {
		if strings.TrimSpace(text.FoldWidth(y)) == strconv.Itoa(search.UnknownYear) {
			p.Years = append(p.Years, search.UnknownYear) // 未知年份: paragraphs with no known year
			continue
		}
		n, err := yearValue("year", y)
		if err != nil {
			return p, err
		}
		p.Years = append(p.Years, n)
	}
	if s := v.Get("year_from"); s != "" {
		if p.YearFrom, err = yearValue("year_from", s); err != nil {
			return p, err
		}
	}
	if s := v.Get("year_to"); s != "" {
		if p.YearTo, err = yearValue("year_to", s); err != nil {
			return p, err
		}
	}
	if p.YearFrom > 0 && p.YearTo > 0 && p.YearFrom > p.YearTo {
		return p, badParam(codeYearRangeReversed, []string{"year_from", "year_to"}, "year_from %d is after year_to %d", p.YearFrom, p.YearTo)
	}

	if p.DateFrom, err = dateValue(v, "date_from"); err != nil {
		return p, err
	}
	if p.DateTo, err = dateValue(v, "date_to"); err != nil {
		return p, err
	}
	if p.DateFrom != "" && p.DateTo != "" && p.DateFrom > p.DateTo {
		return p, badParam(codeDateRangeReversed, []string{"date_from", "date_to"}, "date_from %s is after date_to %s", p.DateFrom, p.DateTo)
	}
	p.In = strings.TrimSpace(v.Get("in"))
	switch p.In {
	case "":
		p.In = "text"
	case "text", "headline":
	default:
		return p, badParam(codeInvalidIn, []string{"in"}, "in must be text or headline, not %q", clipValue(p.In))
	}

	p.Sort = v.Get("sort")
	switch p.Sort {
	case "":
		p.Sort = p.defaultSort()
	case "relevance", "newest", "oldest":
		p.sortSet = true
	default:
		return p, badParam(codeInvalidSort, []string{"sort"}, "sort must be relevance, newest or oldest, not %q", clipValue(p.Sort))
	}
	p.Collapse = strings.TrimSpace(v.Get("collapse"))
	switch p.Collapse {
	case "":
		p.Collapse = "auto"
	case "none", "article", "story", "auto":
		p.collapseSet = true
	default:
		return p, badParam(codeInvalidCollapse, []string{"collapse"}, "collapse must be none, article, story or auto, not %q", clipValue(p.Collapse))
	}
	p.Match = v.Get("match")
	if p.Match == "" {
		p.Match = search.MatchAuto.String()
	}
	if p.match, err = search.ParseMatch(p.Match); err != nil {
		return p, badRequest("match must be auto, exact, all or any, not %q", clipValue(p.Match))
	}
	if p.Page, err = intValue(v, "page", 1, 1, maxWindow); err != nil {
		return p, err
	}
	if p.Size, err = intValue(v, "size", defaultSize, 1, maxSize); err != nil {
		return p, err
	}
	if p.Page*p.Size > maxWindow {
		return p, badParam(codeWindowTooDeep, []string{"page"}, "page %d of size %d reaches past hit %d; at most %d hits can be paged through — narrow the query", p.Page, p.Size, p.Page*p.Size, maxWindow)
	}
	return p, nil
}

// setQ sets the query to q, parsed. Unless a sort was given, the sort
// follows the new query.
func (p *searchParams) setQ(q string) error {
	if !utf8.ValidString(q) {
		return badParam(codeInvalidUTF8, []string{"q"}, "q is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > query.MaxLen {
		return badParam(codeQueryTooLong, []string{"q"}, "q is %d characters long; at most %d are allowed", n, query.MaxLen)
	}
	pq, err := query.Parse(q)
	if err != nil {
		return err
	}
	p.Q, p.query, p.Parsed = q, pq, pq.String()
	p.Terms = []string{}
	for _, t := range pq.Positive() {
		p.Terms = append(p.Terms, t.Text)
	}
	if !p.sortSet {
		p.Sort = p.defaultSort()
	}
	return nil
}

// defaultSort is the order when none is given: relevance with terms to
// rank by, newest when browsing.
func (p *searchParams) defaultSort() string {
	if p.query.HasPositive() {
		return "relevance"
	}
	return "newest"
}

// request turns the parameters into a search request.
func (p searchParams) request() search.Request {
	r := search.Request{
		Query: p.query, Match: p.match, Counties: p.Counties, Programs: p.Programs, Years: p.Years,
		YearFrom: p.YearFrom, YearTo: p.YearTo, DateFrom: p.DateFrom, DateTo: p.DateTo,
		From: (p.Page - 1) * p.Size, Size: p.Size, Highlight: true, Facets: true,
	}
	if p.In == "headline" {
		r.In = search.InHeadline
	}
	r.Collapse, _ = search.ParseCollapse(p.Collapse) // validated by bindSearch
	switch p.Sort {
	case "newest":
		r.Sort = search.SortNewest
	case "oldest":
		r.Sort = search.SortOldest
	default:
		r.Sort = search.SortRelevance
	}
	return r
}

// values returns a repeatable parameter's non-empty values, width-folded
// and trimmed, also accepting comma-separated lists.
func values(v url.Values, name string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, raw := range v[name] {
		for _, s := range strings.Split(raw, ",") {
			s = strings.TrimSpace(text.FoldWidth(s))
			if s == "" || seen[s] {
				continue
			}
			if !utf8.ValidString(s) {
				return nil, badParam(codeInvalidUTF8, []string{name}, "%s is not valid UTF-8", name)
			}
			if len(out) == maxFilterVals {
				return nil, badParam(codeTooManyValues, []string{name}, "too many %s values: at most %d", name, maxFilterVals)
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

func yearValue(name, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text.FoldWidth(s)))
	if err != nil || n < minYear || n > maxYear {
		return 0, badParam(codeInvalidYear, []string{name}, "%s must be a year between %d and %d, not %q", name, minYear, maxYear, clipValue(s))
	}
	return n, nil
}

// dateValue reads an optional day, YYYY-MM-DD (full-width digits
// folded), checked against the calendar.
func dateValue(v url.Values, name string) (corpus.Date, error) {
	s := strings.TrimSpace(text.FoldWidth(v.Get(name)))
	if s == "" {
		return "", nil
	}
	d, y, err := corpus.ParseDate(s)
	if err != nil || len(s) != len("2006-01-02") || y < minYear || y > maxYear {
		return "", badParam(codeInvalidDate, []string{name}, "%s must be a date YYYY-MM-DD between %d and %d, not %q", name, minYear, maxYear, clipValue(s))
	}
	return d, nil
}

// intValue reads an optional integer parameter within [min, max].
func intValue(v url.Values, name string, def, min, max int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, badParam(codeInvalidNumber, []string{name}, "%s must be a whole number from %d to %d, not %q", name, min, max, clipValue(s))
	}
	return n, nil
}

// clipValue keeps echoed user input short in error messages.
func clipValue(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return strings.ToValidUTF8(s, "�")
}
