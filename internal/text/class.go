package text

import "unicode"

// IsCJK reports whether r is a Han ideograph (the characters Bleve's
// cjk_bigram filter pairs up).
func IsCJK(r rune) bool {
	return unicode.Is(unicode.Han, r)
}

// IsCJKPunct reports whether r is CJK or full-width punctuation: the CJK
// Symbols and Punctuation block (、。「」《》…), the full-width forms
// block (，！？：；（）), and the curly quotes, ellipsis, dash and middle dot
// Chinese typesetting uses from the general punctuation block.
func IsCJKPunct(r rune) bool {
	return r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF || r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·'
}

// IsSpace reports whether r is whitespace for the project: Unicode white
// space (U+3000 and NBSP included), control characters (NUL included) and
// the invisible separators U+200B and U+FEFF that pasted and exported text
// carries. The query parser separates terms at exactly these characters,
// and CleanText and CleanLine collapse them.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B'
}

// isWide reports whether a space next to r is stray: Chinese text has no
// spaces between ideographs or next to its punctuation.
func isWide(r rune) bool { return IsCJK(r) || IsCJKPunct(r) }
