package main

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// comparePage is the data of the comparison view: for the current query, a
// county × program table of hit counts.
type comparePage struct {
	layout
	Params   searchParams
	Total    int
	Programs []compareCol
	Rows     []compareRow
	TookMS   string
	Searches int
}

type compareCol struct {
	Name  string
	Count int
	URL   string
}

type compareRow struct {
	County string
	Count  int
	URL    string
	Cells  []compareCell
}

// compareCell is one count; Level (0–4) shades it relative to the largest
// cell.
type compareCell struct {
	Count int
	URL   string
	Level int
}

// compare handles GET /compare: the query's hits counted by county and
// program. The counts come from the index's facets: one search for the
// whole query (its county and program facets give the margins), then one
// a county with hits (its program facet gives the row). The program filter
// is not applied: the table is over all programs. Counties without hits are
// listed too, with empty rows, so that gaps show; with counties picked,
// the rows are theirs.
func (pg *pages) compare(c echo.Context) error {
	start := time.Now()
	raw := c.QueryParams()
	p, err := bindSearch(raw)
	if err != nil {
		return err
	}
	p.Programs, p.Sort, p.Page, p.Size = nil, "relevance", 1, defaultSize
	st := pageState{p: p}
	ctx := c.Request().Context()

	all, err := pg.count(ctx, st.url("/", nil), true)
	if err != nil {
		return err
	}
	whole := toFacets(all.Facets)
	data := comparePage{layout: newLayout(c, "县区对比 - 县域新闻检索", "/compare"), Params: p, Total: all.Total, Searches: 1}
	data.Nav = "compare"
	data.Keep = st.hidden()
	data.SearchURL = st.url("/", nil)
	data.CompareURL = st.url("/compare", nil)
	for _, f := range whole.Program {
		data.Programs = append(data.Programs, compareCol{Name: f.Value, Count: f.Count,
			URL: st.url("/", func(v url.Values) { v.Set("program", f.Value) })})
	}

	most := 0
	seen := map[string]bool{}
	for _, f := range whole.County {
		// The county facet is disjunctive (it ignores the county filter):
		// with counties picked, only theirs are rows.
		if len(p.Counties) > 0 && !slices.Contains(p.Counties, f.Value) {
			continue
		}
		seen[f.Value] = true
		row := compareRow{County: f.Value, Count: f.Count, URL: st.url("/", func(v url.Values) { v.Set("county", f.Value) })}
		counts := map[string]int{}
		if f.Count > 0 {
			res, err := pg.count(ctx, row.URL, true)
			if err != nil {
				return err
			}
			data.Searches++
			for _, pf := range toFacets(res.Facets).Program {
				counts[pf.Value] = pf.Count
			}
		}
		for _, col := range data.Programs {
			n := counts[col.Name]
			most = max(most, n)
			cell := compareCell{Count: n}
			if n > 0 {
				cell.URL = st.url("/", func(v url.Values) { v.Set("county", f.Value); v.Set("program", col.Name) })
			}
			row.Cells = append(row.Cells, cell)
		}
		data.Rows = append(data.Rows, row)
	}
	// Counties without hits get empty rows: the picked ones, or else every
	// county of the index.
	empty := p.Counties
	if len(empty) == 0 {
		ix, release := pg.api.index()
		f, err := ix.AllFacets(ctx)
		release()
		if err != nil {
			return err
		}
		empty = nil
		for _, cf := range f.County {
			empty = append(empty, cf.Value)
		}
	}
	for _, county := range empty {
		if seen[county] {
			continue
		}
		seen[county] = true
		row := compareRow{County: county, URL: st.url("/", func(v url.Values) { v.Set("county", county) })}
		row.Cells = make([]compareCell, len(data.Programs))
		data.Rows = append(data.Rows, row)
	}
	for i := range data.Rows {
		for j := range data.Rows[i].Cells {
			if n := data.Rows[i].Cells[j].Count; n > 0 && most > 0 {
				data.Rows[i].Cells[j].Level = 1 + (n*4-1)/most // 1..4
			}
		}
	}
	data.TookMS = strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	return c.Render(http.StatusOK, "compare", data)
}
