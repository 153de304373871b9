package search

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/text"
)

// TestGallop checks gallop against a linear search on every target of
// lists of several lengths.
func TestGallop(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 64, 100} {
		s := make([]uint32, n)
		for i := range s {
			s[i] = uint32(3*i + i%2)
		}
		for x := uint32(0); x <= uint32(3*n+2); x++ {
			want, _ := slices.BinarySearch(s, x)
			if got := gallop(s, x); got != want {
				t.Fatalf("gallop(%v, %d) = %d, want %d", s, x, got, want)
			}
		}
	}
}

// TestLeafAdmitHistory checks the admission history on its own: a key is
// admitted at its seen-th miss among the last history ones, and a key
// that fell out of the history starts again.
func TestLeafAdmitHistory(t *testing.T) {
	c := newLeafCache(1, 1<<20).admitting(2, 4)
	c.size = c.max // full: no room for anything
	steps := []struct {
		key  string
		want bool
	}{
		{"a", false}, {"a", true}, // second lookup: admitted
		{"b", false}, {"c", false}, {"d", false}, // history: a a b c → a b c d
		{"a", true},                                            // a still there once
		{"e", false}, {"f", false}, {"g", false}, {"h", false}, // a gone
		{"a", false},
		{"h", true},
	}
	for i, s := range steps {
		if got := c.admit(s.key, 100); got != s.want {
			t.Fatalf("step %d: admit(%q) = %v, want %v", i, s.key, got, s.want)
		}
	}
	if len(c.counts) > 4 {
		t.Errorf("the history counts %d keys, more than its 4 places", len(c.counts))
	}
	once := newLeafCache(1, 1<<20)
	once.size = once.max
	if !once.admit("a", 100) {
		t.Error("a cache without admitting refused a leaf at its first lookup")
	}
	c.size = c.max - 100
	if !c.admit("i", 100) {
		t.Error("a leaf that fits was refused at its first lookup")
	}
	if c.admit("j", 101) {
		t.Error("a leaf that does not fit was admitted at its first lookup")
	}
}

