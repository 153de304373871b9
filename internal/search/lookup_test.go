package search

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"countynews/corpus"
)

func TestParagraphAndArticle(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	for i := range ps {
		ps[i].StoryID = ps[i].ArticleID // no copies on the sample page: each article is its own story
	}
	for _, p := range ps {
		got, err := ix.Paragraph(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("Paragraph(%s) = %+v, want %+v", p.ID, got, p)
		}
	}
	byArticle := map[string][]corpus.Paragraph{}
	datelines := 0
	for _, p := range ps {
		if p.Dateline != "" {
			datelines++
		}
		byArticle[p.ArticleID] = append(byArticle[p.ArticleID], p)
	}
	if datelines == 0 {
		t.Fatal("no paragraph of the default corpus carries a dateline: the article test below would not test it")
	}
	for id, want := range byArticle {
		a, err := ix.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != id || !reflect.DeepEqual(a.Paragraphs, want) {
			t.Errorf("Article(%s): %d paragraphs, want %d in position order", id, len(a.Paragraphs), len(want))
		}
		first, last := want[0], want[len(want)-1]
		if a.Dateline != first.Dateline {
			t.Errorf("Article(%s) dateline %q, want %q", id, a.Dateline, first.Dateline)
		}
		if a.Headline != first.Headline || a.County != first.County || a.Year != first.Year || a.Date != first.Date ||
			a.Source.File != first.Source.File || a.Source.Lines != [2]int{first.Source.Lines[0], last.Source.Lines[1]} {
			t.Errorf("Article(%s) metadata %+v, from paragraphs %+v … %+v", id, a, first, last)
		}
	}
	for _, id := range []string{"nope", "", "2e5a19a888b4a770"} {
		if _, err := ix.Paragraph(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Paragraph(%q) error %v, want ErrNotFound", id, err)
		}
	}
	for _, id := range []string{"nope", "", ps[0].ID} {
		if _, err := ix.Article(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Article(%q) error %v, want ErrNotFound", id, err)
		}
	}
}
