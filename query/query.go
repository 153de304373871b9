// Package query defines searchd's small query language and its parser.
//
// The language, as users type it into the q parameter:
//
//	红色物业 网格          both must match (terms are ANDed)
//	红色物业 -梁山         the second is excluded
//	红色物业 OR 红帆驿站   either matches (upper-case OR binds tighter than AND)
//	"街呼县应、接诉即办"    a quoted phrase may hold spaces and punctuation
//	县                     one character is a term too
//
// A run of Chinese characters is always an exact phrase: it matches a
// paragraph exactly when the paragraph's text contains that string (after
// full-width forms are folded to half-width). This differs on purpose from
// Bleve's query-string syntax, whose unquoted Chinese terms become an OR of
// bigrams. Field syntax (county:梁山), wildcards, fuzziness, regexps and
// boosts are not part of the language: their characters are taken literally.
//
// The package knows nothing of Bleve; internal/search compiles a Query.
package query

// Query is a conjunction of clauses. The zero Query (no clauses) matches
// everything.
type Query struct {
	Clauses []Clause `json:"clauses"`
}

// Clause is one AND-ed element of a query: a disjunction of one or more
// terms, or, when Negated, an exclusion (a negated clause has exactly one
// term).
type Clause struct {
	Negated bool   `json:"negated,omitempty"`
	Any     []Term `json:"any"`
}

// Term is one phrase to look for.
type Term struct {
	// Text is the phrase, width-folded (full-width digits and Latin letters
	// to half-width) with stray whitespace collapsed; for a quoted term,
	// without its quotes.
	Text string `json:"text"`
	// Quoted reports whether the user wrote the term in double quotes.
	Quoted bool `json:"quoted,omitempty"`
	// Pos is the 1-based character (not byte) offset of the term in the
	// original q, for error messages.
	Pos int `json:"pos"`
}
