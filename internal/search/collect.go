package search

import (
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
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
	var counts *tableCounts
	if r.Facets {
		counts = &tableCounts{year: map[uint16]int{}}
	}
	order := r.Sort
	if order == SortRelevance && len(c.must) == 0 {
		order = SortNewest
	}
	top := &topHits{t: t, order: order, k: r.From + r.Size}
	total := 0
	visit := func(n int, score float64) {
		cOK, yOK, pOK := tf.county(t, n), tf.year(t, n), tf.program(t, n)
		if cOK && yOK && pOK {
			total++
			top.offer(n, score)
		}
		if counts != nil {
			counts.add(t, n, cOK, yOK, pOK)
		}
	}
	if len(c.must) == 0 {
		var excluded []uint64
		if len(c.mustNot) > 0 {
			excluded = make([]uint64, (len(t.live)+63)/64)
			err := ix.eachHit(ctx, disjunction(c.mustNot), false, func(n int, _ float64) {
				excluded[n/64] |= 1 << (n % 64)
			})
			if err != nil {
				return nil, err
			}
		}
		for n, live := range t.live {
			if n%(1<<16) == 0 {
				if err := ctx.Err(); err != nil {
					return nil, searchError(ctx, err)
				}
			}
			if live && (excluded == nil || excluded[n/64]&(1<<(n%64)) == 0) {
				visit(n, 0)
			}
		}
	} else if err := ix.eachHit(ctx, c.build(nil), true, visit); err != nil {
		return nil, err
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
			p, err := ix.Paragraph(ctx, id)
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

// eachHit calls fn with the document number and score of every hit of q.
// The hits go to fn as Bleve's collector finds them (through its
// document-match handler hook) instead of into its top-N store: nothing is
// sorted, no doc values are read, no ID is loaded.
func (ix *Index) eachHit(ctx context.Context, q bq.Query, score bool, fn func(n int, score float64)) error {
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
