package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"countynews/corpus"
	"countynews/internal/ingest"
)

const samplePath = "../../corpus/pages/000_cab5e3eb326b2879.txt"

// TestReadSkipsBadFiles: a folder with good and bad files loads the good
// ones and reports each bad one by name.
func TestReadSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	sample, _ := os.ReadFile(samplePath)
	files := map[string][]byte{
		"a.txt":   sample,
		"b.txt":   {0xff, 0xfe, 0x00, 0x10},
		"c.jsonl": []byte("{\"text\":\"金乡县好。\"}\nnot json\n{\"id\":\"x\"}\n"),
		"d.md":    []byte("ignored"),
	}
	for n, d := range files {
		if err := os.WriteFile(dir+"/"+n, d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ins, skipped, err := ingest.Inputs(dir)
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	if len(ins) != 3 {
		t.Fatalf("%d inputs, want 3 (.md passed over)", len(ins))
	}
	p, _ := corpus.NewParser(corpus.Options{})
	var articles int
	var problems []string
	for _, in := range ins {
		probs, err := ingest.Read(context.Background(), p, in, func(corpus.Article) error { articles++; return nil })
		for _, pr := range probs {
			problems = append(problems, pr.Error())
		}
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if articles != 8 {
		t.Errorf("%d articles, want 7 from the page and 1 from the export", articles)
	}
	want := []string{"b.txt:1: invalid UTF-8", "c.jsonl:2: not a JSON object", `c.jsonl:3: record has no "text"`}
	if len(problems) != len(want) {
		t.Fatalf("problems %q, want %q", problems, want)
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %q, want it to contain %q", problems[i], w)
		}
	}
}

func TestDefaultInputs(t *testing.T) {
	ins := ingest.DefaultInputs()
	if len(ins) != 1 || ins[0].Name != "default/000_cab5e3eb326b2879.txt" || ins[0].Key != ins[0].Name {
		t.Fatalf("default inputs %+v", ins)
	}
	rc, err := ins[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	b.ReadFrom(rc)
	disk, _ := os.ReadFile(samplePath)
	if !bytes.Equal(b.Bytes(), disk) {
		t.Error("embedded page differs from the file")
	}
}

// TestInputsCanonical: one file named twice (a folder under two names, a
// symbolic link) is one input, keyed by its absolute resolved path.
func TestInputsCanonical(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "corpA")
	os.Mkdir(dir, 0o755)
	sample, _ := os.ReadFile(samplePath)
	os.WriteFile(filepath.Join(dir, "a.txt"), sample, 0o644)
	os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(root, "link.txt"))
	t.Chdir(root)
	ins, skipped, err := ingest.Inputs("corpA", dir, "link.txt", "./corpA/a.txt")
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(dir, "a.txt"))
	if len(ins) != 1 || ins[0].Key != want || ins[0].Name != filepath.Join("corpA", "a.txt") {
		t.Fatalf("inputs %+v, want one keyed %s", ins, want)
	}
}

// TestInputsNotRegular: a FIFO, a device and a symbolic link to /dev/zero
// among the inputs are skipped with a problem naming each, and never
// opened: the call returns at once instead of blocking or reading forever.
func TestInputsNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	zero := filepath.Join(dir, "zero.jsonl")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	sample, _ := os.ReadFile(samplePath)
	os.WriteFile(filepath.Join(dir, "ok.txt"), sample, 0o644)
	done := make(chan struct{})
	var ins []ingest.Input
	var skipped []error
	var err error
	go func() {
		defer close(done)
		ins, skipped, err = ingest.Inputs(dir, fifo, "/dev/null")
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Inputs blocked on a FIFO or device")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || filepath.Base(ins[0].Name) != "ok.txt" {
		t.Errorf("inputs %+v, want ok.txt only", ins)
	}
	var msgs []string
	for _, s := range skipped {
		var ce *corpus.Error
		if !errors.As(s, &ce) {
			t.Errorf("problem %v is not a *corpus.Error", s)
		}
		msgs = append(msgs, s.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"fifo.txt: not a regular file (a FIFO)", "zero.jsonl: not a regular file (a character device)", "/dev/null: not a regular file (a character device)"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems %q lack %q", msgs, want)
		}
	}
	if len(skipped) != 4 { // the FIFO found in the folder and named
		t.Errorf("%d problems, want 4: %q", len(skipped), msgs)
	}
}
