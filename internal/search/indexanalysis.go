package search

import (
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/segment"

	"countynews/internal/search/cnzap"
)

// The index-time analysis of the CJK fields in one pass.
//
// Bleve's chains (mapping.go) tokenize a paragraph twice (once for the
// bigram field text, once for the unigram field text1), allocate every
// token, copy every term in cjk_width (it rebuilds each term from its
// runes), allocate every bigram's bytes, and then TokenFrequency
// allocates a TokenFreq and a Locations slice per term. The build spent
// about 15% of its CPU there and a good part of its garbage collection.
//
// indexAnalyzer produces exactly the same tokens (term, position, start,
// end, type) from one run of the same word segmenter (UAX #29, Bleve's
// unicode tokenizer) into reused buffers: the unigram stream first (the
// tokenizer's tokens, width-folded and lowercased), the bigram stream from
// it (cjk_bigram's rules), then the run-edge markers (runEdges). Terms are
// views of the field's folded text wherever they can be (a Han character,
// and a bigram of two adjacent ones, are bytes of the text as it is), and
// the frequencies of a field are three allocations, not a few per term.
// Where the fast path cannot be sure to agree (invalid UTF-8, full- or
// half-width forms that cjk_width would rewrite, a segmenter error), the
// field goes through Bleve's own chain. TestIndexAnalysisMatchesBleve and
// FuzzIndexAnalysis compare the two token for token.

// aToken is a token of the index-time analysis.
type aToken struct {
	term       []byte
	start, end int
	pos        int
	typ        analysis.TokenType
}

// indexAnalyzer holds the buffers of the one-pass analysis. It is not
// safe for concurrent use: each build worker has its own.
type indexAnalyzer struct {
	vals  [][]byte
	types []int
	uni   []aToken // the unigram analyzer's tokens
	big   []aToken // the cjk analyzer's tokens
	out   []aToken // big plus the run-edge markers, offsets zeroed
	tfIdx []int32
}

// unigrams fills a.uni with the tokens of Bleve's cjk_unigram analyzer
// (unicode tokenizer, cjk_width, to_lower) for in, and reports false if
// in needs Bleve's own chain. in is not modified; the terms are views of
// it, except lowercased ones.
func (a *indexAnalyzer) unigrams(in []byte) bool {
	a.uni = a.uni[:0]
	vals, types, _, err := segment.SegmentWordsDirect(in, a.vals[:0], a.types[:0])
	a.vals, a.types = vals, types
	if err != nil {
		return false
	}
	start, pos := 0, 1
	for i, v := range vals {
		end := start + len(v)
		if types[i] != segment.None {
			if !plainForWidth(v) {
				return false
			}
			a.uni = append(a.uni, aToken{term: lowered(v), start: start, end: end, pos: pos, typ: tokenType(types[i])})
			pos++
		}
		start = end
	}
	return true
}

// tokenType is the unicode tokenizer's type of a segment (its convertType).
func tokenType(t int) analysis.TokenType {
	switch t {
	case segment.Ideo, segment.Kana:
		return analysis.Ideographic
	case segment.Number:
		return analysis.Numeric
	}
	return analysis.AlphaNumeric
}

// plainForWidth reports whether the term in is valid UTF-8 without a
// character of the Halfwidth and Fullwidth Forms block (U+FF00–U+FFEF,
// encoded EF BC–BF xx): cjk_width then leaves it as it is (it rewrites
// U+FF01–U+FF5E and U+FF65–U+FF9F, and replaces invalid bytes with
// U+FFFD). text.Fold has already folded the full-width letters and digits,
// and full-width punctuation is never part of a token, so this is nearly
// every term.
func plainForWidth(in []byte) bool {
	for i := 0; i < len(in); i++ {
		if in[i] == 0xEF && i+1 < len(in) && in[i+1] >= 0xBC {
			return false
		}
	}
	return utf8.Valid(in)
}

