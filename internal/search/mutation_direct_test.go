package search

// Tests written to kill mutants of the code written after 11:00 UTC on
// 2026-12-01 (direct.go, leafcache.go, stored.go, bm25.go and the newer
// lines of pass.go, match.go, compile.go) that lived (docs/mutation.md,
// run with bench/cmd/mutants -since): each names the mutant it kills.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/internal/text"
)

// TestFieldLengthsSkipEmptyFields: a field whose sampled documents hold
// no token (a topic of punctuation alone) is left out of the measured
// averages, so Bleve's estimate stays; an average of 0 would make Bleve
// score the field with TF-IDF instead of BM25. Kills bm25.go
// fieldLengths' s > 0 → s >= 0.
func TestFieldLengthsSkipEmptyFields(t *testing.T) {
	ps := rankingParagraphs()[:5]
	for i := range ps {
		ps[i].Topic = "——。"
	}
	ix := build(t, ps)
	if n := len(ix.sch.indexCJK.Analyze([]byte(text.Fold(ps[0].Topic)))); n != 0 {
		t.Fatalf("the topic %q analyses to %d tokens: the test needs none", ps[0].Topic, n)
	}
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	avg, err := ix.fieldLengths(rd, len(ps))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := avg[fieldTopic]; ok {
		t.Errorf("topic average %v measured from topics without tokens; want it left out", a)
	}
	if avg[fieldText] <= 0 {
		t.Errorf("text average %v, want the texts' mean length", avg[fieldText])
	}
}

// directEqualsBleve requires the direct evaluator to handle each query
// and give its hits with Bleve's scores bit for bit.
func directEqualsBleve(t *testing.T, ctx context.Context, ix *Index, qs []bq.Query) {
	t.Helper()
	for i, q := range qs {
		if _, ok := directPlan(q); !ok {
			t.Fatalf("query %d %s: not handled by the direct evaluator", i, describe(q))
		}
		// The direct side through directRun itself: eachHit falls back
		// to Bleve when the evaluator declines (or panics before it
		// answers), which would hide its faults.
		got := map[int]float64{}
		handled, err := ix.directRun(ctx, q, func(res hitList) error {
			for j, d := range res.docs {
				got[int(d)] = res.scores[j]
			}
			return nil
		})
		if !handled || err != nil {
			t.Fatalf("query %d %s: direct evaluator handled %v: %v", i, describe(q), handled, err)
		}
		want := map[int]float64{}
		ix.noDirect = true
		err = ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(n int, s float64) { want[n] = s })
		ix.noDirect = false
		if err != nil {
			t.Fatalf("query %d %s: %v", i, describe(q), err)
		}
		if len(want) == 0 {
			t.Fatalf("query %d %s: no hits: the test needs some", i, describe(q))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("query %d %s: direct %v, Bleve %v", i, describe(q), got, want)
		}
	}
}

// TestDirectBooleanOfOneTerm: a boolean query whose only part is a term
// (hand-built: BooleanQuery.Searcher returns that part's searcher, and a
// lone term searcher at the root has no query norm) scores as Bleve does
// bit for bit. Kills direct.go directRun's root.op == dBool → != (the
// norm 1/√(w²) applied to the term: 1 to rounding only).
func TestDirectBooleanOfOneTerm(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	var qs []bq.Query
	for _, w := range []string{"工作", "发展", "服务", "建设", "党员", "群众", "乡村", "推进"} {
		for _, b := range []float64{1, 0.7, 2.5} {
			qs = append(qs,
				&bq.BooleanQuery{Must: boosted(termOn(fieldText, w), b)},
				&bq.BooleanQuery{Should: boosted(termOn(fieldText, w), b)})
		}
	}
	directEqualsBleve(t, context.Background(), ix, qs)
}

// TestDirectTFIDF: statistics giving a field an average length of 0 make
// Bleve score its terms with TF-IDF instead of BM25; the direct
// evaluator must too, bit for bit. Kills direct.go termStats' TF-IDF idf
// st.count+1.0 → st.count-1.0.
func TestDirectTFIDF(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	stats, err := ix.relaxedStats()
	if err != nil {
		t.Fatal(err)
	}
	zero := &search.BM25Stats{DocCount: stats.DocCount, FieldCardinality: maps.Clone(stats.FieldCardinality)}
	zero.FieldCardinality[fieldText] = 0
	ctx := context.WithValue(context.Background(), search.BM25StatsKey, zero)
	var qs []bq.Query
	for _, w := range []string{"工作", "发展", "服务", "党员"} {
		qs = append(qs, termOn(fieldText, w),
			bq.NewDisjunctionQuery([]bq.Query{termOn(fieldText, w), termOn(fieldText, "群众")}))
	}
	directEqualsBleve(t, ctx, ix, qs)
}

