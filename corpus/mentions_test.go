package corpus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"countynews/corpus"
)

// TestMentionsLookAlikes: a look-alike (微山湖, 梁山伯) is no mention at
// all: its county does not appear, not even with a zero score.
func TestMentionsLookAlikes(t *testing.T) {
	g, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want map[string]int
	}{
		{"微山湖边，梁山伯与祝英台", nil},
		{"微山湖边的微山县", map[string]int{"微山": 2}},
		{"梁山", map[string]int{"梁山": 1}},
	} {
		got := g.Mentions(tc.text)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Mentions(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestReadJSONLCancelled: a done context stops a long export within 256
// lines with the context's error.
func TestReadJSONLCancelled(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, `{"id":"a%d","text":"金乡县推进工作。"}`+"\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	visited := 0
	_, err := newParser(t).ReadJSONL(ctx, "x.jsonl", strings.NewReader(b.String()), func(corpus.Article) error {
		visited++
		return nil
	})
	if !errors.Is(err, context.Canceled) || visited >= 256 {
		t.Errorf("cancelled read: %v after %d articles, want context.Canceled within 256", err, visited)
	}
}
