// Package corpus turns raw county-news material into articles and
// per-initiative paragraphs.
//
// Two inputs are understood:
//
//   - OCR'd newspaper pages (see ParsePage): lines wrapped at the column
//     width, blank lines that may fall inside a sentence at a column break,
//     headlines printed after their article's body, and datelines such as
//     本报金乡讯（通讯员 孙虎玉）.
//   - JSONL article exports (see ReadJSONL): one JSON object a line with a
//     required "text" and optional "id", "title", "date", "county", "source".
//
// Every paragraph carries its provenance (file and 1-based line span), the
// article's headline, county, date or inferred year, the government programs
// it names (from an embedded taxonomy) and the named initiatives quoted in it.
//
// The package depends on the standard library and golang.org/x/text only; it
// knows nothing of Bleve or HTTP.
package corpus

import (
	"encoding/json"
	"fmt"
)

// Kind says what role a paragraph plays in its article.
type Kind string

const (
	// KindLead is an article's first paragraph: the dateline's summary.
	KindLead Kind = "lead"
	// KindInitiative is every following paragraph of a page: one
	// initiative, opened by a topic sentence.
	KindInitiative Kind = "initiative"
	// KindParagraph is every following paragraph of an export without
	// initiative structure (JSONL): a stretch of running text cut at
	// sentence ends, with no topic sentence.
	KindParagraph Kind = "paragraph"
)

// Provenance says where a paragraph came from: the source file (as named to
// the loader, or "default/NAME" for the embedded corpus) and the first and
// last 1-based line it spans. A paragraph interrupted by a column break spans
// the blank line too.
type Provenance struct {
	File  string `json:"file"`
	Lines [2]int `json:"lines"`
}

// Date is a calendar date in YYYY-MM-DD form, or "" when unknown. It marshals
// to JSON null when unknown.
type Date string

// MarshalJSON encodes an unknown date as null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON accepts a string or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	*d = Date(s)
	return nil
}

// Paragraph is the unit of search: one lead or one initiative of an article,
// with the article's metadata copied in so that it can be indexed and shown
// on its own. Field names in JSON are the API's.
type Paragraph struct {
	// ID is stable: it depends only on the article's text and the
	// paragraph's position in it ("<article_id>-NN").
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	// Position is the 0-based index of the paragraph in its article.
	Position int  `json:"position"`
	Kind     Kind `json:"kind"`
	// Topic is the initiative's topic sentence: the text before the first
	// 。 (empty for leads and plain paragraphs).
	Topic    string `json:"topic"`
	Text     string `json:"text"`
	Headline string `json:"headline"`
	// HeadlineDerived says the article printed no headline and Headline is
	// a display title made from its first sentence (see derivedHeadline).
	HeadlineDerived bool     `json:"headline_derived"`
	Subtitle        string   `json:"subtitle"`
	County          string   `json:"county"`
	CountyName      string   `json:"county_name"`
	Year            int      `json:"year"`
	YearInferred    bool     `json:"year_inferred"`
	Date            Date     `json:"date"`
	Programs        []string `json:"programs"`
	Initiatives     []string `json:"initiatives"`
	Reporters       []string `json:"reporters"`
	// Dateline is the article's printed dateline or byline, so that an
	// article can be shown whole from its paragraphs alone.
	Dateline string `json:"dateline"`
	// Outlet is the paper or outlet that printed the article: a page's
	// paper: front matter, a JSONL record's source ("" when unknown).
	Outlet string `json:"outlet"`
	// Page is the printed page (版次) of a newspaper page, from its page:
	// front matter, e.g. "6" or "A3" ("" when unknown).
	Page   string     `json:"page"`
	Source Provenance `json:"source"`
	// StoryID groups syndicated copies: the articles printing one story
	// share it (it is the smallest of their article IDs). The index
	// assigns it when it is opened (see internal/story); parsing leaves
	// it empty.
	StoryID string `json:"story_id"`
}

// Article is one story: its metadata and its paragraphs in order.
type Article struct {
	ID       string `json:"id"`
	Headline string `json:"headline"`
	// HeadlineDerived: no headline was printed; Headline is made from the
	// first sentence.
	HeadlineDerived bool   `json:"headline_derived"`
	Subtitle        string `json:"subtitle"`
	// Dateline is the printed dateline or byline, e.g.
	// 本报金乡讯（通讯员 孙虎玉）, "" when the source has none.
	Dateline     string      `json:"dateline"`
	Outlet       string      `json:"outlet"`
	Page         string      `json:"page"`
	StoryID      string      `json:"story_id"`
	Reporters    []string    `json:"reporters"`
	County       string      `json:"county"`
	CountyName   string      `json:"county_name"`
	Year         int         `json:"year"`
	YearInferred bool        `json:"year_inferred"`
	Date         Date        `json:"date"`
	Source       Provenance  `json:"source"`
	Paragraphs   []Paragraph `json:"paragraphs"`
}

// Error is a problem with one input, located by file and 1-based line
// (0 when it concerns the whole file). Loaders report it and go on with the
// rest of the corpus; callers that want strictness stop on the first one.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
