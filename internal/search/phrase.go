package search

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// phraseQuery matches the documents whose field holds terms[i] at
// position p+i for some p: what Bleve's PhraseQuery does, with the same
// scores (the sum of the terms' BM25 scores, from Bleve's own term
// searchers), found faster.
//
// Every query term of two or more characters is such a phrase of bigrams,
// so phrases are most of the work of a search. Bleve's phrase searcher
// turns each candidate document's term locations into maps of maps and
// walks every path through them (DocumentMatch.Complete and
// findPhrasePaths: a third of the time of a common phrase such as 查看更多,
// in 20,000 of the news paragraphs). Here the candidate's positions are
// read from the term searchers' location slices and checked by one merge
// over sorted lists, with no allocation.
type phraseQuery struct {
	terms []string
	field string
	boost float64
}

func newPhraseQuery(terms []string, field string) *phraseQuery {
	return &phraseQuery{terms: terms, field: field, boost: 1}
}

// SetBoost scales the phrase's score.
func (q *phraseQuery) SetBoost(b float64) { q.boost = b }

// Searcher implements Bleve's query.Query.
func (q *phraseQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if len(q.terms) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	options.IncludeTermVectors = true
	s := &phraseSearcher{field: q.field}
	for _, t := range q.terms {
		ts, err := searcher.NewTermSearcher(ctx, r, t, q.field, q.boost, options)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("phrase %q: %w", q.terms, err)
		}
		s.terms = append(s.terms, ts)
	}
	// The query norm Bleve's phrase (and conjunction) searcher hands its
	// term searchers, so that scores are the same.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	s.curr = make([]*search.DocumentMatch, len(s.terms))
	s.pos = make([][]uint64, len(s.terms))
	s.cur = make([]int, len(s.terms))
	return s, nil
}

// phraseSearcher is a leapfrog conjunction of one term searcher per
// phrase position, with a position check on each common document. A nil
// slot of curr is a term searcher to move on before the next match (its
// last match was handed out or put back), unless done.
type phraseSearcher struct {
	field  string
	terms  []search.Searcher
	curr   []*search.DocumentMatch
	pos    [][]uint64 // reused buffers: positions of each term in the current document
	cur    []int      // reused: a cursor into each of pos
	target []byte     // copy of the document ID being converged on
	done   bool       // a term searcher is exhausted
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for i, t := range s.terms {
		if s.done {
			return nil, nil
		}
		if s.curr[i] != nil {
			continue
		}
		dm, err := t.Next(ctx)
		if err != nil {
			return nil, err
		}
		s.curr[i] = dm
		s.done = dm == nil
	}
	return s.converge(ctx)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	for i, t := range s.terms {
		if s.done {
			return nil, nil
		}
		if dm := s.curr[i]; dm != nil {
			if bytes.Compare(dm.IndexInternalID, id) >= 0 {
				continue
			}
			ctx.DocumentMatchPool.Put(dm)
			s.curr[i] = nil
		}
		dm, err := t.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.curr[i] = dm
		s.done = dm == nil
	}
	return s.converge(ctx)
}

// converge moves the term searchers on until they agree on a document that
// holds the phrase, and returns its match (the first term's, scored with
// the sum of all terms' scores, as Bleve's conjunction scorer does), or
// nil at the end. Every slot is filled on entry unless done.
func (s *phraseSearcher) converge(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for !s.done {
		max := s.curr[0].IndexInternalID
		for _, dm := range s.curr[1:] {
			if bytes.Compare(dm.IndexInternalID, max) > 0 {
				max = dm.IndexInternalID
			}
		}
		s.target = append(s.target[:0], max...)
		agreed := true
		for i, t := range s.terms {
			if bytes.Equal(s.curr[i].IndexInternalID, s.target) {
				continue
			}
			agreed = false
			if err := s.move(ctx, i, func() (*search.DocumentMatch, error) { return t.Advance(ctx, s.target) }); err != nil || s.done {
				return nil, err
			}
		}
		if !agreed {
			continue
		}
		if s.matches() {
			rv := s.curr[0]
			var sum float64
			for i, dm := range s.curr {
				sum += dm.Score
				if i > 0 {
					ctx.DocumentMatchPool.Put(dm)
				}
				s.curr[i] = nil
			}
			rv.Score = sum
			rv.FieldTermLocations = rv.FieldTermLocations[:0]
			return rv, nil
		}
		for i, t := range s.terms {
			if err := s.move(ctx, i, func() (*search.DocumentMatch, error) { return t.Next(ctx) }); err != nil || s.done {
				return nil, err
			}
		}
	}
	return nil, nil
}

// move puts term i's current match back and replaces it with next's
// (Next or Advance of its searcher); at the end of term i's hits the
// phrase is done.
func (s *phraseSearcher) move(ctx *search.SearchContext, i int, next func() (*search.DocumentMatch, error)) error {
	ctx.DocumentMatchPool.Put(s.curr[i])
	s.curr[i] = nil
	dm, err := next()
	if err != nil {
		return err
	}
	s.curr[i] = dm
	s.done = dm == nil
	return nil
}

// matches reports whether the current document holds term i at position
// p+i for some p. Each term's positions come sorted from its postings;
// they are collected into reused buffers and walked with one cursor per
// term.
func (s *phraseSearcher) matches() bool {
	for i, dm := range s.curr {
		ps := s.pos[i][:0]
		for _, ftl := range dm.FieldTermLocations {
			if ftl.Field == s.field {
				ps = append(ps, ftl.Location.Pos)
			}
		}
		s.pos[i] = ps
		if len(ps) == 0 {
			return false
		}
		if !slices.IsSorted(ps) {
			slices.Sort(ps)
		}
	}
	cur := s.cur
	clear(cur)
first:
	for _, p := range s.pos[0] {
		for i := 1; i < len(s.pos); i++ {
			want := p + uint64(i)
			ps := s.pos[i]
			for cur[i] < len(ps) && ps[cur[i]] < want {
				cur[i]++
			}
			if cur[i] == len(ps) {
				return false
			}
			if ps[cur[i]] != want {
				continue first
			}
		}
		return true
	}
	return false
}

func (s *phraseSearcher) Close() error {
	var first error
	for _, t := range s.terms {
		if err := t.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *phraseSearcher) Weight() float64 {
	var w float64
	for _, t := range s.terms {
		w += t.Weight()
	}
	return w
}

func (s *phraseSearcher) SetQueryNorm(n float64) {
	for _, t := range s.terms {
		t.SetQueryNorm(n)
	}
}

// Count is a worst case, as Bleve's conjunction reports.
func (s *phraseSearcher) Count() uint64 {
	var c uint64
	for _, t := range s.terms {
		c += t.Count()
	}
	return c
}

func (s *phraseSearcher) Min() int { return 0 }

func (s *phraseSearcher) Size() int {
	n := 64
	for _, t := range s.terms {
		n += t.Size()
	}
	return n
}

func (s *phraseSearcher) DocumentMatchPoolSize() int {
	n := len(s.terms) + 1
	for _, t := range s.terms {
		n += t.DocumentMatchPoolSize()
	}
	return n
}
