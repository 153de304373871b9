package search

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"countynews/corpus"
)

// storyIDs returns the story ID of every paragraph of ps in ix.
func storyIDs(t *testing.T, ix *Index, ps []corpus.Paragraph) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range ps {
		got, err := ix.Paragraph(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[p.ID] = got.StoryID
	}
	return out
}

// TestStoriesGroupCopies checks that syndicated copies share their
// original's story (the smallest article ID) and that articles without
// copies are stories of their own, and that an index updated by removing
// and adding back files gives every paragraph the story ID a fresh build
// of the same paragraphs gives (the grouping is made when an index is
// opened, from the set of articles).
func TestStoriesGroupCopies(t *testing.T) {
	ps := tableParagraphs(t)
	fresh := build(t, ps)
	want := storyIDs(t, fresh, ps)
	copies, own := 0, 0
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.Source.File, "copies-") && len([]rune(p.Text)) >= 50:
			orig := p.ArticleID[:len(p.ArticleID)-1]
			if want[p.ID] != orig {
				t.Errorf("copy %s is in story %q, want its original's %q", p.ID, want[p.ID], orig)
			}
			copies++
		case want[p.ID] == p.ArticleID:
			own++
		}
	}
	if copies == 0 || own == 0 {
		t.Fatalf("%d copies and %d paragraphs in stories of their own: the test tests nothing", copies, own)
	}

	// The same paragraphs reached by updates: first without the copies,
	// then the copies added, then one file removed and added back.
	dir := filepath.Join(t.TempDir(), "index")
	var base, extra []corpus.Paragraph
	for _, p := range ps {
		if strings.HasPrefix(p.Source.File, "copies-") {
			extra = append(extra, p)
		} else {
			base = append(base, p)
		}
	}
	buildAt(t, dir, BuildOptions{}, base)
	buildAt(t, dir, BuildOptions{Update: true}, extra)
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveFile(ctx, "copies-0.jsonl"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var again []corpus.Paragraph
	for _, p := range extra {
		if p.Source.File == "copies-0.jsonl" {
			again = append(again, p)
		}
	}
	buildAt(t, dir, BuildOptions{Update: true}, again)
	updated, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer updated.Close()
	got := storyIDs(t, updated, ps)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("after updates %s is in story %q, a fresh build says %q", id, got[id], w)
		}
	}
}

// TestCollapseStory checks one case by hand: a phrase of an article
// printed by two more outlets finds three paragraphs, and collapsing by
// story returns one hit standing for two other copies, with their
// outlets; collapsing by article returns the three.
func TestCollapseStory(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	var orig corpus.Paragraph
	for _, p := range ps {
		if p.Source.File == "copies-1.jsonl" {
			orig = ps[0]
			for _, q := range ps {
				if q.ID == strings.Replace(p.ID, p.ArticleID, p.ArticleID[:len(p.ArticleID)-1], 1) {
					orig = q
				}
			}
			break
		}
	}
	if orig.ID == "" {
		t.Fatal("no article with two copies")
	}
	phrase := string([]rune(orig.Text)[len([]rune(orig.Text))-12:])
	r := Request{Query: mustParse(t, `"`+phrase+`"`), Size: 10}
	all, err := ix.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	r.Collapse = CollapseStory
	story, err := ix.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	r.Collapse = CollapseArticle
	article, err := ix.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 3 || story.Total != 3 || article.Total != 3 {
		t.Fatalf("totals %d %d %d, want 3 paragraphs each", all.Total, story.Total, article.Total)
	}
	if story.Groups != 1 || len(story.Hits) != 1 || story.Hits[0].Others != 2 || len(story.Hits[0].Copies) != 2 {
		t.Fatalf("collapsed by story: %d groups, hits %+v", story.Groups, story.Hits)
	}
	outlets := []string{story.Hits[0].Copies[0].Outlet, story.Hits[0].Copies[1].Outlet}
	if !strings.HasPrefix(outlets[0], "转载媒体") || !strings.HasPrefix(outlets[1], "转载媒体") || outlets[0] == outlets[1] {
		t.Errorf("copies' outlets %q", outlets)
	}
	if article.Groups != 3 || len(article.Hits) != 3 || article.Hits[0].Others != 0 {
		t.Errorf("collapsed by article: %d groups, %d hits", article.Groups, len(article.Hits))
	}
}

// TestCollapseAuto: CollapseAuto is CollapseNone for an exact answer and
// CollapseStory for a relaxed one, hit for hit, and the result says which
// applied. The copies' own phrase (exact) lists all three copies; the same
// words run into a question (relaxed) list the story once.
func TestCollapseAuto(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	var copyText string
	for _, p := range ps {
		if p.Source.File == "copies-1.jsonl" && len([]rune(p.Text)) >= 50 {
			copyText = p.Text
			break
		}
	}
	if copyText == "" {
		t.Fatal("no copied article")
	}
	rs := []rune(copyText)
	phrase := string(rs[len(rs)-12:])
	grouped := 0
	for _, tc := range []struct {
		name, q string
		want    Collapse
	}{
		{"exact phrase of the copies", `"` + phrase + `"`, CollapseNone},
		{"exact common term", "红色物业", CollapseNone},
		{"relaxed question over the copies' words", "哪里" + string(rs[len(rs)-20:len(rs)-14]) + "的" + string(rs[len(rs)-10:len(rs)-4]) + "？", CollapseStory},
		{"relaxed keywords", "微山乡村振兴", CollapseStory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Request{Query: mustParse(t, tc.q), Match: MatchAuto, Size: 20, Facets: true, Collapse: CollapseAuto}
			got, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total == 0 {
				t.Fatal("no hits")
			}
			if got.Collapse != tc.want || (got.Match == MatchExact) != (tc.want == CollapseNone) {
				t.Fatalf("answered by %v, collapse %v; want collapse %v", got.Match, got.Collapse, tc.want)
			}
			r.Collapse = tc.want
			want, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Hits, want.Hits) || got.Total != want.Total || got.Groups != want.Groups || !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("auto: %d/%d %v; collapse %v: %d/%d %v", got.Total, got.Groups, ids(got.Hits), tc.want, want.Total, want.Groups, ids(want.Hits))
			}
			for _, h := range got.Hits {
				grouped += h.Others
			}
		})
	}
	if grouped == 0 {
		t.Error("no collapsed hit stood for others: the test does not show the grouping")
	}
}
