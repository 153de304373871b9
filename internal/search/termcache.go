package search

import (
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A one-character query is the disjunction of every bigram holding the
// character (chars.go): thousands of terms for a common one (的: over
// 3,000 on 20,000 paragraphs), most with a handful of postings. Opening
// each term's postings (an FST lookup per segment, the list's header and
// bitmap parsed, zapListOf's chunk index) cost about half of such a
// query's evaluation, the same work on every repeat. termCache keeps
// what termStats opens of a term, per snapshot: the postings lists and
// their counts depend on nothing but the snapshot's segments and deleted
// documents, which scorch never changes in place (a change is a new
// snapshot, so new segment or deleted-bitmap pointers). The statistics a
// search scores with (idf, the field length, the query weight) are still
// computed per search from the evaluator's context.

// termCacheMax bounds the terms kept (a few hundred bytes each per
// segment); past it the cache starts over.
const termCacheMax = 1 << 17

// termCache holds the opened postings of terms of one snapshot. Its zero
// value is ready; it is safe for concurrent use, and what it hands out is
// never written to.
type termCache struct {
	mu    sync.Mutex
	segs  []snapSegment                       // the snapshot the entries belong to
	terms map[string]map[string]*termPostings // by field, by term
	n     int
}

// termPostings is what termStats opens of a term: per segment its
// postings list, its bytes for zapCursor (or nil) and its count.
type termPostings struct {
	pls    []segment.PostingsList
	zap    []*zapList
	counts []uint64
	count  uint64
	// front is the postings' frontier for MaxScore's bound (maxscore.go),
	// read once, by the first search that needs it.
	front *termFrontier
}

// get returns the cached postings of term in field for the snapshot
// segs, or nil.
func (c *termCache) get(segs []snapSegment, field, term string) *termPostings {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !sameSnapshot(c.segs, segs) {
		return nil
	}
	return c.terms[field][term]
}

// put keeps tp as the postings of term in field for the snapshot segs,
// dropping every entry of another snapshot.
func (c *termCache) put(segs []snapSegment, field, term string, tp *termPostings) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !sameSnapshot(c.segs, segs) || c.n >= termCacheMax {
		c.segs, c.terms, c.n = segs, map[string]map[string]*termPostings{}, 0
	}
	byTerm := c.terms[field]
	if byTerm == nil {
		byTerm = map[string]*termPostings{}
		c.terms[field] = byTerm
	}
	if _, ok := byTerm[term]; !ok {
		c.n++
	}
	byTerm[term] = tp
}

// sameSnapshot reports whether a and b are the same segments with the
// same deleted documents.
func sameSnapshot(a, b []snapSegment) bool {
	if len(a) != len(b) || a == nil {
		return false
	}
	for i := range a {
		if a[i].seg != b[i].seg || a[i].deleted != b[i].deleted || a[i].offset != b[i].offset {
			return false
		}
	}
	return true
}
