package suite

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"countynews/corpus"
)

// TestEachJSONLMatchesEncodingJSON checks the build job's reader
// (goccy/go-json) against encoding/json on paragraphs of the sample page
// and variants of them (empty and nil lists, escapes, a zero date, a
// traditional-character text), written as the suite writes its corpora.
func TestEachJSONLMatchesEncodingJSON(t *testing.T) {
	parser, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ps []corpus.Paragraph
	pages := corpus.DefaultPages()
	entries, err := fs.ReadDir(pages, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(pages, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		page, err := parser.ParsePage(corpus.DefaultPrefix+e.Name(), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			ps = append(ps, a.Paragraphs...)
		}
	}
	if len(ps) < 10 {
		t.Fatalf("%d paragraphs on the sample page", len(ps))
	}
	for i := range 10 {
		p := ps[i]
		p.ID += "-variant"
		switch i % 5 {
		case 0:
			p.Programs, p.Initiatives, p.Reporters = nil, []string{}, nil
		case 1:
			p.Text = "引号\"反斜杠\\制表\t换行\n<b>&amp;</b>\u2028紅色物業"
		case 2:
			p.Date, p.Year = "", 0
		case 3:
			p.Headline, p.HeadlineDerived = "", true
		case 4:
			p.Source.Lines = [2]int{0, 1 << 30}
		}
		ps = append(ps, p)
	}
	path := filepath.Join(t.TempDir(), "paragraphs.jsonl")
	if err := writeLines(path, ps); err != nil {
		t.Fatal(err)
	}
	var got []corpus.Paragraph
	if err := eachJSONL(context.Background(), path, func(p corpus.Paragraph) error {
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	var want []corpus.Paragraph
	for {
		var p corpus.Paragraph
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	if len(got) != len(want) || len(got) != len(ps) {
		t.Fatalf("read %d paragraphs, encoding/json %d, written %d", len(got), len(want), len(ps))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("paragraph %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
