package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// similarSize is how many similar initiatives of other counties the
// article view lists under each initiative paragraph.
const similarSize = 3

// articlePage is the data of the article view.
type articlePage struct {
	layout
	Article    corpus.Article
	When       string
	DateAttr   string
	Cite       string
	SourceText string
	Paras      []paraView
	BackURL    string
	HasHit     bool
}

// paraView is one paragraph of the article view.
type paraView struct {
	corpus.Paragraph
	Segs    []segment // the text, with the query's terms marked
	Hit     bool      // the paragraph the reader came from (hl)
	Cite    string
	Similar []similarLink
	// SimilarFailed reports that similar initiatives could not be looked up
	// (the paragraph is shown all the same).
	SimilarFailed bool
}

// segment is a piece of paragraph text; Mark pieces match a query term.
// The template escapes both kinds: no corpus text is trusted as HTML.
type segment struct {
	Text string
	Mark bool
}

// similarLink is a similar initiative of another county.
type similarLink struct {
	Title, County, When, DateAttr, Topic, URL string
}

// article handles GET /articles/:id?q=…&hl=PARAGRAPH_ID: the whole article
// as published, the paragraph hl highlighted, the terms of q marked, and
// similar initiatives of other counties under each initiative paragraph.
func (pg *pages) article(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ix, release := pg.api.index()
	defer release()
	art, err := ix.Article(ctx, id)
	if err != nil {
		return err
	}

	var terms []string
	if q := c.QueryParam("q"); q != "" {
		// A query that does not parse marks nothing; the article is shown
		// all the same.
		if p, err := bindSearch(url.Values{"q": {q}}); err == nil {
			terms = p.Terms
		}
	}
	hl := c.QueryParam("hl")

	title := art.Headline
	if title == "" {
		title = "（无标题）"
	}
	data := articlePage{
		layout:     newLayout(c, title+" - 县域新闻检索", "/"),
		Article:    art,
		When:       dateText(art.Date, art.Year, art.YearInferred),
		DateAttr:   dateAttr(art.Date, art.Year),
		Cite:       citation(art.Headline, art.Date, art.Year, art.YearInferred, art.Source),
		SourceText: art.Source.File + " " + lineSpan(art.Source),
	}
	data.Nav = "article"
	data.BackURL = data.SearchURL
	for _, p := range art.Paragraphs {
		v := paraView{
			Paragraph: p,
			Segs:      markTerms(p.Text, terms),
			Hit:       hl != "" && p.ID == hl,
			Cite:      citation(p.Headline, p.Date, p.Year, p.YearInferred, p.Source),
		}
		data.HasHit = data.HasHit || v.Hit
		if p.Kind == corpus.KindInitiative {
			if v.Similar, err = pg.similar(ctx, ix, p.ID); err != nil {
				if ctx.Err() != nil {
					return err
				}
				v.SimilarFailed = true
			}
		}
		data.Paras = append(data.Paras, v)
	}
	return c.Render(http.StatusOK, "article", data)
}

// similar lists the initiatives of other counties most like paragraph id.
func (pg *pages) similar(ctx context.Context, ix Index, id string) ([]similarLink, error) {
	_, hits, err := ix.Similar(ctx, id, search.ScopeOtherCounties, similarSize)
	if errors.Is(err, search.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]similarLink, 0, len(hits))
	for _, h := range hits {
		t := h.Headline
		if t == "" {
			t = "（无标题）"
		}
		out = append(out, similarLink{
			Title: t, County: h.County, Topic: clipRunes(h.Topic, 60),
			When: dateText(h.Date, h.Year, h.YearInferred), DateAttr: dateAttr(h.Date, h.Year),
			URL: articleURL(h.ArticleID, h.ID, ""),
		})
	}
	return out, nil
}

// markTerms cuts text into segments, marking every occurrence of a term
// (ASCII letters compared without case; Chinese text is matched exactly,
// as the query language does). Overlapping and touching matches merge.
func markTerms(text string, terms []string) []segment {
	if len(terms) == 0 {
		return []segment{{Text: text}}
	}
	lower := asciiLower(text)
	type span struct{ a, b int }
	var spans []span
	for _, t := range terms {
		t = asciiLower(t)
		if t == "" {
			continue
		}
		for i := 0; i < len(lower); {
			j := strings.Index(lower[i:], t)
			if j < 0 {
				break
			}
			spans = append(spans, span{i + j, i + j + len(t)})
			i += j + len(t)
		}
	}
	if len(spans) == 0 {
		return []segment{{Text: text}}
	}
	slices.SortFunc(spans, func(x, y span) int { return x.a - y.a })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.a <= last.b {
			last.b = max(last.b, s.b)
			continue
		}
		merged = append(merged, s)
	}
	var out []segment
	at := 0
	for _, s := range merged {
		if s.a > at {
			out = append(out, segment{Text: text[at:s.a]})
		}
		out = append(out, segment{Text: text[s.a:s.b], Mark: true})
		at = s.b
	}
	if at < len(text) {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// asciiLower lower-cases ASCII letters only, byte by byte, so that byte
// offsets in the result are those of s (strings.ToLower may change the
// length of other characters). UTF-8 is self-synchronising: a valid term
// cannot match in the middle of a character.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
