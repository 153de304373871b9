package search

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestWarmUp: WarmUp leaves the word segmenter loaded and the relaxed
// modes' field lengths measured (what the first relaxed search would
// otherwise do), changes no answer, and fails on a closed index.
func TestWarmUp(t *testing.T) {
	ps := tableParagraphs(t)
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, ps)
	ctx := context.Background()
	open := func() *Index {
		ix, err := Open(ctx, dir) // its own segmenter, unloaded
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}
	warm, cold := open(), open()
	if err := warm.WarmUp(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-warm.words.ready:
		if warm.words.seg == nil {
			t.Errorf("segmenter not loaded: %v", warm.words.err)
		}
	default:
		t.Error("WarmUp returned before the word segmenter was loaded")
	}
	// The lengths are measured: relaxedStats answers without measuring
	// again (a second Do would run the function).
	measured := true
	warm.bm25.once.Do(func() { measured = false })
	if !measured || warm.bm25.stats == nil || warm.bm25.stats.DocCount != float64(warm.DocCount()) {
		t.Errorf("field lengths not measured by WarmUp (measured %v, stats %+v)", measured, warm.bm25.stats)
	}
	if err := warm.WarmUp(ctx); err != nil {
		t.Errorf("second WarmUp: %v", err)
	}
	for _, q := range []string{"微山乡村振兴", "哪些县开展了志愿服务活动？", "红色物业"} {
		r := Request{Query: mustParse(t, q), Match: MatchAuto, Size: 10, Highlight: true, Facets: true, Collapse: CollapseAuto}
		got, err := warm.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := cold.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: warmed index answers %d %v, cold one %d %v", q, got.Total, ids(got.Hits), want.Total, ids(want.Hits))
		}
	}
	closed := open()
	closed.Close()
	if err := closed.WarmUp(ctx); !errors.Is(err, bleve.ErrorIndexClosed) {
		t.Errorf("WarmUp of a closed index: %v, want %v", err, bleve.ErrorIndexClosed)
	}
}

// TestCollapseTalliesReused: the per-article tallies of collapsing passes
// are pooled per generation; a search that follows a broad one must not
// see its articles. Each request is run after a broad collapsed search on
// the same index and compared with the same request on a freshly opened
// index of the same folder (empty pools) and with Bleve's grouping.
func TestCollapseTalliesReused(t *testing.T) {
	ps := tableParagraphs(t)
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, ps)
	ctx := context.Background()
	used, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer used.Close()
	// Bleve's searchers score with Bleve's BM25 formula only.
	used.bleveBM25 = true
	broad := []string{"县", "工作 发展 服务", "哪些县开展了工作？"}
	narrow := []string{"红色物业", "微山乡村振兴", "志愿服务", "党员 群众", "哪里举办了活动？"}
	checked := 0
	for _, c := range []Collapse{CollapseArticle, CollapseStory} {
		for _, m := range []Match{MatchExact, MatchAny} {
			for _, q := range narrow {
				for _, b := range broad {
					rb := Request{Query: mustParse(t, b), Match: MatchAny, Size: 5, Facets: true, Collapse: c}
					if res, err := used.Search(ctx, rb); err != nil || res.Total < 10 {
						t.Fatalf("broad %s: %v, %v hits", b, err, res)
					}
				}
				r := Request{Query: mustParse(t, q), Match: m, Size: 20, Facets: true, Collapse: c}
				got, err := used.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				fresh, err := Open(ctx, dir, WithWords(testWords))
				if err != nil {
					t.Fatal(err)
				}
				fresh.bleveBM25 = true
				want, err := fresh.Search(ctx, r)
				fresh.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%v %v %s after broad searches: %d/%d groups %v; fresh index: %d/%d %v",
						c, m, q, got.Total, got.Groups, ids(got.Hits), want.Total, want.Groups, ids(want.Hits))
				}
				// And as Bleve groups its own sorted hits.
				p, err := used.planFor(ctx, r.Query, InText, m, 0)
				if err != nil {
					t.Fatal(err)
				}
				f, _ := newFilters(r)
				ref, err := used.searchBleve(ctx, r, p.c, f)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != ref.Total || got.Groups != ref.Groups || !reflect.DeepEqual(ids(got.Hits), ids(ref.Hits)) {
					t.Errorf("%v %v %s: %d/%d %v; Bleve's grouping %d/%d %v", c, m, q, got.Total, got.Groups, ids(got.Hits), ref.Total, ref.Groups, ids(ref.Hits))
				}
				if got.Total > 0 {
					checked++
				}
			}
		}
	}
	if checked < 12 {
		t.Errorf("only %d requests found something: the test hardly compares", checked)
	}
}
