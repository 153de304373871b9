package main

import (
	"context"
	"errors"
	"net/http"

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

	// The article is opened from a result list with the list's search
	// state: its terms are marked as the search matched them, and its way
	// back restores the list. A parameter that does not bind is dropped;
	// the article is shown all the same.
	p, _, err := bindPage(c.QueryParams())
	if err != nil {
		p, _ = bindSearch(nil)
	}
	st := newPageState(p)
	r := p.request()
	hl := c.QueryParam("hl")

	title := art.Headline
	if title == "" {
		title = "（无标题）"
	}
	data := articlePage{
		layout:     newLayout(c, title+" - 县域新闻检索", "/", st),
		Article:    art,
		When:       dateText(art.Date, art.Year, art.YearInferred),
		DateAttr:   dateAttr(art.Date, art.Year),
		Cite:       art.Citation(),
		SourceText: art.Source.File + " " + lineSpan(art.Source),
	}
	data.Nav = "article"
	data.BackURL = data.SearchURL
	for _, p := range art.Paragraphs {
		v := paraView{
			Paragraph: p,
			Segs:      segments(p.Text, ix.Marks(r, p.Text)),
			Hit:       hl != "" && p.ID == hl,
			Cite:      p.Citation(),
		}
		data.HasHit = data.HasHit || v.Hit
		if p.Kind == corpus.KindInitiative {
			if v.Similar, err = similarLinks(ctx, ix, st, p.ID); err != nil {
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

// similarLinks lists the initiatives of other counties most like
// paragraph id, their links carrying the search state st.
func similarLinks(ctx context.Context, ix Index, st pageState, id string) ([]similarLink, error) {
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
			URL: articleURL(st, h.ArticleID, h.ID),
		})
	}
	return out, nil
}

// segments cuts text into pieces at the spans (byte offsets, in order,
// not overlapping), marking the pieces inside them.
func segments(text string, spans []search.Span) []segment {
	var out []segment
	at := 0
	for _, s := range spans {
		if s.Start < at || s.End > len(text) || s.Start >= s.End {
			continue // not from text: ignore rather than cut a character
		}
		if s.Start > at {
			out = append(out, segment{Text: text[at:s.Start]})
		}
		out = append(out, segment{Text: text[s.Start:s.End], Mark: true})
		at = s.End
	}
	if at < len(text) || len(out) == 0 {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}
