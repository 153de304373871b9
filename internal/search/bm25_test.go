package search

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// filler is text of a few characters repeated: a collection whose
// dictionary is small next to its paragraphs' lengths, as a real one's
// is (every bigram of a language long since seen), so that Bleve's
// estimate of the average length (dictionary size / documents) is far
// below the true one.
func filler(n, seed int) string {
	const alphabet = "我们一起学习生活开会讨论计划安排"
	rs := []rune(alphabet)
	var b strings.Builder
	for i := range n {
		b.WriteRune(rs[(i*7+seed)%len(rs)])
		if i%15 == 14 {
			b.WriteRune('，')
		}
	}
	return b.String()
}

// rankingParagraphs are filler paragraphs and the two the ranking test
// is about: a long one holding all three words of the question, and a
// one-line one holding a single word of it.
func rankingParagraphs() []corpus.Paragraph {
	var ps []corpus.Paragraph
	for i := range 40 {
		ps = append(ps, para(fmt.Sprintf("f%02d", i), "f.txt", filler(150+i*5, i)+"。"))
	}
	ps = append(ps,
		para("long", "f.txt", filler(100, 1)+"微山"+filler(80, 2)+"乡村振兴"+filler(80, 3)+"红色物业"+filler(60, 4)+"。"),
		para("short", "f.txt", "红色物业。"),
	)
	return ps
}

// TestRelaxedStatsAreTrueAverages checks the BM25 statistics of the
// relaxed modes: for a collection smaller than the sample, every
// paragraph is read, so each text field's average is exactly the mean of
// its analysed lengths; Bleve's own estimate is far off; every field a
// query can name has an entry.
func TestRelaxedStatsAreTrueAverages(t *testing.T) {
	ps := rankingParagraphs()
	ix := build(t, ps)
	st, err := ix.relaxedStats()
	if err != nil {
		t.Fatal(err)
	}
	if int(st.DocCount) != len(ps) {
		t.Fatalf("document count %v, want %d", st.DocCount, len(ps))
	}
	sum := 0
	for _, p := range ps {
		sum += len(ix.sch.indexCJK.Analyze([]byte(text.Fold(p.Text))))
	}
	want := float64(sum) / float64(len(ps))
	if got := float64(st.FieldCardinality[fieldText]) / st.DocCount; math.Abs(got-want) > 0.5 {
		t.Errorf("text average %.1f, want %.1f", got, want)
	}
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	bleveCard, err := rd.(index.BM25Reader).FieldCardinality(fieldText)
	if err != nil {
		t.Fatal(err)
	}
	if bleve := float64(bleveCard) / st.DocCount; bleve > want/3 {
		t.Fatalf("Bleve's estimate %.1f is not far below the true average %.1f: the test data does not show the problem", bleve, want)
	}
	for _, f := range allFields {
		if _, ok := st.FieldCardinality[f]; !ok {
			t.Errorf("no statistics for field %s", f)
		}
	}
}

