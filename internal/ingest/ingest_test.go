package ingest_test

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"countynews/corpus"
	"countynews/internal/ingest"
	"countynews/internal/search"
	"countynews/query"
)

// TestDefaultCorpusIndex builds the embedded corpus and checks the index
// against the parse itself: 34 documents, the two 红色物业 paragraphs, every
// paragraph containing 县, and facet counts over the whole index equal to
// the counts computed directly from the parsed corpus.
func TestDefaultCorpusIndex(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	sum, err := ingest.Run(ctx, ingest.Options{Index: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Paragraphs != 34 || sum.Total != 34 || sum.Articles != 7 {
		t.Errorf("summary %+v", sum)
	}
	var paras []corpus.Paragraph
	p, _ := corpus.NewParser(corpus.Options{})
	for _, in := range ingest.DefaultInputs() {
		if _, err := ingest.Read(ctx, p, in, func(a corpus.Article) error { paras = append(paras, a.Paragraphs...); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := search.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.DocCount() != 34 {
		t.Errorf("%d documents", ix.DocCount())
	}

	find := func(q string) map[string]bool {
		t.Helper()
		pq, err := query.Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ix.Search(ctx, search.Request{Query: pq, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, h := range res.Hits {
			got[h.County+"|"+h.ID] = true
		}
		if res.Total != len(got) {
			t.Errorf("q=%s: total %d but %d hits", q, res.Total, len(got))
		}
		return got
	}
	if got := find("红色物业"); len(got) != 2 {
		t.Errorf("红色物业: %v, want the 梁山 and 邹城 paragraphs", got)
	} else {
		for k := range got {
			if c := k[:len("梁山")]; c != "梁山" && c != "邹城" {
				t.Errorf("红色物业 found %s", k)
			}
		}
	}
	want := 0
	for _, p := range paras {
		if containsRune(p.Text, '县') {
			want++
		}
	}
	if got := find("县"); len(got) != want {
		t.Errorf("县: %d hits, %d paragraphs contain it", len(got), want)
	}

	facets, err := ix.AllFacets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]map[string]int{"county": {}, "year": {}, "program": {}}
	for _, p := range paras {
		counts["county"][p.County]++
		counts["year"][strconv.Itoa(p.Year)]++
		for _, prog := range p.Programs {
			counts["program"][prog]++
		}
	}
	for name, got := range map[string][]search.FacetValue{"county": facets.County, "year": facets.Year, "program": facets.Program} {
		m := map[string]int{}
		for _, v := range got {
			m[v.Value] = v.Count
		}
		if !equal(m, counts[name]) {
			t.Errorf("%s facet %v, corpus has %v", name, m, counts[name])
		}
	}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

func equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