// TestArenaReuse: a list handed out again has room for what is asked
// (scores only, or documents and scores), and an idle arena keeps no list
// that would take it over arenaKeep bytes. Kills direct.go
// arena.scoresOnly's cap(l.scores) >= n → < (a list too short sliced
// past its capacity), arena.list's cap(l.docs) >= n → < (a list with no
// room handed out: it grows, against the arena's promise) and
// arena.reset's kept+size → kept-size.
func TestArenaReuse(t *testing.T) {
	a := &arena{}
	a.scoresOnly(3)
	a.list(5)
	a.reset()
	if n := len(a.freeDocs) + len(a.freeScores); n != 3 {
		t.Fatalf("%d free slices after a reset, want 3 (documents of 5, scores of 3 and 5)", n)
	}
	if s := a.scoresOnly(10); len(s) != 10 {
		t.Errorf("scoresOnly(10) gave %d scores", len(s))
	}
	if s := a.scoresOnly(4); len(s) != 4 || cap(s) != 5 {
		t.Errorf("scoresOnly(4) gave %d scores of capacity %d, want the free list of 5", len(s), cap(s))
	}
	a.reset()
	// A free list of scores alone (from scoresOnly) has no room for
	// documents: list must not hand it out as one.
	a = &arena{}
	a.scoresOnly(20)
	a.reset()
	if l := a.list(10); cap(l.docs) < 10 || cap(l.scores) < 10 {
		t.Errorf("list(10) gave room for %d documents and %d scores", cap(l.docs), cap(l.scores))
	}
	a.reset()
	huge := arenaKeep/12 + 1 // 4 bytes a document, 8 a score
	a = &arena{}
	a.list(huge)
	a.reset()
	kept := 0
	for _, l := range a.freeDocs {
		kept += 4 * cap(l)
	}
	for _, l := range a.freeScores {
		kept += 8 * cap(l)
	}
	if kept > arenaKeep {
		t.Errorf("an idle arena keeps %d bytes, over its %d", kept, arenaKeep)
	}
}

// TestLeafCacheCountsEntries: every cached leaf counts against the
// bound, an empty one too (its key and bookkeeping). Kills leafcache.go
// put's + 64 → - 64 (empty leaves then count negative bytes and the
// cache grows without bound) and its c.size > c.max → >= (leaves that
// fill the bound exactly evicted).
func TestLeafCacheCountsEntries(t *testing.T) {
	c := newLeafCache(1, 1000)
	for i := range 200 {
		c.put(&leafEntry{key: "k" + strconv.Itoa(i), bases: [][]float64{nil}})
	}
	if c.size > c.max || c.size <= 0 || len(c.items) > 1000/64 || len(c.items) == 0 {
		t.Errorf("a cache of %d bytes holds %d empty leaves counted as %d bytes", c.max, len(c.items), c.size)
	}
	// Leaves filling the bound exactly all stay.
	one := &leafEntry{key: "k0", docs: []uint32{1, 2}, bases: [][]float64{{1, 2}}}
	c.put(one)
	size := one.bytes
	c = newLeafCache(1, 2*size)
	c.put(&leafEntry{key: "k1", docs: []uint32{1, 2}, bases: [][]float64{{1, 2}}})
	c.put(&leafEntry{key: "k2", docs: []uint32{3, 4}, bases: [][]float64{{3, 4}}})
	if len(c.items) != 2 || c.size != 2*size {
		t.Errorf("a cache of %d bytes holds %d leaves of %d bytes (%d in all), want 2", c.max, len(c.items), size, c.size)
	}
}

// TestLeafCacheMin: the leaf cache keeps the leaves of at least its
// minimum of postings, and only those (a rare leaf is cheap to read).
// Kills direct.go eval's n.count >= ev.leaves.min → <.
func TestLeafCacheMin(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	const min = 3
	rare, common := 0, 0
	for _, w := range []string{"工作", "发展", "服务", "党员", "群众", "乡村", "红色", "物业", "微山", "梁山", "金乡", "振兴"} {
		q := termOn(fieldText, w)
		ix.noDirect = true
		hits := 0
		if err := ix.eachHit(ctx, q, false, 0, len(ix.table.live), func(int, float64) { hits++ }); err != nil {
			t.Fatal(err)
		}
		ix.noDirect = false
		if hits == 0 {
			continue
		}
		ix.leaves = newLeafCache(min, 1<<30)
		if err := ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(int, float64) {}); err != nil {
			t.Fatal(err)
		}
		_, cached := ix.leaves.items[leafKey(&dnode{op: dTerm, field: fieldText, terms: []string{w}})]
		if cached != (hits >= min) {
			t.Errorf("%s: %d postings, cached %v (the minimum is %d)", w, hits, cached, min)
		}
		if hits >= min {
			common++
		} else {
			rare++
		}
	}
	if rare == 0 || common == 0 {
		t.Fatalf("%d rare and %d common words: the test needs both", rare, common)
	}
}

