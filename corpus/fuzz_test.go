package corpus_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
)

// FuzzParsePage: the page parser never panics; what it returns is either a
// located *corpus.Error or articles whose paragraphs are valid UTF-8, have
// no line breaks, unique IDs and line spans inside the input.
func FuzzParsePage(f *testing.F) {
	sample, err := os.ReadFile(samplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add(sample[:len(sample)/3])
	f.Add([]byte("---\ndate: 2021-07-05\n---\n本报金乡讯（通讯员 甲）好。\n\n标题\n——副题\n"))
	f.Add([]byte("■本报通讯员 甲乙 丙丁\n十里稻花香。\n\n微山湖畔\n"))
	f.Add([]byte("本报\n\n嘉祥讯（通讯员 潘\n\n笛欢）好“办\n\n实事”。\n"))
	f.Add([]byte("\uFEFF２０２１年\r\n\r\n"))
	p := newParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		page, err := p.ParsePage("f.txt", data)
		if err != nil {
			var ce *corpus.Error
			if !errors.As(err, &ce) || ce.File != "f.txt" {
				t.Fatalf("error %v is not a located *corpus.Error", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		ids := map[string]bool{}
		for _, a := range page.Articles {
			if len(a.Paragraphs) == 0 {
				t.Fatal("article without paragraphs")
			}
			for _, para := range a.Paragraphs {
				if !utf8.ValidString(para.Text) || strings.ContainsAny(para.Text, "\r\n") || para.Text == "" {
					t.Fatalf("bad paragraph text %q", para.Text)
				}
				if ids[para.ID] {
					t.Fatalf("duplicate id %s", para.ID)
				}
				ids[para.ID] = true
				l := para.Source.Lines
				if l[0] < 1 || l[0] > l[1] || l[1] > lines {
					t.Fatalf("line span %v outside 1..%d", l, lines)
				}
			}
		}
	})
}

// FuzzReadJSONL: the JSONL reader never panics and locates every problem
// at a line of the input.
func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","date":"2023-08-19","text":"原标题：金乡好！正文。第二句。"}` + "\n"))
	f.Add([]byte("not json\n{\"text\":\"\"}\n{\"text\":\"梁山县\",\"county\":\"梁山\"}"))
	f.Add([]byte(`{"text":"` + strings.Repeat("长句，", 400) + `"}`))
	f.Add([]byte("{\"text\":\"\xff\"}\r\n{\"date\":\"2023-02-30\",\"text\":\"x\"}"))
	p := newParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		probs, err := p.ReadJSONL(context.Background(), "f.jsonl", bytes.NewReader(data), func(a corpus.Article) error {
			for _, para := range a.Paragraphs {
				if !utf8.ValidString(para.Text) || para.Text == "" {
					t.Fatalf("bad paragraph %q", para.Text)
				}
				if n := utf8.RuneCountInString(para.Text); n > corpus.MaxParagraph {
					t.Fatalf("paragraph of %d characters", n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read error on in-memory input: %v", err)
		}
		for _, pr := range probs {
			if pr.File != "f.jsonl" || pr.Line < 1 || pr.Line > lines {
				t.Fatalf("problem %v not located in 1..%d", pr, lines)
			}
		}
	})
}
