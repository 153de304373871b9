package search

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// TestMatchModes runs the queries quoted in issue 11 on the sample page
// under MatchAuto: the mode that answers, the words it used, and that every
// hit holds what that mode requires (and highlights it).
func TestMatchModes(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	tests := []struct {
		name, q   string
		match     Match
		words     []string // nil: ran as typed
		mustHold  []string // every hit's folded text holds each
		mustMark  []string // every hit's highlight marks each at least once
		mustNot   []string
		wantExact string // same hits as this query in exact mode
	}{
		{name: "county and program without a space", q: "微山乡村振兴", match: MatchAll, words: []string{"微山", "乡村振兴"},
			mustHold: []string{"微山", "乡村振兴"}, mustMark: []string{"乡村振兴"}},
		{name: "red property in liangshan", q: "梁山红色物业", match: MatchAll, words: []string{"梁山", "红色物业"},
			mustHold: []string{"梁山", "红色物业"}, mustMark: []string{"红色物业"}},
		{name: "first secretary", q: "第一书记帮扶", match: MatchAll, words: []string{"第一书记", "帮扶"},
			mustHold: []string{"第一书记", "帮扶"}},
		{name: "search box placeholder: split at the enumeration comma", q: "红色物业、网格 -梁山", match: MatchExact,
			words: []string{"红色物业", "网格"}, mustHold: []string{"红色物业", "网格"}, mustNot: []string{"梁山"}, mustMark: []string{"网格"}},
		{name: "exclamation mark", q: "乡村振兴！", match: MatchExact, mustMark: []string{"乡村振兴"}, wantExact: "乡村振兴"},
		{name: "IME quotes", q: "“乡村振兴”", match: MatchExact, mustMark: []string{"乡村振兴"}, wantExact: "乡村振兴"},
		{name: "corner brackets", q: "「乡村振兴」", match: MatchExact, mustMark: []string{"乡村振兴"}, wantExact: "乡村振兴"},
		{name: "title marks", q: "《乡村振兴》", match: MatchExact, mustMark: []string{"乡村振兴"}, wantExact: "乡村振兴"},
		{name: "traditional red property", q: "紅色物業", match: MatchExact, mustMark: []string{"红色物业"}, wantExact: "红色物业"},
		{name: "traditional rural revitalisation", q: "鄉村振興", match: MatchExact, mustMark: []string{"乡村振兴"}, wantExact: "乡村振兴"},
		{name: "a question", q: "哪个县推行了红色物业？", match: MatchAny, words: []string{"县", "推行", "红色物业"}},
		{name: "exact hits stay exact", q: "红色物业", match: MatchExact, mustHold: []string{"红色物业"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(ctx, Request{Query: mustParse(t, tc.q), Match: MatchAuto, Size: 50, Highlight: true, Facets: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Match != tc.match || !slices.Equal(res.Words, tc.words) {
				t.Errorf("match %v words %q, want %v %q", res.Match, res.Words, tc.match, tc.words)
			}
			if res.Total == 0 || len(res.Hits) == 0 {
				t.Fatalf("no hits")
			}
			for _, h := range res.Hits {
				folded := text.Fold(h.Text)
				for _, w := range tc.mustHold {
					if !strings.Contains(folded, w) {
						t.Errorf("hit %s lacks %s: %s", h.ID, w, h.Text)
					}
				}
				for _, w := range tc.mustNot {
					if strings.Contains(folded, w) {
						t.Errorf("hit %s holds excluded %s", h.ID, w)
					}
				}
				for _, w := range tc.mustMark {
					if !strings.Contains(text.Fold(h.Highlight), "<mark>"+w) && !strings.Contains(text.Fold(h.Highlight), w+"</mark>") {
						t.Errorf("hit %s: %s not highlighted: %s", h.ID, w, h.Highlight)
					}
				}
				if tc.words != nil && h.Highlight != "" && !strings.Contains(h.Highlight, "<mark>") {
					t.Errorf("hit %s: no word marked: %s", h.ID, h.Highlight)
				}
			}
			if tc.wantExact != "" {
				want, err := ix.Search(ctx, Request{Query: mustParse(t, tc.wantExact), Size: 50, Facets: true})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(res.Hits), ids(want.Hits)) || res.Total != want.Total || !reflect.DeepEqual(res.Facets, want.Facets) {
					t.Errorf("hits %v (total %d), %s finds %v (total %d)", ids(res.Hits), res.Total, tc.wantExact, ids(want.Hits), want.Total)
				}
			}
		})
	}
}

// TestMatchAllIsConjunctionOfWords checks MatchAll against a scan of the
// corpus: a paragraph is a hit exactly when its folded text holds every
// word the search reports using, and exclusions hold in every mode.
func TestMatchAllIsConjunctionOfWords(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	for _, q := range []string{"微山乡村振兴", "梁山红色物业", "党员志愿服务", "小区党支部红色物业 -邹城", "基层治理网格化", "红色物业、网格"} {
		for _, m := range []Match{MatchAll, MatchAny} {
			res, err := ix.Search(ctx, Request{Query: mustParse(t, q), Match: m, Size: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Words) == 0 || res.Match != m {
				t.Fatalf("%s %v: match %v words %q", q, m, res.Match, res.Words)
			}
			got := ids(res.Hits)
			var want []string
			for _, p := range ps {
				folded := text.Fold(p.Text)
				n := 0
				for _, w := range res.Words {
					if strings.Contains(folded, w) {
						n++
					}
				}
				ok := n == len(res.Words)
				if m == MatchAny {
					ok = n >= anyMinShould(len(res.Words))
				}
				if strings.Contains(q, "-邹城") && strings.Contains(folded, "邹城") {
					ok = false
				}
				if ok {
					want = append(want, p.ID)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || res.Total != len(want) {
				t.Errorf("%s %v (words %q): %d hits %v, the scan finds %d %v", q, m, res.Words, res.Total, got, len(want), want)
			}
		}
	}
}

// TestAutoEqualsExact is the property that relaxing never changes an
// answer exact mode has: for random terms from the corpus, with random
// filters, whenever exact finds something, auto returns the same result.
func TestAutoEqualsExact(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	counties := []string{"梁山", "邹城", "微山", "嘉祥", "金乡"}
	withHits := 0
	for i := range 300 {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		n := 1 + rng.IntN(8)
		st := rng.IntN(max(1, len(rs)-n))
		q := strings.ReplaceAll(string(rs[st:min(len(rs), st+n)]), `"`, "")
		if i%3 == 0 {
			q += " -" + string(rs[rng.IntN(len(rs))])
		}
		pq, err := query.Parse(q)
		if err != nil {
			continue
		}
		r := Request{Query: pq, Size: 1 + rng.IntN(10), From: rng.IntN(3), Highlight: true, Facets: true}
		if rng.IntN(3) == 0 {
			r.Counties = []string{counties[rng.IntN(len(counties))]}
		}
		exact, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		r.Match = MatchAuto
		auto, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if exact.Total == 0 {
			if auto.Match == MatchExact && len(auto.Words) == 0 && auto.Total > 0 {
				t.Errorf("%q: exact finds nothing, auto claims exact hits", q)
			}
			continue
		}
		withHits++
		if !reflect.DeepEqual(exact, auto) {
			t.Errorf("%q: auto differs from exact\n%+v\n%+v", q, auto, exact)
		}
	}
	if withHits < 100 {
		t.Errorf("only %d queries with exact hits", withHits)
	}
}

// TestTraditionalText indexes a paragraph printed in traditional
// characters: simplified and traditional queries both find it, and the
// highlight marks the printed characters.
func TestTraditionalText(t *testing.T) {
	ps := []corpus.Paragraph{
		para("t1", "hk.txt", "梁山縣推行紅色物業，鄉村振興見實效。"),
		para("s1", "cn.txt", "梁山县推行红色物业，乡村振兴见实效。"),
		para("x1", "cn.txt", "嘉祥县推进乡村建设。"),
	}
	ix := build(t, ps)
	for _, q := range []string{"红色物业", "紅色物業", "鄉村振興", "乡村振兴 见实效"} {
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Size: 10, Highlight: true})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(res.Hits)
		slices.Sort(got)
		if !slices.Equal(got, []string{"s1", "t1"}) {
			t.Errorf("%s: hits %v", q, got)
		}
		for _, h := range res.Hits {
			if h.ID == "t1" && !strings.Contains(h.Highlight, "<mark>") {
				t.Errorf("%s: nothing marked in %s", q, h.Highlight)
			}
			if h.ID == "t1" && h.Text != ps[0].Text {
				t.Errorf("stored text changed: %s", h.Text)
			}
		}
	}
	res, _ := ix.Search(context.Background(), Request{Query: mustParse(t, "紅色物業"), Size: 10, Highlight: true})
	for _, h := range res.Hits {
		if h.ID == "t1" && !strings.Contains(h.Highlight, "<mark>紅色物業</mark>") {
			t.Errorf("the printed characters are not marked: %s", h.Highlight)
		}
	}
}

// TestAutoSkipsAllForPhrasedQueries: under MatchAuto a query written as
// keywords goes through MatchAll, one written as a sentence or question
// (a stop word in an unquoted term) goes from the exact pieces straight to
// MatchAny (see phrased).
func TestAutoSkipsAllForPhrasedQueries(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	for _, tc := range []struct {
		name, q  string
		phrased  bool
		answered Match
	}{
		{"keywords without spaces", "微山乡村振兴", false, MatchAll},
		{"keywords with a space", "梁山 红色物业", false, MatchExact},
		{"a particle between them", "乡村振兴的微山", true, MatchAny},
		{"a question word", "微山乡村振兴怎么样", true, MatchAny},
		{"a question", "哪个县推行了红色物业？", true, MatchAny},
		{"a stop word only inside quotes", `"微山的" 乡村振兴`, false, MatchExact},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := mustParse(t, tc.q)
			got, err := ix.phrased(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.phrased {
				t.Errorf("phrased = %v, want %v", got, tc.phrased)
			}
			res, err := ix.Search(ctx, Request{Query: q, Match: MatchAuto, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			if res.Match != tc.answered {
				t.Errorf("answered by %v (%d hits, words %q), want %v", res.Match, res.Total, res.Words, tc.answered)
			}
			if tc.answered == MatchAny && !strings.Contains(tc.q, "？") {
				all, err := ix.Search(ctx, Request{Query: q, Match: MatchAll, Size: 10})
				if err != nil {
					t.Fatal(err)
				}
				if all.Total == 0 {
					t.Errorf("MatchAll finds nothing for %s: the case does not show the step skipped", tc.q)
				}
			}
		})
	}
}
