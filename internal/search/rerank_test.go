package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/query"
)

// rerankToken is a token of a text: its key and start (in runes), and
// whether it is a Han bigram.
type rerankToken struct {
	key uint64
	pos int32
	han bool
}

// rerankTokens returns the tokens of rs (scanTokens).
func rerankTokens(rs []rune) []rerankToken {
	var out []rerankToken
	scanTokens(rs, func(key uint64, pos, _ int32, han bool) { out = append(out, rerankToken{key, pos, han}) })
	return out
}

func TestScanTokens(t *testing.T) {
	pair := func(a, b rune) uint64 { return keyPair | uint64(a)<<21 | uint64(b) }
	single := func(a rune) uint64 { return keySingle | uint64(a) }
	word := func(s string) uint64 {
		h := uint64(14695981039346656037)
		for _, r := range s {
			h = (h ^ uint64(r)) * 1099511628211
		}
		return keyWord | h>>2
	}
	for _, tc := range []struct {
		name string
		in   string
		want []rerankToken
	}{
		{"a run of Han: overlapping bigrams", "红色物业", []rerankToken{{pair('红', '色'), 0, true}, {pair('色', '物'), 1, true}, {pair('物', '业'), 2, true}}},
		{"a lone character", "人", []rerankToken{{single('人'), 0, false}}},
		{"punctuation separates runs", "微山，梁山", []rerankToken{{pair('微', '山'), 0, true}, {pair('梁', '山'), 3, true}}},
		{"a lone character between punctuation", "、县。", []rerankToken{{single('县'), 1, false}}},
		{"digits and letters whole, lower-cased by the fold", "GDP增长5.2%", []rerankToken{{word("gdp"), 0, false}, {pair('增', '长'), 3, true}, {word("5.2"), 5, false}}},
		{"a point not between digits separates", "a.b 5.", []rerankToken{{word("a"), 0, false}, {word("b"), 2, false}, {word("5"), 4, false}}},
		{"full-width digits fold", "２０２３年", []rerankToken{{word("2023"), 0, false}, {single('年'), 4, false}}},
		{"traditional characters fold", "紅色", []rerankToken{{pair('红', '色'), 0, true}}},
		{"nothing to take", "，。！ ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rerankTokens(foldInto(nil, tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestMatchesAgreeWithScan: the reranker's fast scan of a candidate's text
// (rerankQuery.matches) finds exactly the tokens scanTokens makes of it
// that the question holds, on random texts of Han, Latin, digits and
// punctuation.
func TestMatchesAgreeWithScan(t *testing.T) {
	alphabet := []rune("红色物业微山梁山县人的是了Aa12２，。、 ．.,")
	rng := rand.New(rand.NewPCG(3, 4))
	randText := func(n int) string {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	checked := 0
	for range 500 {
		q := query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: randText(1 + rng.IntN(12))}}}}}
		rq, err := newRerankQuery(q, nil, 100, func(string) (uint64, error) { return 1, nil })
		if err != nil {
			t.Fatal(err)
		}
		rs := foldInto(nil, randText(rng.IntN(60)))
		var want []tokenMatch
		scanTokens(rs, func(key uint64, pos, _ int32, _ bool) {
			if ti, ok := rq.table.get(key); ok {
				want = append(want, tokenMatch{pos, ti})
			}
		})
		got := rq.matches(rs, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("question %q, text %q: matches %v, scan %v", q.Clauses[0].Any[0].Text, string(rs), got, want)
		}
		checked += len(want)
	}
	if checked < 500 {
		t.Errorf("only %d matches checked", checked)
	}
}

