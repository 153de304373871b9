package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"countynews/corpus"
)

// para makes a small paragraph of source file file.
func para(id, file, text string) corpus.Paragraph {
	return corpus.Paragraph{ID: id, ArticleID: "a-" + id, Kind: corpus.KindInitiative, Text: text,
		County: "梁山", Year: 2021, Source: corpus.Provenance{File: file, Lines: [2]int{1, 1}}}
}

// folder lists the names in an index folder.
func folder(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func searchIDs(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(res.Hits)
	slices.Sort(got)
	return got
}

// TestGenerations: each build makes a new generation, swaps current and
// keeps only the one it replaced; an index opened on an old generation
// keeps answering.
func TestGenerations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ctx := context.Background()
	var open []*Index
	for gen := 1; gen <= 3; gen++ {
		ps := []corpus.Paragraph{para("x1", "f.txt", "梁山县红色物业"), para("x2", "f.txt", "邹城市网格")}
		ps = ps[:1+gen%2]
		st := buildAt(t, dir, BuildOptions{}, ps)
		if st.Generation != gen || st.Paragraphs != len(ps) || st.SizeBytes == 0 {
			t.Errorf("build %d: stats %+v", gen, st)
		}
		if g, err := Current(dir); err != nil || g != gen {
			t.Errorf("Current = %d, %v; want %d", g, err, gen)
		}
		ix, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ix)
		m := ix.Manifest()
		if ix.Generation() != gen || m.Schema != SchemaVersion || m.Paragraphs != len(ps) || ix.DocCount() != len(ps) || m.BuiltAt.IsZero() {
			t.Errorf("generation %d: index gen %d, manifest %+v, %d docs", gen, ix.Generation(), m, ix.DocCount())
		}
	}
	want := []string{"current", "gen-2", "gen-3", "lock"}
	if got := folder(t, dir); !slices.Equal(got, want) {
		t.Errorf("index folder holds %v, want %v", got, want)
	}
	// Generation 1 was removed while open: it still answers (its files
	// stay until closed), as does generation 2, kept for such readers.
	for _, ix := range open {
		if got := searchIDs(t, ix, "梁山"); !slices.Equal(got, []string{"x1"}) {
			t.Errorf("generation %d answers %v", ix.Generation(), got)
		}
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestUpdate: an update starts from the current generation, RemoveFile
// drops a file's paragraphs, the manifest follows SetFile and RemoveFile,
// and the previous generation keeps serving meanwhile.
func TestUpdate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Previous(); m.Generation != 0 || len(m.Files) != 0 {
		t.Errorf("first build: Previous = %+v, want zero", m)
	}
	for _, p := range []corpus.Paragraph{para("a1", "a.txt", "金乡县大蒜"), para("a2", "a.txt", "金乡县会议"), para("b1", "b.txt", "嘉祥县石雕")} {
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	b.SetFile("a.txt", "hash-a", 2)
	b.SetFile("b.txt", "hash-b", 1)
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()

	b, err = NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	prev := b.Previous()
	if prev.Generation != 1 || prev.Files["a.txt"] != (FileEntry{"hash-a", 2}) || prev.Files["b.txt"] != (FileEntry{"hash-b", 1}) || prev.Paragraphs != 3 {
		t.Errorf("Previous = %+v", prev)
	}
	if err := b.RemoveFile(ctx, "b.txt"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []corpus.Paragraph{para("c1", "c.txt", "嘉祥县新石雕"), para("c2", "c.txt", "嘉祥县新会议")} {
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// A file that breaks part-way is removed again, this build's adds too.
	if err := b.Add(ctx, para("d1", "d.txt", "坏文件")); err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveFile(ctx, "d.txt"); err != nil {
		t.Fatal(err)
	}
	b.SetFile("c.txt", "hash-c", 2)
	if got := searchIDs(t, old, "嘉祥县"); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("during the update the old generation answers %v", got)
	}
	st, err := b.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Generation != 2 || st.Paragraphs != 4 || st.Added != 3 || st.Removed != 2 {
		t.Errorf("update stats %+v", st)
	}
	ix, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := searchIDs(t, ix, "县"); !slices.Equal(got, []string{"a1", "a2", "c1", "c2"}) {
		t.Errorf("after the update: %v", got)
	}
	m := ix.Manifest()
	wantFiles := map[string]FileEntry{"a.txt": {"hash-a", 2}, "c.txt": {"hash-c", 2}}
	if m.Generation != 2 || m.Paragraphs != 4 || len(m.Files) != 2 || m.Files["a.txt"] != wantFiles["a.txt"] || m.Files["c.txt"] != wantFiles["c.txt"] {
		t.Errorf("manifest %+v, want files %v", m, wantFiles)
	}
	if got := searchIDs(t, old, "县"); !slices.Equal(got, []string{"a1", "a2", "b1"}) {
		t.Errorf("the previous generation now answers %v", got)
	}

	// An update that changes nothing and is aborted leaves everything.
	b, err = NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(); err != nil {
		t.Errorf("second Abort: %v", err)
	}
	if err := b.Add(ctx, para("z", "z.txt", "z")); err == nil {
		t.Error("Add after Abort succeeded")
	}
	if got, want := folder(t, dir), []string{"current", "gen-1", "gen-2", "lock"}; !slices.Equal(got, want) {
		t.Errorf("after an aborted update the folder holds %v, want %v", got, want)
	}
	if g, _ := Current(dir); g != 2 {
		t.Errorf("after an aborted update current is %d", g)
	}
}

// TestRefuseForeignFolders: a build never touches a folder it did not
// write; missing and empty folders are fine.
func TestRefuseForeignFolders(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()

	docs := filepath.Join(base, "docs")
	os.MkdirAll(docs, 0o755)
	os.WriteFile(filepath.Join(docs, "thesis.txt"), []byte("precious"), 0o644)

	old := filepath.Join(base, "old-bleve")
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.New(old, sch.mapping)
	if err != nil {
		t.Fatal(err)
	}
	bi.Close()

	file := filepath.Join(base, "file")
	os.WriteFile(file, []byte("x"), 0o644)

	for _, dir := range []string{docs, old, file} {
		b, err := NewBuilder(ctx, dir, BuildOptions{})
		if err == nil {
			b.Abort()
			t.Errorf("NewBuilder(%s) succeeded", dir)
			continue
		}
		if !strings.Contains(err.Error(), dir) {
			t.Errorf("NewBuilder(%s): error %q does not name the path", dir, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(docs, "thesis.txt")); string(b) != "precious" {
		t.Error("a refused build touched the user's file")
	}
	if _, err := Open(ctx, old); err == nil || !strings.Contains(err.Error(), "older layout") {
		t.Errorf("Open(plain Bleve index) error %v", err)
	}
	if _, err := Open(ctx, docs); err == nil {
		t.Error("Open(random folder) succeeded")
	}

	empty := filepath.Join(base, "empty")
	os.MkdirAll(empty, 0o755)
	buildAt(t, empty, BuildOptions{}, []corpus.Paragraph{para("x", "f", "金乡")})
	buildAt(t, filepath.Join(base, "missing", "deeper"), BuildOptions{}, nil)
}

// TestSchemaMismatch: an index of another schema version is refused with
// a *SchemaError saying how to rebuild it, and an update rebuilds from
// scratch instead of copying it.
func TestSchemaMismatch(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, []corpus.Paragraph{para("x", "f.txt", "金乡")})
	gen := filepath.Join(dir, "gen-1")
	m, err := readManifest(gen)
	if err != nil {
		t.Fatal(err)
	}
	m.Schema = SchemaVersion + 7
	if err := writeManifest(gen, m); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, dir)
	var se *SchemaError
	if !errors.As(err, &se) || !errors.Is(err, ErrSchema) || se.Found != SchemaVersion+7 || se.Want != SchemaVersion {
		t.Fatalf("Open error %#v, want a *SchemaError", err)
	}
	for _, s := range []string{fmt.Sprintf("schema version %d", SchemaVersion+7), fmt.Sprintf("needs %d", SchemaVersion), "go run ./indexer -index " + dir} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Previous(); m.Generation != 0 || len(m.Files) != 0 {
		t.Errorf("update over another schema: Previous = %+v, want zero", m)
	}
	if err := b.Add(ctx, para("y", "g.txt", "嘉祥")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := searchIDs(t, ix, ""); !slices.Equal(got, []string{"y"}) {
		t.Errorf("rebuilt index holds %v, want only the new paragraph", got)
	}
}

// TestBuildLockAndLeftovers: one build at a time per folder; a build
// removes what interrupted builds left.
func TestBuildLockAndLeftovers(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, []corpus.Paragraph{para("x", "f.txt", "金乡")})
	os.MkdirAll(filepath.Join(dir, "gen-7.tmp", "bleve"), 0o755)
	os.Symlink("gen-7.tmp", filepath.Join(dir, "current.tmp"))

	b, err := NewBuilder(ctx, dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := folder(t, dir), []string{"current", "gen-1", "gen-2.tmp", "lock"}; !slices.Equal(got, want) {
		t.Errorf("a new build's folder holds %v, want %v", got, want)
	}
	if b2, err := NewBuilder(ctx, dir, BuildOptions{}); err == nil || !strings.Contains(err.Error(), "another build is running") {
		if b2 != nil {
			b2.Abort()
		}
		t.Errorf("second concurrent build: %v", err)
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	if got, want := folder(t, dir), []string{"current", "gen-1", "lock"}; !slices.Equal(got, want) {
		t.Errorf("after Abort the folder holds %v, want %v", got, want)
	}
	buildAt(t, dir, BuildOptions{}, nil) // the lock was released
}

// TestCurrentBytes: the size of the current generation, as the open index
// and the build report it; an index folder without one is an error.
func TestCurrentBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	st := buildAt(t, dir, BuildOptions{}, defaultParagraphs(t))
	n, err := CurrentBytes(dir)
	if err != nil || n <= 0 || n != st.SizeBytes {
		t.Errorf("CurrentBytes = %d, %v; the build reported %d", n, err, st.SizeBytes)
	}
	ix, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.SizeBytes() != n {
		t.Errorf("SizeBytes %d, CurrentBytes %d", ix.SizeBytes(), n)
	}
	if _, err := CurrentBytes(t.TempDir()); err == nil {
		t.Error("CurrentBytes of an empty folder: no error")
	}
}

// TestFullBuildIsOneSegment: a full build of many batches is published as
// one segment (mergeToOne), whatever scorch's merger had done; an update
// keeps the segments it made.
func TestFullBuildIsOneSegment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ps := manyParagraphs(t, 600)
	segments := func() int {
		t.Helper()
		ix, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		return indexSegments(t, ix)
	}
	buildAt(t, dir, BuildOptions{BatchSize: 50}, ps)
	if n := segments(); n != 1 {
		t.Errorf("full build of 12 batches: %d segments, want 1", n)
	}
	buildAt(t, dir, BuildOptions{BatchSize: 50, Update: true}, ps[:100])
	if n := segments(); n < 2 {
		t.Errorf("update: %d segments, want the full build's and the update's", n)
	}
}