// lowered is to_lower's term for s: s itself if no rune changes, else a
// lowercased copy (to_lower lowercases in place, but s is the field's
// text, which the other fields read too).
func lowered(s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return toLowerDeferredCopy(append([]byte(nil), s...))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if unicode.ToLower(r) != r {
			return toLowerDeferredCopy(append([]byte(nil), s...))
		}
		i += n
	}
	return s
}

// toLowerDeferredCopy is Bleve v2.6.3's to_lower filter on one term
// (analysis/token/lowercase), copied: it lowercases s in place, except
// where a lowercase rune is wider (Ⱥ → ⱥ), and turns a final σ into ς.
func toLowerDeferredCopy(s []byte) []byte {
	j := 0
	for i := 0; i < len(s); {
		wid := 1
		r := rune(s[i])
		if r >= utf8.RuneSelf {
			r, wid = utf8.DecodeRune(s[i:])
		}
		l := unicode.ToLower(r)
		if l == r {
			i += wid
			j += wid
			continue
		}
		if l == 'σ' && i+2 == len(s) {
			l = 'ς'
		}
		lwid := utf8.RuneLen(l)
		if lwid > wid {
			rest := toLowerBytes(s[i:])
			rv := make([]byte, j+len(rest))
			copy(rv[:j], s[:j])
			copy(rv[j:], rest)
			return rv
		}
		utf8.EncodeRune(s[j:], l)
		i += wid
		j += lwid
	}
	return s[:j]
}

// toLowerBytes is bytes.ToLower (named apart so that the copy above reads
// as Bleve's).
func toLowerBytes(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range string(s) {
		out = utf8.AppendRune(out, unicode.ToLower(r))
	}
	return out
}

// bigrams fills a.big with the tokens of Bleve's cjk analyzer from a.uni
// (the cjk_bigram filter's rules): every Ideographic token is split into
// its characters; a run of characters adjacent in the text becomes its
// overlapping bigrams (Double), a run of one stays a lone character
// (Single); every other token passes through; positions count the tokens
// put out. in is the text a.uni was made from.
func (a *indexAnalyzer) bigrams(in []byte) {
	a.big = a.big[:0]
	var prev, last aToken
	items := 0 // characters of the current run held (at most 2)
	pos := 1
	flush := func() {
		if items == 1 {
			a.big = append(a.big, aToken{term: last.term, start: last.start, end: last.end, pos: pos, typ: analysis.Single})
			pos++
		}
		items = 0
	}
	for _, t := range a.uni {
		if t.typ != analysis.Ideographic {
			flush()
			t.pos = pos
			a.big = append(a.big, t)
			pos++
			continue
		}
		for sofar := 0; sofar < len(t.term); {
			_, n := utf8.DecodeRune(t.term[sofar:])
			c := aToken{term: t.term[sofar : sofar+n], start: t.start + sofar, end: t.start + sofar + n}
			sofar += n
			if items > 0 && c.start != last.end {
				flush()
			}
			prev, last = last, c
			if items < 2 {
				items++
			}
			if items == 2 {
				a.big = append(a.big, aToken{term: bigramTerm(in, prev, last), start: prev.start, end: last.end, pos: pos, typ: analysis.Double})
				pos++
			}
		}
	}
	if items == 1 {
		a.big = append(a.big, aToken{term: last.term, start: last.start, end: last.end, pos: pos, typ: analysis.Single})
	}
}

// bigramTerm is the bigram of the adjacent characters p and c: the bytes of
// the text they span when both are the text's own bytes, else a copy.
func bigramTerm(in []byte, p, c aToken) []byte {
	if p.end == c.start && c.end <= len(in) && sameBytes(p.term, in[p.start:p.end]) && sameBytes(c.term, in[c.start:c.end]) {
		return in[p.start:c.end:c.end]
	}
	return append(append(make([]byte, 0, len(p.term)+len(c.term)), p.term...), c.term...)
}

// sameBytes reports whether a and b are the same bytes in memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.SliceData(a) == unsafe.SliceData(b))
}

