package query

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"countynews/internal/text"
)

// The query lexer, modelled on text/template/parse/lex.go: a state machine
// of stateFns that emits items, each carrying the 1-based character (rune,
// not byte) position where it starts in q, so that errors can point at what
// the user typed whichever script it is in. The lexer sees q after width
// folding, which maps each character to one character, so positions in the
// folded text are positions in q.

// itemType identifies the kind of a lexical item.
type itemType int

const (
	itemError  itemType = iota // a lexing error; val holds the message
	itemEOF                    // end of q
	itemTerm                   // a bare run of characters: no whitespace, no quote
	itemPhrase                 // a quoted phrase; val is the text between the quotes, as typed
	itemTitle                  // a title in 《》; val is the text between the marks, as typed
	itemMinus                  // "-" at the start of a term: exclude the term
	itemOR                     // the upper-case keyword OR
)

func (t itemType) String() string {
	return [...]string{"error", "EOF", "term", "phrase", "title", "minus", "OR"}[t]
}

// item is one lexical item of q.
type item struct {
	typ itemType
	pos int // 1-based character position in q
	val string
}

func (i item) String() string { return fmt.Sprintf("%d:%s:%q", i.pos, i.typ, i.val) }

const eof = -1

// stateFn is the state of the lexer as a function returning the next state.
type stateFn func(*lexer) stateFn

// lexer holds the state of the scan.
type lexer struct {
	input      string // the text being scanned
	base       int    // characters of q before input (leading whitespace trimmed by the caller)
	start      int    // byte offset where the current item starts
	startChars int    // characters of input before start
	pos        int    // byte offset of the next rune
	chars      int    // characters of input before pos
	width      int    // byte width of the last rune read, 0 at end of input
	items      []item
}

// lex scans input into items; base is the number of characters of q that
// precede input. The last item is always itemEOF or itemError: the lexer
// stops at the first error.
func lex(input string, base int) []item {
	l := &lexer{input: input, base: base}
	for state := lexSpace; state != nil; {
		state = state(l)
	}
	return l.items
}

// next returns the next rune of the input, or eof.
func (l *lexer) next() rune {
	if l.pos >= len(l.input) {
		l.width = 0
		return eof
	}
	r, w := utf8.DecodeRuneInString(l.input[l.pos:])
	l.width = w
	l.pos += w
	l.chars++
	return r
}

// backup steps back one rune. It can be called only once per call of next.
func (l *lexer) backup() {
	if l.width > 0 {
		l.pos -= l.width
		l.chars--
	}
}

// peek returns, but does not consume, the next rune of the input.
func (l *lexer) peek() rune {
	r := l.next()
	l.backup()
	return r
}

// here is the 1-based position in q of the current item's start.
func (l *lexer) here() int { return l.base + l.startChars + 1 }

// emitVal adds an item of type t with the given value, starting at the
// current item's start, and begins the next item.
func (l *lexer) emitVal(t itemType, val string) {
	l.items = append(l.items, item{typ: t, pos: l.here(), val: val})
	l.ignore()
}

// emit adds an item of type t holding the text scanned since start.
func (l *lexer) emit(t itemType) { l.emitVal(t, l.input[l.start:l.pos]) }

// ignore skips over the text scanned since start.
func (l *lexer) ignore() {
	l.start = l.pos
	l.startChars = l.chars
}

// errorf emits an error item at pos and stops the scan by returning nil as
// the next state.
func (l *lexer) errorf(pos int, format string, args ...any) stateFn {
	l.items = append(l.items, item{typ: itemError, pos: pos, val: fmt.Sprintf(format, args...)})
	return nil
}

// lexSpace skips whitespace between terms and decides what the next term
// is.
func lexSpace(l *lexer) stateFn {
	for isSpace(l.peek()) {
		l.next()
	}
	l.ignore()
	switch r := l.peek(); {
	case r == eof:
		l.emit(itemEOF)
		return nil
	case r == '-':
		return lexMinus
	case isOpener(r):
		return lexPhrase
	default:
		return lexTerm
	}
}

// lexMinus scans the "-" that excludes the term right after it.
func lexMinus(l *lexer) stateFn {
	pos := l.here()
	l.next()
	l.emit(itemMinus)
	switch r := l.peek(); {
	case r == eof || isSpace(r):
		return l.errorf(pos, `nothing to exclude after "-" in q`)
	case isOpener(r):
		return lexPhrase
	default:
		// The excluded term is literal: -OR excludes the word OR and
		// --a excludes -a.
		return lexExcluded
	}
}

// lexTerm scans a bare term, which may be the keyword OR.
func lexTerm(l *lexer) stateFn { return lexWord(l, true) }

// lexExcluded scans the bare term after "-", which is never a keyword.
func lexExcluded(l *lexer) stateFn { return lexWord(l, false) }

// lexWord scans a run of characters up to whitespace, a " or ＂, or the
// end. The Chinese marks “「『《 open a phrase only where a term starts;
// inside a term they are punctuation, so that a pasted sentence such as
// 推进“红色物业”建设 stays one term, as printed.
func lexWord(l *lexer, keyword bool) stateFn {
	for {
		r := l.next()
		if r == eof || isSpace(r) || isQuote(r) {
			l.backup()
			break
		}
	}
	if keyword && l.input[l.start:l.pos] == "OR" {
		l.emit(itemOR)
	} else {
		l.emit(itemTerm)
	}
	return lexSpace
}

// lexPhrase scans a quoted phrase or a title, from its opening mark to
// the mark that closes it (see closes). Other marks inside are text.
func lexPhrase(l *lexer) stateFn {
	pos := l.here()
	open := l.next()
	start := l.pos
	for {
		r := l.next()
		if r == eof {
			return l.errorf(pos, "unbalanced quote in q")
		}
		if closes(open, r) {
			break
		}
	}
	t := itemPhrase
	if open == '《' {
		t = itemTitle
	}
	l.emitVal(t, l.input[start:l.pos-l.width])
	return lexSpace
}

// The quotation marks of the language. " and ＂ (which text.FoldWidth
// leaves unfolded) are syntax wherever they stand and close each other,
// since an IME in full-width mode may type either. The Chinese marks are
// the ones a Chinese IME types for a quotation (“…”, and 「…」 『…』 in
// Taiwan and Hong Kong) or a title (《…》); each is closed only by its own
// partner, so “他说"好"” is one phrase holding the ASCII quotes.
const (
	openers = "\"＂“「『《"
	closers = "\"＂”」』》" // closers[i] closes openers[i] (as runes)
)

// isQuote reports whether r is " or ＂: syntax wherever it stands.
func isQuote(r rune) bool { return r == '"' || r == '＂' }

// isOpener reports whether r opens a phrase where a term starts.
func isOpener(r rune) bool { return r != eof && strings.ContainsRune(openers, r) }

// closer returns the mark that closes a phrase opened by open.
func closer(open rune) rune {
	cs := []rune(closers)
	for i, o := range []rune(openers) {
		if o == open {
			return cs[i]
		}
	}
	return eof
}

// closes reports whether r closes a phrase opened by open.
func closes(open, r rune) bool {
	if isQuote(open) {
		return isQuote(r)
	}
	return r == closer(open)
}

// isSpace reports whether r separates terms: Unicode white space (U+3000
// included), control characters (NUL included) and the invisible
// separators U+200B and U+FEFF that pasted text carries, the set of
// text.IsSpace.
func isSpace(r rune) bool {
	return r != eof && text.IsSpace(r)
}
