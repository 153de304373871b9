package corpus

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"countynews/internal/text"
)

// The page lexer, modelled on text/template/parse/lex.go: a state machine of
// stateFns that emits items, each carrying the 1-based line it came from.
// It works line by line because the page's layout is line-based: a line is
// a column's worth of text, a blank line is a paragraph end or a column
// break, and a few lines have a form of their own (front matter, datelines,
// bylines, subtitles). Deciding which blank lines end paragraphs and which
// lines are headlines needs context, and is the parser's job.

// itemType identifies the kind of a lexed line.
type itemType int

const (
	itemError    itemType = iota // a malformed line; val holds the message
	itemEOF                      // end of input
	itemMeta                     // a front-matter "key: value" line
	itemBlank                    // an empty or whitespace-only line
	itemText                     // an ordinary line of text
	itemDateline                 // a line opening with 本报…讯: an article start
	itemByline                   // a line opening with ■本报通讯员: an article start without dateline
	itemSubtitle                 // a line opening with ——: a subtitle under a headline
)

func (t itemType) String() string {
	return [...]string{"error", "EOF", "meta", "blank", "text", "dateline", "byline", "subtitle"}[t]
}

// item is one lexed line. val is the line as printed, with the line end
// removed but otherwise untouched (leading and trailing spaces matter when
// a reporter's name list wraps).
type item struct {
	typ  itemType
	line int
	val  string
}

func (i item) String() string { return fmt.Sprintf("%d:%s:%q", i.line, i.typ, i.val) }

// lexer holds the state of the scan.
type lexer struct {
	input string // the whole page, BOM removed
	pos   int    // byte offset of the next line
	line  int    // number of the next line, 1-based
	items []item
}

// stateFn is the state of the lexer as a function returning the next state.
type stateFn func(*lexer) stateFn

// lex scans a page into items. It never fails as a whole: problems become
// itemError items located by line.
func lex(input string) []item {
	l := &lexer{input: strings.TrimPrefix(input, "\uFEFF"), line: 1}
	for state := lexStart; state != nil; {
		state = state(l)
	}
	return l.items
}

// next returns the next line without its line end ("\n", "\r\n" or a lone
// "\r"), and whether there was one.
func (l *lexer) next() (string, bool) {
	if l.pos >= len(l.input) {
		return "", false
	}
	rest := l.input[l.pos:]
	end := strings.IndexAny(rest, "\r\n")
	var line string
	switch {
	case end < 0:
		line, l.pos = rest, len(l.input)
	case rest[end] == '\r' && end+1 < len(rest) && rest[end+1] == '\n':
		line, l.pos = rest[:end], l.pos+end+2
	default:
		line, l.pos = rest[:end], l.pos+end+1
	}
	l.line++
	return line, true
}

func (l *lexer) emit(t itemType, line int, val string) {
	l.items = append(l.items, item{typ: t, line: line, val: val})
}

// lexStart looks for a front-matter block: a first line "---", then
// "key: value" lines, then "---".
func lexStart(l *lexer) stateFn {
	save, saveLine := l.pos, l.line
	first, ok := l.next()
	if !ok {
		l.emit(itemEOF, l.line, "")
		return nil
	}
	if strings.TrimSpace(first) != "---" {
		l.pos, l.line = save, saveLine
		return lexLine
	}
	return lexMeta
}

// lexMeta reads front-matter lines up to the closing "---".
func lexMeta(l *lexer) stateFn {
	for {
		n := l.line
		s, ok := l.next()
		if !ok {
			l.emit(itemError, n, "front matter opened with --- is never closed")
			l.emit(itemEOF, l.line, "")
			return nil
		}
		t := strings.TrimSpace(s)
		switch {
		case t == "---":
			return lexLine
		case t == "" || strings.HasPrefix(t, "#"):
		default:
			k, v, ok := strings.Cut(t, ":")
			if !ok {
				l.emit(itemError, n, fmt.Sprintf("front matter line %q is not key: value (is the closing --- missing?)", clip(t, 40)))
				continue
			}
			l.emit(itemMeta, n, strings.TrimSpace(k)+":"+strings.TrimSpace(v))
		}
	}
}

// lexLine classifies one line of the page body.
func lexLine(l *lexer) stateFn {
	n := l.line
	s, ok := l.next()
	if !ok {
		l.emit(itemEOF, n, "")
		return nil
	}
	if !utf8.ValidString(s) {
		l.emit(itemError, n, "invalid UTF-8")
		return lexLine
	}
	if strings.ContainsRune(s, 0) {
		l.emit(itemError, n, "NUL byte: binary data, not a text page")
		return lexLine
	}
	t := strings.TrimSpace(text.FoldWidth(s))
	switch {
	case t == "":
		l.emit(itemBlank, n, s)
	case isBylineStart(t):
		l.emit(itemByline, n, s)
	case isDatelineStart(t):
		l.emit(itemDateline, n, s)
	case strings.HasPrefix(t, "——"):
		l.emit(itemSubtitle, n, s)
	default:
		l.emit(itemText, n, s)
	}
	return lexLine
}

// isDatelineStart reports whether a trimmed line may open a dateline:
// 本报 followed by a short place name and 讯, or 本报讯 alone. The line may
// end before 讯 when the dateline wraps right after 本报 and the place name,
// so a short line of Han characters after 本报 qualifies too; the parser
// confirms against the joined paragraph.
func isDatelineStart(t string) bool {
	rest, ok := strings.CutPrefix(t, "本报")
	if !ok {
		return false
	}
	n := 0
	for _, r := range rest {
		if r == '讯' {
			return true
		}
		if !text.IsCJK(r) || n >= 6 {
			return false
		}
		n++
	}
	return true // the line ended inside the place name (at most 6 Han characters, no space: the loop checked)
}

// isBylineStart reports whether a trimmed line is a byline such as
// ■本报通讯员 刘儒静 李婷婷 韩凤丹 (the square is optional).
func isBylineStart(t string) bool {
	t = strings.TrimLeft(t, "■□● ")
	return strings.HasPrefix(t, "本报通讯员") || strings.HasPrefix(t, "本报记者")
}

// clip shortens s to at most n runes for messages.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
