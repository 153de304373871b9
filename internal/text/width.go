package text

import (
	"strings"
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
// ".", elsewhere it is kept. Each character maps to exactly one character,
// so rune positions are unchanged.
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
