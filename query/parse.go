package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"countynews/internal/text"
)

// MaxLen is the most characters (not bytes) q may hold, leading and
// trailing whitespace aside. Real queries are a few words; the limit keeps
// a pasted article from becoming hundreds of phrase queries.
const MaxLen = 256

// MaxTerms is the most terms a query may hold, excluded ones included.
// Each term is a phrase search over the whole index, so a query of many
// single characters ORed (的 OR 一 OR 是 …) reads most of the index once
// per term; past MaxTerms the query is refused (CodeTooManyTerms) rather
// than run.
const MaxTerms = 24

// Error is a problem with q that the user can fix: Msg says what is wrong
// (in English), Pos (1-based, in characters, not bytes) where, and Code
// which kind of problem it is, a stable name that programs (and a page
// that words the message in another language) can rely on.
type Error struct {
	Pos  int
	Code string
	Msg  string
}

// The Codes of Error. They are part of the API's contract: never rename
// one.
const (
	CodeInvalidUTF8       = "invalid_utf8"             // q is not valid UTF-8
	CodeTooLong           = "query_too_long"           // q has more than MaxLen characters
	CodeUnbalancedQuote   = "unbalanced_quote"         // a quote is never closed
	CodeNothingToExclude  = "nothing_to_exclude"       // a "-" with no term after it
	CodeNothingSearchable = "no_searchable_characters" // every term is punctuation or symbols
	CodeDanglingOR        = "dangling_or"              // OR without a term on one side
	CodeExcludedOR        = "excluded_or"              // an excluded term joined with OR
	CodeTooManyTerms      = "too_many_terms"           // q has more than MaxTerms terms
	CodeInvalid           = "invalid_query"            // any other problem with q
)

func (e *Error) Error() string { return fmt.Sprintf("%s at character %d", e.Msg, e.Pos) }

// lexErrorCode is the Code of a lexer error, told by its message (the
// lexer's items carry text only). A message it does not know is
// CodeInvalid.
func lexErrorCode(msg string) string {
	switch {
	case strings.HasPrefix(msg, "unbalanced quote"):
		return CodeUnbalancedQuote
	case strings.HasPrefix(msg, "nothing to exclude"):
		return CodeNothingToExclude
	}
	return CodeInvalid
}

// Parse parses q, the query language described in the package
// documentation. An empty or whitespace-only q gives the zero Query. Every
// error is an *Error.
func Parse(q string) (Query, error) {
	if !utf8.ValidString(q) {
		return Query{}, &Error{Pos: invalidAt(q), Code: CodeInvalidUTF8, Msg: "q is not valid UTF-8"}
	}
	body := strings.TrimLeftFunc(q, isSpace)
	lead := utf8.RuneCountInString(q[:len(q)-len(body)]) // characters before body
	body = strings.TrimRightFunc(body, isSpace)
	if body == "" {
		return Query{}, nil
	}
	if n := utf8.RuneCountInString(body); n > MaxLen {
		return Query{}, &Error{Pos: lead + MaxLen + 1, Code: CodeTooLong, Msg: fmt.Sprintf("q exceeds the limit of %d characters", MaxLen)}
	}
	// FoldWidth maps each character to exactly one character, so positions
	// in the folded text are positions in q.
	p := parser{items: lex(text.FoldWidth(body), lead)}
	pq, err := p.parse()
	if err != nil {
		return pq, err
	}
	n := 0
	for _, c := range pq.Clauses {
		for _, t := range c.Any {
			if n++; n > MaxTerms {
				return Query{}, &Error{Pos: t.Pos, Code: CodeTooManyTerms, Msg: fmt.Sprintf("q has more than %d terms", MaxTerms)}
			}
		}
	}
	return pq, nil
}

// invalidAt returns the 1-based character position of the first invalid
// UTF-8 byte in s, counting each invalid byte as one character (as ranging
// over s, or converting it to []rune, does).
func invalidAt(s string) int {
	n := 0
	for i, r := range s {
		n++
		if r == utf8.RuneError {
			if _, w := utf8.DecodeRuneInString(s[i:]); w == 1 {
				return n
			}
		}
	}
	return n + 1
}

