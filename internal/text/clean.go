package text

import "strings"

// CleanText normalises running text: folds widths (FoldWidth), turns every
// run of whitespace (IsSpace) into one space, and drops the spaces that OCR
// leaves between Chinese characters or next to Chinese punctuation, where
// print has none. Spaces between Latin words survive.
func CleanText(s string) string {
	s = FoldWidth(s)
	rs := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if IsSpace(r) {
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
	return strings.Join(strings.FieldsFunc(s, IsSpace), " ")
}