// TestRelaxedRankingByLength: a question's words all in a long paragraph
// outrank one of them alone in a one-line paragraph (MatchAny and the
// auto step that answers it). With Bleve's estimate of the average
// length every paragraph is many times "longer than average" and the
// one-liner came first; exact mode keeps Bleve's statistics.
func TestRelaxedRankingByLength(t *testing.T) {
	ix := build(t, rankingParagraphs())
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		q     string
		match Match
		first string
	}{
		{"any: all three words beat one", "微山乡村振兴红色物业", MatchAny, "long"},
		{"auto answers with any", "微山的乡村振兴红色物业怎么样", MatchAuto, "long"},
		{"exact: only the paragraphs holding the phrase", "红色物业", MatchExact, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(ctx, Request{Query: mustParse(t, tc.q), Match: tc.match, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			if tc.first == "" {
				if res.Total != 2 {
					t.Errorf("exact: %d hits %v, want long and short", res.Total, ids(res.Hits))
				}
				return
			}
			if res.Match != MatchAny {
				t.Fatalf("answered by %v", res.Match)
			}
			if len(res.Hits) < 2 || res.Hits[0].ID != tc.first {
				t.Errorf("hits %v, want %s first", ids(res.Hits), tc.first)
			}
		})
	}
	// The same query scored with Bleve's own statistics ranks the
	// one-liner first: what the true averages fix.
	pl, err := ix.planFor(ctx, mustParse(t, "微山乡村振兴红色物业"), InText, MatchAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pl.c.stats == nil {
		t.Fatal("MatchAny compiled without the relaxed statistics")
	}
	pl.c.stats = nil
	f, _ := newFilters(Request{})
	res, err := ix.run(ctx, Request{Size: 10}, pl.c, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "short" {
		t.Errorf("with Bleve's statistics hits %v: the test no longer shows what the statistics fix", ids(res.Hits))
	}
}

// TestExactKeepsBleveStats: exact matching compiles without statistics
// of its own, so its scores are Bleve's as before.
func TestExactKeepsBleveStats(t *testing.T) {
	ix := build(t, rankingParagraphs())
	ctx := context.Background()
	for _, m := range []Match{MatchExact, matchPieces} {
		pl, err := ix.planFor(ctx, mustParse(t, "红色物业"), InText, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		if pl.c.stats != nil {
			t.Errorf("mode %v scores with its own statistics", m)
		}
	}
	if ctx := (compiled{}).scoring(ctx); ctx.Value(search.BM25StatsKey) != nil {
		t.Error("a compiled query without statistics put some in the context")
	}
}

// TestRelaxedBM25IsClassic checks the relaxed modes' term scoring
// (bm25Params) against BM25 computed by hand from the paragraphs' text:
// for bigrams of several frequencies, each paragraph's analysed tokens
// give the term's frequency f and the field's length, the statistics the
// document count and average length, and a lone term's score (its query
// weight is 1) must be idf × f × (k1 + 1) / (f + k1 × (1 − b + b × length
// / average)), where without the parameters it is Bleve's (√f, k1). Both
// are asked twice with the leaf cache keeping every leaf, so that a
// cached leaf is never served to the other scoring.
func TestRelaxedBM25IsClassic(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ix.leaves = newLeafCache(1, 1<<30)
	ctx := context.Background()
	stats, err := ix.relaxedStats()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	// Each document's tokens, by document number.
	toks := map[int][]string{}
	for n, live := range ix.table.live {
		if !live {
			continue
		}
		p, err := ix.storedAt(rd, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ix.sch.indexCJK.Analyze([]byte(text.Fold(p.Text))) {
			toks[n] = append(toks[n], string(tk.Term))
		}
	}
	n := stats.DocCount
	avg := math.Ceil(float64(stats.FieldCardinality[fieldText]) / n)
	p := relaxedBM25()
	want := func(doc int, term string, classic bool) (float64, bool) {
		f := 0
		for _, tk := range toks[doc] {
			if tk == term {
				f++
			}
		}
		if f == 0 {
			return 0, false
		}
		df := 0
		for _, ts := range toks {
			for _, tk := range ts {
				if tk == term {
					df++
					break
				}
			}
		}
		idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
		length := float64(len(toks[doc]))
		if classic {
			return idf * float64(f) * (p.k1 + 1) / (float64(f) + p.k1*(1-p.b+p.b*length/avg)), true
		}
		tf := math.Sqrt(float64(f))
		return idf * tf * search.BM25_k1 / (tf + search.BM25_k1*(1-search.BM25_b+search.BM25_b*length/avg)), true
	}
	differ := 0
	checked := 0
	for round := range 2 {
		for _, term := range []string{"工作", "服务", "党员", "发展", "群众", "红色", "物业", "乡村", "振兴", "志愿"} {
			for _, classic := range []bool{true, false} {
				c := compiled{stats: stats}
				if classic {
					c.bm25 = p
				}
				got := map[int]float64{}
				handled, err := ix.directHits(c.scoring(ctx), termOn(fieldText, term), 0, len(ix.table.live), func(d int, s float64) { got[d] = s })
				if err != nil || !handled {
					t.Fatalf("%s: handled %v, %v", term, handled, err)
				}
				for doc := range toks {
					w, ok := want(doc, term, classic)
					g, hit := got[doc]
					if ok != hit {
						t.Errorf("round %d %s classic %v: document %d hit %v, holds the term %v", round, term, classic, doc, hit, ok)
						continue
					}
					if !ok {
						continue
					}
					checked++
					// The field length comes from a float32 norm.
					if math.Abs(g-w) > 1e-6*w {
						t.Errorf("round %d %s classic %v: document %d scored %v, want %v", round, term, classic, doc, g, w)
					}
					if b, _ := want(doc, term, !classic); classic && math.Abs(b-w) > 1e-3*w {
						differ++
					}
				}
			}
		}
	}
	if checked < 200 || differ < checked/8 {
		t.Errorf("%d postings checked, %d where the formulas differ: the test hardly tells them apart", checked, differ)
	}
}

// TestRelaxedModesScoreClassic checks which plans carry the relaxed
// term scoring: all and any do, exact and its pieces keep Bleve's (their
// answers are the query language's and stay exactly as they were).
func TestRelaxedModesScoreClassic(t *testing.T) {
	ix := build(t, rankingParagraphs())
	ctx := context.Background()
	q, err := query.Parse("微山乡村振兴、红色物业")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Match{MatchExact, matchPieces, MatchAll, MatchAny} {
		pl, err := ix.planFor(ctx, q, InText, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		relaxed := m == MatchAll || m == MatchAny
		if got := pl.c.bm25 != nil; got != relaxed {
			t.Errorf("%v: relaxed scoring %v, want %v", m, got, relaxed)
		}
		if relaxed && *pl.c.bm25 != (bm25Params{k1: relaxedK1, b: relaxedB}) {
			t.Errorf("%v: scoring %+v", m, *pl.c.bm25)
		}
	}
}