// TestRerankFeatures checks each feature on constructed texts, every
// token of the question equally rare (so that shares of idf mass are
// shares of tokens).
func TestRerankFeatures(t *testing.T) {
	// 梁山县推行红色物业: tokens 梁山 山县 县推 推行 行红 红色 色物 物业
	// (8); words 梁山 推行 红色物业.
	q := query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: "梁山县推行红色物业？"}}}}}
	rq, err := newRerankQuery(q, []string{"梁山", "推行", "红色物业"}, 1000, func(string) (uint64, error) { return 10, nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(rq.tokens) != 8 {
		t.Fatalf("%d tokens, want 8", len(rq.tokens))
	}
	filler := strings.Repeat("今天天气很好大家都来", 6) // 60 characters, no token of the question
	for _, tc := range []struct {
		name     string
		text     string
		headline string
		want     map[int]float64
	}{
		{"the whole question verbatim", "据悉梁山县推行红色物业。", "",
			map[int]float64{featCover: 1, featWords: 1, featRun: 1, featWindow: 1, featRare: 1, featHead: 0}},
		{"half the question", "梁山县推行。", "",
			map[int]float64{featCover: 4.0 / 8, featWords: 2.0 / 3, featRun: 4.0 / 8, featWindow: 4.0 / 8}},
		{"repetition does not add coverage", strings.Repeat("红色物业，", 10), "",
			map[int]float64{featCover: 3.0 / 8, featWords: 1.0 / 3, featRun: 3.0 / 8, featWindow: 3.0 / 8}},
		{"all the words, scattered beyond the window", "梁山县" + filler + "推行" + filler + "红色物业", "",
			map[int]float64{featCover: 6.0 / 8, featWords: 1, featRun: 3.0 / 8, featWindow: 3.0 / 8}},
		{"all the words within the window", "梁山县的推行和红色物业", "",
			map[int]float64{featCover: 6.0 / 8, featWords: 1, featRun: 3.0 / 8, featWindow: 6.0 / 8}},
		{"the headline holds part of it", "无关", "梁山红色物业",
			map[int]float64{featCover: 0, featHead: 4.0 / 8}},
		{"traditional and full-width text folds", "梁山縣推行紅色物業", "",
			map[int]float64{featCover: 1, featRun: 1}},
		{"nothing of the question", filler, "",
			map[int]float64{featCover: 0, featWords: 0, featRun: 0, featWindow: 0, featRare: 0, featCover3: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc rerankScratch
			f := rq.features(rerankCand{text: tc.text, headline: tc.headline, score: 2, rank: 3, story: 4}, 4, &sc)
			for i, w := range tc.want {
				if math.Abs(f[i]-w) > 1e-9 {
					t.Errorf("%s = %.4f, want %.4f", featureNames[i], f[i], w)
				}
			}
			if math.Abs(f[featCover3]-math.Pow(f[featCover], 3)) > 1e-9 {
				t.Errorf("cover3 %.4f, cover %.4f", f[featCover3], f[featCover])
			}
			if f[featScore] != 0.5 || f[featRank] != math.Log1p(3) || f[featStory] != math.Log(4) {
				t.Errorf("score %v rank %v story %v", f[featScore], f[featRank], f[featStory])
			}
		})
	}
}

// TestRerankIdfWeighs: a rare token counts for more of the coverage than
// a common one, and a token the index does not hold counts for nothing.
func TestRerankIdfWeighs(t *testing.T) {
	q := query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: "红色、物业、火星"}}}}}
	df := map[string]uint64{"红色": 500, "物业": 5, "火星": 0}
	rq, err := newRerankQuery(q, nil, 1000, func(s string) (uint64, error) { return df[s], nil })
	if err != nil {
		t.Fatal(err)
	}
	var sc rerankScratch
	common := rq.features(rerankCand{text: "红色"}, 1, &sc)[featCover]
	rare := rq.features(rerankCand{text: "物业"}, 1, &sc)[featCover]
	both := rq.features(rerankCand{text: "红色物业"}, 1, &sc)[featCover]
	if !(rare > common && rare > 0.5 && math.Abs(both-1) < 1e-9) {
		t.Errorf("cover: common %.3f, rare %.3f, both %.3f", common, rare, both)
	}
}

