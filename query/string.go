package query

import (
	"strings"

	"countynews/internal/text"
)

// String returns q in the query language, in a canonical form: clauses
// separated by one space, OR groups as "a OR b", exclusions as "-a", and a
// term in double quotes when it was quoted or needs quotes to stay one
// term (it holds whitespace, it is the word OR, or it starts with "-"
// without being excluded). Nothing is escaped: the language has no escapes.
//
// For every Query that Parse returns, Parse(q.String()) returns an equal
// Query, positions aside. A hand-built Query may hold text the language
// cannot express; String then does its best: it drops the quote characters
// " and ＂ (which Parse never leaves in a term, since they are always
// syntax), skips empty terms and clauses, and writes a negated clause of
// several terms as one exclusion per term, which means the same thing.
func (q Query) String() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, c := range q.Clauses {
		if c.Negated {
			for _, t := range c.Any {
				if s := t.format(true); s != "" {
					sep()
					b.WriteByte('-')
					b.WriteString(s)
				}
			}
			continue
		}
		or := false
		for _, t := range c.Any {
			s := t.format(false)
			if s == "" {
				continue
			}
			if or {
				b.WriteString(" OR ")
			} else {
				sep()
			}
			b.WriteString(s)
			or = true
		}
	}
	return b.String()
}

// format writes t as it would be typed, after "-" if excluded; "" if t has
// no text.
func (t Term) format(excluded bool) string {
	lit := strings.Map(func(r rune) rune {
		if isQuote(r) {
			return -1
		}
		return r
	}, t.Text)
	if lit == "" {
		return ""
	}
	// Parse folds widths before it looks for syntax, so ＯＲ and －a need
	// quotes as much as OR and -a do.
	folded := text.FoldWidth(lit)
	if t.Quoted || strings.IndexFunc(lit, isSpace) >= 0 ||
		!excluded && (folded == "OR" || folded[0] == '-') {
		return `"` + lit + `"`
	}
	return lit
}
