package search

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
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
func (ix *Index) searchTable(ctx context.Context, r Request, c compiled, f filters) (*Result, error) {
	ctx = c.scoring(ctx) // the relaxed modes' BM25 statistics (bm25.go)
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
	rerank := ix.reranks(r, c, order)
	if rerank {
		k = max(k, ix.depth()) // the reranker's candidates (rerank.go)
	}
	// The pass is split in two halves of the document numbers, run at
	// once, when this is the only search running, a core is spare
	// (ix.spare) and the index is big enough for it to pay: a lone user's
	// common phrase takes about 60% of the time on two cores. Under load
	// the cores are busy with other searches, and splitting (which costs
	// the leaves an extra advance) would only lower throughput (1M
	// synthetic paragraphs, 8 clients: 96 -> 78 QPS when always split).
	// With the direct evaluator a costly query's halves are evaluated at
	// once, each reading its half of the postings (directParts); a cheap
	// one is read once and only the visits of its hits are split.
	running := ix.running.Add(1)
	defer ix.running.Add(-1)
	collapse := r.Collapse != CollapseNone
	if collapse && ix.stories.docArticle == nil {
		return ix.searchBleve(ctx, r, c, f) // cannot happen with a table (both need document numbers)
	}
	if k == 0 {
		// Nothing to rank (a count, as DidYouMean's Counts asks, or
		// facets alone): the boosts, optional clauses that only add to
		// scores, change no hit and are not read. They are a third of a
		// full request's CPU at 3,000,000 paragraphs.
		c.should = nil
	}
	text := c.build(nil)
	halves := []*tablePart{newTablePart(t, tf, order, k, r.Facets, ix.stories, collapse)}
	if (running == 1 && len(t.live) >= minSplitDocs && !isHeavy(ctx)) || ix.forceSplit {
		select {
		case ix.spare <- struct{}{}:
			defer func() { <-ix.spare }()
			halves = append(halves, newTablePart(t, tf, order, k, r.Facets, ix.stories, collapse))
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
	errs := make([]error, len(halves))
	tk := passTopK(t, tf, ix.stories, order, k, r.Collapse)
	if tk != nil {
		tk.seed = ix.maxScoreSeed
	}
	// The direct evaluator (direct.go) reads the postings of the halves
	// at once when the query is costly, else once; the halves then
	// filter, count and rank their hits at once.
	direct := false
	if len(c.must) > 0 {
		var err error
		direct, err = ix.directTopK(ctx, text, bounds, tk, func(i int, res hitList) error {
			h := halves[i]
			for j, d := range res.docs {
				h.visit(int(d), res.scores[j])
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var wg sync.WaitGroup
	for i, h := range halves {
		if direct {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverPanic("search", &errs[i])
			lo, hi := bounds[i], bounds[i+1]
			if len(c.must) > 0 {
				errs[i] = ix.eachHit(ctx, text, true, lo, hi, h.visit)
				return
			}
			every := cmp.Or(ix.checkEvery, browseCheckEvery)
			for n := lo; n < hi; n++ {
				if n%every == 0 {
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
		halves[0].mergeGroups(h)
	}

	res := &Result{Total: total, Groups: total, Hits: []Hit{}}
	var groups collapsed
	if collapse {
		for _, h := range halves {
			defer ix.stories.release(h.articles)
		}
		groups = halves[0].collapse(r.Collapse)
		res.Groups = groups.n
	}
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
		var read map[int]corpus.Paragraph
		if rerank {
			if read, err = ix.rerankScored(ctx, rd, c.rerank, best); err != nil {
				return nil, err
			}
			best = best[:min(len(best), r.From+r.Size)]
		}
		for _, e := range best[r.From:] {
			p, ok := read[e.n]
			if !ok {
				if p, err = ix.storedAt(rd, e.n); err != nil {
					return nil, err
				}
			}
			hit := Hit{Paragraph: p, Score: e.score}
			if g := groups.at(e.n); g != nil {
				hit.Others = g.others
				for _, cp := range g.copies {
					q, err := ix.storedAt(rd, cp.n)
					if err != nil {
						return nil, err
					}
					hit.Copies = append(hit.Copies, copyOf(q))
				}
			}
			if r.Highlight {
				hit.Highlight = highlight(p.Text, c.marks, fragmentRunes)
			}
			res.Hits = append(res.Hits, hit)
		}
	}
	return res, nil
}

// passTopK describes, for the direct evaluator's MaxScore (maxscore.go),
// what the pass ranks: the k best by relevance of the hits that pass the
// filters, alone or by article. It is nil when scores do not rank (another
// order), or when collapsing by story (whose copies maxscore.go does not
// bound).
func passTopK(t *table, tf *tableFilter, st *stories, order Sort, k int, collapse Collapse) *topK {
	if order != SortRelevance || k == 0 {
		return nil
	}
	keep := func(n int) bool {
		return tf.date(t, n) && tf.county(t, n) && tf.year(t, n) && tf.program(t, n)
	}
	switch collapse {
	case CollapseNone:
		return &topK{k: k, keep: keep}
	case CollapseArticle:
		arts := st.docArticle
		return &topK{k: k, keep: func(n int) bool { return n < len(arts) && arts[n] >= 0 && keep(n) },
			group: func(n int) int32 { return arts[n] }}
	}
	return nil
}

// eachHit calls fn with the document number and score of every hit of q
// numbered from lo to hi (exclusive). The hits go to fn as Bleve's
// collector finds them (visitHits, scorch.go) instead of into its top-N
// store: nothing is sorted, no doc values are read, no ID is loaded.
func (ix *Index) eachHit(ctx context.Context, q bq.Query, score bool, lo, hi int, fn func(n int, score float64)) error {
	// A panic inside the direct evaluator comes back as an error with
	// handled false: it is returned (a *PanicError, counted like any other),
	// never hidden behind an answer from Bleve's searchers, so that the
	// reference tests, which compare through eachHit, see it.
	if handled, err := ix.directHits(ctx, q, lo, hi, fn); handled || err != nil {
		return err
	}
	if lo > 0 || hi < len(ix.table.live) {
		q = rangeLeaves(q, lo, hi)
	}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	if !score {
		req.Score = bleve.ScoreNone
	}
	size := len(ix.table.live)
	var bad error
	err := visitHits(ctx, ix.bleve, req, func(*search.SearchContext) (func(*search.DocumentMatch) error, error) {
		return func(d *search.DocumentMatch) error {
			n, ok := docNum(d.IndexInternalID)
			if !ok || n >= size {
				bad = fmt.Errorf("search: hit %x outside the document table", []byte(d.IndexInternalID))
				return bad
			}
			fn(n, d.Score)
			return nil
		}, nil
	})
	if bad != nil {
		return bad
	}
	if err != nil {
		return searchError(ctx, err)
	}
	return nil
}

// browseCheckEvery is how many documents a scan without a positive term
// (browsing, or only exclusions) visits between checks of its context.
const browseCheckEvery = 1 << 16

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
	// articles, when collapsing, holds the best hit and the number of
	// hits of each article (by ordinal), instead of offering hits to top.
	articles *tally
	st       *stories
}

func newTablePart(t *table, tf *tableFilter, order Sort, k int, facets bool, st *stories, collapse bool) *tablePart {
	p := &tablePart{t: t, tf: tf, top: &topHits{t: t, order: order, k: k}, st: st}
	if facets {
		p.counts = &tableCounts{}
	}
	if collapse {
		p.articles = st.newTally()
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
		if p.articles != nil {
			p.group(n, score)
		} else {
			p.top.offer(n, score)
		}
	}
	if p.counts != nil {
		p.counts.add(t, n, cOK, yOK, pOK)
	}
}
