package search

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/golang/snappy"

	"countynews/corpus"
)

// storedGolden is a paragraph and its stored form as this schema version
// writes it. A frame is decoded with the dictionary it was written with:
// if storedDict or the encoding changes, this test fails, and the change
// needs a SchemaVersion bump (and a new golden).
var storedGolden = struct {
	p     corpus.Paragraph
	frame string // hex
}{
	p: corpus.Paragraph{ID: "a1-00", ArticleID: "a1", Kind: corpus.KindLead, Text: "本报金乡讯　金乡县推行红色物业。",
		County: "金乡", Year: 2021, Date: "2021-03-04", Programs: []string{"红色物业"}},
	frame: "28b52ffd450001a300ad0300940461312d303061316c656164e69cace68aa5e98791e4b9a1e8aeafe38080e58ebfe68ea8e8a18ce7baa2e889b2e789a9e4b89ae380823230323122323032312d30332d3034225b22225d0e00d77453fc320e6b2e972457a4c7b5200606256e04970dc0de32c36bb059fbe5aaadf1d42275ca5610daed1f36",
}

func TestStoredRoundTrip(t *testing.T) {
	c, err := newStoredCodec()
	if err != nil {
		t.Fatal(err)
	}
	ps := realParagraphs(t)
	var plain, stored, snappied int
	for _, p := range append(ps, storedGolden.p, corpus.Paragraph{ID: "empty"}) {
		b, err := c.encode(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.decode(b)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if !reflect.DeepEqual(normal(got), normal(p)) {
			t.Errorf("%s: decoded\n%+v\nwant\n%+v", p.ID, got, p)
		}
		raw, _ := json.Marshal(p)
		plain += len(raw)
		stored += len(snappy.Encode(nil, b)) // zap snappy-compresses the stored value again
		snappied += len(snappy.Encode(nil, raw))
	}
	// Measured on the Jining sample: snappy alone 0.70 of the JSON, stored
	// 0.47 (0.67 of snappy's).
	// The bound catches a lost dictionary or a codec that does not
	// compress, not a small drift.
	if r := float64(stored) / float64(snappied); r > 0.85 {
		t.Errorf("stored paragraphs are %.2f of their snappy-compressed JSON (stored %d, snappy %d, plain %d bytes), want ≤ 0.85",
			r, stored, snappied, plain)
	}
	t.Logf("stored/plain %.3f, snappy/plain %.3f", float64(stored)/float64(plain), float64(snappied)/float64(plain))
}

// normal makes nil and empty slices equal, as JSON does.
func normal(p corpus.Paragraph) corpus.Paragraph {
	for _, s := range []*[]string{&p.Programs, &p.Initiatives, &p.Reporters} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	return p
}

func TestStoredGolden(t *testing.T) {
	c, err := newStoredCodec()
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.encode(storedGolden.p)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != storedGolden.frame {
		t.Errorf("stored form changed (bump SchemaVersion, then update the golden):\n got %s\nwant %s", got, storedGolden.frame)
	}
	frame, _ := hex.DecodeString(storedGolden.frame)
	p, err := c.decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normal(p), normal(storedGolden.p)) {
		t.Errorf("golden frame decodes to %+v, want %+v", p, storedGolden.p)
	}
}

func TestStoredDecodeErrors(t *testing.T) {
	c, err := newStoredCodec()
	if err != nil {
		t.Fatal(err)
	}
	good, _ := c.encode(storedGolden.p)
	for _, tc := range []struct {
		name  string
		value []byte
		want  string
	}{
		{"plain JSON is not a stored paragraph", []byte(`{"id":"x"}`), "decompress"},
		{"empty", nil, "unexpected end of JSON input"},
		{"truncated frame", good[:len(good)/2], "decompress"},
		{"frame of something else", c.enc.EncodeAll([]byte("not json"), nil), "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.decode(tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// BenchmarkStored measures encoding a paragraph for the index (JSON and
// zstd) and decoding a stored hit, against JSON alone.
func BenchmarkStored(b *testing.B) {
	c, err := newStoredCodec()
	if err != nil {
		b.Fatal(err)
	}
	ps := realParagraphs(b)
	frames := make([][]byte, len(ps))
	for i, p := range ps {
		frames[i] = must(c.encode(p))
	}
	b.Run("encode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must(c.encode(ps[i%len(ps)]))
		}
	})
	b.Run("encode-json-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must(json.Marshal(ps[i%len(ps)]))
		}
	})
	b.Run("decode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must(c.decode(frames[i%len(frames)]))
		}
	})
	// The same with a dictionary trained on the paragraphs (stored.go).
	tc := must(trainStoredCodec(context.Background(), manyRealParagraphs(b, storedSamples), storedMinSamples))
	trained := make([][]byte, len(ps))
	for i, p := range ps {
		trained[i] = must(tc.encode(p))
	}
	b.Run("trained/encode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must(tc.encode(ps[i%len(ps)]))
		}
	})
	b.Run("trained/decode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must(tc.decode(trained[i%len(trained)]))
		}
	})
}
