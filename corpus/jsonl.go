package corpus

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"countynews/internal/text"
)

// MaxParagraph is the length, in characters, that JSONL text is packed into:
// exports carry no paragraph breaks, so their text is cut at sentence ends
// into paragraphs of at most this many characters.
const MaxParagraph = 600

// maxRecord bounds one JSONL line, so that a corrupt file cannot exhaust
// memory; a longer line is reported and skipped.
const maxRecord = 16 << 20

// Record is one article of a JSONL export. Only Text is required.
type Record struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Date   *string `json:"date"`
	County string  `json:"county"`
	Source string  `json:"source"`
	Text   string  `json:"text"`
}

// ReadJSONL reads a JSONL export, calling visit with each article in order.
// A line that is not a JSON object with a text is reported as an *Error
// (file and line) in the returned slice and skipped; the rest of the file
// still loads. The error result is non-nil only when reading fails, ctx is
// done, or visit returns an error.
func (p *Parser) ReadJSONL(ctx context.Context, file string, r io.Reader, visit func(Article) error) ([]*Error, error) {
	var problems []*Error
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		if line%256 == 0 {
			if err := ctx.Err(); err != nil {
				return problems, err
			}
		}
		raw, err := readLine(br)
		if errors.Is(err, errLineTooLong) {
			problems = append(problems, &Error{File: file, Line: line, Err: fmt.Errorf("line longer than %d MB: skipped", maxRecord>>20)})
			continue
		}
		if err == io.EOF && len(raw) == 0 {
			return problems, nil
		}
		if err != nil && err != io.EOF {
			return problems, &Error{File: file, Line: line, Err: err}
		}
		if len(strings.TrimSpace(string(raw))) > 0 {
			a, warning, perr := p.record(file, line, raw)
			if warning != "" {
				problems = append(problems, &Error{File: file, Line: line, Err: errors.New(warning)})
			}
			if perr != nil {
				problems = append(problems, &Error{File: file, Line: line, Err: perr})
			} else if verr := visit(a); verr != nil {
				return problems, verr
			}
		}
		if err == io.EOF {
			return problems, nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line without its end, failing (after consuming it)
// when it is longer than maxRecord.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxRecord {
			buf = nil
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return []byte(strings.TrimRight(string(buf), "\r\n")), err
	}
}

// record turns one JSONL line into an article.
func (p *Parser) record(file string, line int, raw []byte) (a Article, warning string, err error) {
	raw = []byte(strings.TrimPrefix(string(raw), "\uFEFF"))
	if !utf8.Valid(raw) {
		return Article{}, "", errors.New("invalid UTF-8")
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Article{}, "", fmt.Errorf("not a JSON object: %w", err)
	}
	body := strings.TrimSpace(rec.Text)
	if body == "" {
		return Article{}, "", errors.New(`record has no "text"`)
	}
	body = text.FoldWidth(body)
	title := text.CleanLine(rec.Title)
	if title == "" {
		title, body = originalTitle(body)
	}

	a = Article{Headline: title, Outlet: text.CleanLine(rec.Source), Reporters: []string{}, Source: Provenance{File: file, Lines: [2]int{line, line}}}
	var date Date
	year, inferred := 0, false
	if rec.Date != nil && *rec.Date != "" {
		d, y, err := ParseDate(*rec.Date)
		if err != nil {
			return Article{}, "", err
		}
		date, year = d, y
	}
	for i, s := range packParagraphs(splitSentences(body), MaxParagraph) {
		a.Paragraphs = append(a.Paragraphs, Paragraph{Position: i, Text: text.CleanText(s), Source: a.Source})
	}
	if len(a.Paragraphs) == 0 {
		return Article{}, "", errors.New(`record has no "text"`)
	}
	if year == 0 { // undated: the file's date or year, else the text's own dating phrases
		date, year = p.pathDate(file)
		if year == 0 {
			texts := []string{}
			for _, para := range a.Paragraphs {
				texts = append(texts, para.Text)
			}
			if year = textYear(p.now().Year(), texts...); year > 0 {
				inferred = true
			}
		}
	}
	if c := strings.TrimSpace(rec.County); c != "" {
		if _, known := p.gaz.Lookup(c); known || placeName(c) {
			a.County = c
		} else {
			// Not a place (markup, a sentence, a code): left out, and the
			// county is found in the text as for an export without one.
			warning = fmt.Sprintf("county %q is not a place name: ignored", clipRunes(c, 40))
		}
	}
	texts := make([]string, len(a.Paragraphs))
	for i, para := range a.Paragraphs {
		texts[i] = para.Text
	}
	a.ID = articleID(rec.ID, a.Headline, a.Subtitle, texts)
	p.finish(&a, date, year, inferred, KindParagraph)
	return a, warning, nil
}

// placeName reports whether s can be a county's name as an export gives
// it: 2 to 12 Han characters (梁山, 梁山县, 济宁市任城区), nothing else.
func placeName(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 12
}

// clipRunes cuts s to at most n characters, marking the cut with ….
func clipRunes(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}
