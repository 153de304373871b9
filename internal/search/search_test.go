package search

import (
	"context"
	"errors"
	"testing"

	"countynews/corpus"
	"countynews/query"
)

// TestTermsWithoutTokens: a term the analyzer turns into nothing (only
// punctuation or symbols, which query.Parse drops but a hand-made Query
// may hold) matches nothing when required and excludes nothing when
// negated; it never panics.
func TestTermsWithoutTokens(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	term := func(s string, neg bool) query.Clause {
		return query.Clause{Negated: neg, Any: []query.Term{{Text: s}}}
	}
	for _, s := range []string{"，，", "😀", "※", "", "   "} {
		res, err := ix.Search(ctx, Request{Query: query.Query{Clauses: []query.Clause{term(s, false)}}, Size: 5, Facets: true, Highlight: true})
		if err != nil || res.Total != 0 || len(res.Hits) != 0 || res.Facets.County == nil {
			t.Errorf("%q: total %v, err %v, facets %+v", s, res, err, res.Facets)
		}
		res, err = ix.Search(ctx, Request{Query: query.Query{Clauses: []query.Clause{term(s, true)}}, Size: 5})
		if err != nil || res.Total != ix.DocCount() {
			t.Errorf("-%q: total %v, err %v; want every paragraph", s, res.Total, err)
		}
		// In a disjunction the empty term drops out.
		res, err = ix.Search(ctx, Request{Query: query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: s}, {Text: "红色物业"}}}}}, Size: 5})
		if err != nil || res.Total != 2 {
			t.Errorf("%q OR 红色物业: total %v, err %v; want 2", s, res.Total, err)
		}
	}
}

// TestContextCancelled: a cancelled context stops the search with its
// error.
func TestContextCancelled(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, Request{Query: mustParse(t, "县"), Size: 5, Facets: true, Counties: []string{"梁山"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Search: error %v, want context.Canceled", err)
	}
	if _, err := ix.AllFacets(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("AllFacets: error %v, want context.Canceled", err)
	}
	if _, err := ix.Search(context.Background(), Request{Size: -1}); err == nil {
		t.Error("negative size accepted")
	}
}

// TestTopicAndHeadlineBoost: of two paragraphs whose texts score alike, the
// one whose topic sentence or headline also holds the term ranks first.
func TestTopicAndHeadlineBoost(t *testing.T) {
	mk := func(id, topic, text, headline string) corpus.Paragraph {
		p := para(id, "f.txt", text)
		p.Topic, p.Headline = topic, headline
		return p
	}
	ps := []corpus.Paragraph{
		mk("plain", "完善工作机制", "完善工作机制。推进网格员队伍建设。", "工作简报"),
		mk("topic", "推进网格员队伍建设", "推进网格员队伍建设。完善工作机制。", "工作简报"),
		mk("headline", "完善工作机制", "完善工作机制。推进网格员队伍建设。", "网格员队伍"),
	}
	ix := build(t, ps)
	for _, q := range []string{"网格员", "网格"} {
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res.Hits); len(got) != 3 || got[0] != "topic" || got[1] != "headline" || got[2] != "plain" {
			t.Errorf("%s: ranking %v, want topic, headline, plain", q, got)
		}
	}
}

// TestClosedIndex: every method of a closed index fails with an error,
// never a panic (searchd may close a retired generation while a late
// request still holds it).
func TestClosedIndex(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ix.Search(ctx, Request{Query: mustParse(t, "县"), Size: 5, Facets: true, Highlight: true}); err == nil {
		t.Error("Search on a closed index succeeded")
	}
	if _, err := ix.AllFacets(ctx); err == nil {
		t.Error("AllFacets on a closed index succeeded")
	}
	if _, err := ix.Paragraph(ctx, ps[0].ID); err == nil {
		t.Error("Paragraph on a closed index succeeded")
	}
	if _, err := ix.Article(ctx, ps[0].ArticleID); err == nil {
		t.Error("Article on a closed index succeeded")
	}
	if _, _, err := ix.Similar(ctx, ps[1].ID, ScopeAll, 5); err == nil {
		t.Error("Similar on a closed index succeeded")
	}
	_ = ix.DocCount()
}
