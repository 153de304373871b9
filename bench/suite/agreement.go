package suite

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"countynews/bench/lucene"
	"countynews/corpus"
	"countynews/internal/text"
)

// Agreement compares what the engines returned for each query of the log.
type Agreement struct {
	// Totals by query ID: ours in-process, Lucene, ours over HTTP.
	Ours, Lucene, HTTP map[string]int
	Queries            int
	HitsAgree          int
	HitDiffs           []HitDiff
	// HTTPDiffs lists queries whose HTTP total differs from in-process.
	HTTPDiffs []string
	// FacetsChecked counts queries (with equal totals) whose facet counts
	// were compared; FacetsAgree those that matched exactly.
	FacetsChecked, FacetsAgree int
	FacetDiffs                 []FacetDiff
}

// HitDiff is a query on which the engines' totals differ, with the count
// substring containment gives (the meaning of our query language).
type HitDiff struct {
	Query     LogQuery
	Ours      int
	Lucene    int
	Substring int
}

// Why explains a difference from the substring count.
func (d HitDiff) Why() string {
	switch {
	case d.Ours == d.Substring:
		return "ours matches substring containment; Lucene's tokens differ (see notes)"
	case d.Lucene == d.Substring:
		return "Lucene matches substring containment; ours differs"
	}
	return "neither matches substring containment"
}

// FacetDiff is a query whose counts of one facet differ, with the counts
// substring containment and the other filters give.
type FacetDiff struct {
	ID, Dim                 string
	Ours, Lucene, Reference map[string]int
}

// Why says which engine has the reference counts.
func (d FacetDiff) Why() string {
	switch {
	case maps.Equal(d.Ours, d.Reference):
		return "ours is right"
	case maps.Equal(d.Lucene, d.Reference):
		return "Lucene is right"
	}
	return "neither is right"
}

// maxFacetDiffs bounds the facet differences kept for the report.
const maxFacetDiffs = 10

func (res *Result) checkAgreement(ctx context.Context, h *lucene.Harness, oursDir, lucDir, logJSONL, logTSV string) error {
	a := &res.Agreement
	a.Queries = len(res.Log)
	byID := map[string]LogQuery{}
	for _, q := range res.Log {
		byID[q.ID] = q
		o, l := a.Ours[q.ID], a.Lucene[q.ID]
		if o == l {
			a.HitsAgree++
		} else {
			a.HitDiffs = append(a.HitDiffs, HitDiff{Query: q, Ours: o, Lucene: l})
		}
		if a.HTTP != nil && a.HTTP[q.ID] != o {
			a.HTTPDiffs = append(a.HTTPDiffs, q.ID)
		}
	}

	// Facets: our detail child and Lucene's Inspect, on queries whose
	// totals agree.
	out, _, err := runChild(ctx, res.Config.Spawn, jobBleveDetail, "-index", oursDir, "-log", logJSONL)
	if err != nil {
		return err
	}
	luc, err := h.Inspect(ctx, lucDir, logTSV, 100)
	if err != nil {
		return err
	}
	for _, d := range out.Detail {
		l, ok := luc[d.ID]
		if !ok || l.Total != d.Total {
			continue
		}
		a.FacetsChecked++
		same := true
		for _, dim := range facetDims {
			if !maps.Equal(d.Facets[dim], l.Facets[dim]) && !(len(d.Facets[dim]) == 0 && len(l.Facets[dim]) == 0) {
				same = false
				if len(a.FacetDiffs) < maxFacetDiffs {
					a.FacetDiffs = append(a.FacetDiffs, FacetDiff{ID: d.ID, Dim: dim, Ours: d.Facets[dim], Lucene: l.Facets[dim]})
				}
			}
		}
		if same {
			a.FacetsAgree++
		}
	}

	// The reference answer for every query that differs.
	var qs []LogQuery
	for _, d := range a.HitDiffs {
		qs = append(qs, d.Query)
	}
	for _, d := range a.FacetDiffs {
		qs = append(qs, byID[d.ID])
	}
	if len(qs) == 0 {
		return nil
	}
	refs, err := referenceAnswers(ctx, res.Corpus.JSONL(), qs)
	if err != nil {
		return err
	}
	for i := range a.HitDiffs {
		a.HitDiffs[i].Substring = refs[i].Total
	}
	for i := range a.FacetDiffs {
		a.FacetDiffs[i].Reference = refs[len(a.HitDiffs)+i].Facets[a.FacetDiffs[i].Dim]
	}
	return nil
}

var facetDims = []string{"county", "year", "program"}

// referenceAnswers computes each query's total and disjunctive facet
// counts by substring containment and the filters, in one pass over the
// corpus: the meaning of our query language, independent of either
// engine's index. Texts and terms are folded as the engine folds them
// (full-width forms, traditional characters to simplified), so that a
// paragraph printed 情況 contains 情况, as it does for a reader.
func referenceAnswers(ctx context.Context, jsonl string, qs []LogQuery) ([]Detail, error) {
	type compiled struct {
		must, not [][]string
	}
	cs := make([]compiled, len(qs))
	out := make([]Detail, len(qs))
	for i, q := range qs {
		pq, err := q.Parsed()
		if err != nil {
			return nil, err
		}
		for _, c := range pq.Clauses {
			var any []string
			for _, t := range c.Any {
				any = append(any, text.Fold(t.Text))
			}
			if c.Negated {
				cs[i].not = append(cs[i].not, any)
			} else {
				cs[i].must = append(cs[i].must, any)
			}
		}
		out[i] = Detail{ID: q.ID, Facets: map[string]map[string]int{}}
	}
	contains := func(text string, any []string) bool {
		return slices.ContainsFunc(any, func(s string) bool { return strings.Contains(text, s) })
	}
	err := eachJSONL(ctx, jsonl, func(p corpus.Paragraph) error {
		text := text.Fold(p.Text)
		for i, q := range qs {
			ok := true
			for _, any := range cs[i].must {
				if !contains(text, any) {
					ok = false
					break
				}
			}
			for _, any := range cs[i].not {
				if ok && contains(text, any) {
					ok = false
				}
			}
			if !ok {
				continue
			}
			county := len(q.Counties) == 0 || slices.Contains(q.Counties, p.County)
			year := len(q.Years) == 0 || slices.Contains(q.Years, p.Year)
			program := len(q.Programs) == 0 || slices.ContainsFunc(p.Programs, func(s string) bool { return slices.Contains(q.Programs, s) })
			if county && year && program {
				out[i].Total++
			}
			add := func(dim, v string) {
				if out[i].Facets[dim] == nil {
					out[i].Facets[dim] = map[string]int{}
				}
				out[i].Facets[dim][v]++
			}
			if year && program && p.County != "" {
				add("county", p.County)
			}
			if county && program && p.Year > 0 {
				add("year", strconv.Itoa(p.Year))
			}
			if county && year {
				for _, prog := range p.Programs {
					add("program", prog)
				}
			}
		}
		return nil
	})
	return out, err
}

// formatCounts renders value→count sorted by value.
func formatCounts(m map[string]int) string {
	ks := slices.Collect(maps.Keys(m))
	sort.Strings(ks)
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, m[k])
	}
	return b.String()
}
