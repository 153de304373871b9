package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// rangeLeaves restricts q to the documents numbered lo to hi (exclusive)
// by restricting each of its leaves (terms and phrases): the composite
// searchers above them see an index holding only those documents, and
// score them as in a whole search, so two halves of the index can be
// searched at once. (Restricting the root instead would need an Advance
// of Bleve's BooleanSearcher before its first Next, which drops the
// optional clauses' first match at or after the target: assumption 4 of
// scorch.go.)
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
		id = internalID(s.lo)
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
