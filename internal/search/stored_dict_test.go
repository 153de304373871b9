package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/golang/snappy"

	"countynews/corpus"
)

// manyRealParagraphs returns n paragraphs: the real sample's, repeated
// with new IDs (training wants a few hundred).
func manyRealParagraphs(t testing.TB, n int) []corpus.Paragraph {
	base := realParagraphs(t)
	out := make([]corpus.Paragraph, 0, n)
	for i := 0; len(out) < n; i++ {
		p := base[i%len(base)]
		p.ID = fmt.Sprintf("%s-r%d", p.ID, i/len(base))
		p.ArticleID = fmt.Sprintf("%s-r%d", p.ArticleID, i/len(base))
		out = append(out, p)
	}
	return out
}

// TestStoredTrainedRoundTrip: a dictionary trained on paragraphs
// compresses them better than the field-name dictionary, and every
// paragraph, those it was trained on, others, and random ones with
// characters it never saw, decodes to itself.
func TestStoredTrainedRoundTrip(t *testing.T) {
	ps := manyRealParagraphs(t, 600)
	c, err := trainStoredCodec(context.Background(), ps[:400], storedMinSamples)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(c.dict, zstdDictMagic) {
		t.Fatalf("not a trained dictionary (%d bytes)", len(c.dict))
	}
	plain, err := newStoredCodec()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	random := func() string {
		rs := make([]rune, rng.IntN(300))
		for i := range rs {
			rs[i] = rune(0x20 + rng.IntN(0x9fff-0x20))
		}
		return string(rs)
	}
	var trained, fixed int
	for i, p := range ps {
		if i%7 == 0 {
			p.Text, p.Headline, p.Dateline = random(), random(), random()
		}
		b, err := c.encode(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.decode(b)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if !reflect.DeepEqual(normal(got), normal(p)) {
			t.Fatalf("%s: decoded\n%+v\nwant\n%+v", p.ID, got, p)
		}
		if i >= 400 && i%7 != 0 {
			f, _ := plain.encode(p)
			trained += len(snappy.Encode(nil, b))
			fixed += len(snappy.Encode(nil, f))
		}
	}
	// Measured: 0.80 of the field-name dictionary's on the real sample.
	if r := float64(trained) / float64(fixed); r > 0.92 {
		t.Errorf("trained frames are %.2f of the field-name dictionary's, want ≤ 0.92", r)
	}
	t.Logf("trained/fixed %.3f", float64(trained)/float64(fixed))
	// A frame of one dictionary is refused by the other's codec.
	b, _ := c.encode(ps[0])
	if _, err := plain.decode(b); err == nil {
		t.Error("a frame of the trained dictionary decoded without it")
	}
}

// TestStoredTrainedFallback: too few paragraphs leave the field-name
// dictionary.
func TestStoredTrainedFallback(t *testing.T) {
	c, err := trainStoredCodec(context.Background(), realParagraphs(t)[:10], storedMinSamples)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.dict) != storedDict {
		t.Errorf("10 paragraphs trained a dictionary of %d bytes", len(c.dict))
	}
}

// FuzzStoredTrained: any paragraph text round-trips through a trained
// dictionary.
func FuzzStoredTrained(f *testing.F) {
	c, err := trainStoredCodec(context.Background(), manyRealParagraphs(f, 300), storedMinSamples)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("本报金乡讯　金乡县推行红色物业。", "红色物业")
	f.Add("", "")
	f.Add("\x00\xff", "𠀀")
	f.Fuzz(func(t *testing.T, text, headline string) {
		p := corpus.Paragraph{ID: "x", Text: text, Headline: headline, Programs: []string{headline}}
		b, err := c.encode(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.decode(b)
		if err != nil {
			t.Fatal(err)
		}
		// JSON replaces invalid UTF-8: compare with what it keeps.
		var want corpus.Paragraph
		raw, _ := json.Marshal(p)
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normal(got), normal(want)) {
			t.Fatalf("decoded %+v, want %+v", got, want)
		}
	})
}

// TestStoredDictionaryFile: a full build writes the dictionary it trained
// to its generation (listed in the manifest), an update keeps it byte for
// byte and adds frames readable with it, and a generation whose
// dictionary is missing or damaged is refused, naming the file.
func TestStoredDictionaryFile(t *testing.T) {
	ctx := context.Background()
	ps := manyRealParagraphs(t, 300)
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{dictSamples: 250}, ps[:290])
	gen1 := filepath.Join(dir, genName(1))
	d1, err := os.ReadFile(filepath.Join(gen1, storedDictFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(d1, zstdDictMagic) {
		t.Fatalf("%s is not a trained dictionary", storedDictFile)
	}
	m, err := readManifest(gen1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Contents[storedDictFile]; !ok {
		t.Fatalf("the manifest does not list %s", storedDictFile)
	}

	buildAt(t, dir, BuildOptions{Update: true}, ps[290:])
	gen2 := filepath.Join(dir, genName(2))
	d2, err := os.ReadFile(filepath.Join(gen2, storedDictFile))
	if err != nil || !bytes.Equal(d1, d2) {
		t.Fatalf("the update's dictionary differs from the one it copied frames of (%v)", err)
	}
	ix, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []corpus.Paragraph{ps[0], ps[289], ps[290], ps[299]} {
		got, err := ix.Paragraph(ctx, p.ID)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if got.Text != p.Text || got.Headline != p.Headline || got.County != p.County {
			t.Errorf("%s: decoded %+v", p.ID, got)
		}
	}
	ix.Close()

	for _, tc := range []struct {
		name    string
		damage  func(path string) error
		problem string
	}{
		{"missing", os.Remove, "missing"},
		{"damaged", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 0xff
			return os.WriteFile(p, b, 0o644)
		}, "checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(gen2, storedDictFile)
			if err := tc.damage(file); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := os.WriteFile(file, d2, 0o644); err != nil {
					t.Fatal(err)
				}
			}()
			_, err := Open(ctx, dir)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.File != storedDictFile {
				t.Fatalf("open: %v, want a *CorruptError naming %s", err, storedDictFile)
			}
			if ce.Problem != tc.problem {
				t.Errorf("problem %q, want %q", ce.Problem, tc.problem)
			}
		})
	}
}

// TestReadStoredCodec: a dictionary file that is neither a zstd
// dictionary nor the field-name one is refused, as is a missing one.
func TestReadStoredCodec(t *testing.T) {
	dir := t.TempDir()
	var ce *CorruptError
	if _, err := readStoredCodec(dir); !errors.As(err, &ce) || ce.Problem != "missing" {
		t.Errorf("missing: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, storedDictFile), []byte("not a dictionary"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readStoredCodec(dir); !errors.As(err, &ce) || ce.File != storedDictFile {
		t.Errorf("garbage: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, storedDictFile), []byte(storedDict), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readStoredCodec(dir); err != nil {
		t.Errorf("field-name dictionary: %v", err)
	}
}

// TestStoredTrainingCancelled: a cancelled build does not wait for the
// training (seconds on a loaded machine).
func TestStoredTrainingCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := trainStoredCodec(ctx, manyRealParagraphs(t, 600), storedMinSamples); !errors.Is(err, context.Canceled) {
		t.Fatalf("trained under a cancelled context: %v", err)
	}
}
