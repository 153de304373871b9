package search

import (
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// searchTable runs r in one pass over the hits of its text query, with
// the document table (table.go) doing what Bleve's collector would do
// with doc values: filtering, counting the three disjunctive facets and
// keeping the top hits, all from array reads.
//
// The text query runs without the filters: a hit that fails only the
// county filter still counts under the county facet, which is what
// disjunctive facets need, and the old way needed one extra search per
// active filter for. Filters never change scores (they ran as a
// non-scoring filter clause), so the ranking is the same.
//
// A query with no positive term (browsing, or only exclusions) does not
// ask Bleve for its hits at all: they are the table's live documents minus
// the excluded ones.
func (ix *Index) searchTable(ctx context.Context, r Request, c compiled, f filters, start time.Time) (*Result, error) {
	if ix.closed.Load() {
		return nil, searchError(ctx, bleve.ErrorIndexClosed)
	}
	t := ix.table
	tf := t.filter(f)
	order := r.Sort
	if order == SortRelevance && len(c.must) == 0 {
		order = SortNewest
	}
	k := r.From + r.Size
	// The pass is split in two halves of the document numbers, run at
	// once, when this is the only search running, a core is spare
	// (ix.spare) and the index is big enough for it to pay: a lone user's
	// common phrase takes about 60% of the time on two cores. Under load
	// the cores are busy with other searches, and splitting (which costs
	// the leaves an extra advance) would only lower throughput (1M
	// synthetic paragraphs, 8 clients: 96 -> 78 QPS when always split).
	running := ix.running.Add(1)
	defer ix.running.Add(-1)
	halves := []*tablePart{newTablePart(t, tf, order, k, r.Facets)}
	if (running == 1 && len(t.live) >= minSplitDocs) || ix.forceSplit {
		select {
		case ix.spare <- struct{}{}:
			defer func() { <-ix.spare }()
			halves = append(halves, newTablePart(t, tf, order, k, r.Facets))
		default:
		}
	}
	bounds := splitBounds(len(t.live), len(halves))
	var excluded []uint64
	if len(c.must) == 0 && len(c.mustNot) > 0 {
		excluded = make([]uint64, (len(t.live)+63)/64)
		err := ix.eachHit(ctx, disjunction(c.mustNot), false, 0, len(t.live), func(n int, _ float64) {
			excluded[n/64] |= 1 << (n % 64)
		})
		if err != nil {
			return nil, err
		}
	}
	text := c.build(nil)
	errs := make([]error, len(halves))
	var wg sync.WaitGroup
	for i, h := range halves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := bounds[i], bounds[i+1]
			if len(c.must) > 0 {
				errs[i] = ix.eachHit(ctx, text, true, lo, hi, h.visit)
				return
			}
			for n := lo; n < hi; n++ {
				if n%(1<<16) == 0 {
					if err := ctx.Err(); err != nil {
						errs[i] = searchError(ctx, err)
						return
					}
				}
				if t.live[n] && (excluded == nil || excluded[n/64]&(1<<(n%64)) == 0) {
					h.visit(n, 0)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // both halves fail alike on a timeout: one is enough
		}
	}
	total, top, counts := halves[0].total, halves[0].top, halves[0].counts
	for _, h := range halves[1:] {
		total += h.total
		for _, e := range h.top.h {
			top.offer(e.n, e.score)
		}
		if counts != nil {
			counts.merge(h.counts)
		}
	}

	res := &Result{Total: total, Hits: []Hit{}}
	if counts != nil {
		res.Facets = counts.facets(t)
	}
	best := top.sorted()
	if r.From < len(best) {
		rd, err := ix.reader()
		if err != nil {
			return nil, searchError(ctx, err)
		}
		defer rd.Close()
		var buf [8]byte
		for _, e := range best[r.From:] {
			binary.BigEndian.PutUint64(buf[:], uint64(e.n))
			id, err := rd.ExternalID(buf[:])
			if err != nil {
				return nil, fmt.Errorf("search: document %d: %w", e.n, err)
			}
			d, err := rd.Document(id)
			if err != nil {
				return nil, fmt.Errorf("search: paragraph %s: %w", id, err)
			}
			p, err := storedParagraph(id, d)
			if err != nil {
				return nil, err
			}
			hit := Hit{Paragraph: p, Score: e.score}
			if r.Highlight {
				hit.Highlight = highlight(p.Text, c.marks, fragmentRunes)
			}
			res.Hits = append(res.Hits, hit)
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// eachHit calls fn with the document number and score of every hit of q
// numbered from lo to hi (exclusive). The hits go to fn as Bleve's
// collector finds them (through its document-match handler hook) instead
// of into its top-N store: nothing is sorted, no doc values are read, no
// ID is loaded.
func (ix *Index) eachHit(ctx context.Context, q bq.Query, score bool, lo, hi int, fn func(n int, score float64)) error {
	if lo > 0 || hi < len(ix.table.live) {
		q = rangeLeaves(q, lo, hi)
	}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	if !score {
		req.Score = bleve.ScoreNone
	}
	size := len(ix.table.live)
	var bad error
	mk := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			n, ok := docNum(d.IndexInternalID)
			if !ok || n >= size {
				bad = fmt.Errorf("search: hit %x outside the document table", []byte(d.IndexInternalID))
				return bad
			}
			fn(n, d.Score)
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	hctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(mk))
	if _, err := ix.bleve.SearchInContext(hctx, req); err != nil {
		if bad != nil {
			return bad
		}
		return searchError(ctx, err)
	}
	return nil
}

// minSplitDocs is the index size from which a search pass is split across
// a spare core.
const minSplitDocs = 50_000

// splitBounds cuts [0, n) into parts ranges: bounds[i] to bounds[i+1].
func splitBounds(n, parts int) []int {
	b := make([]int, parts+1)
	for i := range b {
		b[i] = n * i / parts
	}
	return b
}

// tablePart is what one part of a pass gathers.
type tablePart struct {
	t      *table
	tf     *tableFilter
	top    *topHits
	counts *tableCounts
	total  int
}

func newTablePart(t *table, tf *tableFilter, order Sort, k int, facets bool) *tablePart {
	p := &tablePart{t: t, tf: tf, top: &topHits{t: t, order: order, k: k}}
	if facets {
		p.counts = &tableCounts{}
	}
	return p
}

// visit filters hit n, counts it under the facets whose other filters it
// passes, and offers it to the top hits if it passes all.
func (p *tablePart) visit(n int, score float64) {
	t, tf := p.t, p.tf
	if !tf.date(t, n) {
		return
	}
	cOK, yOK, pOK := tf.county(t, n), tf.year(t, n), tf.program(t, n)
	if cOK && yOK && pOK {
		p.total++
		p.top.offer(n, score)
	}
	if p.counts != nil {
		p.counts.add(t, n, cOK, yOK, pOK)
	}
}

// topHits keeps the k best hits offered, in a heap whose root is the
// worst kept.
type topHits struct {
	t     *table
	order Sort
	k     int
	h     []scored
}

type scored struct {
	n     int
	score float64
}

// better reports whether a ranks before b: by score, or by year then
// date (documents missing either after those that have it), then by ID.
func (th *topHits) better(a, b scored) bool {
	t := th.t
	switch th.order {
	case SortRelevance:
		if a.score != b.score {
			return a.score > b.score
		}
	default:
		desc := th.order == SortNewest
		if c := cmpMissingLast(int(t.year[a.n]), int(t.year[b.n]), desc); c != 0 {
			return c < 0
		}
		if c := cmpMissingLast(int(t.date[a.n]), int(t.date[b.n]), desc); c != 0 {
			return c < 0
		}
	}
	return t.rank[a.n] < t.rank[b.n]
}

// cmpMissingLast orders x and y (0 is missing, and last either way).
func cmpMissingLast(x, y int, desc bool) int {
	switch {
	case x == y:
		return 0
	case x == 0:
		return 1
	case y == 0:
		return -1
	case (x < y) != desc:
		return -1
	}
	return 1
}

func (th *topHits) offer(n int, score float64) {
	if th.k == 0 {
		return
	}
	s := scored{n, score}
	if len(th.h) < th.k {
		heap.Push(th, s)
		return
	}
	if th.better(s, th.h[0]) {
		th.h[0] = s
		heap.Fix(th, 0)
	}
}

// sorted returns the kept hits, best first.
func (th *topHits) sorted() []scored {
	out := make([]scored, len(th.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(th).(scored)
	}
	return out
}

// heap.Interface, worst on top.
func (th *topHits) Len() int           { return len(th.h) }
func (th *topHits) Less(i, j int) bool { return th.better(th.h[j], th.h[i]) }
func (th *topHits) Swap(i, j int)      { th.h[i], th.h[j] = th.h[j], th.h[i] }
func (th *topHits) Push(x any)         { th.h = append(th.h, x.(scored)) }
func (th *topHits) Pop() any {
	x := th.h[len(th.h)-1]
	th.h = th.h[:len(th.h)-1]
	return x
}

// rangeLeaves restricts q to the documents numbered lo to hi (exclusive)
// by restricting each of its leaves (terms and phrases): the composite
// searchers above them see an index holding only those documents, and
// score them as in a whole search, so two halves of the index can be
// searched at once. (Restricting the root instead would need an Advance
// of Bleve's BooleanSearcher before its first Next, which drops the
// optional clauses' first match at or after the target.)
func rangeLeaves(q bq.Query, lo, hi int) bq.Query {
	leaves := func(qs []bq.Query) []bq.Query {
		out := make([]bq.Query, len(qs))
		for i, q := range qs {
			out[i] = rangeLeaves(q, lo, hi)
		}
		return out
	}
	switch q := q.(type) {
	case nil:
		return nil
	case *bq.BooleanQuery:
		c := *q
		c.Must, c.Should, c.MustNot, c.Filter = rangeLeaves(q.Must, lo, hi), rangeLeaves(q.Should, lo, hi),
			rangeLeaves(q.MustNot, lo, hi), rangeLeaves(q.Filter, lo, hi)
		return &c
	case *bq.ConjunctionQuery:
		c := *q
		c.Conjuncts = leaves(q.Conjuncts)
		return &c
	case *bq.DisjunctionQuery:
		c := *q
		c.Disjuncts = leaves(q.Disjuncts)
		return &c
	}
	return &rangeQuery{inner: q, lo: lo, hi: hi}
}

// rangeQuery restricts a leaf query to the documents numbered lo to hi
// (exclusive): its searcher starts by advancing to lo and ends at hi.
type rangeQuery struct {
	inner  bq.Query
	lo, hi int
}

func (q *rangeQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opt search.SearcherOptions) (search.Searcher, error) {
	s, err := q.inner.Searcher(ctx, r, m, opt)
	if err != nil {
		return nil, err
	}
	return &rangeSearcher{Searcher: s, lo: q.lo, hi: q.hi}, nil
}

type rangeSearcher struct {
	search.Searcher
	lo, hi  int
	started bool
	done    bool
}

func (s *rangeSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started && s.lo > 0 {
		return s.Advance(ctx, nil)
	}
	s.started = true
	if s.done {
		return nil, nil
	}
	dm, err := s.Searcher.Next(ctx)
	return s.clip(ctx, dm, err)
}

// Advance moves to the first hit at or after id, and at or after lo.
func (s *rangeSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	s.started = true
	if s.done {
		return nil, nil
	}
	if n, ok := docNum(id); !ok || n < s.lo {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(s.lo))
		id = b[:]
	}
	dm, err := s.Searcher.Advance(ctx, id)
	return s.clip(ctx, dm, err)
}

// clip ends the search at the first hit numbered hi or more.
func (s *rangeSearcher) clip(ctx *search.SearchContext, dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if err != nil || dm == nil {
		return dm, err
	}
	if n, ok := docNum(dm.IndexInternalID); !ok || n >= s.hi {
		ctx.DocumentMatchPool.Put(dm)
		s.done = true
		return nil, nil
	}
	return dm, nil
}
