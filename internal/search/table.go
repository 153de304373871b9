package search

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
)

// table holds, for every document of an open generation, the few small
// values a search filters, counts and sorts by, in flat arrays indexed by
// the document's number in the (read-only, hence never renumbered) scorch
// snapshot.
//
// Bleve counts a facet by visiting each hit's doc values, which decodes a
// chunk of the segment's doc-value column per hit and costs most of a
// request once hits number in the thousands. Our facets are tiny (11
// counties, a few tens of years and programs), so a hit's county, year and
// programs fit in a few bytes: with the table, counting all three
// disjunctive facets is a few array reads per hit, done in the same pass
// that ranks the hits (pass.go). The table is built once, when the
// generation is opened.
type table struct {
	live     []bool   // the number belongs to a document (not deleted)
	county   []uint8  // 1 + index into counties; 0: none
	year     []uint8  // 1 + index into years (ascending, so ordinals sort as years); 0: unknown
	date     []int32  // YYYYMMDD; 0: no date
	programs []uint64 // bit i: programs[i]
	rank     []uint32 // rank of the document's ID in byte order (tie-break)

	counties     []string
	years        []int
	programNames []string
}

// maxTablePrograms is the number of distinct programs a table holds (one
// bit each); an index with more is searched without the table.
const maxTablePrograms = 64

// loadTable reads the table of every document of ix, or returns nil and
// the reason (and searches go through Bleve's own facets and sorts) when
// the index does not fit one: an unknown internal ID layout, more than 255
// counties or years, or more than maxTablePrograms programs.
func loadTable(ctx context.Context, b bleve.Index) (*table, string, error) {
	t := &table{}
	countyOrd := map[string]uint8{}
	yearOrd := map[int]uint8{}
	programBit := map[string]int{}
	ids := []string{}
	nums := []int{}
	var fail error
	handler := func(sctx *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		dvr, err := sctx.IndexReader.DocValueReader([]string{fieldCounty, fieldYear, fieldDate, fieldProgram})
		if err != nil {
			return nil, err
		}
		return func(d *search.DocumentMatch) error {
			n, ok := docNum(d.IndexInternalID)
			if !ok {
				fail = fmt.Errorf("internal ID %x is not a document number", []byte(d.IndexInternalID))
				return fail
			}
			t.grow(n + 1)
			t.live[n] = true
			id, err := sctx.IndexReader.ExternalID(d.IndexInternalID)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			nums = append(nums, n)
			err = dvr.VisitDocValues(d.IndexInternalID, func(field string, term []byte) {
				switch field {
				case fieldCounty:
					o, ok := countyOrd[string(term)]
					if !ok {
						if len(t.counties) == 255 {
							fail = fmt.Errorf("more than 255 counties")
							return
						}
						t.counties = append(t.counties, string(term))
						o = uint8(len(t.counties))
						countyOrd[string(term)] = o
					}
					t.county[n] = o
				case fieldYear:
					y, err := strconv.Atoi(string(term))
					if err != nil || y <= 0 {
						return
					}
					o, ok := yearOrd[y]
					if !ok {
						if len(t.years) == 255 {
							fail = fmt.Errorf("more than 255 years")
							return
						}
						t.years = append(t.years, y)
						o = uint8(len(t.years))
						yearOrd[y] = o
					}
					t.year[n] = o
				case fieldDate:
					if v, err := strconv.Atoi(strings.ReplaceAll(string(term), "-", "")); err == nil && len(term) == 10 {
						t.date[n] = int32(v)
					}
				case fieldProgram:
					b, ok := programBit[string(term)]
					if !ok {
						if len(t.programNames) == maxTablePrograms {
							fail = fmt.Errorf("more than %d programs", maxTablePrograms)
							return
						}
						t.programNames = append(t.programNames, string(term))
						b = len(t.programNames) - 1
						programBit[string(term)] = b
					}
					t.programs[n] |= 1 << b
				}
			})
			if err == nil {
				err = fail
			}
			return err
		}, nil
	}
	req := bleve.NewSearchRequestOptions(bq.NewMatchAllQuery(), 0, 0, false)
	req.Score = bleve.ScoreNone
	if err := visitHits(ctx, b, req, handler); err != nil && fail == nil {
		return nil, "", fmt.Errorf("load document table: %w", err)
	}
	if fail != nil {
		return nil, fail.Error(), nil // does not fit a table: search without one
	}
	t.trim(slices.Max(append(nums, -1)) + 1)
	t.sortYears()
	// Ranks of the IDs in byte order, the order Bleve's _id sort uses, so
	// that ties break the same way in every generation.
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })
	for r, i := range order {
		t.rank[nums[i]] = uint32(r)
	}
	return t, "", nil
}

// sortYears renumbers the year ordinals in ascending order of year, so
// that comparing ordinals compares years.
func (t *table) sortYears() {
	sorted := slices.Sorted(slices.Values(t.years))
	var remap [256]uint8
	for i, y := range t.years {
		remap[i+1] = uint8(slices.Index(sorted, y) + 1)
	}
	for n, o := range t.year {
		t.year[n] = remap[o]
	}
	t.years = sorted
}

