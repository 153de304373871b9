//  Copyright (c) 2026 the countynews authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// 		http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package cnzap

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// List is a postings list read straight from its segment's bytes by a
// Cursor: what the direct evaluator of package search reads instead of a
// PostingsIterator, which builds a Posting and its Locations for every
// document it lands on. PostingsIterator and Cursor read the same bytes
// (TestCursorMatchesIterator).
type List struct {
	docs      *roaring.Bitmap
	mem       []byte
	chunkSize uint64
	freq, loc streamIndex
	lens      fieldLens
}

// streamIndex is the chunk index of one chunked stream of a postings list
// (newChunkedIntDecoder's).
type streamIndex struct {
	ends  []uint64 // of each chunk, relative to data
	data  uint64   // where the first chunk starts in the segment
	empty bool     // no stream (termNotEncoded)
}

// List returns p's postings for a Cursor, or nil where a Cursor cannot
// read them and the PostingsIterator must: a list with excepted (deleted)
// documents, a list of a single hit (kept in the dictionary), an empty
// one, or one of a segment whose file callbacks transform its bytes.
func (p *PostingsList) List() *List {
	if p == nil || p.sb == nil || p.postings == nil || p.except != nil || p.normBits1Hit != 0 ||
		p.chunkSize == 0 || (p.sb.fileReader != nil && p.sb.fileReader.id != "") {
		return nil
	}
	l := &List{docs: p.postings, mem: p.sb.mem, chunkSize: p.chunkSize, lens: p.lens}
	var err error
	if l.freq, err = parseStreamIndex(l.mem, p.freqOffset); err != nil || l.freq.empty {
		return nil
	}
	if l.loc, err = parseStreamIndex(l.mem, p.locOffset); err != nil {
		return nil
	}
	return l
}

// Docs is the list's bitmap of documents.
func (l *List) Docs() *roaring.Bitmap { return l.docs }

// ChunkSize is the number of document numbers a chunk covers.
func (l *List) ChunkSize() uint64 { return l.chunkSize }

// parseStreamIndex reads the chunk index of the stream at off.
func parseStreamIndex(mem []byte, off uint64) (streamIndex, error) {
	if off == termNotEncoded {
		return streamIndex{empty: true}, nil
	}
	if off >= uint64(len(mem)) {
		return streamIndex{}, ErrFormat
	}
	i := int(off)
	n, ok := uvarint(mem, &i)
	if !ok || n > uint64(len(mem)-i) {
		return streamIndex{}, ErrFormat
	}
	s := streamIndex{ends: make([]uint64, n)}
	for k := range s.ends {
		if s.ends[k], ok = uvarint(mem, &i); !ok {
			return streamIndex{}, ErrFormat
		}
	}
	s.data = uint64(i)
	return s, nil
}