// TestLeafCacheAdmission searches an index with the index's own
// admission policy and checks that a common leaf is cached at its second
// lookup, not its first, when the cache is full (at the first while it
// has room), that a leaf needed within far fewer candidates
// than its postings is never read whole for the cache, and that every
// answer equals the one without a cache.
func TestLeafCacheAdmission(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	keep := ix.leaves
	defer func() { ix.leaves = keep }()
	common, rare := bigramsByFrequency(ps)
	ctx := context.Background()
	search := func(q string) *Result {
		t.Helper()
		res, err := ix.Search(ctx, Request{Query: mustParse(t, q), Size: 10, Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	cachedWith := func(term string) bool {
		for k := range ix.leaves.items {
			if strings.Contains(k, "\x00"+term) {
				return true
			}
		}
		return false
	}
	same := func(name string, got, want *Result) {
		t.Helper()
		if got.Total != want.Total || !slices.Equal(ids(got.Hits), ids(want.Hits)) {
			t.Fatalf("%s: total %d hits %v, want %d %v", name, got.Total, ids(got.Hits), want.Total, ids(want.Hits))
		}
		for i := range got.Hits {
			if got.Hits[i].Score != want.Hits[i].Score {
				t.Fatalf("%s: hit %d scores %v, want %v", name, i, got.Hits[i].Score, want.Hits[i].Score)
			}
		}
	}

	ix.leaves = nil
	want := search(common)
	if want.Total < 50 {
		t.Fatalf("the commonest bigram %q matches only %d paragraphs", common, want.Total)
	}
	// With room to spare, at the first lookup.
	ix.leaves = newLeafCache(1, 1<<30).admitting(leafCacheSeen, leafHistory)
	same("first lookup, room", search(common), want)
	if !cachedWith(common) {
		t.Fatalf("%q not cached at its first lookup with room to spare", common)
	}
	// Full (100 bytes free), at the second.
	const max = 1 << 20
	ix.leaves = newLeafCache(1, max).admitting(leafCacheSeen, leafHistory)
	filler := &leafEntry{key: "filler"}
	filler.docs = make([]uint32, (max-64-len(filler.key)-100)/4)
	ix.leaves.put(filler)
	if ix.leaves.size < max-200 || len(ix.leaves.items) != 1 {
		t.Fatalf("the filler takes %d bytes of %d", ix.leaves.size, max)
	}
	same("first lookup, full", search(common), want)
	if len(ix.leaves.items) != 1 {
		t.Fatalf("%d leaves cached at their first lookup in a full cache", len(ix.leaves.items)-1)
	}
	same("second lookup, full", search(common), want)
	if !cachedWith(common) {
		t.Fatalf("%q not cached at its second lookup", common)
	}
	same("from the cache", search(common), want)

	// The rare bigram first, the common one within its few hits: the
	// common leaf is skipped however often it is looked up.
	q := rare + " " + common
	ix.leaves = nil
	want = search(q)
	if want.Total == 0 {
		t.Fatalf("%q matches nothing", q)
	}
	ix.leaves = newLeafCache(1, 1<<30)
	for i := range 3 {
		same("rare and common", search(q), want)
		if i == 0 && !cachedWith(rare) {
			t.Fatalf("the rare leaf %q is not cached", rare)
		}
	}
	if cachedWith(common) {
		t.Fatalf("%q, needed within %d candidates, was read whole for the cache", common, want.Total)
	}
}

// bigramsByFrequency returns the two-character Han string in most of ps's
// texts, and one in exactly one text that also holds the common one.
func bigramsByFrequency(ps []corpus.Paragraph) (common, rare string) {
	df := map[string]int{}
	grams := func(s string) map[string]bool {
		rs := []rune(text.Fold(s))
		out := map[string]bool{}
		for i := 0; i+1 < len(rs); i++ {
			if text.IsCJK(rs[i]) && text.IsCJK(rs[i+1]) {
				out[string(rs[i:i+2])] = true
			}
		}
		return out
	}
	for _, p := range ps {
		for g := range grams(p.Text) {
			df[g]++
		}
	}
	for g, n := range df {
		if n > df[common] || n == df[common] && g < common {
			common = g
		}
	}
	for _, p := range ps {
		gs := grams(p.Text)
		if !gs[common] {
			continue
		}
		for g := range gs {
			if df[g] == 1 && (rare == "" || g < rare) {
				rare = g
			}
		}
		if rare != "" {
			break
		}
	}
	return common, rare
}

// TestCountReadsNoBoosts checks that a search ranking nothing (Size 0: a
// count, as DidYouMean's Counts asks, or facets alone) reads no leaf of
// the topic and headline boosts, and still has the total and facets of
// the ranked search. The leaf cache, keeping every leaf read, is the
// observer.
func TestCountReadsNoBoosts(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	keep := ix.leaves
	defer func() { ix.leaves = keep }()
	common, _ := bigramsByFrequency(ps)
	ctx := context.Background()
	boostLeaves := func() int {
		n := 0
		for k := range ix.leaves.items {
			if strings.HasPrefix(k[1:], fieldTopic+"\x00") || strings.HasPrefix(k[1:], fieldHeadline+"\x00") {
				n++
			}
		}
		return n
	}
	for _, q := range []string{common, common + " -" + string([]rune(common)[:1]) + "县"} {
		ix.leaves = newLeafCache(1, 1<<30)
		r := Request{Query: mustParse(t, q), Size: 0, Facets: true}
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := ix.Counts(ctx, []Request{r})
		if err != nil {
			t.Fatal(err)
		}
		if n := boostLeaves(); n != 0 {
			t.Fatalf("%q: a search of size 0 read %d boost leaves", q, n)
		}
		r.Size = 10
		ranked, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if boostLeaves() == 0 {
			t.Fatalf("%q: the ranked search read no boost leaf: the check sees nothing", q)
		}
		if ranked.Total == 0 || res.Total != ranked.Total || counts[0] != ranked.Total {
			t.Fatalf("%q: totals %d (size 0), %d (Counts), want %d", q, res.Total, counts[0], ranked.Total)
		}
		if !reflect.DeepEqual(res.Facets, ranked.Facets) {
			t.Fatalf("%q: facets of size 0 %v, want %v", q, res.Facets, ranked.Facets)
		}
	}
}
