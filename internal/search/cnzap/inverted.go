package cnzap

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Inverted holds the inverted index of a batch of documents as the
// documents' fields are analysed: per field, a term's hits (document,
// position) appended as the analyser puts the tokens out, and each
// document's field length. NewFromInverted writes a segment from it
// without the steps of New in between: no index.TokenFrequencies map per
// field, no interim maps per document, no roaring bitmap per term while
// the documents are read (New's interim process and realloc, about a
// third of a build's CPU). The bytes written are New's for the same
// documents (package search's TestInvertedSegmentsMatchBleve).
//
// An Inverted is reused batch after batch (Reset): its buffers keep their
// capacity. It is not safe for concurrent use.
type Inverted struct {
	fields map[string]*InvertedField
	err    error
}

// InvertedField is one field's inverted index in an Inverted.
type InvertedField struct {
	used     bool
	opts     index.FieldIndexingOptions
	vectors  bool              // locations kept (index.IncludeTermVectors)
	skipFreq bool              // frequencies written as 0 (index.SkipFreqNorm)
	dict     map[string]uint32 // terms not in small
	small    smallTerms
	terms    [][]byte // by term number
	last     []uint32 // by term number: 1 + the document of its last hit
	lastHit  []uint32 // by term number: its last hit (fields without locations)
	count    []uint32 // by term number: its hits
	ndocs    []uint32 // by term number: its documents
	hits     []hit
	lens     []uint32 // by document: the field's analysed length
	// the write's buffers
	sorted []hit
	off    []uint32
	order  []uint32
	keys   []sortKey
	owner  *Inverted
}

// hit is a term's occurrence in a document: with locations, one token
// (position and offsets); without, pos counts the document's tokens of
// the term.
type hit struct {
	term, doc, pos, start, end uint32
}

// NewInverted returns an empty Inverted.
func NewInverted() *Inverted { return &Inverted{fields: map[string]*InvertedField{}} }

// Reset empties b for another batch, keeping its buffers.
func (b *Inverted) Reset() {
	b.err = nil
	for _, f := range b.fields {
		if !f.used {
			continue
		}
		f.used = false
		clear(f.dict)
		f.small.reset()
		clear(f.terms)
		f.terms = f.terms[:0]
		f.last, f.lastHit, f.count, f.ndocs = f.last[:0], f.lastHit[:0], f.count[:0], f.ndocs[:0]
		f.hits, f.lens = f.hits[:0], f.lens[:0]
		clear(f.sorted)
	}
}

// Field returns the inverted index of the field name, indexed with opts.
// The fields of one name must have one set of options in a batch (else
// NewFromInverted fails).
func (b *Inverted) Field(name string, opts index.FieldIndexingOptions) *InvertedField {
	f := b.fields[name]
	if f == nil {
		f = &InvertedField{dict: map[string]uint32{}, owner: b}
		b.fields[name] = f
	}
	if !f.used {
		f.used, f.opts = true, opts
		f.vectors, f.skipFreq = opts.IncludeTermVectors(), opts.SkipFreqNorm()
	} else if f.opts != opts && b.err == nil {
		b.err = fmt.Errorf("field %q indexed with options %v and %v in one batch", name, f.opts, opts)
	}
	return f
}

// termID returns the number of term, entering it if it is new. The
// dictionary's key is a view of term: its bytes must not change until
// the segment is written. Terms of 1–7 bytes (a Han character is 3, a
// bigram 6) are looked up in an open-addressing table on the bytes
// themselves (smallTerms), the rest in a map.
func (f *InvertedField) termID(term []byte) uint32 {
	if n := len(term); n >= 1 && n <= maxSmallTerm {
		key := packTerm(term)
		if id, ok := f.small.get(key); ok {
			return id
		}
		id := f.newTerm(term)
		f.small.put(key, id)
		return id
	}
	if id, ok := f.dict[unsafe.String(unsafe.SliceData(term), len(term))]; ok {
		return id
	}
	id := f.newTerm(term)
	f.dict[unsafe.String(unsafe.SliceData(term), len(term))] = id
	return id
}

