package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/query"
)

// TestDirectMatchesBleve runs generated queries through the direct
// evaluator (direct.go) and through Bleve's searchers, and requires the
// same hits with the same scores: bit for bit, except under a disjunction
// of more than directHeapTakeover children (Bleve's heap searcher adds in
// heap order), where they must agree to 1e-12 relative. It runs on a
// merged index, on one left in several segments, and on that one after
// an update that deleted a file's paragraphs from every segment and added
// others in a new segment, so that document numbers have gaps and
// segment offsets.
func TestDirectMatchesBleve(t *testing.T) {
	ps := tableParagraphs(t)
	ctx := context.Background()
	merged := build(t, ps)

	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{noMerge: true, BatchSize: 97}, ps[:len(ps)-40])
	segmented, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer segmented.Close()
	updated := segmentedIndex(t)

	for _, tc := range []struct {
		name    string
		ix      *Index
		minSegs int
		deleted bool
	}{{"merged", merged, 1, false}, {"segmented", segmented, 2, false}, {"updated", updated, 2, true}} {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.ix
			rd, err := ix.reader()
			if err != nil {
				t.Fatal(err)
			}
			segs, ok := snapshotSegments(rd)
			rd.Close()
			if !ok || len(segs) < tc.minSegs {
				t.Fatalf("%d segments (scorch: %v), want at least %d", len(segs), ok, tc.minSegs)
			}
			var dels uint64
			for _, s := range segs {
				if s.deleted != nil {
					dels += s.deleted.GetCardinality()
				}
			}
			if tc.deleted && dels == 0 {
				t.Fatal("the update deleted nothing")
			}
			// Optional clauses advanced to every candidate, read whole,
			// and as the evaluator chooses; without the leaf cache, with
			// every leaf cached (twice: read, then from the cache), and
			// with a cache too small to keep much.
			keep := ix.leaves
			defer func() { ix.leaves, ix.steer = keep, 0 }()
			ix.leaves = nil
			for _, steer := range []int8{1, -1, 0} {
				ix.steer = steer
				compareDirect(t, ix, ps)
			}
			ix.leaves = newLeafCache(1, 1<<30)
			compareDirect(t, ix, ps)
			if len(ix.leaves.items) < 100 {
				t.Errorf("only %d leaves cached", len(ix.leaves.items))
			}
			compareDirect(t, ix, ps)
			ix.leaves = newLeafCache(1, 20_000)
			compareDirect(t, ix, ps)
			if ix.leaves.size > 20_000 {
				t.Errorf("the leaf cache holds %d bytes, more than its 20000", ix.leaves.size)
			}
		})
	}
}

