package lucene

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Paragraph is one document for Lucene: a minimal local copy of the fields
// the benchmark needs (this package imports no other countynews package).
type Paragraph struct {
	ID     string
	County string // "" for none
	Year   int    // 0 for unknown
	// Programs are the government programs the paragraph names; a paragraph
	// may have several (a multi-valued facet).
	Programs []string
	// Text should already be width-folded (full-width digits and Latin
	// letters to half-width), as our engine indexes it.
	Text string
}

// Query is one line of the query log: the AST of our query language plus
// facet filters.
//
// A paragraph matches when every non-negated clause has an alternative its
// text contains, no negated clause has one, and it passes every filter: the
// values of one facet are ORed, the facets ANDed; an empty list is no filter.
// A query without clauses matches every paragraph that passes the filters.
type Query struct {
	ID       string
	Clauses  []Clause
	Counties []string
	Years    []int
	Programs []string
}

// Clause is one ANDed element of a query: an OR of phrases, or, when
// Negated, an exclusion of all of them.
type Clause struct {
	Negated bool
	Any     []string
}

// The TSV formats (one record a line, five tab-separated fields):
//
//	paragraphs: id \t county \t year \t programs \t text
//	queries:    qid \t clauses \t counties \t years \t programs
//
// Lists are separated by '|', clauses by ';', each clause starting with '+'
// (must) or '-' (must not): "+红色物业|红帆驿站;-梁山". Every field but the
// paragraph text is escaped (see escape); the text is written verbatim with
// tabs and line breaks replaced by spaces.

// WriteParagraphs writes ps as the paragraphs TSV Bench.java indexes. It
// rejects an empty or duplicate ID, an empty program name, a negative year
// and invalid UTF-8, naming the offending paragraph.
func WriteParagraphs(w io.Writer, ps []Paragraph) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	seen := make(map[string]bool, len(ps))
	var line []byte
	for i, p := range ps {
		if seen[p.ID] {
			return fmt.Errorf("paragraph %d: duplicate ID %q", i, p.ID)
		}
		seen[p.ID] = true
		var err error
		line, err = appendParagraph(line[:0], p)
		if err != nil {
			return fmt.Errorf("paragraph %d (%q): %w", i, p.ID, err)
		}
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("write paragraphs: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write paragraphs: %w", err)
	}
	return nil
}

func appendParagraph(b []byte, p Paragraph) ([]byte, error) {
	if p.ID == "" {
		return b, errors.New("empty ID")
	}
	if p.Year < 0 {
		return b, fmt.Errorf("negative year %d", p.Year)
	}
	for _, s := range append([]string{p.ID, p.County, p.Text}, p.Programs...) {
		if !utf8.ValidString(s) {
			return b, fmt.Errorf("invalid UTF-8 in %q", s)
		}
	}
	b = appendEscaped(b, p.ID)
	b = append(b, '\t')
	b = appendEscaped(b, p.County)
	b = append(b, '\t')
	if p.Year != 0 {
		b = strconv.AppendInt(b, int64(p.Year), 10)
	}
	b = append(b, '\t')
	for i, prog := range p.Programs {
		if prog == "" {
			return b, errors.New("empty program name")
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = appendEscaped(b, prog)
	}
	b = append(b, '\t')
	b = append(b, flattenLine(p.Text)...)
	return append(b, '\n'), nil
}

// WriteQueries writes qs as the query log TSV Bench.java replays. It rejects
// empty or duplicate IDs, clauses without phrases, empty phrases or filter
// values and invalid UTF-8. Tabs and line breaks in phrases become spaces,
// as WriteParagraphs does to the text.
func WriteQueries(w io.Writer, qs []Query) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	seen := make(map[string]bool, len(qs))
	var line []byte
	for i, q := range qs {
		if seen[q.ID] {
			return fmt.Errorf("query %d: duplicate ID %q", i, q.ID)
		}
		seen[q.ID] = true
		var err error
		line, err = appendQuery(line[:0], q)
		if err != nil {
			return fmt.Errorf("query %d (%q): %w", i, q.ID, err)
		}
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("write queries: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write queries: %w", err)
	}
	return nil
}

func appendQuery(b []byte, q Query) ([]byte, error) {
	if q.ID == "" {
		return b, errors.New("empty ID")
	}
	if !utf8.ValidString(q.ID) {
		return b, fmt.Errorf("invalid UTF-8 in ID %q", q.ID)
	}
	b = appendEscaped(b, q.ID)
	b = append(b, '\t')
	for i, c := range q.Clauses {
		if len(c.Any) == 0 {
			return b, fmt.Errorf("clause %d has no phrases", i)
		}
		if i > 0 {
			b = append(b, ';')
		}
		if c.Negated {
			b = append(b, '-')
		} else {
			b = append(b, '+')
		}
		for j, ph := range c.Any {
			if ph == "" {
				return b, fmt.Errorf("clause %d: empty phrase", i)
			}
			if !utf8.ValidString(ph) {
				return b, fmt.Errorf("clause %d: invalid UTF-8 in %q", i, ph)
			}
			if j > 0 {
				b = append(b, '|')
			}
			b = appendEscaped(b, flattenLine(ph))
		}
	}
	years := make([]string, len(q.Years))
	for i, y := range q.Years {
		years[i] = strconv.Itoa(y)
	}
	for _, f := range []struct {
		name string
		vals []string
	}{{"county", q.Counties}, {"year", years}, {"program", q.Programs}} {
		b = append(b, '\t')
		for i, v := range f.vals {
			if v == "" {
				return b, fmt.Errorf("empty %s filter value", f.name)
			}
			if !utf8.ValidString(v) {
				return b, fmt.Errorf("invalid UTF-8 in %s filter %q", f.name, v)
			}
			if i > 0 {
				b = append(b, '|')
			}
			b = appendEscaped(b, v)
		}
	}
	return append(b, '\n'), nil
}

// flattenLine replaces tabs, carriage returns and newlines with spaces so a
// text fits on one TSV line. Both engines' analyzers treat a space like the
// break it replaces, and Chinese text has no meaningful whitespace.
func flattenLine(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\r', '\n':
			return ' '
		}
		return r
	}, s)
}

// appendEscaped appends s with the TSV field escapes Bench.java undoes: a
// backslash before '\\', '|' and ';', and \t \n \r for tab, newline and
// carriage return.
func appendEscaped(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\\|;\t\n\r") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|', ';':
			b = append(b, '\\', c)
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

// unescape undoes appendEscaped, for the fields Bench.java writes back.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			sb.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("trailing backslash in %q", s)
		}
		switch e := s[i]; e {
		case 't':
			sb.WriteByte('\t')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		default:
			sb.WriteByte(e)
		}
	}
	return sb.String(), nil
}
