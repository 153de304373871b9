package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/search"
)

// summary runs the indexer with -json and decodes the last line of stdout.
func summary(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), append([]string{"-json", "-q"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("indexer %v: %v\n%s", args, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last line of stdout is not JSON: %v\n%s", err, stdout.String())
	}
	return m
}

func TestIndexDefaultCorpus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	s := summary(t, "-index", dir)
	if s["paragraphs"] != 34.0 || s["articles"] != 7.0 || s["pages"] != 1.0 {
		t.Errorf("summary %v, want 34 paragraphs of 7 articles from 1 page", s)
	}
	ix, err := search.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n := ix.DocCount(); n != 34 {
		t.Errorf("index holds %d documents, want 34", n)
	}
	s = summary(t, "-index", dir, "-update")
	if s["changed"] != 0.0 {
		t.Errorf("update right after a build changed %v inputs, want 0", s["changed"])
	}
}

// TestUpdate: -update re-indexes only changed pages, removes vanished ones,
// and is idempotent.
func TestUpdate(t *testing.T) {
	pages := t.TempDir()
	sample, err := os.ReadFile("../corpus/pages/000_cab5e3eb326b2879.txt")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(pages, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", sample)
	write("b.txt", []byte("本报金乡讯（通讯员 甲）金乡县开展活动。\n\n二段。\n\n金乡标题\n"))
	dir := filepath.Join(t.TempDir(), "index")
	if s := summary(t, "-index", dir, pages); s["paragraphs"] != 36.0 {
		t.Fatalf("first build: %v", s)
	}
	steps := []struct {
		name    string
		change  func()
		changed float64
		total   float64
	}{
		{"nothing changed", func() {}, 0, 36},
		{"one page edited", func() {
			write("b.txt", []byte("本报金乡讯（通讯员 甲）金乡县开展活动。\n\n二段。\n\n三段。\n\n金乡标题\n"))
		}, 1, 37},
		{"again: idempotent", func() {}, 0, 37},
		{"one page added", func() { write("c.txt", []byte("本报梁山讯（通讯员 乙）梁山县好。\n\n梁山标题\n")) }, 1, 38},
		{"one page removed", func() { os.Remove(filepath.Join(pages, "b.txt")) }, 1, 35},
		{"again: idempotent", func() {}, 0, 35},
	}
	for _, st := range steps {
		st.change()
		s := summary(t, "-index", dir, "-update", pages)
		if s["changed"] != st.changed || s["total_paragraphs"] != st.total {
			t.Errorf("%s: changed %v total %v, want %v and %v", st.name, s["changed"], s["total_paragraphs"], st.changed, st.total)
		}
	}
	ix, err := search.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n := ix.DocCount(); n != 35 {
		t.Errorf("index holds %d documents after the updates, want 35", n)
	}
}

// TestBadInputs: a bad file is skipped with file:line, or fails under
// -strict with a one-line message.
func TestBadInputs(t *testing.T) {
	pages := t.TempDir()
	os.WriteFile(filepath.Join(pages, "good.txt"), []byte("本报金乡讯（通讯员 甲）金乡县开展活动。\n\n标题\n"), 0o644)
	os.WriteFile(filepath.Join(pages, "bad.txt"), []byte("好\n\xff\xfe\n"), 0o644)
	dir := filepath.Join(t.TempDir(), "index")
	s := summary(t, "-index", dir, pages)
	skipped, _ := s["skipped"].([]any)
	if s["paragraphs"] != 1.0 || len(skipped) != 1 || !strings.Contains(skipped[0].(map[string]any)["reason"].(string), "bad.txt:2: invalid UTF-8") {
		t.Errorf("summary %v", s)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-q", "-strict", "-index", filepath.Join(t.TempDir(), "x"), pages}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bad.txt:2: invalid UTF-8") || strings.Contains(err.Error(), "\n") {
		t.Errorf("-strict: err = %v, want a one-line error naming bad.txt:2", err)
	}
	if err := run(context.Background(), []string{"-bogus"}, &stdout, &stderr); err != errUsage {
		t.Errorf("unknown flag: err = %v, want usage", err)
	}
}

func TestDump(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-dump"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 34 {
		t.Fatalf("%d lines, want 34", len(lines))
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &p); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "article_id", "kind", "topic", "text", "headline", "subtitle", "county", "county_name",
		"year", "year_inferred", "date", "programs", "initiatives", "reporters", "source"} {
		if _, ok := p[k]; !ok {
			t.Errorf("dump line lacks %q", k)
		}
	}
	if p["date"] != nil || p["county"] != "金乡" || p["source"].(map[string]any)["file"] != corpus.DefaultPrefix+"000_cab5e3eb326b2879.txt" {
		t.Errorf("first paragraph %v", p)
	}
}
