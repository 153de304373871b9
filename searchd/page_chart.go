package main

import (
	"slices"
	"strconv"

	"countynews/internal/search"
)

// yearChart is the year facet as an SVG bar chart drawn on the server to
// the sidebar's width, whatever the span of years: one slot a year from
// the first year with hits to the last, except that a run of
// chartGapYears or more years without hits is compressed into one narrow
// slot marked with a break on the axis. Only years with hits (and picked
// years, so that they can be removed) are links; a scale gives the
// largest count and the range of years.
type yearChart struct {
	Width, Height int
	Base          int // y of the baseline
	Left, Right   int // x of the plot's edges
	Top           int // y of the tallest bar's top
	BarMax        int // height of the tallest bar
	LabelY        int // y of the year labels
	Most          int // the largest count: the scale
	Bars          []yearBar
	Gaps          []yearGap
	Ticks         []yearTick
	First, Last   int  // the range of years shown
	WithHits      int  // years with hits
	Compressed    bool // some gap was compressed
	Label         string
}

// yearBar is one year with hits (or picked), its geometry in SVG user
// units.
type yearBar struct {
	Year, Count   int
	X, Y, W, H    int
	TextX, CountY int
	ShowCount     bool // the count fits above the bar
	On            bool
	Out           bool // outside the year range picked
	URL           string
	Label         string // accessible name: 2021年：12 条
}

// yearGap is a compressed run of years without hits.
type yearGap struct {
	From, To int
	X        int // centre of the break mark
	Label    string
}

// yearTick is a year label under the axis.
type yearTick struct {
	X      int
	Year   int
	Anchor string // start, middle or end, so that no label leaves the chart
}

// Geometry of the chart, in SVG user units: the sidebar is 250 px wide, and
// the CSS scales the chart down on narrower screens, never up.
const (
	chartW        = 250
	chartLeft     = 30 // room for the scale
	chartRight    = 6
	chartTop      = 16 // room for a count above the tallest bar
	chartBarMax   = 70 // height of the tallest bar
	chartBottom   = 20 // room for the year labels
	chartGapYears = 3  // a run of this many empty years or more is compressed
	chartGapSlot  = 0.6
	chartTickMin  = 44 // least distance between year labels
)

