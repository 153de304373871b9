package main

import (
	"net/url"
	"slices"
	"strconv"

	"countynews/internal/search"
)

// yearChart is the year facet as an SVG bar chart, drawn on the server:
// one bar a year (years without hits between the first and the last get an
// empty slot), each bar a link that toggles the year filter.
type yearChart struct {
	Width, Height int
	Base          int // y of the baseline
	Bars          []yearBar
}

// yearBar is one bar with its geometry in SVG user units.
type yearBar struct {
	Year, Count   int
	X, Y, W, H    int
	TextX, CountY int
	LabelY        int
	ShowYear      bool // label every year while they fit, else every few
	On            bool
	Out           bool // outside the year range picked
	URL           string
	Label         string // accessible name: 2021年：12条
}

// Geometry of the chart, in SVG user units (the CSS scales it down to the
// sidebar's width, never up).
const (
	chartBarW    = 30
	chartGap     = 8
	chartBarMax  = 80 // height of the tallest bar
	chartTop     = 16 // room for the count above a bar
	chartBottom  = 18 // room for the year below
	chartMaxSpan = 40 // a wider span of years shows only years with hits
)

func newYearChart(st pageState, years []facetJSON) yearChart {
	counts := map[int]int{}
	var ys []int
	for _, f := range years {
		y, err := strconv.Atoi(f.Value)
		if err != nil || y == search.UnknownYear { // not a bar: see unknownYear
			continue
		}
		if _, dup := counts[y]; !dup {
			ys = append(ys, y)
		}
		counts[y] += f.Count
	}
	for _, y := range st.p.Years { // a picked year stays visible (and removable)
		if _, ok := counts[y]; !ok && y != search.UnknownYear {
			counts[y] = 0
			ys = append(ys, y)
		}
	}
	if len(ys) == 0 {
		return yearChart{}
	}
	slices.Sort(ys)
	if first, last := ys[0], ys[len(ys)-1]; last-first < chartMaxSpan {
		ys = make([]int, 0, last-first+1)
		for y := first; y <= last; y++ {
			ys = append(ys, y)
		}
	}
	most := 0
	for _, y := range ys {
		most = max(most, counts[y])
	}
	every := (len(ys) + 9) / 10 // at most about ten year labels
	ch := yearChart{
		Width:  chartGap + len(ys)*(chartBarW+chartGap),
		Height: chartTop + chartBarMax + chartBottom,
		Base:   chartTop + chartBarMax,
	}
	for i, y := range ys {
		n := counts[y]
		h := 0
		if most > 0 {
			h = n * chartBarMax / most
		}
		if n > 0 && h < 2 {
			h = 2 // a year with hits is always visible
		}
		x := chartGap + i*(chartBarW+chartGap)
		// The index counts the year facet without the year filters, range
		// included, so a bar outside the range links to its year with the
		// range dropped: the link finds what the bar counts.
		out := st.p.YearFrom > 0 && y < st.p.YearFrom || st.p.YearTo > 0 && y > st.p.YearTo
		link := st.toggle("year", strconv.Itoa(y))
		if out {
			link = st.url("/", func(v url.Values) {
				v.Del("year_from")
				v.Del("year_to")
				toggleValue(v, "year", strconv.Itoa(y))
			})
		}
		ch.Bars = append(ch.Bars, yearBar{
			Year: y, Count: n,
			X: x, Y: ch.Base - h, W: chartBarW, H: h,
			TextX: x + chartBarW/2, CountY: ch.Base - h - 4, LabelY: ch.Base + 14,
			ShowYear: i%every == 0 || i == len(ys)-1,
			On:       slices.Contains(st.p.Years, y),
			Out:      out,
			URL:      link,
			Label:    strconv.Itoa(y) + "年：" + strconv.Itoa(n) + "条",
		})
	}
	return ch
}

// unknownYearLink is the year facet's 未知年份 value: the paragraphs with no
// known year (package corpus leaves a year out rather than guess one),
// shown beside the chart rather than as a bar.
type unknownYearLink struct {
	Count int
	On    bool
	URL   string
}

// unknownYear returns the 未知年份 link, or nil when no hit lacks a year
// and it is not picked.
func unknownYear(st pageState, years []facetJSON) *unknownYearLink {
	n := 0
	for _, f := range years {
		if f.Value == strconv.Itoa(search.UnknownYear) {
			n += f.Count
		}
	}
	on := slices.Contains(st.p.Years, search.UnknownYear)
	if n == 0 && !on {
		return nil
	}
	return &unknownYearLink{Count: n, On: on, URL: st.toggle("year", strconv.Itoa(search.UnknownYear))}
}
