package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"countynews/internal/ingest"
)

// TestInputNamesRelative checks that inputs are named relative to the
// corpus root, never by an absolute path of the machine: citations show
// these names.
func TestInputNamesRelative(t *testing.T) {
	root := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	for _, f := range []string{"pages/2021/0705.txt", "real/news-2023.jsonl", "other/x.jsonl"} {
		p := filepath.Join(corpusDir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func(t *testing.T, root string, paths ...string) []string {
		t.Helper()
		ins, _, err := ingest.InputsUnder(root, paths...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range ins {
			if filepath.IsAbs(in.Name) || strings.Contains(in.Name, root) && root != "" {
				t.Errorf("input named %q", in.Name)
			}
			out = append(out, in.Name)
		}
		return out
	}
	tests := []struct {
		name  string
		root  string
		paths []string
		want  []string
	}{
		{"a folder is its own root", "", []string{corpusDir}, []string{"other/x.jsonl", "pages/2021/0705.txt", "real/news-2023.jsonl"}},
		{"a file alone is its base name", "", []string{filepath.Join(corpusDir, "real", "news-2023.jsonl")}, []string{"news-2023.jsonl"}},
		{"two folders: their common parent", "", []string{filepath.Join(corpusDir, "real"), filepath.Join(corpusDir, "pages")}, []string{"real/news-2023.jsonl", "pages/2021/0705.txt"}},
		{"an explicit root", root, []string{filepath.Join(corpusDir, "real")}, []string{"corpus/real/news-2023.jsonl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(t, tt.root, tt.paths...); !slices.Equal(got, tt.want) {
				t.Errorf("names %q, want %q", got, tt.want)
			}
		})
	}
	// Relative paths given from elsewhere name the same files the same way.
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	if got := names(t, "", "corpus/real", "./corpus/pages/"); !slices.Equal(got, []string{"real/news-2023.jsonl", "pages/2021/0705.txt"}) {
		t.Errorf("relative paths: names %q", got)
	}
	if _, _, err := ingest.InputsUnder(filepath.Join(corpusDir, "pages"), filepath.Join(corpusDir, "real")); err == nil || !strings.Contains(err.Error(), "outside the corpus root") {
		t.Errorf("a path outside the root: error %v", err)
	}
}