// edges fills a.out with a.big plus the run-edge markers, offsets zeroed:
// runEdges' tokens (analysis.go).
func (a *indexAnalyzer) edges() {
	toks := a.big
	a.out = a.out[:0]
	isWord := func(i int) bool {
		return i >= 0 && i < len(toks) && toks[i].typ != analysis.Double && toks[i].typ != analysis.Single
	}
	mark := func(term string, at aToken) {
		a.out = append(a.out, aToken{term: []byte(term), pos: at.pos, typ: at.typ})
	}
	for i, t := range toks {
		a.out = append(a.out, aToken{term: t.term, pos: t.pos, typ: t.typ})
		switch t.typ {
		case analysis.Single:
			if r, ok := loneHan(t.term); ok && (isWord(i-1) || isWord(i+1)) {
				mark(runStart(r), t)
				mark(runEnd(r), t)
			}
		case analysis.Double:
			if isWord(i - 1) {
				r, _ := utf8.DecodeRune(t.term)
				mark(runStart(r), t)
			}
			if isWord(i + 1) {
				r, _ := utf8.DecodeLastRune(t.term)
				mark(runEnd(r), t)
			}
		}
	}
}

// frequencies is analysis.TokenFrequency for toks (no array positions):
// the same map, with the TokenFreqs and locations of the field in one
// slab each. The map's keys share the terms' bytes (see indexField: they
// are never written again).
func (a *indexAnalyzer) frequencies(toks []aToken, opt index.FieldIndexingOptions) index.TokenFrequencies {
	rv := make(index.TokenFrequencies, len(toks))
	tfs := make([]index.TokenFreq, 0, len(toks)) // never grows: pointers into it stay valid
	a.tfIdx = a.tfIdx[:0]
	count := !opt.SkipFreqNorm()
	for _, t := range toks {
		k := unsafe.String(unsafe.SliceData(t.term), len(t.term))
		tf, ok := rv[k]
		if !ok {
			tfs = append(tfs, index.TokenFreq{Term: t.term})
			tf = &tfs[len(tfs)-1]
			rv[k] = tf
		}
		if count {
			tf.SetFrequency(tf.Frequency() + 1)
		}
		// tf's number in the slab
		a.tfIdx = append(a.tfIdx, int32((uintptr(unsafe.Pointer(tf))-uintptr(unsafe.Pointer(unsafe.SliceData(tfs))))/unsafe.Sizeof(index.TokenFreq{})))
	}
	if !opt.IncludeTermVectors() {
		return rv
	}
	// Locations: one slab, each term's run of pointers sized by a count.
	counts := make([]int, len(tfs))
	for _, j := range a.tfIdx {
		counts[j]++
	}
	ptrs := make([]*index.TokenLocation, len(toks))
	off := 0
	for j := range tfs {
		tfs[j].Locations = ptrs[off:off:(off + counts[j])]
		off += counts[j]
	}
	locs := make([]index.TokenLocation, len(toks))
	for i, t := range toks {
		locs[i] = index.TokenLocation{Start: t.start, End: t.end, Position: t.pos}
		tf := &tfs[a.tfIdx[i]]
		tf.Locations = append(tf.Locations, &locs[i])
	}
	return rv
}

// indexField is a CJK text field of a paragraph's document (text, text1,
// topic, headline) analysed by indexAnalyzer: the same field Bleve's
// document.NewTextFieldCustom with the schema's analyzer makes, indexed
// the same. The text field carries its text1 sibling (same text) and
// analyses both from one tokenization. Its value is never modified once
// the field is made: the frequencies' keys are views of it.
type indexField struct {
	name    string
	opts    index.FieldIndexingOptions
	value   []byte
	bigrams bool        // the cjk analyzer with run-edge markers; else cjk_unigram
	uni     *indexField // the text1 sibling analysed with this field (nil: none)
	sibling bool        // this is another field's uni
	ref     analysis.Analyzer
	refUni  analysis.Analyzer
	done    bool
	length  int
	freqs   index.TokenFrequencies
}

