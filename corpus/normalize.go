package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// FoldWidth folds full-width digits, Latin letters and the ASCII-like symbols
// an OCR engine emits in full-width form (％ ＋ － ＝ ／ …) to their half-width
// forms, and the ideographic space U+3000 to an ASCII space. Chinese
// punctuation (，。：；！？（）“”) is kept as printed: it is part of the text
// readers quote. Bleve's CJK analyzer drops full-width digits entirely
// (２０２１年 analyses to 年), so documents and queries must both pass through
// this function before analysis.
//
// A full-width full stop ． between two digits is a decimal point and becomes
// ".", elsewhere it is kept.
func FoldWidth(s string) string {
	if isNarrow(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for i, r := range s {
		switch {
		case r == '\u3000':
			r = ' '
		case r == '．':
			next, _ := utf8.DecodeRuneInString(s[i+len("．"):])
			if isDigit(prev) && isDigit(foldRune(next)) {
				r = '.'
			}
		default:
			r = foldRune(r)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isNarrow reports whether s has nothing FoldWidth would change (the common
// case, checked without allocating).
func isNarrow(s string) bool {
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E || r == '\u3000' {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// foldRune narrows one full-width rune if it is a digit, a Latin letter or a
// symbol that has no special meaning in Chinese typesetting.
func foldRune(r rune) rune {
	if r < 0xFF01 || r > 0xFF5E {
		return r
	}
	n := width.LookupRune(r).Narrow()
	if n == 0 {
		return r
	}
	switch {
	case n >= '0' && n <= '9', n >= 'a' && n <= 'z', n >= 'A' && n <= 'Z':
		return n
	case strings.ContainsRune("%+-=@#$&*/<>^_`|~\\", n):
		return n
	}
	return r // ！（），：；？ etc. stay full-width: they are Chinese punctuation.
}

// IsCJK reports whether r is a Han ideograph (the characters Bleve's
// cjk_bigram filter pairs up).
func IsCJK(r rune) bool {
	return unicode.Is(unicode.Han, r)
}

// isCJKPunct reports whether r is CJK or full-width punctuation.
func isCJKPunct(r rune) bool {
	return r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF || r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·'
}

// isWide reports whether a space next to r is stray: Chinese text has no
// spaces between ideographs or next to its punctuation.
func isWide(r rune) bool { return IsCJK(r) || isCJKPunct(r) }

// CleanText normalises running text: folds widths (FoldWidth), turns every
// run of whitespace (including control characters) into one space, and drops
// the spaces that OCR leaves between Chinese characters or next to Chinese
// punctuation, where print has none. Spaces between Latin words survive.
func CleanText(s string) string {
	s = FoldWidth(s)
	rs := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B' {
			space = true
			continue
		}
		if space && len(rs) > 0 && !isWide(rs[len(rs)-1]) && !isWide(r) {
			rs = append(rs, ' ')
		}
		space = false
		rs = append(rs, r)
	}
	return string(rs)
}

// CleanLine normalises a headline, dateline or name list: widths folded,
// whitespace runs collapsed to one space and trimmed, but spaces between
// Chinese characters kept, since there they separate names or title parts.
func CleanLine(s string) string {
	s = FoldWidth(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B'
	}), " ")
}
