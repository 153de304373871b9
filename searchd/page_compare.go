package main

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/internal/search"
)

// comparePage is the data of the comparison view: for the current search,
// a county × program table of hit counts.
type comparePage struct {
	layout
	Params   searchParams
	Total    int
	Chips    []chip
	ClearAll string
	Programs []compareCol
	Rows     []compareRow
	TookMS   string
	Searches int
	AllURL   string // the search of the whole table, on its first page
}

type compareCol struct {
	Name  string
	Count int
	URL   string
}

type compareRow struct {
	County string
	Count  int
	URL    string // "" for the row of paragraphs without a county: no search selects them
	Cells  []compareCell
	// Unlabelled is the row of the paragraphs that name no county.
	Unlabelled bool
}

// compareCell is one count; Level (0–4) shades it relative to the largest
// cell.
type compareCell struct {
	Count int
	URL   string
	Level int
}

// unlabelledCounty is the row label of the paragraphs without a county.
const unlabelledCounty = "未标注县区"

// compare handles GET /compare: the search's hits counted by county and
// program, under every filter of the search page. The counts come from
// the index's disjunctive facets (a facet's counts ignore its own filter
// and honour the others): one search for the whole state gives the
// margins (the county facet the row totals, the program facet the column
// totals), then one search a county with hits gives its row (its program
// facet). Picked counties limit the rows and picked programs the columns,
// as the search page's facets do. Counties without hits are listed too,
// with empty rows, so that gaps show; without a county filter a last row
// counts the paragraphs that name no county (the difference between the
// total and the county rows, as a paragraph has at most one county).
func (pg *pages) compare(c echo.Context) error {
	start := time.Now()
	p, problems, err := bindPage(c.QueryParams())
	if err != nil {
		return err
	}
	if len(problems) > 0 && !isPage(c) {
		return problems[0].err // a client that does not take HTML gets the API's error
	}
	st := newPageState(p)
	ctx := c.Request().Context()
	ix, release := pg.api.index()
	defer release()

	all, err := count(ctx, ix, st, true)
	if err != nil {
		return err
	}
	data := comparePage{layout: newLayout(c, "县区对比 - 县域新闻检索", "/compare", st), Params: p, Total: all.Total, Searches: 1}
	data.Nav = "compare"
	data.AllURL = st.url("/", nil)
	data.setProblems(problems)
	data.Chips = chips(st, "/compare")
	if len(data.Chips) > 0 {
		data.ClearAll = st.url("/compare", clearFilters)
	}
	for _, f := range all.Facets.Program {
		if len(p.Programs) > 0 && !slices.Contains(p.Programs, f.Value) {
			continue
		}
		data.Programs = append(data.Programs, compareCol{Name: f.Value, Count: f.Count,
			URL: st.url("/", func(p *searchParams) { p.Programs = []string{f.Value} })})
	}
	for _, name := range p.Programs { // a picked program without hits is a column of zeros
		if !slices.ContainsFunc(data.Programs, func(c compareCol) bool { return c.Name == name }) {
			data.Programs = append(data.Programs, compareCol{Name: name,
				URL: st.url("/", func(p *searchParams) { p.Programs = []string{name} })})
		}
	}

	seen := map[string]bool{}
	labelled := 0                                  // hits with a county
	colLabelled := make([]int, len(data.Programs)) // per program, hits with a county
	for _, f := range all.Facets.County {
		// The county facet is disjunctive (it ignores the county filter):
		// with counties picked, only theirs are rows.
		if len(p.Counties) > 0 && !slices.Contains(p.Counties, f.Value) {
			continue
		}
		seen[f.Value] = true
		labelled += f.Count
		in := st.with(func(p *searchParams) { p.Counties = []string{f.Value} })
		row := compareRow{County: f.Value, Count: f.Count, URL: in.href("/")}
		counts := map[string]int{}
		if f.Count > 0 {
			res, err := count(ctx, ix, in, true)
			if err != nil {
				return err
			}
			data.Searches++
			for _, pf := range res.Facets.Program {
				counts[pf.Value] = pf.Count
			}
		}
		for j, col := range data.Programs {
			n := counts[col.Name]
			colLabelled[j] += n
			cell := compareCell{Count: n}
			if n > 0 {
				cell.URL = st.url("/", func(p *searchParams) { p.Counties, p.Programs = []string{f.Value}, []string{col.Name} })
			}
			row.Cells = append(row.Cells, cell)
		}
		data.Rows = append(data.Rows, row)
	}
	// Counties without hits get empty rows: the picked ones, or else every
	// county of the index.
	empty := p.Counties
	if len(empty) == 0 {
		f, err := ix.AllFacets(ctx)
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
		row := compareRow{County: county, URL: st.url("/", func(p *searchParams) { p.Counties = []string{county} })}
		row.Cells = make([]compareCell, len(data.Programs))
		data.Rows = append(data.Rows, row)
	}
	if len(p.Counties) == 0 {
		data.Rows = append(data.Rows, unlabelledRow(all, labelled, data.Programs, colLabelled))
	}
	most := 0
	for _, r := range data.Rows {
		for _, cell := range r.Cells {
			most = max(most, cell.Count)
		}
	}
	for i := range data.Rows {
		for j := range data.Rows[i].Cells {
			if n := data.Rows[i].Cells[j].Count; n > 0 && most > 0 {
				data.Rows[i].Cells[j].Level = 1 + (n*4-1)/most // 1..4
			}
		}
	}
	data.TookMS = strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	return c.Render(status, "compare", data)
}

// unlabelledRow counts the hits that name no county: the total less the
// county rows, and per program the column total less the county cells.
// Search has no filter for "no county", so its numbers link nowhere.
func unlabelledRow(all *search.Result, labelled int, cols []compareCol, colLabelled []int) compareRow {
	row := compareRow{County: unlabelledCounty, Count: all.Total - labelled, Unlabelled: true}
	for j, col := range cols {
		row.Cells = append(row.Cells, compareCell{Count: col.Count - colLabelled[j]})
	}
	return row
}
