package query

import (
	"strings"
	"unicode/utf8"

	"countynews/internal/text"
)

// String returns q in the query language, in a canonical form: clauses
// separated by one space, OR groups as "a OR b", exclusions as "-a", a
// title as 《a》, and a term in quotes when it was quoted or needs quotes to
// stay one term (it holds whitespace, it is the word OR, it starts with
// "-" without being excluded, or it starts with one of the marks “「『《
// that open a phrase). A quoted term is written in " unless its text holds
// " or ＂, and then in the first of “” 「」 『』 whose closing mark it does
// not hold. Nothing is escaped: the language has no escapes.
//
// For every Query that Parse returns, Parse(q.String()) returns an equal
// Query, positions aside. A hand-built Query may hold text the language
// cannot express; String then does its best: it drops the quote characters
// " and ＂ from a bare term (Parse never leaves them in one, since they are
// always syntax there), and from a quoted term that holds every closing
// mark, and 》 from a title; it skips empty terms and clauses, and writes
// a negated clause of several terms as one exclusion per term, which means
// the same thing.
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

// Format returns t as it would be typed on its own, in the canonical form
// of String: the q of a search for t alone. The empty string means t has
// nothing to search for.
func (t Term) Format() string { return t.format(false) }

// format writes t as it would be typed, after "-" if excluded; "" if t has
// no text.
func (t Term) format(excluded bool) string {
	if t.Title {
		lit := strings.ReplaceAll(t.Text, "》", "")
		if lit == "" {
			return ""
		}
		return "《" + lit + "》"
	}
	if t.Quoted {
		if t.Text == "" {
			return ""
		}
		// The first pair whose closing mark the text does not hold; the
		// ASCII quotes close on either " or ＂.
		if !strings.ContainsFunc(t.Text, isQuote) {
			return `"` + t.Text + `"`
		}
		for _, open := range []rune("“「『") {
			if !strings.ContainsRune(t.Text, closer(open)) {
				return string(open) + t.Text + string(closer(open))
			}
		}
	}
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
	first, _ := utf8.DecodeRuneInString(folded)
	if t.Quoted || strings.IndexFunc(lit, isSpace) >= 0 || isOpener(first) ||
		!excluded && (folded == "OR" || first == '-') {
		return `"` + lit + `"`
	}
	return lit
}
