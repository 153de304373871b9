package search

import (
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
)

// MaxArticleParagraphs bounds the paragraphs of one article that Article
// returns: a longer one fails with a *LimitError rather than coming back
// cut. articleWindow is what the first request asks for.
const (
	MaxArticleParagraphs = maxWindow
	articleWindow        = 1000
)

// Paragraph returns the paragraph with the given ID, or ErrNotFound.
func (ix *Index) Paragraph(ctx context.Context, id string) (_ corpus.Paragraph, err error) {
	defer recoverPanic("paragraph", &err)
	var p corpus.Paragraph
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if id == "" {
		return p, fmt.Errorf("paragraph %q: %w", id, ErrNotFound)
	}
	d, err := ix.bleve.Document(id)
	if err != nil {
		return p, fmt.Errorf("paragraph %s: %w", id, err)
	}
	if p, err = ix.sch.storedParagraph(id, d); err != nil {
		return p, err
	}
	ix.stories.fill(&p)
	return p, nil
}

// storedParagraph decodes the paragraph stored in document d (nil: not
// found).
func (s *schema) storedParagraph(id string, d index.Document) (corpus.Paragraph, error) {
	var p corpus.Paragraph
	if d == nil {
		return p, fmt.Errorf("paragraph %s: %w", id, ErrNotFound)
	}
	var raw []byte
	d.VisitFields(func(f index.Field) {
		if f.Name() == fieldDoc {
			raw = f.Value()
		}
	})
	if raw == nil {
		return p, fmt.Errorf("paragraph %s: %w", id, ErrNotFound)
	}
	p, err := s.stored.decode(raw)
	if err != nil {
		return p, fmt.Errorf("paragraph %s: %w", id, err)
	}
	return p, nil
}

// Article returns the article with the given ID, rebuilt from its
// paragraphs in position order, or ErrNotFound. The index keeps
// paragraphs only: Dateline comes from the paragraphs (each carries its
// article's), Source spans the paragraphs'
// lines.
func (ix *Index) Article(ctx context.Context, articleID string) (_ corpus.Article, err error) {
	defer recoverPanic("article", &err)
	var a corpus.Article
	if articleID == "" {
		return a, fmt.Errorf("article %q: %w", articleID, ErrNotFound)
	}
	// Paged by ID, articleWindow paragraphs a request (Bleve's total
	// without scores stops at the window, so it cannot tell the length
	// first), up to the limit.
	var ps []corpus.Paragraph
	for from := 0; ; from += articleWindow {
		if from >= MaxArticleParagraphs {
			return a, &LimitError{What: "article " + articleID, Limit: fmt.Sprintf("%d paragraphs", MaxArticleParagraphs), Got: "more"}
		}
		req := bleve.NewSearchRequestOptions(termOn(fieldArticleID, articleID), articleWindow, from, false)
		req.Fields = []string{fieldDoc}
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"_id"})
		sr, err := ix.bleve.SearchInContext(ctx, req)
		if err != nil {
			return a, searchError(ctx, err)
		}
		for _, h := range sr.Hits {
			p, err := ix.sch.decodeDoc(h)
			if err != nil {
				return a, err
			}
			ix.stories.fill(&p)
			ps = append(ps, p)
		}
		if len(sr.Hits) < articleWindow {
			break
		}
	}
	if len(ps) == 0 {
		return a, fmt.Errorf("article %s: %w", articleID, ErrNotFound)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Position != ps[j].Position {
			return ps[i].Position < ps[j].Position
		}
		return ps[i].ID < ps[j].ID
	})
	first := ps[0]
	a = corpus.Article{
		ID: articleID, Headline: first.Headline, HeadlineDerived: first.HeadlineDerived, Subtitle: first.Subtitle, Dateline: first.Dateline, Reporters: first.Reporters,
		County: first.County, CountyName: first.CountyName, Year: first.Year, YearInferred: first.YearInferred,
		Date: first.Date, Source: corpus.Provenance{File: first.Source.File, Lines: first.Source.Lines}, Paragraphs: ps,
		Outlet: first.Outlet, Page: first.Page, StoryID: first.StoryID,
	}
	for _, p := range ps[1:] {
		if p.Source.File != a.Source.File {
			continue
		}
		if l := p.Source.Lines[0]; l > 0 && (a.Source.Lines[0] == 0 || l < a.Source.Lines[0]) {
			a.Source.Lines[0] = l
		}
		a.Source.Lines[1] = max(a.Source.Lines[1], p.Source.Lines[1])
	}
	return a, nil
}