// parser turns the lexer's items into a Query. Grammar:
//
//	query  = { clause }
//	clause = "-" term | term { "OR" term }
//	term   = bare | phrase
type parser struct {
	items []item
	i     int
}

// next returns the next item; past the end it keeps returning the last one
// (itemEOF or itemError).
func (p *parser) next() item {
	it := p.items[p.i]
	if p.i < len(p.items)-1 {
		p.i++
	}
	return it
}

// peek returns the next item without consuming it.
func (p *parser) peek() item { return p.items[p.i] }

func (p *parser) parse() (Query, error) {
	var q Query
	dropped := 0 // position of the first dropped term, 0 if none
	add := func(c Clause) {
		kept := c.Any[:0]
		for _, t := range c.Any {
			if searchable(t.Text) {
				kept = append(kept, t)
			} else if dropped == 0 {
				dropped = t.Pos
			}
		}
		if len(kept) > 0 {
			c.Any = kept
			q.Clauses = append(q.Clauses, c)
		}
	}
	for {
		it := p.next()
		switch it.typ {
		case itemEOF:
			if len(q.Clauses) == 0 && dropped > 0 {
				return Query{}, &Error{Pos: dropped, Code: CodeNothingSearchable, Msg: "q has no searchable characters (no letter, digit or Chinese character) in the term"}
			}
			return q, nil
		case itemError:
			return Query{}, &Error{Pos: it.pos, Code: lexErrorCode(it.val), Msg: it.val}
		case itemOR:
			return Query{}, &Error{Pos: it.pos, Code: CodeDanglingOR, Msg: "OR with no term before it in q"}
		case itemMinus:
			t := p.next() // the lexer guarantees a term, a phrase or an error
			if t.typ == itemError {
				return Query{}, &Error{Pos: t.pos, Code: lexErrorCode(t.val), Msg: t.val}
			}
			if p.peek().typ == itemOR {
				return Query{}, &Error{Pos: it.pos, Code: CodeExcludedOR, Msg: "an excluded term cannot be joined with OR in q"}
			}
			add(Clause{Negated: true, Any: []Term{term(t)}})
		case itemTerm, itemPhrase, itemTitle:
			c := Clause{Any: []Term{term(it)}}
			for p.peek().typ == itemOR {
				or := p.next()
				switch t := p.next(); t.typ {
				case itemTerm, itemPhrase, itemTitle:
					c.Any = append(c.Any, term(t))
				case itemMinus:
					return Query{}, &Error{Pos: t.pos, Code: CodeExcludedOR, Msg: "an excluded term cannot be joined with OR in q"}
				case itemError:
					return Query{}, &Error{Pos: t.pos, Code: lexErrorCode(t.val), Msg: t.val}
				default: // itemOR, itemEOF
					return Query{}, &Error{Pos: or.pos, Code: CodeDanglingOR, Msg: "OR with no term after it in q"}
				}
			}
			add(c)
		}
	}
}

// term makes a Term of a bare term, a quoted phrase or a title. The text
// is already width-folded; a phrase's whitespace runs are collapsed to one
// space and trimmed, so "红色  物业 " and "红色 物业" are the same phrase.
func term(it item) Term {
	if it.typ == itemPhrase || it.typ == itemTitle {
		s := strings.Join(strings.FieldsFunc(it.val, isSpace), " ")
		return Term{Text: strings.ReplaceAll(s, "＂", `"`), Quoted: true, Title: it.typ == itemTitle, Pos: it.pos}
	}
	return Term{Text: it.val, Pos: it.pos}
}

// searchable reports whether s has something an index can match: a letter,
// a number or a Han character. Punctuation and symbols alone (，， * ~ or an
// emoji) are dropped by the analyzer, so a term of nothing else could only
// match everything or nothing.
func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || text.IsCJK(r) {
			return true
		}
	}
	return false
}