// rerankPair builds ps into one index folder opened twice: reranking (the
// product) and not (the first stage alone).
func rerankPair(t *testing.T, ps []corpus.Paragraph) (ranked, first *Index) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, ps)
	ctx := context.Background()
	ranked, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ranked.Close() })
	first, err = Open(ctx, dir, WithWords(testWords), WithRerank(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	return ranked, first
}

// rerankCorpus is a corpus where a question's words occur in many
// paragraphs, in varying numbers and places: more matching paragraphs
// than the reranker's depth.
func rerankCorpus() []corpus.Paragraph {
	parts := []string{"梁山县", "推行", "红色物业", "服务", "小区", "居民", "党支部", "网格", "志愿者", "物业费"}
	rng := rand.New(rand.NewPCG(7, 8))
	var ps []corpus.Paragraph
	for i := range 90 {
		var b strings.Builder
		for range 3 + rng.IntN(12) {
			b.WriteString(parts[rng.IntN(len(parts))])
			if rng.IntN(3) == 0 {
				b.WriteString("今天天气很好")
			}
			if rng.IntN(4) == 0 {
				b.WriteString("，")
			}
		}
		b.WriteString("。")
		p := para(fmt.Sprintf("p%02d", i), "f.txt", b.String())
		p.County = []string{"梁山", "邹城", "微山"}[i%3]
		ps = append(ps, p)
	}
	return ps
}

// TestRerankReordersOnlyTheFirstHits: a reranked relaxed answer is a
// permutation of the first stage's first rerankDepth hits followed by
// the rest in the first stage's order, with the same total, groups and
// facets; a page of it is the same slice of the whole order; exact
// answers are not touched.
func TestRerankReordersOnlyTheFirstHits(t *testing.T) {
	ranked, first := rerankPair(t, rerankCorpus())
	ctx := context.Background()
	moved := 0
	for _, q := range []string{"梁山县推行红色物业服务了多少小区？", "党支部网格的志愿者做了什么？", "居民的物业费怎么样"} {
		for _, coll := range []Collapse{CollapseNone, CollapseStory, CollapseAuto} {
			name := fmt.Sprintf("%s/%v", q, coll)
			r := Request{Query: mustParse(t, q), Match: MatchAny, Size: 100, Collapse: coll, Facets: true}
			got, want := searchBoth(t, ranked, first, r)
			if got.Match != MatchAny || len(want.Hits) <= rerankDepth {
				t.Fatalf("%s: %v with %d hits: the corpus must give more than %d", name, got.Match, len(want.Hits), rerankDepth)
			}
			if got.Total != want.Total || got.Groups != want.Groups || !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("%s: total %d groups %d facets %+v; first stage %d %d %+v", name, got.Total, got.Groups, got.Facets, want.Total, want.Groups, want.Facets)
			}
			g, w := ids(got.Hits), ids(want.Hits)
			n := rerankDepth
			if !slices.Equal(g[n:], w[n:]) {
				t.Errorf("%s: after the first %d, hits differ\n%v\n%v", name, n, g[n:], w[n:])
			}
			gs, ws := slices.Clone(g[:n]), slices.Clone(w[:n])
			slices.Sort(gs)
			slices.Sort(ws)
			if !slices.Equal(gs, ws) {
				t.Errorf("%s: the first %d are not a permutation of the first stage's\n%v\n%v", name, n, g[:n], w[:n])
			}
			if !slices.Equal(g[:n], w[:n]) {
				moved++
			}
			for _, h := range got.Hits {
				if j := slices.IndexFunc(want.Hits, func(x Hit) bool { return x.ID == h.ID }); j < 0 || want.Hits[j].Score != h.Score || want.Hits[j].Others != h.Others {
					t.Errorf("%s: hit %s: score or others changed", name, h.ID)
				}
			}
			for _, page := range [][2]int{{0, 10}, {5, 10}, {25, 10}, {40, 20}} {
				rp := r
				rp.From, rp.Size = page[0], page[1]
				res, err := ranked.Search(ctx, rp)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(res.Hits), g[page[0]:page[0]+page[1]]) {
					t.Errorf("%s: page %v is not the slice of the whole order", name, page)
				}
			}
		}
	}
	if moved == 0 {
		t.Error("the reranker moved nothing")
	}
	// Exact matching (and auto when exact finds something) is not reranked.
	for _, q := range []string{"红色物业", "梁山县 物业费", "居民"} {
		for _, m := range []Match{MatchExact, MatchAuto} {
			r := Request{Query: mustParse(t, q), Match: m, Size: 50, Facets: true, Highlight: true}
			got, want := searchBoth(t, ranked, first, r)
			if got.Total == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%q %v: %d hits, differs from the first stage's", q, m, got.Total)
			}
		}
	}
}

