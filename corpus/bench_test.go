package corpus_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"countynews/corpus"
)

// BenchmarkParsePage measures page parsing throughput (b.SetBytes: MB/s is
// megabytes of page text parsed a second).
func BenchmarkParsePage(b *testing.B) {
	data, err := os.ReadFile(samplePath)
	if err != nil {
		b.Fatal(err)
	}
	p := newParser(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := p.ParsePage("sample.txt", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadJSONL measures the JSONL reader on the real Jining export.
func BenchmarkReadJSONL(b *testing.B) {
	data, err := os.ReadFile(jiningJSONL)
	if err != nil {
		b.Skip(err)
	}
	p := newParser(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := p.ReadJSONL(context.Background(), "j.jsonl", bytes.NewReader(data), func(corpus.Article) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