// chunk returns the bytes of chunk c (nil, true: an empty stream).
func (s *streamIndex) chunk(mem []byte, c int) ([]byte, bool) {
	if s.empty || c >= len(s.ends) {
		return nil, s.empty
	}
	var start uint64
	if c > 0 {
		start = s.ends[c-1]
	}
	lo, hi := s.data+start, s.data+s.ends[c]
	if lo < s.data || lo > hi || hi > uint64(len(mem)) {
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

// skipUvarints moves *i past n uvarints of b.
func skipUvarints(b []byte, i *int, n uint64) bool {
	j := *i
	for ; n > 0; n-- {
		for {
			if j >= len(b) {
				return false
			}
			c := b[j]
			j++
			if c < 0x80 {
				break
			}
		}
	}
	*i = j
	return true
}

// Cursor walks a List in document order, decoding a posting's frequency
// and norm only when asked for them and its positions only when asked for
// those, and jumping over whole chunks when advanced. Before the first
// Next or Advance it is on no posting. The zero Cursor is ready for Reset.
type Cursor struct {
	l       *List
	it      roaring.IntPeekable
	locs    bool // read the location stream
	started bool
	ended   bool
	cur     uint64 // the current posting's document
	chunk   int    // loaded, -1: none
	end     uint64 // the first document past the loaded chunk
	fb, lb  []byte // the chunk's frequencies, and locations
	fi, li  int    // read offsets: at the current posting's entry, unless read
	read    bool   // the current posting's entry was read
	freq    uint64
	mode    uint64
	at      []byte // the current posting's location bytes (read)
	err     error
}

// Reset makes c a cursor over l, reading positions when locs.
func (c *Cursor) Reset(l *List, locs bool) {
	c.l, c.locs, c.started, c.ended, c.chunk, c.read, c.err = l, locs, false, false, -1, false, nil
	if it, ok := c.it.(interface{ Initialize(*roaring.Bitmap) }); ok && c.it != nil {
		it.Initialize(l.docs)
	} else {
		c.it = l.docs.Iterator()
	}
}

// Doc is the current posting's document number.
func (c *Cursor) Doc() uint64 { return c.cur }

// Err is the error that ended the walk, if any (ErrFormat).
func (c *Cursor) Err() error { return c.err }

func (c *Cursor) bad(what string) bool {
	c.err = fmt.Errorf("%w: %s at document %d", ErrFormat, what, c.cur)
	return false
}

// entry reads the current posting's entry: its frequency, location mode
// and location bytes.
func (c *Cursor) entry() bool {
	var v uint64
	if c.fi < len(c.fb) && c.fb[c.fi] < 0x80 { // a frequency below 32, most
		v = uint64(c.fb[c.fi])
		c.fi++
	} else {
		var ok bool
		if v, ok = uvarint(c.fb, &c.fi); !ok {
			return c.bad("frequency")
		}
	}
	c.freq, c.mode = v>>2, v&3
	c.at = nil
	if c.mode == 3 {
		return c.bad("location mode")
	}
	if c.mode != locsNone && c.locs {
		start := c.li
		switch c.mode {
		case locsCompact:
			if !skipUvarints(c.lb, &c.li, c.freq) {
				return c.bad("positions")
			}
			c.at = c.lb[start:c.li]
		case locsExact:
			n, ok := uvarint(c.lb, &c.li)
			if !ok || n > uint64(len(c.lb)-c.li) {
				return c.bad("locations")
			}
			c.at = c.lb[c.li : c.li+int(n)]
			c.li += int(n)
		}
	}
	c.read = true
	return true
}

// land makes d, the bitmap's next document, the current posting.
func (c *Cursor) land(d uint64) bool {
	if c.chunk < 0 || d >= c.end {
		ch := int(d / c.l.chunkSize)
		// d is the first posting of its chunk: the bitmap was walked in
		// order, or advanced to the chunk's first number.
		var ok bool
		if c.fb, ok = c.l.freq.chunk(c.l.mem, ch); !ok {
			c.cur = d
			return c.bad("frequency chunk")
		}
		if c.locs {
			if c.lb, ok = c.l.loc.chunk(c.l.mem, ch); !ok {
				c.cur = d
				return c.bad("location chunk")
			}
		}
		c.chunk, c.end, c.fi, c.li = ch, uint64(ch+1)*c.l.chunkSize, 0, 0
	}
	c.cur, c.read, c.started = d, false, true
	return true
}

// Next moves to the next posting; false at the end of the list (or on an
// error: see Err).
func (c *Cursor) Next() bool {
	if c.ended || c.err != nil || (c.started && !c.read && !c.entry()) {
		return false
	}
	if !c.it.HasNext() {
		c.ended = true
		return false
	}
	return c.land(uint64(c.it.Next()))
}

// Advance moves to the first posting at or after document d (staying when
// the current one is); false at the end.
func (c *Cursor) Advance(d uint64) bool {
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
		if !c.Next() {
			return false
		}
	}
	return true
}

// FreqNorm is the current posting's frequency and norm bits (the
// document's length in the field, 0 when the frequency is 0): the
// PostingsIterator's Posting has Norm float32(1/sqrt(bits)). False on a
// malformed entry.
func (c *Cursor) FreqNorm() (freq, normBits uint64, ok bool) {
	if !c.read && !c.entry() {
		return 0, 0, false
	}
	if c.freq == 0 {
		return 0, 0, true
	}
	return c.freq, uint64(c.l.lens.get(c.cur)), true
}

// Positions appends the current posting's positions to dst (a cursor
// reset with locs).
func (c *Cursor) Positions(dst []uint64) []uint64 {
	if !c.read && !c.entry() {
		return dst
	}
	b, i := c.at, 0
	if c.mode == locsCompact {
		var pos uint64
		for i < len(b) {
			d, ok := uvarint(b, &i)
			if !ok {
				c.bad("positions")
				return dst
			}
			pos += d
			dst = append(dst, pos)
		}
		return dst
	}
	for i < len(b) {
		var pos, aps uint64
		ok := skipUvarints(b, &i, 1) // field
		if ok {
			pos, ok = uvarint(b, &i)
		}
		ok = ok && skipUvarints(b, &i, 2) // start, end
		if ok {
			aps, ok = uvarint(b, &i)
		}
		ok = ok && aps <= uint64(len(b)) && skipUvarints(b, &i, aps)
		if !ok {
			c.bad("locations")
			return dst
		}
		dst = append(dst, pos)
	}
	return dst
}
