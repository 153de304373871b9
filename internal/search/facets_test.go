package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestFacetCountsAreFilteredTotals proves the disjunctive facet counts: for
// random queries and filter combinations over real paragraphs, the count
// of each value of each facet equals the Total of the same search with that
// facet's filter replaced by the value alone.
func TestFacetCountsAreFilteredTotals(t *testing.T) {
	ps := realParagraphs(t)
	// The real sample is all 2023 (or undated): spread its articles over
	// five years so that the year facet has values to count.
	for i := range ps {
		if ps[i].Year != 0 {
			ps[i].Year = 2019 + int(ps[i].ArticleID[0])%5
		}
	}
	ix := build(t, ps)
	ctx := context.Background()
	all, err := ix.AllFacets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.County) < 3 || len(all.Year) < 3 || len(all.Program) < 3 {
		t.Fatalf("test corpus too uniform: %+v", all)
	}
	values := func(fv []FacetValue) []string {
		var out []string
		for _, v := range fv {
			out = append(out, v.Value)
		}
		return out
	}
	counties, programs := values(all.County), values(all.Program)
	var years []int
	for _, y := range values(all.Year) {
		n, _ := strconv.Atoi(y)
		years = append(years, n)
	}
	pick := func(rng *rand.Rand, from []string) []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, from[rng.IntN(len(from))])
		}
		return out
	}
	queries := []string{"", "县", "工作", "济宁", "乡村振兴 OR 志愿", "-的", "党员 服务"}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		r := Request{Query: mustParse(t, queries[i%len(queries)]), Counties: pick(rng, counties), Programs: pick(rng, programs), Facets: true}
		for range rng.IntN(3) {
			r.Years = append(r.Years, years[rng.IntN(len(years))])
		}
		if rng.IntN(3) == 0 {
			r.YearFrom = 2020
		}
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("q=%q counties=%v programs=%v years=%v from=%d", queries[i%len(queries)], r.Counties, r.Programs, r.Years, r.YearFrom)
		total := func(r Request) int {
			r.Facets, r.Size = false, 0
			res, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		for _, v := range res.Facets.County {
			rr := r
			rr.Counties = []string{v.Value}
			if n := total(rr); n != v.Count {
				t.Errorf("%s: county %s counts %d, filtering by it finds %d", name, v.Value, v.Count, n)
			}
		}
		for _, v := range res.Facets.Program {
			rr := r
			rr.Programs = []string{v.Value}
			if n := total(rr); n != v.Count {
				t.Errorf("%s: program %s counts %d, filtering by it finds %d", name, v.Value, v.Count, n)
			}
		}
		for _, v := range res.Facets.Year {
			rr := r
			y, _ := strconv.Atoi(v.Value)
			rr.Years, rr.YearFrom, rr.YearTo = []int{y}, 0, 0
			if n := total(rr); n != v.Count {
				t.Errorf("%s: year %s counts %d, filtering by it finds %d", name, v.Value, v.Count, n)
			}
		}
		// A facet whose filter is not set sums to at least the total (a
		// paragraph may name several programs, a county or year may be
		// unknown), and never lists a value with no hit.
		for _, fv := range [][]FacetValue{res.Facets.County, res.Facets.Year, res.Facets.Program} {
			if slices.ContainsFunc(fv, func(v FacetValue) bool { return v.Count <= 0 }) {
				t.Errorf("%s: facet lists a value with no hit: %v", name, fv)
			}
		}
	}
}

// TestFiltersDoNotChangeScores: adding a filter removes hits but leaves
// the remaining ones in the same order with the same scores (filters run
// with scoring off).
func TestFiltersDoNotChangeScores(t *testing.T) {
	ps := realParagraphs(t)
	// The real sample is all 2023 (or undated): spread its articles over
	// five years so that the year facet has values to count.
	for i := range ps {
		if ps[i].Year != 0 {
			ps[i].Year = 2019 + int(ps[i].ArticleID[0])%5
		}
	}
	ix := build(t, ps)
	ctx := context.Background()
	all, err := ix.AllFacets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, q := range []string{"县", "工作", "乡村振兴 OR 志愿 OR 党员", "济宁 -的"} {
		base, err := ix.Search(ctx, Request{Query: mustParse(t, q), Size: len(ps)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Request{
			{Counties: []string{all.County[0].Value}},
			{Programs: []string{all.Program[0].Value, all.Program[1].Value}},
			{YearFrom: 2023},
		} {
			f.Query, f.Size = mustParse(t, q), len(ps)
			res, err := ix.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			keep := map[string]bool{}
			for _, h := range res.Hits {
				keep[h.ID] = true
			}
			var want []Hit
			for _, h := range base.Hits {
				if keep[h.ID] {
					want = append(want, h)
				}
			}
			if len(res.Hits) == 0 {
				continue
			}
			checked++
			if len(want) != len(res.Hits) || len(want) == len(base.Hits) {
				t.Fatalf("%q %+v: %d filtered hits, %d in the unfiltered list", q, f, len(res.Hits), len(want))
			}
			for i := range want {
				if want[i].ID != res.Hits[i].ID || want[i].Score != res.Hits[i].Score {
					t.Errorf("%q %+v: hit %d is %s (%.6f), unfiltered order has %s (%.6f)", q, f, i, res.Hits[i].ID, res.Hits[i].Score, want[i].ID, want[i].Score)
					break
				}
			}
		}
	}
	if checked < 6 {
		t.Errorf("only %d filtered searches had hits", checked)
	}
}