// TestRerankCoverageBeatsRepetition: the paragraph stating the question's
// fact in one sentence ranks above those repeating its words scattered
// through unrelated text, which BM25 (more words, more often) ranks
// first. Fails when the reranker is off or broken.
func TestRerankCoverageBeatsRepetition(t *testing.T) {
	fillers := []string{"今天天气很好大家都来参加活动会场气氛热烈掌声不断", "会议听取了有关情况汇报并对下一步工作作出部署安排",
		"与会人员围绕主题展开深入讨论提出意见建议", "活动现场人头攒动热闹非凡吸引众多市民前来参观"}
	var ps []corpus.Paragraph
	for i, f := range fillers {
		ps = append(ps, para(fmt.Sprintf("r%d", i), "f.txt",
			strings.Repeat("梁山县"+f+"推行"+f+"红色物业"+f+"小区"+f+"覆盖"+f, 2+i%2)))
	}
	ps = append(ps, para("fact", "f.txt", "据了解，梁山县红色物业已覆盖一百二十个小区，居民满意度明显提升，相关做法在全市推广，党支部领办物业公司，群众纷纷点赞。"))
	for i := range 20 {
		ps = append(ps, para(fmt.Sprintf("x%02d", i), "f.txt", "嘉祥县推进乡村建设，发展特色产业，带动群众增收。"))
	}
	ranked, first := rerankPair(t, ps)
	ctx := context.Background()
	r := Request{Query: mustParse(t, "梁山县推行的红色物业覆盖了多少个小区？"), Match: MatchAuto, Size: 10, Collapse: CollapseAuto}
	before, err := first.Search(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if before.Match != MatchAny || len(before.Hits) != 5 || before.Hits[0].ID == "fact" {
		t.Fatalf("the corpus no longer shows the case: first stage %v %v", before.Match, ids(before.Hits))
	}
	after, err := ranked.Search(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Hits) == 0 || after.Hits[0].ID != "fact" {
		t.Errorf("reranked %v (first stage %v): the paragraph stating the fact is not first", ids(after.Hits), ids(before.Hits))
	}
}

// TestRerankRunStopsAtPunctuation: a verbatim run follows the question's
// own runs of characters; two of its runs that happen to meet in a text
// (红色、色物 in 红色物) are two runs, not one.
func TestRerankRunStopsAtPunctuation(t *testing.T) {
	for _, tc := range []struct {
		name, q, text string
		run           float64
	}{
		{"one run of the question", "红色物", "红色物", 1},
		{"two runs meeting in the text", "红色、色物", "红色物", 0.5},
		{"one run, cut in the text", "红色物", "红色，色物", 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: tc.q}}}}}
			rq, err := newRerankQuery(q, nil, 100, func(string) (uint64, error) { return 1, nil })
			if err != nil {
				t.Fatal(err)
			}
			var sc rerankScratch
			if got := rq.features(rerankCand{text: tc.text}, 1, &sc)[featRun]; math.Abs(got-tc.run) > 1e-9 {
				t.Errorf("run %.3f, want %.3f", got, tc.run)
			}
		})
	}
}

// BenchmarkRerankFeatures: the features of one candidate, a paragraph of
// the sample page, against a question (the reranker's CPU beside the
// reads of its candidates' stored paragraphs).
func BenchmarkRerankFeatures(b *testing.B) {
	ps := defaultParagraphs(b)
	q := query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: "梁山县推行的红色物业覆盖了多少个小区？"}}}}}
	rq, err := newRerankQuery(q, []string{"梁山县", "推行", "红色物业", "覆盖", "小区"}, 1000, func(string) (uint64, error) { return 10, nil })
	if err != nil {
		b.Fatal(err)
	}
	var sc rerankScratch
	runes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := ps[i%len(ps)]
		runes += len([]rune(p.Text))
		rq.features(rerankCand{text: p.Text, headline: p.Headline, score: 1}, 1, &sc)
	}
	b.ReportMetric(float64(runes)/float64(b.N), "chars/op")
}

// TestRerankDocFrequencies: the reranker's idf of each question token,
// taken from the direct evaluator's cache of the terms the first stage
// opened where it can, is the idf of the index's own document frequency.
func TestRerankDocFrequencies(t *testing.T) {
	ranked, _ := rerankPair(t, rerankCorpus())
	ctx := context.Background()
	q := mustParse(t, "梁山县推行红色物业服务了多少小区？GDP")
	if _, err := ranked.Search(ctx, Request{Query: q, Match: MatchAny, Size: 10}); err != nil {
		t.Fatal(err)
	}
	rd, err := ranked.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rq, err := ranked.rerankQueryFor(ctx, rd, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := rd.DocCount()
	want, err := newRerankQuery(q, nil, float64(n), func(term string) (uint64, error) {
		tfr, err := rd.TermFieldReader(ctx, []byte(term), fieldText, false, false, false)
		if err != nil {
			return 0, err
		}
		defer tfr.Close()
		return tfr.Count(), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rq.tokens) < 10 || !reflect.DeepEqual(rq.tokens, want.tokens) {
		t.Errorf("tokens %v, from the index %v", rq.tokens, want.tokens)
	}
}

// searchBoth runs r on the reranking index and on the first stage's.
func searchBoth(t *testing.T, ranked, first *Index, r Request) (got, want *Result) {
	t.Helper()
	got, err := ranked.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if want, err = first.Search(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return got, want
}