// errAfter is a context whose Err is nil for its first n calls and
// context.Canceled after: a search cancelled while it reads postings.
type errAfter struct {
	context.Context
	n *int
}

func (c errAfter) Err() error {
	if *c.n > 0 {
		*c.n--
		return nil
	}
	return context.Canceled
}

// TestDirectCancelledWhileReading: a search cancelled while the direct
// evaluator walks long postings lists stops with the context's error
// (the walk checks it every checkEvery postings). Kills direct.go
// walkTerm's read++ → read-- (the walk never checks).
func TestDirectCancelledWhileReading(t *testing.T) {
	var ps []corpus.Paragraph
	for i := range 1100 {
		ps = append(ps, para(fmt.Sprintf("p%04d", i), "f.txt", "工作"+filler(20, i)+"。"))
	}
	ix := build(t, ps)
	ix.leaves = nil // every leaf read from the postings
	var kids []bq.Query
	for range 20 { // 20 × 1100 postings: past checkEvery
		kids = append(kids, termOn(fieldText, "工作"))
	}
	q := bq.NewDisjunctionQuery(kids)
	calls := 1 // directRun's check before it starts
	ctx := errAfter{context.Background(), &calls}
	err := ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(int, float64) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a search cancelled while reading: %v, want context.Canceled", err)
	}
	calls = 1 << 30
	hits := 0
	if err := ix.eachHit(ctx, q, true, 0, len(ix.table.live), func(int, float64) { hits++ }); err != nil || hits != len(ps) {
		t.Errorf("the same search not cancelled: %d hits, %v; want %d", hits, err, len(ps))
	}
}

// TestLeafCacheWithin: cached leaves restricted to the hits of a rarer
// leaf (a conjunction's later kids) give Bleve's hits and scores, the
// cache filled and then read, whichever list runs out first. Kills
// leafcache.go cachedLeaf's i < len(within) → <= (a read past the
// candidates).
func TestLeafCacheWithin(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	words := []string{"工作", "发展", "服务", "党员", "群众", "乡村", "红色", "物业", "微山", "梁山", "振兴"}
	var qs []bq.Query
	for _, a := range words {
		for _, b := range words {
			if a != b {
				qs = append(qs, bq.NewConjunctionQuery([]bq.Query{termOn(fieldText, a), termOn(fieldText, b)}))
			}
		}
	}
	var found []bq.Query
	ctx := context.Background()
	for _, q := range qs {
		n := 0
		ix.noDirect = true
		if err := ix.eachHit(ctx, q, false, 0, len(ix.table.live), func(int, float64) { n++ }); err != nil {
			t.Fatal(err)
		}
		ix.noDirect = false
		if n > 0 {
			found = append(found, q)
		}
	}
	if len(found) < 10 {
		t.Fatalf("only %d conjunctions find something: the test needs more", len(found))
	}
	keep := ix.leaves
	defer func() { ix.leaves = keep }()
	ix.leaves = newLeafCache(1, 1<<30)
	directEqualsBleve(t, ctx, ix, found) // read and cached
	directEqualsBleve(t, ctx, ix, found) // from the cache
}

// TestAccumulatorSize: an accumulator taken from the index's pool is
// used only if it spans the generation's documents (an update changes
// their count). Kills direct.go accumulator's len(a.sum) == ev.maxDoc →
// !=. (Under -race sync.Pool drops some items, which only weakens it.)
func TestAccumulatorSize(t *testing.T) {
	ev := &evaluator{pool: &sync.Pool{}, maxDoc: 10}
	ev.pool.Put(&accumulator{sum: make([]float64, 5), count: make([]uint16, 5), seen: make([]uint64, 1)})
	a := ev.accumulator()
	if len(a.sum) != 10 || len(a.count) != 10 || len(a.seen) != 1 {
		t.Errorf("accumulator for 10 documents: %d sums, %d counts, %d words of bits", len(a.sum), len(a.count), len(a.seen))
	}
}
