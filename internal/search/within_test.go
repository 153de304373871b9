package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// TestHeadlineExactness: a headline-only search for a term returns exactly
// the paragraphs whose article's folded printed headline contains it (a
// derived headline, made from the lead, is no headline to search). Terms are
// random runs of 1 to 5 Han characters of real headlines (one character
// goes through the dictionary expression, longer runs are phrases), mixed
// runs such as 2023年, and runs of paragraph text that headlines may lack.
func TestHeadlineExactness(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(kind, term string) {
		t.Helper()
		var want []string
		for _, p := range ps {
			if !p.HeadlineDerived && containsToken(strings.ToLower(text.FoldWidth(p.Headline)), strings.ToLower(term)) {
				want = append(want, p.ID)
			}
		}
		res, err := ix.Search(context.Background(), Request{
			Query: query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: term}}}}},
			In:    InHeadline, Size: len(ps),
		})
		if err != nil {
			t.Fatalf("%s %q: %v", kind, term, err)
		}
		got := ids(res.Hits)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("%s %q: got %d hits %v, want %d %v", kind, term, res.Total, got, len(want), want)
		}
	}
	found := 0
	for n := 0; n < 300; {
		p := ps[rng.IntN(len(ps))]
		src := p.Headline
		kind := "headline"
		if n%3 == 2 {
			src, kind = p.Text, "text"
		} else if p.HeadlineDerived && n%3 == 1 {
			kind = "derived" // its words are found in no headline
		} else if p.HeadlineDerived {
			continue
		}
		rs := []rune(text.FoldWidth(src))
		if len(rs) == 0 {
			continue
		}
		i, k := rng.IntN(len(rs)), 1+rng.IntN(5)
		if i+k > len(rs) || !all(rs[i:i+k], text.IsCJK) {
			continue
		}
		check(kind, string(rs[i:i+k]))
		if kind == "headline" {
			found++
		}
		n++
	}
	for tries, mixed := 0, 0; mixed < 40 && tries < 100000; tries++ {
		p := ps[rng.IntN(len(ps))]
		rs := []rune(text.FoldWidth(p.Headline))
		if len(rs) == 0 || p.HeadlineDerived {
			continue
		}
		if sub, ok := mixedSubstring(rng, rs); ok {
			check("mixed", sub)
			mixed++
		}
	}
	if found < 120 {
		t.Fatalf("only %d headline terms tried", found)
	}
}

// TestDateRange: a date range keeps exactly the paragraphs dated within
// it (inclusive at both ends, either end open), never an undated one, and
// a bad or empty range is an error.
func TestDateRange(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	var dates []corpus.Date
	undated := 0
	for _, p := range ps {
		if p.Date != "" {
			dates = append(dates, p.Date)
		} else {
			undated++
		}
	}
	if undated == 0 || len(dates) == 0 {
		t.Fatalf("%d dated and %d undated paragraphs: the test needs both", len(dates), undated)
	}
	slices.Sort(dates)
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct{ from, to corpus.Date }{
		{dates[0], dates[len(dates)-1]}, {dates[0], dates[0]}, {dates[len(dates)/2], ""}, {"", dates[len(dates)/2]},
		{"1990-01-01", "1990-12-31"}, {"", "2100-01-01"},
	}
	for range 40 {
		a, b := dates[rng.IntN(len(dates))], dates[rng.IntN(len(dates))]
		cases = append(cases, struct{ from, to corpus.Date }{min(a, b), max(a, b)})
	}
	for _, q := range []string{"", "工作"} {
		for _, c := range cases {
			name := fmt.Sprintf("q=%q %s..%s", q, c.from, c.to)
			res, err := ix.Search(ctx, Request{Query: mustParse(t, q), DateFrom: c.from, DateTo: c.to, Size: len(ps), Facets: true})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var want []string
			for _, p := range ps {
				in := p.Date != "" && (c.from == "" || p.Date >= c.from) && (c.to == "" || p.Date <= c.to)
				if in && (q == "" || strings.Contains(p.Text, q)) {
					want = append(want, p.ID)
				}
			}
			got := ids(res.Hits)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %d hits, want %d", name, len(got), len(want))
			}
			years := 0
			for _, y := range res.Facets.Year {
				years += y.Count
			}
			if years != len(want) {
				t.Errorf("%s: the year facet counts %d, want %d (every dated paragraph has a year)", name, years, len(want))
			}
		}
	}
	for _, bad := range []struct{ from, to corpus.Date }{{"2023-02-30", ""}, {"", "2023/01/01"}, {"2023-05-01", "2023-04-30"}, {"20230101", ""}} {
		if _, err := ix.Search(ctx, Request{DateFrom: bad.from, DateTo: bad.to, Size: 1}); err == nil {
			t.Errorf("date range %q..%q accepted", bad.from, bad.to)
		}
	}
}
