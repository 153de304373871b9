// Package query defines searchd's small query language and its parser.
//
// The language, as users type it into the q parameter:
//
//	红色物业 网格          both must match (terms are ANDed)
//	红色物业 -梁山         the second is excluded
//	红色物业 OR 红帆驿站   either matches (upper-case OR binds tighter than AND)
//	"街呼县应、接诉即办"    a quoted phrase may hold spaces and punctuation
//	“乡村 振兴”            so may one in Chinese quotes (“” 「」 『』)
//	《乡村振兴促进法》      a title is one phrase, found with or without its marks
//	县                     one character is a term too
//
// A run of Chinese characters is always an exact phrase: it matches a
// paragraph exactly when the paragraph's text contains that string (after
// full-width forms are folded to half-width). This differs on purpose from
// Bleve's query-string syntax, whose unquoted Chinese terms become an OR of
// bigrams. Field syntax (county:梁山), wildcards, fuzziness, regexps and
// boosts are not part of the language: their characters are taken literally.
//
// # Syntax in detail
//
// Width folding comes first: q passes through text.FoldWidth, which maps
// each character to exactly one character, so positions are unchanged. The
// syntax is therefore recognised in full-width form too, as an IME in
// full-width mode types it: ＯＲ is the keyword OR, －梁山 excludes 梁山, the
// ideographic space U+3000 separates terms, and the full-width quote ＂ is a
// quote like ". Chinese punctuation is not folded; apart from the opening
// marks below, where a term starts, it is never syntax.
//
//   - Whitespace separates terms: Unicode white space (ASCII space, tab,
//     newline, U+3000, NBSP, …), control characters (NUL included), the
//     zero-width space U+200B and the BOM U+FEFF. All clauses are ANDed.
//   - A run of characters without whitespace or quotes is one term.
//   - " (or ＂) opens a quoted phrase, which runs to the next " or ＂ and may
//     hold whitespace and punctuation; inside it whitespace runs collapse to
//     one space and are trimmed. A quote is syntax wherever it stands: it
//     ends a bare term (abc"d e" is the two terms abc and "d e"), a term
//     begins again right after a closing quote, and a quote that is never
//     closed is an error. A bare term therefore never contains " or ＂.
//   - The Chinese quotation marks “…”, 「…」 and 『…』 quote a phrase as "…"
//     does, and the title marks 《…》 make a title (Term.Title), which is a
//     quoted phrase too; the marks are not part of the phrase. Each is
//     closed only by its own partner, so other marks inside are text
//     (“他说"好"” is the phrase 他说"好"). They open a phrase only where a
//     term starts (after whitespace, a "-" or a closing mark, or at the
//     start of q): inside a term they are punctuation, so that a pasted
//     sentence such as 推进“红色物业”建设 stays one term as printed. One
//     that opens a phrase and is never closed is an error, like ". A
//     closing mark outside a phrase is punctuation.
//   - A - at the start of a term excludes the term (-梁山, -"梁山 县",
//     -《…》). The excluded term is taken literally: -OR excludes the word
//     OR, --a excludes -a. A - anywhere else is literal (1-2, 2021-05-01).
//     A - with nothing after it is an error.
//   - Upper-case OR between two terms joins them into one clause that
//     matches either: A B OR C means A AND (B OR C); A OR B OR C is one
//     clause of three terms. Lower-case or is an ordinary term. OR needs a
//     term on both sides, and an excluded term cannot be part of an OR.
//   - Parentheses, AND, NOT, &&, ||, :, *, ?, ~, ^, /, +, \ and the rest of
//     Bleve's or Lucene's query-string syntax are literal characters, never
//     syntax. county:梁山 looks for the text "county:梁山".
//   - A term with no letter, number (Unicode categories L and N, so ① counts)
//     or Han character (only punctuation or symbols, such as ，， or * or an
//     emoji) cannot be searched for and is dropped; if every term of q is
//     dropped, Parse reports an error. Duplicate terms are kept.
//   - An empty or whitespace-only q is the zero Query, which matches
//     everything ("browse"). q may hold at most MaxLen characters, not
//     counting leading and trailing whitespace.
//
// Errors are *Error values that locate the problem by character (not byte)
// position, worded for the person who typed q.
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
	// Quoted reports whether the user wrote the term in quotation marks
	// (" ＂ “” 「」 『』) or as a title (《》): an exact phrase in every
	// match mode.
	Quoted bool `json:"quoted,omitempty"`
	// Title reports a term written in the title marks 《…》 (a book, a
	// document, a programme): Quoted is set too. The marks are not part of
	// Text, so 《乡村振兴促进法》 finds the title wherever it is printed,
	// with or without its marks (a headline seldom has them), and
	// highlights it.
	Title bool `json:"title,omitempty"`
	// Pos is the 1-based character (not byte) offset of the term in the
	// original q, for error messages: its first character, or its opening
	// quote (after the "-" of an exclusion).
	Pos int `json:"pos"`
}

// IsEmpty reports whether q has no clauses: it matches everything.
func (q Query) IsEmpty() bool { return len(q.Clauses) == 0 }

// Positive returns the terms of q's non-excluded clauses, in order: the
// phrases a hit may contain, for highlighting.
func (q Query) Positive() []Term {
	var ts []Term
	for _, c := range q.Clauses {
		if !c.Negated {
			ts = append(ts, c.Any...)
		}
	}
	return ts
}

// HasPositive reports whether q has a clause that is not an exclusion. A
// Query of exclusions only (-梁山) matches every document except some.
func (q Query) HasPositive() bool {
	for _, c := range q.Clauses {
		if !c.Negated && len(c.Any) > 0 {
			return true
		}
	}
	return false
}
