package text

import (
	"strings"
	"unicode/utf8"
)

//go:generate go run ./internal/gentrad

// Traditional characters. Readers paste traditional text (紅色物業, 鄉村振興)
// from Hong Kong and Taiwan sources or type it with a traditional IME, and
// some exports print it; the county papers print simplified. FoldTrad maps
// each traditional character to its simplified form, one character for
// one, so that indexed text and queries meet in simplified form while
// positions still point at the printed characters (highlighting marks
// those). It is a per-character fold, not OpenCC's phrase conversion: a
// phrase table would change the length of text (and 乾隆 stays 乾隆 there,
// but folds to 干隆 here, on both sides alike, which matching does not
// mind). The table (trad_table.go) is generated from OpenCC's t2s
// dictionaries by go generate; TestTradTableMatchesOpenCC keeps it current.

// tradFirst and tradLast bound the characters the table covers.
const (
	tradFirst = 0x3400
	tradLast  = 0x9FFF
)

// tradFold is the table of tradPairs by code point (0: not folded). It is
// built once at start-up and only read afterwards.
var tradFold = func() *[tradLast - tradFirst + 1]rune {
	var t [tradLast - tradFirst + 1]rune
	s := tradPairs
	for len(s) > 0 {
		from, n := utf8.DecodeRuneInString(s)
		to, m := utf8.DecodeRuneInString(s[n:])
		t[from-tradFirst] = to
		s = s[n+m:]
	}
	return &t
}()

// SimplifiedRune returns the simplified form of r if r is a traditional
// character, else r.
func SimplifiedRune(r rune) rune {
	if r < tradFirst || r > tradLast {
		return r
	}
	if s := tradFold[r-tradFirst]; s != 0 {
		return s
	}
	return r
}

// FoldTrad returns s with every traditional character replaced by its
// simplified form (紅色物業 → 红色物业). Each character maps to exactly one
// character. It returns s itself when nothing changes.
func FoldTrad(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if SimplifiedRune(r) != r {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		b.WriteRune(SimplifiedRune(r))
	}
	return b.String()
}

// Fold is the fold of text for matching: FoldWidth, then FoldTrad. Indexed
// text, query terms and highlighting all go through it; stored and
// displayed text stays as printed. Each character maps to exactly one
// character, so positions are unchanged.
func Fold(s string) string { return FoldTrad(FoldWidth(s)) }

// FoldRunes folds rs in place as Fold folds a string: afterwards rs equals
// []rune(Fold(s)) for the s that rs held. A highlighter folding the runes
// of a text it already has as runes does not convert it back and forth.
func FoldRunes(rs []rune) {
	for i, r := range rs {
		switch {
		case r == '\u3000':
			r = ' '
		case r == '．':
			// A decimal point between two digits (FoldWidth); rs[i-1]
			// is already folded, rs[i+1] not yet.
			if i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(foldRune(rs[i+1])) {
				r = '.'
			}
		default:
			r = foldRune(r)
		}
		rs[i] = SimplifiedRune(r)
	}
}