func newYearChart(st pageState, years []search.FacetValue) yearChart {
	counts := map[int]int{}
	for _, f := range years {
		if y, err := strconv.Atoi(f.Value); err == nil && f.Count > 0 && y != search.UnknownYear { // 未知年份 is no bar: see unknownYear
			counts[y] += f.Count
		}
	}
	picked := map[int]bool{}
	for _, y := range st.p.Years { // a picked year stays visible (and removable)
		if y != search.UnknownYear {
			picked[y] = true
		}
	}
	var ys []int
	for y := range counts {
		ys = append(ys, y)
	}
	for y := range picked {
		if _, ok := counts[y]; !ok {
			ys = append(ys, y)
		}
	}
	if len(ys) == 0 {
		return yearChart{}
	}
	slices.Sort(ys)

	// Slots: a year, or a compressed gap (width chartGapSlot of a year's).
	type slot struct {
		year     int // 0 for a gap
		from, to int // a gap's years
		w        float64
	}
	var slots []slot
	total := 0.0
	for i, y := range ys {
		if i > 0 {
			if empty := y - ys[i-1] - 1; empty >= chartGapYears {
				slots = append(slots, slot{from: ys[i-1] + 1, to: y - 1, w: chartGapSlot})
				total += chartGapSlot
			} else {
				for e := ys[i-1] + 1; e < y; e++ {
					slots = append(slots, slot{year: e, w: 1})
					total++
				}
			}
		}
		slots = append(slots, slot{year: y, w: 1})
		total++
	}
	ch := yearChart{
		Width: chartW, Height: chartTop + chartBarMax + chartBottom,
		Base: chartTop + chartBarMax, Left: chartLeft, Right: chartW - chartRight, Top: chartTop,
		BarMax: chartBarMax, LabelY: chartTop + chartBarMax + 15,
		First: ys[0], Last: ys[len(ys)-1],
	}
	for _, y := range ys {
		ch.Most = max(ch.Most, counts[y])
		if counts[y] > 0 {
			ch.WithHits++
		}
	}
	unit := float64(ch.Right-ch.Left) / total
	barW := min(28, max(1, int(unit*0.72)))
	x := float64(ch.Left)
	lastTick := -1000
	for i, s := range slots {
		mid := int(x + s.w*unit/2)
		if s.year == 0 {
			ch.Compressed = true
			ch.Gaps = append(ch.Gaps, yearGap{From: s.from, To: s.to, X: mid,
				Label: strconv.Itoa(s.from) + "–" + strconv.Itoa(s.to) + "年无结果"})
			x += s.w * unit
			continue
		}
		n := counts[s.year]
		if n > 0 || picked[s.year] {
			h := 0
			if ch.Most > 0 {
				h = n * chartBarMax / ch.Most
			}
			if n > 0 && h < 2 {
				h = 2 // a year with hits is always visible
			}
			// The index counts the year facet without the year filters,
			// range included, so a bar outside the range links to its year
			// with the range dropped: the link finds what the bar counts.
			out := st.p.YearFrom > 0 && s.year < st.p.YearFrom || st.p.YearTo > 0 && s.year > st.p.YearTo
			link := st.toggle("year", strconv.Itoa(s.year)).href("/")
			if out {
				link = st.url("/", func(p *searchParams) {
					p.YearFrom, p.YearTo = 0, 0
					p.Years = toggled(p.Years, s.year)
				})
			}
			ch.Bars = append(ch.Bars, yearBar{
				Year: s.year, Count: n,
				X: mid - barW/2, Y: ch.Base - h, W: barW, H: h,
				TextX: mid, CountY: ch.Base - h - 4, ShowCount: unit >= 20 && n > 0,
				On: picked[s.year], Out: out, URL: link,
				Label: strconv.Itoa(s.year) + "年：" + strconv.Itoa(n) + " 条",
			})
		}
		// Year labels: the first and the last always, others where they
		// fit, preferring years with hits.
		first, last := i == 0, i == len(slots)-1
		if first || last || (n > 0 && mid-lastTick >= chartTickMin && ch.Right-mid >= chartTickMin) {
			anchor := "middle"
			if first {
				anchor = "start"
			} else if last {
				anchor = "end"
			}
			tx := mid
			if first {
				tx = max(ch.Left, mid-barW/2)
			} else if last {
				tx = min(ch.Right, mid+barW/2+1)
			}
			if last && len(ch.Ticks) > 0 && tx-ch.Ticks[len(ch.Ticks)-1].X < chartTickMin {
				ch.Ticks = ch.Ticks[:len(ch.Ticks)-1] // the last year wins the room
			}
			if !(last && first) {
				ch.Ticks = append(ch.Ticks, yearTick{X: tx, Year: s.year, Anchor: anchor})
			} else {
				ch.Ticks = append(ch.Ticks, yearTick{X: mid, Year: s.year, Anchor: "middle"})
			}
			lastTick = tx
		}
		x += s.w * unit
	}
	ch.Label = "各年份结果数，" + strconv.Itoa(ch.First) + "–" + strconv.Itoa(ch.Last) + "年，最多 " + strconv.Itoa(ch.Most) + " 条；点击柱子按年份筛选"
	if ch.First == ch.Last {
		ch.Label = "各年份结果数，" + strconv.Itoa(ch.First) + "年 " + strconv.Itoa(ch.Most) + " 条；点击柱子按年份筛选"
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
func unknownYear(st pageState, years []search.FacetValue) *unknownYearLink {
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
	return &unknownYearLink{Count: n, On: on, URL: st.toggle("year", strconv.Itoa(search.UnknownYear)).href("/")}
}
