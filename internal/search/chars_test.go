package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// searchChar searches the one-character term c (as typed, unquoted) and
// returns the result with highlights.
func searchChar(t *testing.T, ix *Index, c string, size int) *Result {
	t.Helper()
	res, err := ix.Search(context.Background(), Request{
		Query:     query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: c}}}}},
		Size:      size,
		Highlight: true,
	})
	if err != nil {
		t.Fatalf("%q: %v", c, err)
	}
	return res
}

// holding returns the IDs of the paragraphs of ps whose folded text holds
// the folded character c: what a one-character query must find.
func holding(ps []corpus.Paragraph, c string) []string {
	var want []string
	for _, p := range ps {
		if strings.Contains(text.Fold(p.Text), text.Fold(c)) {
			want = append(want, p.ID)
		}
	}
	slices.Sort(want)
	return want
}

// TestLoneCharacters checks one-character queries without a unigram
// field, where the character stands in the text: inside a run (only in
// bigrams), at a run's start or end only, alone between punctuation, next
// to a number or a Latin word (where the text also holds a run-edge
// marker), in traditional form, and in the headline only (not a match of
// the text). Each must find exactly the paragraphs holding the character,
// with every hit's highlight marking it.
func TestLoneCharacters(t *testing.T) {
	para := func(id, txt, headline string) corpus.Paragraph {
		return corpus.Paragraph{ID: id, ArticleID: "a" + id, Text: txt, Headline: headline,
			County: "金乡", Year: 2023, Source: corpus.Provenance{File: "f" + id + ".txt"}}
	}
	ps := []corpus.Paragraph{
		para("inner", "全县干部群众积极参与", "标题一"),
		para("end", "我们走遍了全县", "标题二"),
		para("start", "县委召开会议", "标题三"),
		para("alone", "市、县、乡三级联动", "标题四"),
		para("digit", "2023年度工作报告", "标题五"),
		para("digitend", "小区7号楼", "标题六"),
		para("word", "推进gdp增长", "标题七"),
		para("trad", "紅色物業服務", "標題八"),
		para("headonly", "没有那个字", "鑫字当头"),
		para("twice", "县里县外", "标题十"),
	}
	ix := build(t, ps)
	for _, tc := range []struct {
		name, char string
		want       []string
	}{
		{"inside a run", "干", []string{"inner"}},
		{"run end only", "县", []string{"alone", "end", "inner", "start", "twice"}},
		{"run start only", "委", []string{"start"}},
		{"last of a run", "议", []string{"start"}},
		{"alone between punctuation", "市", []string{"alone"}},
		{"run start after punctuation", "乡", []string{"alone"}},
		{"after a number", "年", []string{"digit"}},
		{"before a number", "区", []string{"digitend"}},
		{"before a word", "进", []string{"word"}},
		{"after a word", "增", []string{"word"}},
		{"traditional in the text", "业", []string{"trad"}},
		{"traditional query", "業", []string{"trad"}},
		{"headline only", "鑫", nil},
		{"nowhere", "龘", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := searchChar(t, ix, tc.char, len(ps))
			got := ids(res.Hits)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || res.Total != len(tc.want) {
				t.Fatalf("%q: %d hits %v, want %d %v", tc.char, res.Total, got, len(tc.want), tc.want)
			}
			if want := holding(ps, tc.char); !slices.Equal(want, tc.want) {
				t.Fatalf("the case is wrong: %q is in %v", tc.char, want)
			}
			for _, h := range res.Hits {
				if !strings.Contains(h.Highlight, "<mark>") {
					t.Errorf("%s: highlight %q marks nothing", h.ID, h.Highlight)
				}
			}
		})
	}
}

// TestLoneCharactersCount is the property over real paragraphs: for a
// sample of the characters of their texts (every character of a few
// paragraphs, rare ones included), the total of a one-character query is
// the number of paragraphs holding it, and so are the hits, each with the
// character marked; Cost counts at least the postings of the hits.
func TestLoneCharactersCount(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[rune]bool{}
	checked := 0
	for range 12 {
		for _, r := range text.Fold(ps[rng.IntN(len(ps))].Text) {
			if !text.IsCJK(r) || seen[r] {
				continue
			}
			seen[r] = true
			c := string(r)
			want := holding(ps, c)
			res := searchChar(t, ix, c, len(ps))
			got := ids(res.Hits)
			slices.Sort(got)
			if res.Total != len(want) || !slices.Equal(got, want) {
				t.Errorf("%q: %d hits, %d paragraphs hold it", c, res.Total, len(want))
				continue
			}
			for _, h := range res.Hits {
				if !strings.Contains(h.Highlight, "<mark>"+c) {
					t.Errorf("%q: %s: highlight %q does not mark it", c, h.ID, h.Highlight)
					break
				}
			}
			cost, err := ix.Cost(context.Background(), query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: c}}}}})
			if err != nil || cost < int64(len(want)) {
				t.Errorf("%q: cost %d (%v), below its %d paragraphs", c, cost, err, len(want))
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d characters checked", checked)
	}
}

// TestLoneCharactersAfterUpdate checks that an updated generation (more
// segments, a file removed) answers one-character queries from its own
// dictionary: a character only the new file holds is found, one only the
// removed file held is not.
func TestLoneCharactersAfterUpdate(t *testing.T) {
	ctx := context.Background()
	para := func(id, txt, file string) corpus.Paragraph {
		return corpus.Paragraph{ID: id, ArticleID: "a" + id, Text: txt, County: "金乡", Year: 2023, Source: corpus.Provenance{File: file}}
	}
	var ps []corpus.Paragraph
	for i := range 30 {
		ps = append(ps, para(fmt.Sprint("p", i), "全县开展志愿服务活动", "base.txt"))
	}
	ps = append(ps, para("gone", "鑫源公司停产", "old.txt"))
	dir := t.TempDir() + "/index"
	buildAt(t, dir, BuildOptions{}, ps)
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveFile(ctx, "old.txt"); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(ctx, para("new", "淼淼河畔新建公园", "new.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for c, want := range map[string]int{"淼": 1, "畔": 1, "鑫": 0, "县": 30, "园": 1} {
		if res := searchChar(t, ix, c, 40); res.Total != want {
			t.Errorf("%q: %d hits, want %d", c, res.Total, want)
		}
	}
}
