package search

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"countynews/internal/text"
	"countynews/query"
)

// TestDidYouMean: the queries of issue 11 and their neighbours, on the
// sample page.
func TestDidYouMean(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	tests := []struct {
		name     string
		q        string
		counties []string
		first    string // the best suggestion's q; "" for none at all
	}{
		{"substituted", "乡村振新", nil, "乡村振兴"},
		{"dropped", "乡村兴", nil, "乡村振兴"},
		{"added", "乡村振振兴", nil, "乡村振兴"},
		{"swapped", "乡村兴振", nil, "乡村振兴"},
		{"swapped pair", "物业员工 业物", nil, ""},
		{"other terms kept", "红色物业 乡村振新", nil, ""},
		{"exclusion kept", "乡村振新 -火星", nil, "乡村振兴 -火星"},
		{"quoted term stays quoted", `"乡村振新"`, nil, `"乡村振兴"`},
		{"nothing near", "火星村", nil, ""},
		{"mistyped word in a run of words", "微山乡村振新", nil, "微山 乡村振兴"},
		{"traditional characters", "鄉村振新", nil, "乡村振兴"},
		{"punctuation kept", "乡村振新！", nil, "乡村振兴！"},
		{"title", "《乡村振新》", nil, "《乡村振兴》"},
		{"Latin terms not corrected", "abcdefg", nil, ""},
		{"filter with no hits", "乡村振新", []string{"火星"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParse(t, tt.q)
			r := Request{Query: q, Counties: tt.counties}
			got, err := ix.DidYouMean(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || len(got) > maxSuggestions {
				t.Fatalf("DidYouMean(%q) = %v: want a non-nil list of at most %d", tt.q, got, maxSuggestions)
			}
			checkSuggestions(t, ix, r, got)
			switch {
			case tt.first == "" && tt.name != "other terms kept":
				if len(got) != 0 {
					t.Fatalf("DidYouMean(%q) = %v, want none", tt.q, got)
				}
			case tt.first != "":
				if len(got) == 0 || got[0].Query.String() != tt.first {
					t.Fatalf("DidYouMean(%q) = %v, want %q first", tt.q, got, tt.first)
				}
			}
		})
	}
}

// checkSuggestions checks what every suggestion must be: one edit of one
// positive term of r.Query, everything else unchanged, Total the exact
// count of an ordinary search with r's filters and above zero, most hits
// first, no suggestion twice.
func checkSuggestions(t *testing.T, ix *Index, r Request, got []Suggestion) {
	t.Helper()
	seen := map[string]bool{}
	for i, s := range got {
		k := s.Query.String()
		if seen[k] {
			t.Fatalf("suggestion %q twice in %v", k, got)
		}
		seen[k] = true
		if i > 0 && s.Total > got[i-1].Total {
			t.Fatalf("suggestions not by hits: %v", got)
		}
		if !oneTermOneEdit(r.Query, s.Query) {
			t.Fatalf("suggestion %q is not one edit of one term of %q", k, r.Query.String())
		}
		ref := r
		ref.Query = s.Query
		ref.Size = 0
		res, err := ix.Search(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if s.Total <= 0 || s.Total != res.Total {
			t.Fatalf("suggestion %q: total %d, search says %d", k, s.Total, res.Total)
		}
	}
}

// oneTermOneEdit reports whether b is a with the text of exactly one
// non-excluded term changed (after folding) by one substitution, deletion,
// insertion or swap of neighbours.
func oneTermOneEdit(a, b query.Query) bool {
	if len(b.Clauses) == len(a.Clauses)+1 {
		return splitEdit(a, b)
	}
	if len(a.Clauses) != len(b.Clauses) {
		return false
	}
	changed := 0
	for i := range a.Clauses {
		ca, cb := a.Clauses[i], b.Clauses[i]
		if ca.Negated != cb.Negated || len(ca.Any) != len(cb.Any) {
			return false
		}
		for j := range ca.Any {
			ta, tb := ca.Any[j], cb.Any[j]
			if ta.Quoted != tb.Quoted || ta.Title != tb.Title || ta.Pos != tb.Pos {
				return false
			}
			if ta.Text != tb.Text {
				// The correction is of the term as matched (traditional
				// characters folded).
				if ca.Negated || !isOneEdit([]rune(text.Fold(ta.Text)), []rune(tb.Text)) {
					return false
				}
				changed++
			}
		}
	}
	return changed == 1
}

// splitEdit reports whether b is a with one clause of one bare term cut
// in two clauses, one of which is as typed and the other one edit away.
func splitEdit(a, b query.Query) bool {
	for i, c := range a.Clauses {
		if c.Negated || len(c.Any) != 1 || c.Any[0].Quoted {
			continue
		}
		l, r := b.Clauses[i], b.Clauses[i+1]
		if len(l.Any) != 1 || len(r.Any) != 1 || l.Negated || r.Negated ||
			!reflect.DeepEqual(b.Clauses[:i], a.Clauses[:i]) || !reflect.DeepEqual(b.Clauses[i+2:], a.Clauses[i+1:]) {
			continue
		}
		typed := []rune(text.Fold(c.Any[0].Text))
		lt, rt := []rune(l.Any[0].Text), []rune(r.Any[0].Text)
		for cut := 1; cut < len(typed); cut++ {
			if slices.Equal(typed[:cut], lt) && isOneEdit(typed[cut:], rt) || slices.Equal(typed[cut:], rt) && isOneEdit(typed[:cut], lt) {
				return true
			}
		}
	}
	return false
}

// isOneEdit reports whether b is a with one character substituted,
// dropped, added, or two neighbours swapped (optimal string alignment
// distance 1), by brute force.
func isOneEdit(a, b []rune) bool {
	switch len(b) - len(a) {
	case 0:
		var diff []int
		for i := range a {
			if a[i] != b[i] {
				diff = append(diff, i)
			}
		}
		return len(diff) == 1 || len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
	case 1:
		a, b = b, a
		fallthrough
	case -1:
		for i := range a {
			if slices.Equal(slices.Concat(a[:i:i], a[i+1:]), b) {
				return true
			}
		}
	}
	return false
}

// TestDidYouMeanTypos: metamorphic. Real phrases of real news, each
// mistyped by one random edit; whatever DidYouMean offers must satisfy
// checkSuggestions, and it must recover the phrase itself for most of
// them (the figure is logged).
func TestDidYouMeanTypos(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(11, 3))
	var runs [][]rune
	for _, p := range ps {
		for _, f := range strings.FieldsFunc(p.Text, func(r rune) bool { return !text.IsCJK(r) }) {
			if rs := []rune(f); len(rs) >= 4 {
				runs = append(runs, rs)
			}
		}
	}
	const n = 150
	tried, recovered := 0, 0
	for range n {
		run := runs[rnd.IntN(len(runs))]
		l := 4 + rnd.IntN(3)
		if l > len(run) {
			l = len(run)
		}
		start := rnd.IntN(len(run) - l + 1)
		phrase := slices.Clone(run[start : start+l])
		typo := mistype(rnd, slices.Clone(phrase), runs)
		q := mustParse(t, string(typo))
		exact, err := ix.Search(ctx, Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if exact.Total > 0 {
			continue // the typo is a real phrase too
		}
		tried++
		r := Request{Query: q}
		got, err := ix.DidYouMean(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		checkSuggestions(t, ix, r, got)
		if slices.ContainsFunc(got, func(s Suggestion) bool { return s.Query.String() == string(phrase) }) {
			recovered++
		} else if testing.Verbose() {
			cs, _ := ix.corrections(ctx, q)
			var in []string
			for _, c := range cs {
				in = append(in, c.text)
			}
			t.Logf("%s → %s: got %v; counted %v", string(phrase), string(typo), got, in)
		}
	}
	t.Logf("did you mean recovered %d of %d mistyped real phrases", recovered, tried)
	if tried < n/2 || recovered*10 < tried*8 {
		t.Fatalf("recovered %d of %d mistyped phrases (%d not tried): want at least 80%%", recovered, tried, n-tried)
	}
}

// mistype applies one random edit to rs; new characters come from other
// real text.
func mistype(rnd *rand.Rand, rs []rune, runs [][]rune) []rune {
	other := runs[rnd.IntN(len(runs))]
	c := other[rnd.IntN(len(other))]
	i := rnd.IntN(len(rs))
	switch rnd.IntN(4) {
	case 0:
		rs[i] = c
	case 1:
		rs = slices.Delete(rs, i, i+1)
	case 2:
		rs = slices.Insert(rs, i, c)
	default:
		if i == len(rs)-1 {
			i--
		}
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return rs
}

func TestDidYouMeanContext(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ix.DidYouMean(ctx, Request{Query: mustParse(t, "乡村振新")})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := ix.Counts(ctx, []Request{{Query: mustParse(t, "乡村振兴")}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Counts, cancelled context: err = %v", err)
	}
}

func TestCounts(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	var rs []Request
	for _, q := range []string{"乡村振兴", "红色物业 -梁山", "火星村", ""} {
		rs = append(rs, Request{Query: mustParse(t, q), Size: 10, Highlight: true, Facets: true})
	}
	rs = append(rs, Request{Query: mustParse(t, "红色物业"), Counties: []string{"梁山"}})
	got, err := ix.Counts(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != res.Total {
			t.Errorf("Counts[%d] (%q) = %d, Search total %d", i, r.Query.String(), got[i], res.Total)
		}
	}
	if got[2] != 0 || got[0] == 0 {
		t.Fatalf("Counts = %v: want hits for 乡村振兴 and none for 火星村", got)
	}
}

// BenchmarkDidYouMean: corrections of mistyped real phrases over 20,000
// paragraphs of real news, against the exact search of the same typo (the
// search that found nothing and made the caller ask), in the same run.
func BenchmarkDidYouMean(b *testing.B) {
	ps := benchParagraphs(b, 20000)
	ix := build(b, ps)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(5, 8))
	var runs [][]rune
	for _, p := range ps[:2000] {
		for _, f := range strings.FieldsFunc(p.Text, func(r rune) bool { return !text.IsCJK(r) }) {
			if rs := []rune(f); len(rs) >= 4 {
				runs = append(runs, rs)
			}
		}
	}
	var qs []query.Query
	for len(qs) < 100 {
		run := runs[rnd.IntN(len(runs))]
		l := min(4+rnd.IntN(3), len(run))
		start := rnd.IntN(len(run) - l + 1)
		q, err := query.Parse(string(mistype(rnd, slices.Clone(run[start:start+l]), runs)))
		if err != nil {
			continue
		}
		if res, err := ix.Search(ctx, Request{Query: q}); err == nil && res.Total == 0 {
			qs = append(qs, q)
		}
	}
	b.Run("exact-search", func(b *testing.B) {
		for i := range b.N {
			if _, err := ix.Search(ctx, Request{Query: qs[i%len(qs)], Size: 10, Facets: true, Highlight: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("didyoumean", func(b *testing.B) {
		for i := range b.N {
			if _, err := ix.DidYouMean(ctx, Request{Query: qs[i%len(qs)]}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDidYouMeanDFCache checks the index's cache of bigram document
// frequencies: suggestions for mistyped real phrases are the same with
// the cache empty (each query alone), warm from the same query, and warm
// from all the others; and the cache is read (a cache claiming every
// bigram absent changes what is suggested).
func TestDidYouMeanDFCache(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(5, 17))
	var runs [][]rune
	for _, p := range ps {
		for _, f := range strings.FieldsFunc(p.Text, func(r rune) bool { return !text.IsCJK(r) }) {
			if rs := []rune(f); len(rs) >= 4 {
				runs = append(runs, rs)
			}
		}
	}
	suggest := func(r Request) string {
		t.Helper()
		got, err := ix.DidYouMean(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	var reqs []Request
	var cold []string
	for len(reqs) < 30 {
		run := runs[rnd.IntN(len(runs))]
		l := min(4+rnd.IntN(3), len(run))
		start := rnd.IntN(len(run) - l + 1)
		typo := mistype(rnd, slices.Clone(run[start:start+l]), runs)
		r := Request{Query: mustParse(t, string(typo))}
		if res, err := ix.Search(ctx, r); err != nil || res.Total > 0 {
			continue
		}
		ix.dfs = dfCache{}
		s := suggest(r)
		if s == "[]" {
			continue
		}
		if len(ix.dfs.m) == 0 {
			t.Fatalf("%s: nothing cached", r.Query)
		}
		if warm := suggest(r); warm != s {
			t.Fatalf("%s: %s warm from itself, %s cold", r.Query, warm, s)
		}
		reqs, cold = append(reqs, r), append(cold, s)
	}
	ix.dfs = dfCache{}
	for range 2 {
		for i, r := range reqs {
			if got := suggest(r); got != cold[i] {
				t.Fatalf("%s: %s with the others' cache, %s cold", r.Query, got, cold[i])
			}
		}
	}
	for k := range ix.dfs.m {
		ix.dfs.m[k] = 0
	}
	changed := 0
	for i, r := range reqs {
		if suggest(r) != cold[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("every suggestion unchanged with every cached bigram absent: the cache is not read")
	}
}

// TestDidYouMeanEmptyRest: candidates whose rest of the query finds
// nothing with the filters are not counted (emptyRests), and what a user
// gets is the same as when every candidate is counted.
func TestDidYouMeanEmptyRest(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	tests := []struct {
		name     string
		q        string
		counties []string
		empty    []int // clauses whose rest finds nothing (乡村振新 finds nothing)
		some     bool  // suggestions expected
	}{
		{"the other term finds nothing", "乡村振新 火星", nil, []int{0, 1}, false},
		{"the other term has hits", "乡村振新 微山", nil, []int{1}, true},
		{"the other term has hits, mistyped second", "微山 乡村振新", nil, []int{0}, true},
		{"exclusion kept in the rest", "乡村振新 红色物业 -红色物业", nil, []int{0, 1}, false},
		{"filter empties the rest", "乡村振新 微山", []string{"火星"}, []int{0, 1}, false},
		{"one positive clause: no rest", "乡村振新 -火星", nil, nil, true},
		{"alternatives in the rest", "乡村振新 火星 OR 微山", nil, []int{1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{Query: mustParse(t, tt.q), Counties: tt.counties}
			cands, err := ix.corrections(ctx, r.Query)
			if err != nil {
				t.Fatal(err)
			}
			empty, err := ix.emptyRests(ctx, r, cands)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cands {
				if want := slices.Contains(tt.empty, c.clause); empty[c.clause] != want {
					t.Fatalf("%q: clause %d's rest empty = %v, want %v (%v)", tt.q, c.clause, empty[c.clause], want, empty)
				}
			}
			got, err := ix.didYouMean(ctx, r, true)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := ix.didYouMean(ctx, r, false)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ref) {
				t.Fatalf("%q: pruned %v, every candidate counted %v", tt.q, got, ref)
			}
			if (len(got) > 0) != tt.some {
				t.Fatalf("%q: suggestions %v, want some: %v", tt.q, got, tt.some)
			}
			checkSuggestions(t, ix, r, got)
		})
	}
}
