package corpus_test

import (
	"context"
	"strings"
	"testing"

	"countynews/corpus"
)

// TestJSONLLineLimit: a line longer than 16 MB (its line end included) is
// reported and skipped, and the lines around it still load; a line of
// exactly 16 MB loads.
func TestJSONLLineLimit(t *testing.T) {
	const limit = 16 << 20
	// A JSON line of size bytes, its \n included, padded in a field the
	// reader ignores (a 16 MB text would test the parser's speed instead).
	record := func(size int) string {
		head, tail := `{"id":"big","pad":"`, `","text":"金乡县推进工作。"}`+"\n"
		return head + strings.Repeat("a", size-len(head)-len(tail)) + tail
	}
	for _, tc := range []struct {
		name     string
		size     int
		articles int
		problem  bool
	}{
		{"exactly the limit", limit, 3, false},
		{"half a megabyte over", limit + limit/32, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"id":"a","text":"金乡县推进工作。"}` + "\n" + record(tc.size) + `{"id":"b","text":"梁山县推进工作。"}` + "\n"
			n := 0
			probs, err := newParser(t).ReadJSONL(context.Background(), "x.jsonl", strings.NewReader(in), func(corpus.Article) error {
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.articles {
				t.Errorf("%d articles, want %d", n, tc.articles)
			}
			if tc.problem != (len(probs) == 1 && probs[0].Line == 2 && strings.Contains(probs[0].Error(), "longer than 16 MB")) || (!tc.problem && len(probs) > 0) {
				t.Errorf("problems %v, want one about line 2: %v", probs, tc.problem)
			}
		})
	}
}

// TestJSONLYearNotInferred: a record with no date and no year in its text
// has no year, and does not claim an inferred one.
func TestJSONLYearNotInferred(t *testing.T) {
	var got []corpus.Article
	_, err := newParser(t).ReadJSONL(context.Background(), "x.jsonl", strings.NewReader(`{"id":"a","text":"金乡县推进工作。"}`+"\n"+`{"id":"b","text":"截至2019年6月，金乡县完成工作。"}`+"\n"), func(a corpus.Article) error {
		got = append(got, a)
		return nil
	})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d articles, %v", len(got), err)
	}
	if got[0].Year != 0 || got[0].YearInferred {
		t.Errorf("no year: year %d, inferred %v", got[0].Year, got[0].YearInferred)
	}
	if got[1].Year != 2019 || !got[1].YearInferred {
		t.Errorf("截至2019年6月: year %d, inferred %v", got[1].Year, got[1].YearInferred)
	}
}
