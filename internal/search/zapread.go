package search

import (
	"errors"
	"reflect"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// This file reads a term's postings straight from a zap v17 segment's
// bytes (assumption 6 of scorch.go) instead of through zap's
// PostingsIterator, which costs the direct evaluator most of a common
// phrase's pass at a million paragraphs: a call through an interface
// per posting, a Posting and its Locations rebuilt for every document
// landed on (five varints a location, the field's name looked up, array
// positions sliced), whether the phrase then matches there or not. A
// cursor here decodes a posting's frequency and norm only when it is
// scored and its positions only when the phrase's terms meet in the
// document, and jumps over whole chunks of postings when advanced.
//
// The format, as zapx v17 writes it (posting.go, intcoder.go): a term's
// documents are a roaring bitmap; their frequencies and norms, and their
// locations, are two chunked streams of uvarints, a chunk per chunkSize
// document numbers (chunk i holds the postings numbered i*chunkSize to
// (i+1)*chunkSize-1, in order). A stream starts with its number of
// chunks and each chunk's end (relative to the first chunk's start).
// A posting's entry in the first stream is freq<<1|hasLocs, then (when
// freq is not 0) the norm's bits; in the second, when hasLocs, the byte
// length of its locations, then per location the field number, the
// position, start, end, the number of array positions and those.
//
// Where any of that cannot be had (another segment type, a list with
// deleted documents or of a single hit, a reader hook transforming the
// segment's bytes, a field of zap's PostingsList renamed by an upgrade),
// zapListOf returns nil and the evaluator reads zap's iterator.
// TestZapCursor compares the two on every term of every field.

// zapList is one term's postings in one zap segment, for zapCursor.
type zapList struct {
	docs      *roaring.Bitmap
	mem       []byte
	chunkSize uint64
	freq, loc chunkedStream
}

// chunkedStream is the index of one chunked stream of a postings list.
type chunkedStream struct {
	ends  []uint64 // of each chunk, relative to data
	data  uint64   // where the first chunk starts in the segment
	empty bool     // no stream (termNotEncoded)
}

// zapFields are the indices, in zap's PostingsList and SegmentBase, of
// the unexported fields zapListOf reads (found by name once, so that a
// renamed field turns the reading off instead of misreading).
var zapFields = func() (f struct {
	ok                                                     bool
	sb, postings, except, freqOffset, locOffset, chunkSize []int
	normBits1Hit, mem                                      []int
}) {
	pl := reflect.TypeOf(zap.PostingsList{})
	get := func(t reflect.Type, name string, kind reflect.Kind) []int {
		sf, found := t.FieldByName(name)
		if !found || sf.Type.Kind() != kind {
			return nil
		}
		return sf.Index
	}
	f.sb = get(pl, "sb", reflect.Pointer)
	f.postings = get(pl, "postings", reflect.Pointer)
	f.except = get(pl, "except", reflect.Pointer)
	f.freqOffset = get(pl, "freqOffset", reflect.Uint64)
	f.locOffset = get(pl, "locOffset", reflect.Uint64)
	f.chunkSize = get(pl, "chunkSize", reflect.Uint64)
	f.normBits1Hit = get(pl, "normBits1Hit", reflect.Uint64)
	if f.sb != nil {
		if sb := pl.FieldByIndex(f.sb).Type.Elem(); sb.Kind() == reflect.Struct {
			f.mem = get(sb, "mem", reflect.Slice)
		}
	}
	f.ok = f.sb != nil && f.postings != nil && f.except != nil && f.freqOffset != nil &&
		f.locOffset != nil && f.chunkSize != nil && f.normBits1Hit != nil && f.mem != nil
	return f
}()

// errZapFormat is a postings list whose bytes do not parse.
var errZapFormat = errors.New("zap postings: malformed chunk")

// zapListOf returns pl's postings for zapCursor, or nil when they are not
// a zap v17 list read in full from its segment's bytes.
func zapListOf(pl segment.PostingsList) *zapList {
	if !zapFields.ok || index.ReaderHook != nil {
		return nil // a reader hook may transform every chunk (zap's FileReader)
	}
	zpl, ok := pl.(*zap.PostingsList)
	if !ok || zpl == nil {
		return nil
	}
	v := reflect.ValueOf(zpl).Elem()
	if !v.FieldByIndex(zapFields.except).IsNil() || v.FieldByIndex(zapFields.normBits1Hit).Uint() != 0 ||
		v.FieldByIndex(zapFields.postings).IsNil() || v.FieldByIndex(zapFields.sb).IsNil() {
		return nil
	}
	l := &zapList{chunkSize: v.FieldByIndex(zapFields.chunkSize).Uint()}
	l.mem = v.FieldByIndex(zapFields.sb).Elem().FieldByIndex(zapFields.mem).Bytes()
	// The documents: the iterator's bitmap, which is the list's own when
	// nothing is excepted (PostingsIterator.ActualBitmap).
	it, ok := zpl.Iterator(false, false, false, nil).(*zap.PostingsIterator)
	if !ok || l.chunkSize == 0 {
		return nil
	}
	l.docs = it.ActualBitmap()
	var err error
	if l.freq, err = parseStream(l.mem, v.FieldByIndex(zapFields.freqOffset).Uint()); err != nil {
		return nil
	}
	if l.loc, err = parseStream(l.mem, v.FieldByIndex(zapFields.locOffset).Uint()); err != nil {
		return nil
	}
	if l.docs == nil || l.freq.empty {
		return nil
	}
	return l
}

// parseStream reads the chunk index of the stream at off (zap's
// newChunkedIntDecoder).
func parseStream(mem []byte, off uint64) (chunkedStream, error) {
	if off == 0 { // termNotEncoded
		return chunkedStream{empty: true}, nil
	}
	if off >= uint64(len(mem)) {
		return chunkedStream{}, errZapFormat
	}
	i := int(off)
	n, ok := uvarint(mem, &i)
	if !ok || n > uint64(len(mem)) {
		return chunkedStream{}, errZapFormat
	}
	s := chunkedStream{ends: make([]uint64, n)}
	for k := range s.ends {
		if s.ends[k], ok = uvarint(mem, &i); !ok {
			return chunkedStream{}, errZapFormat
		}
	}
	s.data = uint64(i)
	return s, nil
}

// chunk returns the bytes of chunk c.
func (s *chunkedStream) chunk(mem []byte, c int) ([]byte, bool) {
	if s.empty || c >= len(s.ends) {
		return nil, s.empty
	}
	var start uint64
	if c > 0 {
		start = s.ends[c-1]
	}
	lo, hi := s.data+start, s.data+s.ends[c]
	if lo > hi || hi > uint64(len(mem)) {
		return nil, false
	}
	return mem[lo:hi], true
}

// uvarint decodes the uvarint at b[*i] and moves *i past it; false when
// it runs past b or overflows.
func uvarint(b []byte, i *int) (uint64, bool) {
	j := *i
	if j < len(b) && b[j] < 0x80 { // most of them: one byte
		*i = j + 1
		return uint64(b[j]), true
	}
	var x uint64
	for s := uint(0); j < len(b); s += 7 {
		c := b[j]
		j++
		if c < 0x80 {
			if s >= 63 && (s > 63 || c > 1) {
				return 0, false
			}
			*i = j
			return x | uint64(c)<<s, true
		}
		x |= uint64(c&0x7f) << s
	}
	return 0, false
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

// zapCursor reads a zapList.
type zapCursor struct {
	l       *zapList
	it      roaring.IntPeekable
	locs    bool // read the location stream
	started bool
	ended   bool
	cur     uint64 // the current posting's document
	chunk   int    // loaded, -1: none
	end     uint64 // the first document past the loaded chunk
	fb, lb  []byte // the chunk's frequencies and norms, and locations
	fi, li  int    // read offsets: at the current posting's entry, unless read
	read    bool   // the current posting's entry was read
	freq    uint64
	norm    uint64
	at      []byte // the current posting's location bytes (read)
	err     error
}

func (c *zapCursor) reset(l *zapList, locs bool) {
	c.l, c.locs, c.started, c.ended, c.chunk, c.read, c.err = l, locs, false, false, -1, false, nil
	if it, ok := c.it.(interface{ Initialize(*roaring.Bitmap) }); ok && c.it != nil {
		it.Initialize(l.docs)
	} else {
		c.it = l.docs.Iterator()
	}
}

func (c *zapCursor) doc() uint64 { return c.cur }

func (c *zapCursor) fail() error { return c.err }

func (c *zapCursor) bad() bool {
	c.err = errZapFormat
	return false
}

// entry reads the current posting's entry: its frequency, norm and
// location bytes.
func (c *zapCursor) entry() bool {
	var v uint64
	if c.fi < len(c.fb) && c.fb[c.fi] < 0x80 { // a frequency below 64, most
		v = uint64(c.fb[c.fi])
		c.fi++
	} else {
		var ok bool
		if v, ok = uvarint(c.fb, &c.fi); !ok {
			return c.bad()
		}
	}
	var ok bool
	c.freq, c.norm = v>>1, 0
	if c.freq != 0 {
		if c.norm, ok = uvarint(c.fb, &c.fi); !ok {
			return c.bad()
		}
	}
	c.at = nil
	if v&1 != 0 && c.locs {
		n, ok := uvarint(c.lb, &c.li)
		if !ok || n > uint64(len(c.lb)-c.li) {
			return c.bad()
		}
		c.at = c.lb[c.li : c.li+int(n)]
		c.li += int(n)
	}
	c.read = true
	return true
}

// land makes d, the bitmap's next document, the current posting.
func (c *zapCursor) land(d uint64) bool {
	if c.chunk < 0 || d >= c.end {
		ch := int(d / c.l.chunkSize)
		// d is the first posting of its chunk: the bitmap was walked in
		// order, or advanced to the chunk's first number.
		var ok bool
		if c.fb, ok = c.l.freq.chunk(c.l.mem, ch); !ok {
			return c.bad()
		}
		if c.locs {
			if c.lb, ok = c.l.loc.chunk(c.l.mem, ch); !ok {
				return c.bad()
			}
		}
		c.chunk, c.end, c.fi, c.li = ch, uint64(ch+1)*c.l.chunkSize, 0, 0
	}
	c.cur, c.read, c.started = d, false, true
	return true
}

func (c *zapCursor) next() bool {
	if c.ended || c.err != nil || (c.started && !c.read && !c.entry()) {
		return false
	}
	if !c.it.HasNext() {
		c.ended = true
		return false
	}
	return c.land(uint64(c.it.Next()))
}

func (c *zapCursor) advance(d uint64) bool {
	if c.ended || c.err != nil {
		return false
	}
	if c.started && c.cur >= d {
		return true
	}
	if !c.started || d >= c.end {
		// Another chunk: skip to its first posting without decoding
		// the postings in between.
		c.it.AdvanceIfNeeded(uint32(d / c.l.chunkSize * c.l.chunkSize))
		if !c.it.HasNext() {
			c.ended = true
			return false
		}
		c.chunk = -1
		if !c.land(uint64(c.it.Next())) {
			return false
		}
	}
	for c.cur < d {
		if !c.next() {
			return false
		}
	}
	return true
}

func (c *zapCursor) freqNorm() (uint64, float64) {
	if !c.read && !c.entry() {
		return 0, 0
	}
	return c.freq, zapNorm(c.norm)
}

func (c *zapCursor) docScore(st *termStats) float64 {
	if !c.read && !c.entry() {
		return 0
	}
	if c.freq == 1 && c.norm < uint64(len(st.ones)) {
		return st.ones[c.norm]
	}
	return st.docScore(c.freq, zapNorm(c.norm))
}

func (c *zapCursor) positions(dst []uint64) []uint64 {
	if !c.read && !c.entry() {
		return dst
	}
	b, i := c.at, 0
	for i < len(b) {
		var pos, aps uint64
		ok := skipUvarint(b, &i) // field
		if ok {
			pos, ok = uvarint(b, &i)
		}
		ok = ok && skipUvarint(b, &i) && skipUvarint(b, &i) // start, end
		if ok {
			aps, ok = uvarint(b, &i)
		}
		for ; ok && aps > 0; aps-- {
			ok = skipUvarint(b, &i)
		}
		if !ok {
			c.bad()
			return dst
		}
		dst = append(dst, pos)
	}
	return dst
}

// skipUvarint moves *i past the uvarint at b[*i].
func skipUvarint(b []byte, i *int) bool {
	for j := *i; j < len(b); j++ {
		if b[j] < 0x80 {
			*i = j + 1
			return true
		}
	}
	return false
}

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