// segmentedIndex builds the table paragraphs but the last 40 in small
// batches, left unmerged, then updates it: the paragraphs of one file
// removed (deleted in every segment that held them), the last 40 added.
func segmentedIndex(t *testing.T) *Index {
	ps := tableParagraphs(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{noMerge: true, BatchSize: 97}, ps[:len(ps)-40])
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: true, BatchSize: 97})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveFile(ctx, ps[0].Source.File); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps[len(ps)-40:] {
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// directQueries are the compiled queries of generated requests in every
// match mode, and hand-built shapes the compiler may produce (a boolean
// query's should part with a minimum, disjunctions of more than
// directHeapTakeover children, nested disjunctions with minimums,
// conjunctions of terms, boosts, must-not only), each with whether it
// holds a heap disjunction.
func directQueries(t *testing.T, ix *Index, ps []corpus.Paragraph) []bq.Query {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	stretch := func(lo, n int) string {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		n = lo + rng.IntN(n)
		if len(rs) <= n {
			return string(rs)
		}
		i := rng.IntN(len(rs) - n)
		return strings.ReplaceAll(string(rs[i:i+n]), `"`, "")
	}
	var out []bq.Query
	for i := range 300 {
		var q string
		switch i % 5 {
		case 0:
			q = stretch(1, 4)
		case 1:
			q = stretch(2, 3) + " " + stretch(2, 3)
		case 2:
			q = stretch(2, 3) + " OR " + strconv.Quote(stretch(2, 4)) + " -" + stretch(1, 2)
		default:
			q = stretch(6, 14) // several words, many bigrams
		}
		pq, err := query.Parse(q)
		if err != nil {
			continue
		}
		mode := []Match{MatchExact, matchPieces, MatchAll, MatchAny, MatchAny}[i%5]
		pl, err := ix.planFor(ctx, pq, InText, mode, 0)
		if err != nil {
			t.Fatal(err)
		}
		if pl.c.none || len(pl.c.must) == 0 {
			continue
		}
		out = append(out, pl.c.build(nil))
		if len(pl.c.mustNot) > 0 {
			out = append(out, disjunction(pl.c.mustNot))
		}
	}
	// Hand-built shapes over common and rare bigrams and characters.
	bigrams := []string{"工作", "发展", "服务", "建设", "党员", "群众", "乡村", "推进", "活动", "红色", "物业", "没有这个"}
	term := func(b float64) bq.Query {
		q := termOn(fieldText, bigrams[rng.IntN(len(bigrams))])
		q.SetBoost(b)
		return q
	}
	for range 40 {
		var many []bq.Query
		for range 11 + rng.IntN(8) {
			many = append(many, term(0.5+rng.Float64()))
		}
		heap := bq.NewDisjunctionQuery(many)
		heap.SetMin(float64(rng.IntN(4)))
		small := bq.NewDisjunctionQuery([]bq.Query{term(1), term(2), newPhraseQuery([]string{"乡村", "村振", "振兴"}, fieldText)})
		small.SetMin(float64(rng.IntN(3)))
		nested := bq.NewDisjunctionQuery([]bq.Query{small, bq.NewConjunctionQuery([]bq.Query{term(1), term(1)}), term(0.3)})
		nested.SetMin(1)
		b := bq.NewBooleanQuery([]bq.Query{nested}, []bq.Query{term(0.5), boosted(newPhraseQuery([]string{"党员", "员服", "服务"}, fieldTopic), 0.5)}, []bq.Query{term(1)})
		if rng.IntN(2) == 0 {
			b.SetMinShould(1)
		}
		shouldOnly := bq.NewBooleanQuery(nil, []bq.Query{term(1), term(1)}, []bq.Query{term(1)})
		out = append(out, heap, small, nested, b, shouldOnly,
			bq.NewBooleanQuery([]bq.Query{heap}, []bq.Query{small}, nil))
	}
	return out
}

// hasHeap reports whether q holds a disjunction Bleve runs as a heap.
func hasHeap(q bq.Query) bool {
	switch q := q.(type) {
	case *bq.DisjunctionQuery:
		if len(q.Disjuncts) > directHeapTakeover {
			return true
		}
		for _, k := range q.Disjuncts {
			if hasHeap(k) {
				return true
			}
		}
	case *bq.ConjunctionQuery:
		for _, k := range q.Conjuncts {
			if hasHeap(k) {
				return true
			}
		}
	case *bq.BooleanQuery:
		return hasHeap(q.Must) || hasHeap(q.Should) || hasHeap(q.MustNot)
	}
	return false
}

func compareDirect(t *testing.T, ix *Index, ps []corpus.Paragraph) {
	ctx := context.Background()
	qs := directQueries(t, ix, ps)
	// Every other query scored with the relaxed modes' statistics
	// (bm25.go), which Bleve takes from the context: the evaluator must
	// too, and the leaf cache must not serve one's scores for the other.
	stats, err := ix.relaxedStats()
	if err != nil {
		t.Fatal(err)
	}
	found, heaps, exact := 0, 0, 0
	for i, q := range qs {
		ctx := ctx
		if i%2 == 1 {
			ctx = context.WithValue(ctx, search.BM25StatsKey, stats)
		}
		if _, ok := directPlan(q); !ok {
			t.Errorf("query %d (%T) is not handled by the direct evaluator", i, q)
			continue
		}
		type hit struct {
			n int
			s float64
		}
		run := func(noDirect bool) []hit {
			var hs []hit
			ix.noDirect = noDirect
			defer func() { ix.noDirect = false }()
			if err := ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(n int, s float64) { hs = append(hs, hit{n, s}) }); err != nil {
				t.Fatalf("query %d: %v", i, err)
			}
			return hs
		}
		got, want := run(false), run(true)
		name := fmt.Sprintf("query %d %s", i, describe(q))
		if len(got) != len(want) {
			t.Errorf("%s: %d hits, Bleve %d", name, len(got), len(want))
			continue
		}
		heap := hasHeap(q)
		if heap {
			heaps++
		}
		if len(got) > 0 {
			found++
		}
		for j := range got {
			g, w := got[j], want[j]
			if g.n != w.n {
				t.Errorf("%s: hit %d is document %d, Bleve %d", name, j, g.n, w.n)
				break
			}
			if heap && math.Abs(g.s-w.s) > 1e-12*math.Abs(w.s) || !heap && g.s != w.s {
				t.Errorf("%s: document %d scores %v, Bleve %v", name, g.n, g.s, w.s)
				break
			}
			if g.s == w.s {
				exact++
			}
		}
	}
	if found < len(qs)/2 || heaps < 40 || exact == 0 {
		t.Errorf("of %d queries only %d found something and %d hold a heap disjunction: the comparison hardly covers it", len(qs), found, heaps)
	}
}

