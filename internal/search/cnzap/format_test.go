package cnzap

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"
)

// TestLensTable round-trips length tables of each width, and reads a
// number past the table as 0.
func TestLensTable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lens  []uint32
		width int
	}{
		{"empty", nil, 0},
		{"constant", []uint32{7, 7, 7}, 0},
		{"zeros", []uint32{0, 0}, 0},
		{"bytes", []uint32{0, 255, 3}, 1},
		{"shorts", []uint32{256, 1, 65535}, 2},
		{"words", []uint32{65536, 0, 1 << 31}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := appendLensTable([]byte{0xff}, tc.lens) // at offset 1: 0 is "none"
			l, err := parseLensTable(mem, 1, uint64(len(tc.lens)))
			if err != nil {
				t.Fatal(err)
			}
			if l.width != tc.width {
				t.Errorf("width %d, want %d", l.width, tc.width)
			}
			for d, want := range tc.lens {
				if got := l.get(uint64(d)); got != want {
					t.Errorf("document %d: %d, want %d", d, got, want)
				}
			}
			if got := l.get(uint64(len(tc.lens))); got != 0 {
				t.Errorf("past the table: %d", got)
			}
			if len(tc.lens) > 0 && tc.width > 0 {
				if _, err := parseLensTable(mem[:len(mem)-1], 1, uint64(len(tc.lens))); !errors.Is(err, ErrFormat) {
					t.Errorf("a cut table: %v, want ErrFormat", err)
				}
			}
		})
	}
	if _, err := parseLensTable([]byte{0, 3, 1, 2, 3}, 1, 1); !errors.Is(err, ErrFormat) {
		t.Errorf("width 3: %v, want ErrFormat", err)
	}
}

// positionsAnalyzer makes a token of every space-separated word, with
// positions but no byte offsets: as our analyzers do (cnzap's compact
// locations).
type positionsAnalyzer struct{}

func (positionsAnalyzer) Analyze(in []byte) analysis.TokenStream {
	var out analysis.TokenStream
	for i, w := range bytes.Fields(in) {
		out = append(out, &analysis.Token{Term: w, Position: i + 1, Type: analysis.Ideographic})
	}
	return out
}

// fuzzDocs are documents of both location modes: positions only, and
// with byte offsets and array positions.
func fuzzDocs(t testing.TB, n int) []index.Document {
	std, err := standard.AnalyzerConstructor(nil, registry.NewCache())
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"梁山", "金乡", "县", "news", "county", "红色", "物业", "a"}
	rng := rand.New(rand.NewPCG(5, 6))
	text := func(k int) []byte {
		var b []byte
		for j := range k {
			if j > 0 {
				b = append(b, ' ')
			}
			b = append(b, words[rng.IntN(len(words))]...)
		}
		return b
	}
	opts := index.IndexField | index.IncludeTermVectors
	var out []index.Document
	for i := range n {
		d := document.NewDocument(fmt.Sprintf("d%03d", i))
		d.AddField(document.NewTextFieldCustom("text", nil, text(1+rng.IntN(40)), opts, positionsAnalyzer{}))
		d.AddField(document.NewTextFieldCustom("body", []uint64{uint64(i % 4)}, text(1+rng.IntN(6)), opts, std))
		d.AddField(document.NewTextFieldCustom("kw", nil, text(1), index.IndexField, nil))
		d.AddIDField()
		d.VisitFields(func(f index.Field) { f.Analyze() })
		out = append(out, d)
	}
	return out
}

// readAll reads every postings list of sb with the PostingsIterator
// (Next and Advance, with and without a deleted bitmap) and with a
// Cursor, and returns the number of postings read and the first error.
func readAll(sb *SegmentBase, except *roaring.Bitmap) (n int, first error) {
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, field := range sb.Fields() {
		d, err := sb.dictionary(field)
		if err != nil || d == nil {
			note(err)
			continue
		}
		it := d.AutomatonIterator(nil, nil, nil)
		for e, err := it.Next(); e != nil && err == nil; e, err = it.Next() {
			for _, ex := range []*roaring.Bitmap{nil, except} {
				pl, err := d.postingsList([]byte(e.Term), ex, nil)
				if err != nil {
					note(err)
					continue
				}
				pi := pl.Iterator(true, true, true, nil)
				for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
					if err != nil {
						note(err)
						break
					}
					n += len(p.Locations())
				}
				pi = pl.Iterator(true, true, false, nil)
				for k := uint64(0); k < sb.numDocs; k += 7 {
					if _, err := pi.Advance(k); err != nil {
						note(err)
						break
					}
				}
				if l := pl.List(); l != nil {
					var c Cursor
					c.Reset(l, true)
					for c.Next() {
						c.FreqNorm()
						n += len(c.Positions(nil))
					}
					note(c.Err())
					c.Reset(l, false)
					for k := uint64(0); c.Advance(k); k += 5 {
						c.FreqNorm()
					}
				}
			}
		}
	}
	return n, first
}

// FuzzPostingsChunks corrupts the chunk bytes (chunk indexes, frequencies
// and locations) of one postings list of a segment and reads every list:
// an error or wrong postings, never a panic or a read out of range. Run
// it bounded: go test -run '^$' -fuzz FuzzPostingsChunks -fuzztime 30s.
func FuzzPostingsChunks(f *testing.F) {
	seg, _, err := (&ZapPlugin{}).New(fuzzDocs(f, 300))
	if err != nil {
		f.Fatal(err)
	}
	sb := seg.(*SegmentBase)
	// The lists and their chunk bytes: from the frequency stream's start
	// to the postings header.
	type region struct{ lo, hi uint64 }
	var regions []region
	for _, field := range sb.Fields() {
		d, err := sb.dictionary(field)
		if err != nil || d == nil {
			continue
		}
		it := d.AutomatonIterator(nil, nil, nil)
		for e, err := it.Next(); e != nil && err == nil; e, err = it.Next() {
			pl, err := d.postingsList([]byte(e.Term), nil, nil)
			if err == nil && pl.normBits1Hit == 0 && pl.freqOffset > 0 && pl.freqOffset < pl.postingsOffset {
				regions = append(regions, region{pl.freqOffset, pl.postingsOffset})
			}
		}
	}
	if len(regions) < 20 {
		f.Fatalf("%d lists", len(regions))
	}
	except := roaring.BitmapOf(1, 2, 3, 50, 51, 299)
	clean, err := readAll(sb, except)
	if err != nil || clean < 1000 {
		f.Fatalf("the clean segment: %d locations read, %v", clean, err)
	}
	f.Add(uint16(0), uint16(0), []byte{0xff, 0xff, 0xff})
	f.Add(uint16(3), uint16(1), []byte{0x80})
	f.Add(uint16(7), uint16(9), []byte{0x03, 0x7f, 0x00, 0x80, 0x80})
	f.Add(uint16(11), uint16(2), []byte{0x02, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, list, at uint16, data []byte) {
		r := regions[int(list)%len(regions)]
		lo := r.lo + uint64(at)%(r.hi-r.lo)
		saved := append([]byte(nil), sb.mem[lo:min(r.hi, lo+uint64(len(data)))]...)
		copy(sb.mem[lo:r.hi], data)
		defer copy(sb.mem[lo:], saved)
		readAll(sb, except)
	})
}
