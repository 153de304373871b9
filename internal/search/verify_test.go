package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"countynews/corpus"
)

// twoGenerations builds generations 1 and 2 of a fresh index folder (the
// second one with one more paragraph) and returns the folder.
func twoGenerations(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	ps := defaultParagraphs(t)
	buildAt(t, dir, BuildOptions{}, ps[:len(ps)-1])
	buildAt(t, dir, BuildOptions{}, ps)
	return dir
}

// copyFolder copies an index folder (files, folders, the current link)
// into a new temporary folder.
func copyFolder(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "index")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		return copyFile(p, target)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// generationFiles lists the files of generation gen, relative to its
// folder, manifest included.
func generationFiles(t *testing.T, dir string, gen int) []string {
	t.Helper()
	root := filepath.Join(dir, genName(gen))
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// damages are the ways a file of a served generation is broken.
var damages = []struct {
	name string
	do   func(t *testing.T, p string)
}{
	{"flip", func(t *testing.T, p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			b = []byte{0}
		}
		i := len(b) / 2
		b[i] ^= 0x5a
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{"truncate", func(t *testing.T, p string) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	}},
	{"delete", func(t *testing.T, p string) {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}},
}

// TestCorruptGenerationRefused: every way of damaging every file of the
// current generation makes Open fail with a *CorruptError naming that
// file, and OpenFallback serve the previous generation, warning about the
// damaged one.
func TestCorruptGenerationRefused(t *testing.T) {
	ctx := context.Background()
	orig := twoGenerations(t)
	files := generationFiles(t, orig, 2)
	if len(files) < 4 { // manifest, index_meta.json, root.bolt, a segment at least
		t.Fatalf("generation files %v", files)
	}
	for _, file := range files {
		for _, dmg := range damages {
			t.Run(file+"/"+dmg.name, func(t *testing.T) {
				dir := copyFolder(t, orig)
				dmg.do(t, filepath.Join(dir, genName(2), filepath.FromSlash(file)))
				_, err := Open(ctx, dir)
				var ce *CorruptError
				if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Open = %v, want a *CorruptError", err)
				}
				if ce.File != file || !strings.Contains(err.Error(), file) {
					t.Errorf("error %q names %q, want %q", err, ce.File, file)
				}
				ix, warns, err := OpenFallback(ctx, dir)
				if err != nil {
					t.Fatalf("OpenFallback: %v", err)
				}
				defer ix.Close()
				if ix.Generation() != 1 || len(warns) != 1 || !errors.Is(warns[0], ErrCorrupt) {
					t.Errorf("OpenFallback served generation %d, warnings %v; want 1 and one corruption", ix.Generation(), warns)
				}
				if res, err := ix.Search(ctx, Request{Query: mustParse(t, "梁山"), Size: 5}); err != nil || res.Total == 0 {
					t.Errorf("fallback search: %v, %+v", err, res)
				}
			})
		}
	}
}

// TestCorruptNoFallback: with no intact generation OpenFallback fails with
// the current generation's error.
func TestCorruptNoFallback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, defaultParagraphs(t))
	files := generationFiles(t, dir, 1)
	var seg string
	for _, f := range files {
		if strings.HasSuffix(f, ".zap") {
			seg = f
		}
	}
	if seg == "" {
		t.Fatalf("no segment in %v", files)
	}
	damages[0].do(t, filepath.Join(dir, genName(1), seg))
	_, _, err := OpenFallback(context.Background(), dir)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), seg+": checksum mismatch") {
		t.Errorf("OpenFallback = %v, want %s: checksum mismatch", err, seg)
	}
}

// TestManifestGeneration: a generation copied under another number
// without its manifest saying so is refused.
func TestManifestGeneration(t *testing.T) {
	dir := twoGenerations(t)
	m, err := readManifest(filepath.Join(dir, genName(2)))
	if err != nil {
		t.Fatal(err)
	}
	m.Generation = 1
	if err := writeManifest(filepath.Join(dir, genName(2)), m); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "manifest.json: records generation 1, not 2") {
		t.Errorf("Open = %v", err)
	}
}

// TestCurrentOutsideFolder: current must name a generation of its own
// folder; ../other/gen-1 is refused rather than read as this gen-1.
func TestCurrentOutsideFolder(t *testing.T) {
	dir := twoGenerations(t)
	link := filepath.Join(dir, currentLink)
	os.Remove(link)
	if err := os.Symlink("../other/gen-1", link); err != nil {
		t.Fatal(err)
	}
	if _, err := Current(dir); err == nil || !strings.Contains(err.Error(), "not a generation") {
		t.Errorf("Current = %v, want a refusal", err)
	}
	if _, err := Open(context.Background(), dir); err == nil {
		t.Error("Open served a current outside the folder")
	}
}

