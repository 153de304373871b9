package search

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// TestPhraseSearcherMatchesBleve compares phraseQuery with Bleve's own
// PhraseQuery on random terms of two to eight characters (a run may span
// punctuation, numbers and run-edge markers), on the text, topic and
// headline fields, alone, boosted, and combined in the BooleanQuery a
// search builds (where conjunctions Advance the phrase): the same hits, in
// the same order, with the same scores.
func TestPhraseSearcherMatchesBleve(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	run := func(q bq.Query) *bleve.SearchResult {
		req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
		sr, err := ix.bleve.SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return sr
	}
	phrases, hits := 0, 0
	for i := 0; i < 600; i++ {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		n := 2 + rng.IntN(7)
		if len(rs) <= n {
			continue
		}
		j := rng.IntN(len(rs) - n)
		tq, _ := ix.termQuery(string(rs[j : j+n]))
		pq, ok := tq.(*phraseQuery)
		if !ok {
			continue
		}
		phrases++
		field := []string{fieldText, fieldTopic, fieldHeadline}[i%3]
		ours, theirs := newPhraseQuery(pq.terms, field), bq.NewPhraseQuery(pq.terms, field)
		if i%5 == 0 {
			ours.SetBoost(0.5)
			theirs.SetBoost(0.5)
		}
		var a, b bq.Query = ours, theirs
		if i%4 == 1 {
			// In a conjunction with a common term, Bleve advances the phrase.
			other := termOn(fieldText1, "的")
			a = bq.NewBooleanQuery([]bq.Query{other, ours}, nil, nil)
			b = bq.NewBooleanQuery([]bq.Query{other, theirs}, nil, nil)
		}
		got, want := run(a), run(b)
		if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
			t.Errorf("%q on %s: %d hits, Bleve %d", pq.terms, field, got.Total, want.Total)
			continue
		}
		hits += len(got.Hits)
		for k := range got.Hits {
			g, w := got.Hits[k], want.Hits[k]
			if g.ID != w.ID || math.Abs(g.Score-w.Score) > 1e-9*math.Max(1, w.Score) {
				t.Errorf("%q on %s: hit %d is %s (%v), Bleve %s (%v)", pq.terms, field, k, g.ID, g.Score, w.ID, w.Score)
				break
			}
		}
	}
	if phrases < 300 || hits < 250 {
		t.Fatalf("only %d phrases with %d hits compared", phrases, hits)
	}
}