// newTerm enters term under the next number.
func (f *InvertedField) newTerm(term []byte) uint32 {
	id := uint32(len(f.terms))
	f.terms = append(f.terms, term)
	f.last = append(f.last, 0)
	f.lastHit = append(f.lastHit, 0)
	f.count = append(f.count, 0)
	f.ndocs = append(f.ndocs, 0)
	return id
}

// maxSmallTerm is the longest term smallTerms holds.
const maxSmallTerm = 7

// packTerm is the key of a term of 1–7 bytes in smallTerms: its bytes,
// little endian, and its length in the top byte (never 0).
func packTerm(term []byte) uint64 {
	var b [8]byte
	copy(b[:], term)
	b[7] = byte(len(term))
	return binary.LittleEndian.Uint64(b[:])
}

// sortPrefix is the first 8 bytes of term, big endian, zero padded:
// prefixes order as the terms do, except that terms sharing their first 8
// bytes (or one a zero-padded prefix of the other) compare equal.
func sortPrefix(term []byte) uint64 {
	var b [8]byte
	copy(b[:], term)
	return binary.BigEndian.Uint64(b[:])
}

// smallTerms maps packed terms (packTerm) to term numbers: open
// addressing, linear probing, at most half full.
type smallTerms struct {
	keys []uint64 // 0: empty
	ids  []uint32
	n    int
	bits uint
}

func (t *smallTerms) slot(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> (64 - t.bits)
}

func (t *smallTerms) get(key uint64) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	mask := uint64(len(t.keys) - 1)
	for i := t.slot(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return t.ids[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *smallTerms) put(key uint64, id uint32) {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	i := t.slot(key)
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.ids[i] = key, id
	t.n++
}

func (t *smallTerms) grow() {
	keys, ids := t.keys, t.ids
	t.bits = max(10, t.bits+1)
	t.keys, t.ids, t.n = make([]uint64, 1<<t.bits), make([]uint32, 1<<t.bits), 0
	for i, k := range keys {
		if k != 0 {
			t.put(k, ids[i])
		}
	}
}

// reset empties t, keeping its table.
func (t *smallTerms) reset() {
	if t.n > 0 {
		clear(t.keys)
		t.n = 0
	}
}

// Token adds a token of the field in document doc (documents are added in
// order, numbered from 0): its term (a view kept until the segment is
// written), position and byte offsets (kept only if the field keeps
// locations), as Bleve's analysis.TokenFrequency counts a token.
func (f *InvertedField) Token(doc uint32, term []byte, pos, start, end int) {
	id := f.termID(term)
	if f.last[id] != doc+1 {
		f.last[id] = doc + 1
		f.ndocs[id]++
	} else if !f.vectors {
		f.hits[f.lastHit[id]].pos++
		return
	}
	if !f.vectors {
		f.lastHit[id] = uint32(len(f.hits))
		f.hits = append(f.hits, hit{term: id, doc: doc, pos: 1})
		f.count[id]++
		return
	}
	f.hits = append(f.hits, hit{term: id, doc: doc, pos: uint32(pos), start: uint32(start), end: uint32(end)})
	f.count[id]++
}

// Frequencies adds a field of document doc analysed by Bleve (its token
// frequencies, as a field's AnalyzedTokenFrequencies).
func (f *InvertedField) Frequencies(doc uint32, tfs index.TokenFrequencies) {
	for _, tf := range tfs {
		if !f.vectors {
			// a frequency of 0 (SkipFreqNorm) still puts the document
			// in the term's postings
			for range max(1, tf.Frequency()) {
				f.Token(doc, tf.Term, 0, 0, 0)
			}
			continue
		}
		for _, l := range tf.Locations {
			if len(l.ArrayPositions) > 0 && f.owner.err == nil {
				f.owner.err = errors.New("array positions are not supported")
			}
			f.Token(doc, tf.Term, l.Position, l.Start, l.End)
		}
	}
}

// Length adds n to the field's analysed length in document doc.
func (f *InvertedField) Length(doc uint32, n int) {
	for uint32(len(f.lens)) <= doc {
		f.lens = append(f.lens, 0)
	}
	f.lens[doc] += uint32(n)
}

// sort orders the field's hits by term number (stably: by document, then
// as added) into f.sorted, with each term's first hit in f.off, and its
// term numbers by term into f.order.
func (f *InvertedField) sort() {
	n := len(f.terms)
	f.off = slices.Grow(f.off[:0], n+1)[:n+1]
	f.off[0] = 0
	for id, c := range f.count {
		f.off[id+1] = f.off[id] + c
	}
	f.sorted = slices.Grow(f.sorted[:0], len(f.hits))[:len(f.hits)]
	next := f.last // the documents of the last hits are not needed anymore
	copy(next, f.off[:n])
	for _, h := range f.hits {
		f.sorted[next[h.term]] = h
		next[h.term]++
	}
	f.keys = f.keys[:0]
	for id, t := range f.terms {
		f.keys = append(f.keys, sortKey{sortPrefix(t), uint32(id)})
	}
	slices.SortFunc(f.keys, func(a, b sortKey) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return bytes.Compare(f.terms[a.id], f.terms[b.id])
	})
	f.order = f.order[:0]
	for _, k := range f.keys {
		f.order = append(f.order, k.id)
	}
}

