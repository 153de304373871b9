//  Copyright (c) 2017 Couchbase, Inc.
//  Copyright (c) 2026 the countynews authors (changes: see doc.go).
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
	"encoding/binary"
	"errors"
	"fmt"
)

// This file holds what the fork changed in the postings format (doc.go
// describes the format as a whole).

// ErrFormat is a postings list or length table whose bytes do not parse.
var ErrFormat = errors.New("cnzap: malformed postings")

// The location modes of a posting: the low two bits of its entry in the
// frequency stream (freq<<2 | mode).
const (
	// locsNone: no locations.
	locsNone = 0
	// locsCompact: freq positions, the first as it is and each next one
	// as the difference to the one before (never negative), one uvarint
	// each; the locations' field is the term's own, start and end are 0
	// and there are no array positions.
	locsCompact = 1
	// locsExact: zap v17's locations: their byte length, then per
	// location the field number, position, start, end, the number of
	// array positions and those (one uvarint each).
	locsExact = 2
)

func encodeFreqMode(freq uint64, mode uint64) uint64 { return freq<<2 | mode }

// decodeFreqMode splits a posting's entry; the mode 3 is not defined.
func decodeFreqMode(v uint64) (freq, mode uint64, err error) {
	if v&3 == 3 {
		return 0, 0, fmt.Errorf("%w: location mode 3", ErrFormat)
	}
	return v >> 2, v & 3, nil
}

// compactLocs reports whether the locations of a posting of field fieldID
// with frequency freq can be written in the compact mode: one a
// position, all of the term's own field, start = end = 0, no array
// positions, positions ascending (as an analyzer gives them).
func compactLocs(fieldID uint16, freq uint64, locs []interimLoc) bool {
	if uint64(len(locs)) != freq || freq == 0 {
		return false
	}
	var prev uint64
	for _, l := range locs {
		if l.fieldID != fieldID || l.start != 0 || l.end != 0 || len(l.arrayposs) != 0 || l.pos < prev {
			return false
		}
		prev = l.pos
	}
	return true
}

// appendCompactLocs appends the compact mode's uvarints of locs to dst.
func appendCompactLocs(dst []uint64, locs []interimLoc) []uint64 {
	var prev uint64
	for _, l := range locs {
		dst = append(dst, l.pos-prev)
		prev = l.pos
	}
	return dst
}

// fieldLens is a field's length table: the analysed length of the field
// in each document of the segment, which zap v17 wrote into every
// posting as the "norm bits" (a posting's Norm is 1/sqrt(length),
// rounded to float32, computed on read). Written once per field after its
// dictionary: a width byte w, then, when w is 0, the one length of every
// document (a uvarint), else numDocs lengths of w bytes each (1, 2 or 4;
// little endian).
type fieldLens struct {
	width int
	c     uint32
	data  []byte
	n     uint64 // documents
}

// get returns document d's length (0 for a number past the table).
func (l *fieldLens) get(d uint64) uint32 {
	if l == nil || d >= l.n {
		return 0
	}
	switch l.width {
	case 0:
		return l.c
	case 1:
		return uint32(l.data[d])
	case 2:
		return uint32(binary.LittleEndian.Uint16(l.data[2*d:]))
	default:
		return binary.LittleEndian.Uint32(l.data[4*d:])
	}
}

// appendLensTable appends the length table of lens (one per document) to
// dst.
func appendLensTable(dst []byte, lens []uint32) []byte {
	var mx uint32
	same := true
	for i, v := range lens {
		mx = max(mx, v)
		if i > 0 && v != lens[0] {
			same = false
		}
	}
	switch {
	case same:
		var c uint32
		if len(lens) > 0 {
			c = lens[0]
		}
		dst = append(dst, 0)
		return binary.AppendUvarint(dst, uint64(c))
	case mx < 1<<8:
		dst = append(dst, 1)
		for _, v := range lens {
			dst = append(dst, byte(v))
		}
	case mx < 1<<16:
		dst = append(dst, 2)
		for _, v := range lens {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		}
	default:
		dst = append(dst, 4)
		for _, v := range lens {
			dst = binary.LittleEndian.AppendUint32(dst, v)
		}
	}
	return dst
}

// parseLensTable reads the length table at off in mem for numDocs
// documents.
func parseLensTable(mem []byte, off, numDocs uint64) (fieldLens, error) {
	if off == 0 || off >= uint64(len(mem)) {
		return fieldLens{}, fmt.Errorf("%w: length table at %d", ErrFormat, off)
	}
	l := fieldLens{width: int(mem[off]), n: numDocs}
	switch l.width {
	case 0:
		c, n := binary.Uvarint(mem[off+1:])
		if n <= 0 || c > 1<<32-1 {
			return fieldLens{}, fmt.Errorf("%w: length table at %d", ErrFormat, off)
		}
		l.c = uint32(c)
	case 1, 2, 4:
		size := numDocs * uint64(l.width)
		if size/uint64(l.width) != numDocs || size > uint64(len(mem))-off-1 {
			return fieldLens{}, fmt.Errorf("%w: length table at %d", ErrFormat, off)
		}
		l.data = mem[off+1 : off+1+size]
	default:
		return fieldLens{}, fmt.Errorf("%w: length table width %d", ErrFormat, l.width)
	}
	return l, nil
}