// describe prints a query's shape for a failure message.
func describe(q bq.Query) string {
	switch q := q.(type) {
	case *bq.TermQuery:
		return fmt.Sprintf("%s:%s^%v", q.FieldVal, q.Term, q.BoostVal.Value())
	case *phraseQuery:
		return fmt.Sprintf("%s:%q^%v", q.field, q.terms, q.boost)
	case *bq.ConjunctionQuery:
		return "AND(" + describeAll(q.Conjuncts) + ")"
	case *bq.DisjunctionQuery:
		return fmt.Sprintf("OR%v(%s)", q.Min, describeAll(q.Disjuncts))
	case *bq.BooleanQuery:
		var b strings.Builder
		for _, p := range []struct {
			name string
			q    bq.Query
		}{{"must", q.Must}, {"should", q.Should}, {"not", q.MustNot}} {
			if p.q != nil {
				fmt.Fprintf(&b, "%s=%s ", p.name, describe(p.q))
			}
		}
		return "BOOL(" + b.String() + ")"
	}
	return fmt.Sprintf("%T", q)
}

func describeAll(qs []bq.Query) string {
	var s []string
	for _, q := range qs {
		s = append(s, describe(q))
	}
	return strings.Join(s, " ")
}

// TestDirectFallsBack checks that the shapes the direct evaluator does not
// handle are left to Bleve's searchers: directPlan refuses them (and
// anything holding one), so eachHit answers them through Bleve.
func TestDirectFallsBack(t *testing.T) {
	re := bq.NewRegexpQuery(`[^<>]?县[^<>]?`)
	re.SetField(fieldText)
	noField := bq.NewTermQuery("工作") // the default field: not resolved here
	filtered := bq.NewBooleanQuery([]bq.Query{termOn(fieldText, "工作")}, nil, nil)
	filtered.AddFilter(termOn(fieldCounty, "微山"))
	for name, q := range map[string]bq.Query{
		"regexp":           re,
		"match all":        bq.NewMatchAllQuery(),
		"bleve phrase":     bq.NewPhraseQuery([]string{"乡村", "村振"}, fieldText),
		"range leaf":       rangeLeaves(termOn(fieldText, "工作"), 0, 10),
		"term, no field":   noField,
		"empty phrase":     newPhraseQuery(nil, fieldText),
		"empty disjunct":   bq.NewDisjunctionQuery(nil),
		"filter":           filtered,
		"inside a boolean": bq.NewBooleanQuery([]bq.Query{termOn(fieldText, "工作")}, []bq.Query{re}, nil),
		"inside a conjunct": bq.NewConjunctionQuery([]bq.Query{termOn(fieldText, "工作"),
			bq.NewDisjunctionQuery([]bq.Query{re, termOn(fieldText, "发展")})}),
	} {
		if _, ok := directPlan(q); ok {
			t.Errorf("%s: the direct evaluator takes it", name)
		}
	}
	ix := build(t, defaultParagraphs(t))
	handled, err := ix.directHits(context.Background(), re, 0, len(ix.table.live), func(int, float64) {})
	if handled || err != nil {
		t.Errorf("directHits on a regexp: handled %v, %v", handled, err)
	}
	var n int
	if err := ix.eachHit(context.Background(), re, true, 0, len(ix.table.live), func(int, float64) { n++ }); err != nil || n == 0 {
		t.Errorf("eachHit on a regexp (through Bleve): %d hits, %v", n, err)
	}
}

// flipCtx is a context whose Err turns to Canceled after its first n
// calls.
type flipCtx struct {
	context.Context
	n *int
}

func (c flipCtx) Err() error {
	if *c.n--; *c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestDirectCancelled checks that the direct evaluator honours its
// context: before it starts, and while it reads postings.
func TestDirectCancelled(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	ix.leaves = nil
	q := bq.NewDisjunctionQuery([]bq.Query{termOn(fieldText, "工作"), termOn(fieldText, "发展"), newPhraseQuery([]string{"乡村", "村振", "振兴"}, fieldText)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	err := ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(int, float64) { n++ })
	if !errors.Is(err, context.Canceled) || n > 0 {
		t.Errorf("cancelled before: %d hits, %v", n, err)
	}
	ix.checkEvery = 1
	defer func() { ix.checkEvery = 0 }()
	calls := 3 // the start and the first checks pass
	err = ix.eachHit(flipCtx{context.Background(), &calls}, q, true, 0, len(ix.table.live), func(int, float64) { n++ })
	if !errors.Is(err, context.Canceled) || n > 0 {
		t.Errorf("cancelled while reading: %d hits, %v", n, err)
	}
	if err := ix.eachHit(context.Background(), q, true, 0, len(ix.table.live), func(int, float64) { n++ }); err != nil || n == 0 {
		t.Errorf("not cancelled: %d hits, %v", n, err)
	}
}
