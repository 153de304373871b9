package search

import "unicode/utf8"

// Span is a run of a text, as byte offsets [Start, End), that a search
// matched.
type Span struct{ Start, End int }

// Marks returns the spans of text that r's query matched, found as the
// highlighter finds them (width folding, case folding, Latin words and
// numbers whole, overlapping and touching occurrences merged), in order.
// A page that shows a whole paragraph marks these, so that it marks
// exactly what a search hit's highlight marks: 5级 is not marked inside
// 第15级, and ５级 is marked as 5级. Excluded terms and terms that analyse
// to nothing are never marked.
func (ix *Index) Marks(r Request, text string) []Span {
	c := ix.compile(r.Query)
	if c.none || len(c.marks) == 0 {
		return nil
	}
	return runeSpansToBytes(text, findSpans(foldRunes(text), c.marks))
}

// runeSpansToBytes turns spans of character indices of text into byte
// offsets.
func runeSpansToBytes(text string, spans []span) []Span {
	if len(spans) == 0 {
		return nil
	}
	out := make([]Span, 0, len(spans))
	// offsets[i] is the byte offset of character i; one pass over text.
	offsets := make([]int, 0, utf8.RuneCountInString(text)+1)
	for i := range text {
		offsets = append(offsets, i)
	}
	offsets = append(offsets, len(text))
	for _, sp := range spans {
		out = append(out, Span{Start: offsets[sp.s], End: offsets[sp.e]})
	}
	return out
}
