package search

import (
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode"

	"countynews/internal/text"
)

// fragmentRunes is the length of a highlighted fragment, in characters.
const fragmentRunes = 120

// We highlight ourselves rather than with Bleve's html highlighter, which
// works from the bigram locations of the text field: it marks 红色物业 as
// <mark>红色</mark><mark>物业</mark> after the first occurrence, drops the
// last character of a repeated odd-length term (<mark>金乡</mark>县) and
// needs the text stored twice. Here a term is found as a substring of the
// text itself, which is what the search matched (see termQuery).

// span is a run of characters [s, e) to mark; terms is a bit set of the
// query terms found in it.
type span struct {
	s, e  int
	terms uint64
}

// highlight returns an HTML fragment of text of about width characters:
// every occurrence of every term in <mark>…</mark>, overlapping and
// touching occurrences merged into one mark, everything else escaped, … where
// the text was cut. The fragment chosen holds the most distinct terms,
// then the most marks, and starts at a sentence start if it can. It works
// on characters, never splitting one. With no occurrence it is the start
// of the text.
//
// Terms match case-insensitively and after width folding; a term that
// starts or ends with a letter or digit (not a Han character) only matches
// where the text has no letter or digit next to it, as search matches
// Latin words and numbers whole.
func highlight(text string, terms []string, width int) string {
	rs := []rune(text)
	low := foldRuneSlice(slices.Clone(rs))
	spans := findSpans(low, terms)
	st, end := 0, len(rs)
	switch {
	case len(rs) <= width:
	case len(spans) == 0:
		end = width
	default:
		st, end = bestWindow(rs, spans, width)
	}
	var b strings.Builder
	b.Grow(3*(end-st) + 64) // UTF-8 Chinese, a few marks
	if st > 0 {
		b.WriteString("…")
	}
	at := st
	for _, sp := range spans {
		if sp.e <= st || sp.s >= end {
			continue
		}
		s, e := max(sp.s, st), min(sp.e, end)
		escapeRunes(&b, rs[at:s])
		b.WriteString("<mark>")
		escapeRunes(&b, rs[s:e])
		b.WriteString("</mark>")
		at = e
	}
	escapeRunes(&b, rs[at:end])
	if end < len(rs) {
		b.WriteString("…")
	}
	return b.String()
}

// escapeRunes writes rs to b escaped as html.EscapeString escapes a
// string (<, >, &, ' and "), without making the string first.
func escapeRunes(b *strings.Builder, rs []rune) {
	for _, r := range rs {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '"':
			b.WriteString("&#34;")
		default:
			b.WriteRune(r)
		}
	}
}

// foldRunes returns s folded as for matching (width, traditional to
// simplified: text.Fold) and lower-cased, one rune for each rune of s, so
// that a match found in the folded text marks the printed characters.
func foldRunes(s string) []rune { return foldRuneSlice([]rune(s)) }

// foldRuneSlice folds rs in place as foldRunes folds a string, and returns
// it.
func foldRuneSlice(rs []rune) []rune {
	text.FoldRunes(rs)
	for i, r := range rs {
		switch {
		case r >= 'A' && r <= 'Z':
			rs[i] = r + 'a' - 'A'
		case r < 0x80 || r >= noCaseFirst && r <= noCaseLast:
			// ASCII, and Han (CJK Unified Ideographs and Extension
			// A, most of a Chinese text) have no case: skip the tables.
		default:
			rs[i] = unicode.ToLower(r)
		}
	}
	return rs
}

// noCaseFirst and noCaseLast bound the Han blocks foldRuneSlice leaves as
// they are (TestNoCaseBlock).
const (
	noCaseFirst = 0x3400
	noCaseLast  = 0x9FFF
)

// wordRune reports whether r belongs to a Latin word or a number, which
// search matches whole.
func wordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsNumber(r)) && !text.IsCJK(r)
}

// joined reports whether text[k] continues the word or number that ends
// (dir -1: starts) next to it: a letter or digit, or the point or comma of
// a decimal or thousands figure (4.5, 1,000), which the tokenizer keeps in
// one token.
func joined(text []rune, k, dir int) bool {
	if k < 0 || k >= len(text) {
		return false
	}
	if wordRune(text[k]) {
		return true
	}
	inner, outer := k-dir, k+dir
	return (text[k] == '.' || text[k] == ',') && outer >= 0 && outer < len(text) &&
		unicode.IsDigit(text[inner]) && unicode.IsDigit(text[outer])
}

