package search

import (
	"countynews/internal/search/cnzap"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// This file reads a term's postings straight from a segment's bytes
// (cnzap, our format; assumption 6 of scorch.go) instead of through the plugin's
// PostingsIterator, which costs the direct evaluator most of a common
// phrase's pass at a million paragraphs: a call through an interface per
// posting, a Posting and its Locations rebuilt for every document landed
// on, whether the phrase then matches there or not. A cursor here decodes
// a posting's frequency and norm only when it is scored and its positions
// only when the phrase's terms meet in the document, and jumps over whole
// chunks of postings when advanced.
//
// The segments are cnzap's (our fork of zap v17, package cnzap, whose doc
// comment describes the format), and the decoding is cnzap.Cursor's: the
// format is ours, so no reflection into another package's fields. Where
// a list cannot be read so (another segment type, a list with deleted
// documents or of a single hit, a reader hook transforming the segment's
// bytes), zapListOf returns nil and the evaluator reads the plugin's
// iterator. TestZapCursor compares the two on every term of every field.

// zapList is one term's postings in one segment, for zapCursor.
type zapList = cnzap.List

// zapListOf returns pl's postings for zapCursor, or nil when they are not
// a cnzap list read in full from its segment's bytes.
func zapListOf(pl segment.PostingsList) *zapList {
	if index.ReaderHook != nil {
		return nil // a reader hook may transform every chunk (zap's FileReader)
	}
	zpl, ok := pl.(*cnzap.PostingsList)
	if !ok || zpl == nil {
		return nil
	}
	return zpl.List()
}

// cursor walks one term's postings in one segment, in document order.
// Before the first next or advance it is on no posting.
type cursor interface {
	// next moves to the next posting; false at the end of the list (or
	// on an error: see fail).
	next() bool
	// advance moves to the first posting at or after local document d
	// (staying when the current one is); false at the end.
	advance(d uint64) bool
	// doc is the current posting's local document number.
	doc() uint64
	// freqNorm is the current posting's frequency and norm as zap's
	// Posting gives them.
	freqNorm() (uint64, float64)
	// docScore is st.docScore of the current posting.
	docScore(st *termStats) float64
	// positions appends the current posting's positions to dst (a
	// cursor made with locations).
	positions(dst []uint64) []uint64
	// fail is the error that ended the walk, if any.
	fail() error
}

// cursor returns a cursor over segment i's postings of st, with
// locations when locs, reusing old when it fits: from the segment's
// bytes where zapListOf could take them, else from zap's iterator.
func (st *termStats) cursor(i int, locs bool, old cursor) cursor {
	if zl := st.zap[i]; zl != nil {
		c, ok := old.(*zapCursor)
		if !ok {
			c = &zapCursor{}
		}
		c.reset(zl, locs)
		return c
	}
	return st.iterCursor(i, locs, old)
}

// iterCursor returns a cursor over zap's iterator of segment i's
// postings of st.
func (st *termStats) iterCursor(i int, locs bool, old cursor) cursor {
	c, ok := old.(*iterCursor)
	if !ok {
		c = &iterCursor{}
	}
	c.it = st.pls[i].Iterator(true, true, locs, c.it)
	c.p, c.err = nil, nil
	return c
}

// zapCursor reads a zapList (cnzap.Cursor).
type zapCursor struct {
	c cnzap.Cursor
}

func (c *zapCursor) reset(l *zapList, locs bool) { c.c.Reset(l, locs) }

func (c *zapCursor) next() bool { return c.c.Next() }

func (c *zapCursor) advance(d uint64) bool { return c.c.Advance(d) }

func (c *zapCursor) doc() uint64 { return c.c.Doc() }

func (c *zapCursor) fail() error { return c.c.Err() }

func (c *zapCursor) freqNorm() (uint64, float64) {
	f, n, ok := c.c.FreqNorm()
	if !ok {
		return 0, 0
	}
	return f, zapNorm(n)
}

func (c *zapCursor) docScore(st *termStats) float64 {
	f, n, ok := c.c.FreqNorm()
	if !ok {
		return 0
	}
	if f == 1 && n < uint64(len(st.ones)) {
		return st.ones[n]
	}
	return st.docScore(f, zapNorm(n))
}

func (c *zapCursor) positions(dst []uint64) []uint64 { return c.c.Positions(dst) }

// iterCursor reads zap's own PostingsIterator (any list zapListOf does
// not take).
type iterCursor struct {
	it  segment.PostingsIterator
	p   segment.Posting
	err error
}

func (c *iterCursor) next() bool {
	c.p, c.err = c.it.Next()
	return c.p != nil && c.err == nil
}

func (c *iterCursor) advance(d uint64) bool {
	if c.p != nil && c.p.Number() >= d {
		return true
	}
	c.p, c.err = c.it.Advance(d)
	return c.p != nil && c.err == nil
}

func (c *iterCursor) doc() uint64 { return c.p.Number() }

func (c *iterCursor) freqNorm() (uint64, float64) { return c.p.Frequency(), c.p.Norm() }

func (c *iterCursor) docScore(st *termStats) float64 { return st.docScore(c.freqNorm()) }

func (c *iterCursor) positions(dst []uint64) []uint64 {
	for _, l := range c.p.Locations() {
		dst = append(dst, l.Pos())
	}
	return dst
}

func (c *iterCursor) fail() error { return c.err }