// TestBlevePanicRecovered: a segment damaged behind verification's back
// (its checksum rewritten to match) makes Bleve panic or fail; either way
// Open and searches return errors, and the process lives.
func TestBlevePanicRecovered(t *testing.T) {
	ctx := context.Background()
	failures, panics := 0, 0
	note := func(what string, err error) {
		if err != nil {
			failures++
			if errors.Is(err, ErrPanic) {
				panics++
			}
			t.Logf("%s: %v", what, err)
		}
	}
	for _, at := range []float64{0, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9} {
		dir := filepath.Join(t.TempDir(), "index")
		ps := defaultParagraphs(t)
		buildAt(t, dir, BuildOptions{}, ps)
		gdir := filepath.Join(dir, genName(1))
		var seg string
		for _, f := range generationFiles(t, dir, 1) {
			if strings.HasSuffix(f, ".zap") {
				seg = f
			}
		}
		p := filepath.Join(gdir, filepath.FromSlash(seg))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		start := int(float64(len(b)) * at)
		for i := start; i < min(len(b), start+4096); i++ {
			b[i] = 0xff
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rehash(t, gdir)
		ix, err := Open(ctx, dir)
		note(fmt.Sprintf("damage at %.0f%%: open", at*100), err)
		if err != nil {
			continue
		}
		for _, q := range []string{"梁山", "红色物业", "县", "-梁山"} {
			_, err := ix.Search(ctx, Request{Query: mustParse(t, q), Size: 10, Facets: true, Highlight: true})
			note(fmt.Sprintf("damage at %.0f%%: search %s", at*100, q), err)
		}
		for _, p := range ps[:3] {
			_, _, err := ix.Similar(ctx, p.ID, ScopeAll, 5)
			note("similar", err)
			_, err = ix.Article(ctx, p.ArticleID)
			note("article", err)
		}
		_, err = ix.AllFacets(ctx)
		note("facets", err)
		ix.Close()
	}
	if failures == 0 {
		t.Error("no damage was noticed: the test damages nothing")
	}
	t.Logf("%d failures, %d of them recovered panics", failures, panics)
}

// rehash rewrites a generation's manifest checksums to match its files.
func rehash(t *testing.T, gdir string) {
	t.Helper()
	m, err := readManifest(gdir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Contents, err = sumTree(context.Background(), gdir); err != nil {
		t.Fatal(err)
	}
	if err := writeManifest(gdir, m); err != nil {
		t.Fatal(err)
	}
}

// TestRecoverPanic: recoverPanic turns a panic into a *PanicError.
func TestRecoverPanic(t *testing.T) {
	err := func() (err error) {
		defer recoverPanic("search", &err)
		var m map[string]int
		m["x"] = 1
		return nil
	}()
	var pe *PanicError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPanic) || pe.Op != "search" || len(pe.Stack) == 0 || !strings.Contains(err.Error(), "search: panic: assignment to entry in nil map") {
		t.Errorf("err = %v", err)
	}
}

// TestStaleGenerationsPruned: generations a killed build left beyond the
// current one and its predecessor are removed by the next build, even an
// update that changes nothing (aborted).
func TestStaleGenerationsPruned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ps := defaultParagraphs(t)
	for range 3 {
		buildAt(t, dir, BuildOptions{}, ps)
	}
	// A kill between swap and prune: gen-1 copied back, as if never pruned.
	os.MkdirAll(filepath.Join(dir, "gen-1"), 0o755)
	b, err := NewBuilder(context.Background(), dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(folder(t, dir), " "); got != "current gen-2 gen-3 lock" {
		t.Errorf("index folder holds %s, want current gen-2 gen-3 lock", got)
	}
}

// TestUpdateFromDamagedCurrent: an update does not copy a damaged current
// generation: Previous is empty, so the caller reads every input again.
func TestUpdateFromDamagedCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, defaultParagraphs(t))
	damages[0].do(t, filepath.Join(dir, genName(1), "bleve", "index_meta.json"))
	b, err := NewBuilder(context.Background(), dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort()
	if b.Previous().Generation != 0 {
		t.Errorf("an update would start from the damaged generation %d", b.Previous().Generation)
	}
}

// TestArticleLongerThanWindow: an article of more paragraphs than the
// first request asks for comes back whole.
func TestArticleLongerThanWindow(t *testing.T) {
	var ps []corpus.Paragraph
	for i := range articleWindow + 300 {
		p := para(fmt.Sprintf("long-%04d", i), "f.txt", "梁山县红色物业")
		p.ArticleID, p.Position = "long", i
		ps = append(ps, p)
	}
	ix := build(t, ps)
	a, err := ix.Article(context.Background(), "long")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Paragraphs) != len(ps) || a.Paragraphs[len(ps)-1].Position != len(ps)-1 {
		t.Errorf("article of %d paragraphs came back with %d", len(ps), len(a.Paragraphs))
	}
}