// findSpans finds every occurrence of every term in text (both folded) and
// merges overlapping or touching ones, in order.
func findSpans(text []rune, terms []string) []span {
	var occ []span
	for k, t := range terms {
		// The index ignores punctuation, so a term holding some
		// (乡村振兴！, 红色物业、网格, alert(1)) matched its pieces one after
		// the other with any punctuation or spaces between them: that is
		// what is marked, as one span.
		// The term as typed is marked too where it occurs verbatim
		// (<b> in a<b>c, not only its b).
		bit := uint64(1) << (k % 64)
		whole := []rune(strings.TrimSpace(string(foldRunes(t))))
		var ps [][]rune
		for _, p := range termPieces(string(whole)) {
			ps = append(ps, []rune(p))
		}
		if len(ps) == 0 {
			continue
		}
		if len(ps) > 1 || len(ps[0]) != len(whole) {
			for i := 0; i+len(whole) <= len(text); i++ {
				if slices.Equal(text[i:i+len(whole)], whole) {
					occ = append(occ, span{i, i + len(whole), bit})
				}
			}
		}
		first, last := ps[0], ps[len(ps)-1]
		wordStart, wordEnd := wordRune(first[0]), wordRune(last[len(last)-1])
		for i := 0; i+len(first) <= len(text); i++ {
			if text[i] != first[0] {
				continue // what piecesAt would find first, without the call
			}
			e, ok := piecesAt(text, i, ps)
			if !ok {
				continue
			}
			if wordStart && joined(text, i-1, -1) {
				continue
			}
			if wordEnd && joined(text, e, 1) {
				continue
			}
			occ = append(occ, span{i, e, bit})
		}
	}
	sort.Slice(occ, func(i, j int) bool { return occ[i].s < occ[j].s })
	var out []span
	for _, o := range occ {
		if n := len(out); n > 0 && o.s <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, o.e)
			out[n-1].terms |= o.terms
			continue
		}
		out = append(out, o)
	}
	return out
}

// piecesAt reports whether the pieces ps occur in text from i on, one
// after the other, separated by at least one character that is not a
// letter or digit (as the index, which drops those, matched them), and
// where the last one ends.
func piecesAt(text []rune, i int, ps [][]rune) (int, bool) {
	at := i
	for n, p := range ps {
		if n > 0 {
			gap := at
			for at < len(text) && splitRune(text[at]) {
				at++
			}
			if at == gap {
				return 0, false
			}
		}
		if at+len(p) > len(text) {
			return 0, false
		}
		for j, r := range p {
			if text[at+j] != r {
				return 0, false
			}
		}
		at += len(p)
	}
	return at, true
}

// sentenceEnd reports whether r ends a sentence or clause a fragment may
// start after.
func sentenceEnd(r rune) bool {
	return strings.ContainsRune("。！？；!?;\n", r)
}

// bestWindow picks the fragment [st, end) of about width characters.
// Candidates start at the text's start, at every sentence start, and a few
// characters before every mark; a mark is never cut. Among windows with as
// many distinct terms and marks, one starting a sentence wins, then the
// one whose first mark comes nearest after the lead, the few characters of
// context wanted before it.
func bestWindow(rs []rune, spans []span, width int) (int, int) {
	lead := width / 10 // context kept before a mark
	// Only starts up to width before a mark can show it; at most
	// maxStarts are tried, which bounds the work on pathological texts.
	const maxStarts = 256
	starts := []int{0}
	k := 0 // next span at or after i
	for i := 1; i < len(rs) && len(starts) < maxStarts; i++ {
		for k < len(spans) && spans[k].s < i {
			k++
		}
		if k == len(spans) {
			break
		}
		if sentenceEnd(rs[i-1]) && spans[k].s-i < width {
			starts = append(starts, i)
		}
	}
	for _, sp := range spans[:min(len(spans), maxStarts)] {
		starts = append(starts, max(0, sp.s-lead))
	}
	type score struct{ terms, marks, sentence, offset, st, end int }
	var best score
	bestSet := false
	for _, st := range starts {
		end := min(len(rs), st+width)
		for _, sp := range spans {
			if sp.s < st && sp.e > st {
				st = sp.s // do not cut a mark at the start
			}
		}
		for _, sp := range spans {
			if sp.s < end && sp.e > end {
				end = sp.e // nor at the end
			}
		}
		var terms uint64
		marks, first := 0, -1
		for _, sp := range spans {
			if sp.s >= st && sp.e <= end {
				terms |= sp.terms
				marks++
				if first < 0 {
					first = sp.s
				}
			}
		}
		sc := score{terms: bits.OnesCount64(terms), marks: marks, st: st, end: end}
		if first >= 0 {
			sc.offset = abs(first - st - lead)
		}
		if st == 0 || sentenceEnd(rs[st-1]) {
			sc.sentence = 1
		}
		better := !bestSet ||
			sc.terms > best.terms ||
			sc.terms == best.terms && (sc.marks > best.marks ||
				sc.marks == best.marks && (sc.sentence > best.sentence ||
					sc.sentence == best.sentence && (sc.offset < best.offset ||
						sc.offset == best.offset && sc.st < best.st)))
		if better {
			best, bestSet = sc, true
		}
	}
	return best.st, best.end
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
