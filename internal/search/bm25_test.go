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