// grow makes the arrays at least n long.
func (t *table) grow(n int) {
	if n <= len(t.live) {
		return
	}
	c := max(n, 2*len(t.live), 1024)
	t.live = slices.Grow(t.live, c-len(t.live))[:c]
	t.county = slices.Grow(t.county, c-len(t.county))[:c]
	t.year = slices.Grow(t.year, c-len(t.year))[:c]
	t.date = slices.Grow(t.date, c-len(t.date))[:c]
	t.programs = slices.Grow(t.programs, c-len(t.programs))[:c]
	t.rank = slices.Grow(t.rank, c-len(t.rank))[:c]
}

// trim cuts the arrays to n, the highest document number plus one.
func (t *table) trim(n int) {
	n = min(n, len(t.live))
	t.live, t.county, t.year = t.live[:n:n], t.county[:n:n], t.year[:n:n]
	t.date, t.programs, t.rank = t.date[:n:n], t.programs[:n:n], t.rank[:n:n]
}

// tableFilter is a request's filters compiled against a table: one check
// per facet, so that a hit's facets can be counted with every filter but
// the facet's own.
type tableFilter struct {
	countyOK, yearOK [256]bool
	countyOn, yearOn bool
	programMask      uint64
	programOn        bool
	// dateOn: only documents dated dateFrom to dateTo (YYYYMMDD,
	// inclusive) pass; undated ones (date 0) never do.
	dateOn           bool
	dateFrom, dateTo int32
}

func (t *table) filter(f filters) *tableFilter {
	tf := &tableFilter{}
	if len(f.counties) > 0 {
		tf.countyOn = true
		for i, c := range t.counties {
			if slices.Contains(f.counties, c) {
				tf.countyOK[i+1] = true
			}
		}
	}
	if len(f.programs) > 0 {
		tf.programOn = true
		for i, p := range t.programNames {
			if slices.Contains(f.programs, p) {
				tf.programMask |= 1 << i
			}
		}
	}
	if f.dated() {
		tf.dateOn, tf.dateFrom, tf.dateTo = true, dateOrd(f.dateFrom, 0), dateOrd(f.dateTo, 99999999)
	}
	// The year list and the range, both applied to each year value; a
	// document without a year (ordinal 0) passes only a list naming
	// UnknownYear, without a range.
	if len(f.years) > 0 || f.from > 0 || f.to > 0 {
		tf.yearOn = true
		tf.yearOK[0] = slices.Contains(f.years, UnknownYear) && f.from == 0 && f.to == 0
		for i, y := range t.years {
			tf.yearOK[i+1] = (len(f.years) == 0 || slices.Contains(f.years, y)) &&
				(f.from == 0 || y >= f.from) && (f.to == 0 || y <= f.to)
		}
	}
	return tf
}

// dateOrd is d as YYYYMMDD, or open for "".
func dateOrd(d corpus.Date, open int32) int32 {
	v, err := strconv.Atoi(strings.ReplaceAll(string(d), "-", ""))
	if d == "" || err != nil {
		return open
	}
	return int32(v)
}

// date reports whether document n is within the date range: a filter on
// every facet, checked before any other.
func (tf *tableFilter) date(t *table, n int) bool {
	return !tf.dateOn || (t.date[n] != 0 && t.date[n] >= tf.dateFrom && t.date[n] <= tf.dateTo)
}

func (tf *tableFilter) county(t *table, n int) bool {
	return !tf.countyOn || tf.countyOK[t.county[n]]
}

func (tf *tableFilter) program(t *table, n int) bool {
	return !tf.programOn || t.programs[n]&tf.programMask != 0
}

func (tf *tableFilter) year(t *table, n int) bool {
	return !tf.yearOn || tf.yearOK[t.year[n]]
}

// tableCounts are facet counts by table ordinal.
type tableCounts struct {
	county, year [256]int
	program      [maxTablePrograms]int
}

// add counts document n under each facet whose other filters it passes.
func (c *tableCounts) add(t *table, n int, cOK, yOK, pOK bool) {
	if yOK && pOK && t.county[n] != 0 {
		c.county[t.county[n]]++
	}
	if cOK && pOK {
		c.year[t.year[n]]++ // ordinal 0: UnknownYear
	}
	if cOK && yOK {
		for m := t.programs[n]; m != 0; m &= m - 1 {
			c.program[bits.TrailingZeros64(m)]++
		}
	}
}

// merge adds o's counts.
func (c *tableCounts) merge(o *tableCounts) {
	for i, n := range o.county {
		c.county[i] += n
	}
	for i, n := range o.year {
		c.year[i] += n
	}
	for i, n := range o.program {
		c.program[i] += n
	}
}

// facets converts the counts, listing only values with hits.
func (c *tableCounts) facets(t *table) Facets {
	out := emptyFacets()
	var cs, ys, ps []FacetValue
	for i, name := range t.counties {
		if n := c.county[i+1]; n > 0 {
			cs = append(cs, FacetValue{Value: name, Count: n})
		}
	}
	if n := c.year[0]; n > 0 {
		ys = append(ys, FacetValue{Value: strconv.Itoa(UnknownYear), Count: n})
	}
	for i, y := range t.years {
		if n := c.year[i+1]; n > 0 {
			ys = append(ys, FacetValue{Value: strconv.Itoa(y), Count: n})
		}
	}
	for i, name := range t.programNames {
		if n := c.program[i]; n > 0 {
			ps = append(ps, FacetValue{Value: name, Count: n})
		}
	}
	out.County, out.Year, out.Program = sortFacet(cs), sortFacet(ys), sortFacet(ps)
	return out
}
