package search

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"

	"countynews/corpus"
)

// TestStoredDecodeMatchesEncodingJSON: decode (go-json, a pooled buffer)
// gives every paragraph exactly what encoding/json gives for its JSON, on
// real paragraphs, the golden one and an empty one, decoded one after the
// other and from several goroutines at once (a pooled buffer that leaked
// one paragraph's JSON into the next would show).
func TestStoredDecodeMatchesEncodingJSON(t *testing.T) {
	c, err := newStoredCodec()
	if err != nil {
		t.Fatal(err)
	}
	ps := append(realParagraphs(t), storedGolden.p, corpus.Paragraph{ID: "empty"},
		corpus.Paragraph{ID: "esc", Text: "引号\"、反斜杠\\、\u2028与<mark>", Programs: []string{"红色物业"}, Year: 2023, Date: "2023-07-24"})
	frames := make([][]byte, len(ps))
	want := make([]corpus.Paragraph, len(ps))
	for i, p := range ps {
		if frames[i], err = c.encode(p); err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Every paragraph decoded, long and short in turn so that a reused
	// buffer holds a longer JSON, and only then compared: a decoded
	// string that pointed into a pooled buffer would have changed.
	got := make([]corpus.Paragraph, len(ps))
	decode := func(i int) {
		p, err := c.decode(frames[i])
		if err != nil {
			t.Errorf("%s: %v", ps[i].ID, err)
		}
		got[i] = p
	}
	for i := range ps {
		decode(i)
		decode(len(ps) - 1)
	}
	compare := func() {
		for i := range ps {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: decoded\n%+v\nencoding/json\n%+v", ps[i].ID, got[i], want[i])
			}
		}
	}
	compare()
	got = make([]corpus.Paragraph, len(ps))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(ps); i += 4 {
				decode(i)
			}
		}()
	}
	wg.Wait()
	compare()
}
