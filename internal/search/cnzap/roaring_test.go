package cnzap

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestAppendRoaring compares appendRoaring with roaring's own
// serialization of the same documents: empty, one, sparse and dense sets
// (array and bitmap containers, the 4,096 boundary), over one and several
// containers.
func TestAppendRoaring(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	set := func(n int, span uint32) []uint32 {
		m := map[uint32]bool{}
		for len(m) < n {
			m[rng.Uint32N(span)] = true
		}
		out := make([]uint32, 0, n)
		for d := range m {
			out = append(out, d)
		}
		slices.Sort(out)
		return out
	}
	cases := map[string][]uint32{
		"one":               {7},
		"first":             {0},
		"last of a key":     {65535, 65536},
		"sparse":            set(100, 1000),
		"array at the max":  set(4096, 65536),
		"bitmap past it":    set(4097, 65536),
		"all of a key":      set(65536, 65536),
		"several keys":      set(3000, 400000),
		"dense and sparse":  append(set(5000, 65536), 70000, 140000, 1<<31),
		"dense, three keys": set(20000, 3*65536),
	}
	var spans [][2]int
	for name, docs := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := roaring.BitmapOf(docs...).ToBytes()
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			got, spans = appendRoaring([]byte("x"), spans, docs)
			if !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Fatalf("%d documents: %d bytes, roaring's %d, not the same", len(docs), len(got)-1, len(want))
			}
		})
	}
}

// FuzzAppendRoaring compares appendRoaring with roaring on document sets
// drawn from the input.
func FuzzAppendRoaring(f *testing.F) {
	f.Add([]byte{1, 2, 3, 200, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		var docs []uint32
		var d uint32
		for i := 0; i+1 < len(in); i += 2 {
			d += uint32(in[i])<<uint(in[i+1]%20) + 1
			docs = append(docs, d)
		}
		if !slices.IsSorted(docs) { // wrapped around
			return
		}
		want, err := roaring.BitmapOf(docs...).ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := appendRoaring(nil, nil, docs)
		if !bytes.Equal(got, want) {
			t.Fatal(fmt.Sprintf("%v: not roaring's bytes", docs))
		}
	})
}
