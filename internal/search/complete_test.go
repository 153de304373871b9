package search

import (
	"cmp"
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/text"
)

// referenceCompletions computes Complete's answer from the paragraphs
// themselves: every initiative, county and program with the number of
// paragraphs naming it, the two-character Han words of the texts after a
// one-character prefix, the most frequent n starting with the prefix, then
// initiatives containing it.
func referenceCompletions(ps []corpus.Paragraph, prefix string, n int) []Completion {
	key := completionKey(prefix)
	if key == "" {
		return []Completion{}
	}
	type k struct {
		text string
		kind CompletionKind
	}
	counts := map[k]int{}
	words := map[string]int{}
	rs := []rune(key)
	oneHan := len(rs) == 1 && text.IsCJK(rs[0])
	for _, p := range ps {
		seen := map[k]bool{}
		add := func(t string, kind CompletionKind) {
			if t != "" && !seen[k{t, kind}] {
				seen[k{t, kind}] = true
				counts[k{t, kind}]++
			}
		}
		for _, in := range p.Initiatives {
			add(in, CompleteInitiative)
		}
		add(p.County, CompleteCounty)
		for _, pr := range p.Programs {
			add(pr, CompleteProgram)
		}
		if oneHan {
			tr := []rune(strings.ToLower(text.FoldWidth(p.Text)))
			ws := map[string]bool{}
			for i := 0; i+1 < len(tr); i++ {
				if tr[i] == rs[0] && text.IsCJK(tr[i+1]) {
					ws[string(tr[i:i+2])] = true
				}
			}
			for w := range ws {
				words[w]++
			}
		}
	}
	var starts []Completion
	type infix struct {
		key string
		c   Completion
	}
	var inside []infix
	for e, c := range counts {
		ek := completionKey(e.text)
		switch {
		case strings.HasPrefix(ek, key):
			starts = append(starts, Completion{e.text, e.kind, c})
		case e.kind == CompleteInitiative && strings.Contains(ek, key):
			inside = append(inside, infix{ek, Completion{e.text, e.kind, c}})
		}
	}
	for w, c := range words {
		starts = append(starts, Completion{w, CompleteWord, c})
	}
	slices.SortFunc(starts, completionBefore)
	out := starts[:min(n, len(starts))]
	slices.SortFunc(inside, func(a, b infix) int { return cmp.Or(cmp.Compare(b.c.Count, a.c.Count), strings.Compare(a.key, b.key)) })
	for _, in := range inside {
		if len(out) >= n {
			break
		}
		out = append(out, in.c)
	}
	return append([]Completion{}, out...)
}

// TestComplete compares Complete with the reference on prefixes of the
// index's initiatives, counties and programs, single characters of its
// texts (words), substrings of initiatives (infix matches), full-width and
// missing prefixes.
func TestComplete(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	var names []string
	for _, p := range ps {
		names = append(names, p.Initiatives...)
		names = append(names, p.Programs...)
		if p.County != "" {
			names = append(names, p.County)
		}
	}
	if len(names) < 50 {
		t.Fatalf("only %d names in the corpus", len(names))
	}
	prefixes := []string{"红", "红色", "乡村", "梁", "县", "的", "没有这种", "", "  ", "Ｇ"}
	for range 150 {
		rs := []rune(names[rng.IntN(len(names))])
		i := 0
		if rng.IntN(3) == 0 {
			i = rng.IntN(len(rs)) // inside: infix matches
		}
		j := i + 1 + rng.IntN(len(rs)-i)
		prefixes = append(prefixes, string(rs[i:j]))
	}
	for range 60 {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		if r := rs[rng.IntN(len(rs))]; text.IsCJK(r) {
			prefixes = append(prefixes, string(r))
		}
	}
	words, infix := 0, 0
	for _, prefix := range prefixes {
		for _, n := range []int{8, 20} {
			got, err := ix.Complete(ctx, prefix, n)
			if err != nil {
				t.Fatalf("%q: %v", prefix, err)
			}
			want := referenceCompletions(ps, prefix, n)
			if k := []rune(completionKey(prefix)); len(k) > 0 && !text.IsCJK(k[0]) {
				continue // Latin words and numbers: below
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Complete(%q, %d)\n got %v\nwant %v", prefix, n, got, want)
			}
			for _, c := range got {
				if c.Kind == CompleteWord {
					words++
				}
				if !strings.HasPrefix(completionKey(c.Text), completionKey(prefix)) {
					infix++
				}
			}
		}
	}
	if words < 100 || infix < 20 {
		t.Errorf("only %d word and %d infix completions checked", words, infix)
	}
	// Latin words and numbers complete to whole tokens.
	got, err := ix.Complete(ctx, "20", 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.Kind == CompleteWord && (!strings.HasPrefix(c.Text, "20") || len(c.Text) <= 2 || c.Count <= 0) {
			t.Errorf("Complete(20): %+v", c)
		}
	}
	if !slices.ContainsFunc(got, func(c Completion) bool { return c.Kind == CompleteWord }) {
		t.Errorf("Complete(20) found no number: %v", got)
	}
}

// TestCompleteClosed: a closed index fails instead of panicking.
func TestCompleteClosed(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ix.Close()
	if _, err := ix.Complete(context.Background(), "红", 5); err == nil {
		t.Fatal("a closed index completed")
	}
}
