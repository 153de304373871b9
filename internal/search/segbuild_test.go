package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"countynews/corpus"
)

// segmentBuildOps builds dir as a full build of ps (whole articles, as
// buildAt), then replaces some paragraphs (same IDs, new text), removes
// one input file and adds two of its paragraphs back: every way a full
// build deletes.
func segmentBuildOps(t *testing.T, dir string, opt BuildOptions, ps []corpus.Paragraph) BuildStats {
	t.Helper()
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort()
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].ArticleID == ps[i].ArticleID {
			j++
		}
		if err := b.AddArticle(ctx, corpus.Article{ID: ps[i].ArticleID, Paragraphs: ps[i:j]}); err != nil {
			t.Fatal(err)
		}
		i = j
	}
	for i := 0; i < len(ps); i += 17 { // replaced, in earlier batches and in the last
		p := ps[i]
		p.Text = "梁山县红色物业替换。" + p.Text
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// The last paragraph of file-3 moves to file-1 before file-3 goes:
	// it stays.
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Source.File == "file-3.jsonl" {
			p := ps[i]
			p.Source.File, p.Text = "file-1.jsonl", "邹城市网格搬家。"+p.Text
			if err := b.Add(ctx, p); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if err := b.RemoveFile(ctx, "file-3.jsonl"); err != nil {
		t.Fatal(err)
	}
	back := 0
	for _, p := range ps {
		if p.Source.File == "file-3.jsonl" && back < 2 {
			p.Text = "金乡县大蒜回来。" + p.Text
			if err := b.Add(ctx, p); err != nil {
				t.Fatal(err)
			}
			back++
		}
	}
	st, err := b.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// spreadParagraphs is manyParagraphs over five input files.
func spreadParagraphs(t *testing.T, n int) []corpus.Paragraph {
	ps := manyParagraphs(t, n)
	for i := range ps {
		ps[i].Source.File = fmt.Sprintf("file-%d.jsonl", i%5)
	}
	return ps
}

// TestSegmentBuildMatchesOnline is the reference comparison of a full
// build's own segment building and two-level merge (segbuild.go) against
// the same build through scorch's online index (batches, then one merge of
// all): the same paragraphs, stored alike, and the same answers (totals,
// facets, every hit with its score) to queries drawn from the texts, with
// replacements and a removed input among the operations; the segment
// build is one segment, merged in groups first.
func TestSegmentBuildMatchesOnline(t *testing.T) {
	ps := spreadParagraphs(t, 700)
	ctx := context.Background()
	levels := map[int]int{}
	var mu sync.Mutex // the group merges run at once
	segDir := filepath.Join(t.TempDir(), "seg")
	st := segmentBuildOps(t, segDir, BuildOptions{BatchSize: 40, mergeHook: func(level int) error {
		mu.Lock()
		defer mu.Unlock()
		levels[level]++
		return nil
	}}, ps)
	onDir := filepath.Join(t.TempDir(), "online")
	ref := segmentBuildOps(t, onDir, BuildOptions{BatchSize: 40, online: true}, ps)
	// 700 paragraphs, 42 replacements, one moved and two added back, in
	// batches of 40: 19 batches in groups of 5, then the groups.
	if want := map[int]int{1: 4, 2: 1}; !reflect.DeepEqual(levels, want) {
		t.Errorf("merges by level: %v, want %v", levels, want)
	}
	if st.Paragraphs != ref.Paragraphs || st.Removed != ref.Removed || st.Added != ref.Added {
		t.Fatalf("segment build %+v, online build %+v", st, ref)
	}
	if want := 700 - 139 + 2; st.Paragraphs != want || st.Removed != 139 {
		t.Fatalf("segment build: %d paragraphs, %d removed; want %d and 139", st.Paragraphs, st.Removed, want)
	}
	seg, err := Open(ctx, segDir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	on, err := Open(ctx, onDir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer on.Close()
	if n := indexSegments(t, seg); n != 1 {
		t.Errorf("segment build: %d segments, want 1", n)
	}
	if seg.DocCount() != on.DocCount() || seg.DocCount() != st.Paragraphs {
		t.Fatalf("documents: segment build %d, online %d, stats %d", seg.DocCount(), on.DocCount(), st.Paragraphs)
	}
	replaced, removed := 0, 0
	for i, p := range ps {
		g, gerr := seg.Paragraph(ctx, p.ID)
		w, werr := on.Paragraph(ctx, p.ID)
		if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(g, w) {
			t.Fatalf("paragraph %s: segment build %+v (%v), online %+v (%v)", p.ID, g, gerr, w, werr)
		}
		switch {
		case werr != nil:
			removed++
		case i%17 == 0 && strings.HasPrefix(w.Text, "梁山县红色物业替换"):
			replaced++
		}
	}
	if removed != 137 || replaced == 0 {
		t.Errorf("%d paragraphs gone (want 137), %d replaced (want some)", removed, replaced)
	}
	queries := []string{"替换", "回来", "搬家", "梁山", "县", `"红色物业"`}
	for i := 0; i < len(ps); i += 23 {
		for _, run := range strings.FieldsFunc(ps[i].Text, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			if r := []rune(run); len(r) >= 6 {
				queries = append(queries, string(r[1:3]), fmt.Sprintf("%q", string(r[2:6])), string(r[0:1]))
				break
			}
		}
	}
	for _, q := range queries {
		req := Request{Query: mustParse(t, q), Size: 1000, Facets: true}
		g, err := seg.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		w, err := on.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if g.Total != w.Total || !reflect.DeepEqual(g.Facets, w.Facets) {
			t.Fatalf("query %s: segment build %d hits %v, online %d %v", q, g.Total, g.Facets, w.Total, w.Facets)
		}
		if gh, wh := scoredIDs(g.Hits), scoredIDs(w.Hits); !slices.Equal(gh, wh) {
			t.Fatalf("query %s: segment build hits %v\nonline %v", q, gh, wh)
		}
	}
	if utf8.RuneCountInString(queries[len(queries)-1]) != 1 {
		t.Fatal("no single-character query")
	}
}

// scoredIDs lists hits as "score id", best first, ties by ID (the two
// builds number documents differently).
func scoredIDs(hs []Hit) []string {
	hs = slices.Clone(hs)
	slices.SortFunc(hs, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmt.Sprintf("%.9g %s", h.Score, h.ID)
	}
	return out
}

// indexSegments returns the number of segments of ix's snapshot.
func indexSegments(t *testing.T, ix *Index) int {
	t.Helper()
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	segs, ok := snapshotSegments(rd)
	if !ok {
		t.Fatalf("no scorch snapshot: %T", rd)
	}
	return len(segs)
}

// TestSegmentBuildFailsCleanly: a full build that fails or is cancelled in
// either merge level leaves the previous generation current, complete and
// served, and nothing of its own behind; the next build succeeds.
func TestSegmentBuildFailsCleanly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	first := []corpus.Paragraph{para("x1", "f.txt", "梁山县红色物业"), para("x2", "f.txt", "金乡县大蒜")}
	buildAt(t, dir, BuildOptions{}, first)
	ps := manyParagraphs(t, 300)
	errBoom := errors.New("boom")
	for _, c := range []struct {
		name   string
		level  int
		cancel bool
	}{
		{"group merge fails", 1, false},
		{"final merge fails", 2, false},
		{"cancelled in a group merge", 1, true},
		{"cancelled before the final merge", 2, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b, err := NewBuilder(ctx, dir, BuildOptions{BatchSize: 30, mergeHook: func(level int) error {
				if level != c.level {
					return nil
				}
				if c.cancel {
					cancel()
					return nil
				}
				return errBoom
			}})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if err := b.Add(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			_, err = b.Commit(ctx)
			want := errBoom
			if c.cancel {
				want = context.Canceled
			}
			if !errors.Is(err, want) {
				t.Fatalf("Commit: %v, want %v", err, want)
			}
			if got := folder(t, dir); !slices.Equal(got, []string{"current", "gen-1", "lock"}) {
				t.Errorf("folder after the failed build: %v", got)
			}
			ix, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.Generation() != 1 || ix.DocCount() != len(first) {
				t.Errorf("served: generation %d with %d paragraphs, want 1 with %d", ix.Generation(), ix.DocCount(), len(first))
			}
			if got := searchIDs(t, ix, "大蒜"); !slices.Equal(got, []string{"x2"}) {
				t.Errorf("大蒜 on the previous generation: %v", got)
			}
		})
	}
	st := buildAt(t, dir, BuildOptions{BatchSize: 30}, ps)
	if st.Generation != 2 || st.Paragraphs != len(ps) {
		t.Errorf("next build: %+v", st)
	}
}