// sortKey is a term's number with its sortPrefix, for sorting.
type sortKey struct {
	prefix uint64
	id     uint32
}

// NewFromInverted builds a segment of docs, whose indexed fields' postings
// and lengths are inv's (docs' own analysis is not read: only their
// fields' names, options and stored values), byte for byte the segment
// New builds of the same documents analysed by Bleve.
func (z *ZapPlugin) NewFromInverted(docs []index.Document, inv *Inverted) (segment.Segment, uint64, error) {
	if inv.err != nil {
		return nil, 0, inv.err
	}
	return z.newWithChunkMode(docs, DefaultChunkMode, nil, inv)
}

// writeDictsInverted is writeDicts for a segment built from inv.
func (io *invertedIndexOpaque) writeDictsInverted(w *FileWriter, inv *Inverted) error {
	if len(io.results) == 0 {
		return nil
	}
	fw := newFieldsWriter(io, w)
	numDocs := len(io.results)
	var docTermMap [][]byte
	var locBuf []uint64
	var plocs []interimLoc
	var docs []uint32
	for len(io.IncludeDocValues) < len(io.FieldsInv) {
		io.IncludeDocValues = append(io.IncludeDocValues, false)
	}
	for fieldID, name := range io.FieldsInv {
		dv := io.IncludeDocValues[fieldID]
		if dv {
			docTermMap = slices.Grow(docTermMap[:0], numDocs)[:numDocs]
			for d := range docTermMap {
				docTermMap[d] = docTermMap[d][:0]
			}
		}
		f := inv.fields[name]
		if f == nil || !f.used {
			if err := fw.finishField(fieldID, docTermMap, nil); err != nil {
				return err
			}
			continue
		}
		f.sort()
		for _, id := range f.order {
			term := f.terms[id]
			hs := f.sorted[f.off[id]:f.off[id+1]]
			if err := fw.startTerm(uint64(f.ndocs[id])); err != nil {
				return err
			}
			docs = docs[:0]
			for i := 0; i < len(hs); {
				doc := hs[i].doc
				j := i + 1
				for j < len(hs) && hs[j].doc == doc {
					j++
				}
				var freq uint64
				plocs = plocs[:0]
				if f.vectors {
					freq = uint64(j - i)
					for _, h := range hs[i:j] {
						plocs = append(plocs, interimLoc{fieldID: uint16(fieldID), pos: uint64(h.pos), start: uint64(h.start), end: uint64(h.end)})
					}
				} else {
					freq = uint64(hs[i].pos)
				}
				if f.skipFreq {
					freq = 0
				}
				var err error
				if locBuf, err = fw.addPosting(uint16(fieldID), uint64(doc), freq, plocs, locBuf); err != nil {
					return err
				}
				docs = append(docs, doc)
				if dv {
					docTermMap[doc] = append(append(docTermMap[doc], term...), index.DocValueTermSeparator)
				}
				i = j
			}
			if err := fw.finishTermDocs(term, docs); err != nil {
				return err
			}
		}
		var lens []uint32
		if len(f.lens) > 0 {
			for len(f.lens) < numDocs {
				f.lens = append(f.lens, 0)
			}
			lens = f.lens
		}
		if err := fw.finishField(fieldID, docTermMap, lens); err != nil {
			return err
		}
	}
	return nil
}