// Analyze analyses the field on its own buffers (scorch's online path for
// updates calls it); a full build's workers call analyzeWith.
func (f *indexField) Analyze() { f.analyzeWith(&indexAnalyzer{}) }

// analyzeWith analyses the field, and its text1 sibling, with a's buffers.
func (f *indexField) analyzeWith(a *indexAnalyzer) {
	if f.done {
		return
	}
	f.done = true
	if !a.unigrams(f.value) {
		f.reference()
		return
	}
	if f.uni != nil {
		f.uni.done, f.uni.length, f.uni.freqs = true, len(a.uni), a.frequencies(a.uni, f.uni.opts)
	}
	if !f.bigrams {
		f.length, f.freqs = len(a.uni), a.frequencies(a.uni, f.opts)
		return
	}
	a.bigrams(f.value)
	a.edges()
	f.length, f.freqs = len(a.out), a.frequencies(a.out, f.opts)
}

// invert analyses the field, and its text1 sibling, with a's buffers into
// inv (document doc): the tokens analyzeWith counts into token
// frequencies, put into the batch's postings as they come. The sibling
// itself does nothing (its tokens come with this field's).
func (f *indexField) invert(a *indexAnalyzer, inv *cnzap.Inverted, doc uint32) {
	if f.sibling {
		return
	}
	if !a.unigrams(f.value) {
		f.invertReference(inv, doc)
		return
	}
	if f.uni != nil {
		invertTokens(inv.Field(f.uni.name, f.uni.opts), doc, a.uni)
	}
	if !f.bigrams {
		invertTokens(inv.Field(f.name, f.opts), doc, a.uni)
		return
	}
	a.bigrams(f.value)
	a.edges()
	invertTokens(inv.Field(f.name, f.opts), doc, a.out)
}

// invertTokens puts toks, the tokens of a field of document doc, into the
// field's postings.
func invertTokens(inv *cnzap.InvertedField, doc uint32, toks []aToken) {
	for _, t := range toks {
		inv.Token(doc, t.term, t.pos, t.start, t.end)
	}
	inv.Length(doc, len(toks))
}

// invertReference is invert with Bleve's chains (see reference).
func (f *indexField) invertReference(inv *cnzap.Inverted, doc uint32) {
	put := func(name string, opts index.FieldIndexingOptions, ref analysis.Analyzer, value []byte) {
		fi := inv.Field(name, opts)
		toks := ref.Analyze(append([]byte(nil), value...))
		for _, t := range toks {
			fi.Token(doc, t.Term, t.Position, t.Start, t.End)
		}
		fi.Length(doc, len(toks))
	}
	put(f.name, f.opts, f.ref, f.value)
	if u := f.uni; u != nil {
		put(u.name, u.opts, f.refUni, u.value)
	}
}

// reference analyses the field, and its sibling, with Bleve's chains.
func (f *indexField) reference() {
	toks := f.ref.Analyze(append([]byte(nil), f.value...))
	f.length, f.freqs = len(toks), analysis.TokenFrequency(toks, nil, f.opts)
	if u := f.uni; u != nil {
		toks := f.refUni.Analyze(append([]byte(nil), u.value...))
		u.done, u.length, u.freqs = true, len(toks), analysis.TokenFrequency(toks, nil, u.opts)
	}
}

func (f *indexField) Name() string                                     { return f.name }
func (f *indexField) ArrayPositions() []uint64                         { return nil }
func (f *indexField) Options() index.FieldIndexingOptions              { return f.opts }
func (f *indexField) Value() []byte                                    { return f.value }
func (f *indexField) NumPlainTextBytes() uint64                        { return uint64(len(f.value)) }
func (f *indexField) EncodedFieldType() byte                           { return 't' }
func (f *indexField) AnalyzedLength() int                              { return f.length }
func (f *indexField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Size is the field's memory estimate (scorch's batch accounting).
func (f *indexField) Size() int {
	n := int(unsafe.Sizeof(*f)) + size.SizeOfPtr + len(f.name) + len(f.value)
	if f.freqs != nil {
		n += f.freqs.Size()
	}
	return n
}
