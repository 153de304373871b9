package cnzap

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
)

// TestInvertedTerms checks an InvertedField's dictionary: a term gets one
// number however often it comes and whichever table holds it (1–7 bytes,
// or longer), the tables grow and reset between batches, and the sort
// orders the terms as bytes.Compare does, terms sharing a prefix, zero
// bytes and the 8-byte boundary included.
func TestInvertedTerms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte{0, 1, 'a', 'b', 0x7f, 0x80, 0xe4, 0xff}
	var terms [][]byte
	seen := map[string]bool{}
	for len(terms) < 5000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if !seen[string(b)] {
			seen[string(b)] = true
			terms = append(terms, b)
		}
	}
	inv := NewInverted()
	for round := range 2 {
		inv.Reset()
		f := inv.Field("f", index.IndexField)
		ids := map[string]uint32{}
		for i := range 3 * len(terms) {
			term := terms[rng.IntN(len(terms))]
			id := f.termID(bytes.Clone(term))
			if old, ok := ids[string(term)]; ok && old != id {
				t.Fatalf("round %d, lookup %d: %q is term %d, was %d", round, i, term, id, old)
			}
			ids[string(term)] = id
			if got := f.terms[id]; !bytes.Equal(got, term) {
				t.Fatalf("round %d: term %d is %q, want %q", round, id, got, term)
			}
		}
		if len(f.terms) != len(ids) {
			t.Fatalf("round %d: %d terms numbered, %d distinct", round, len(f.terms), len(ids))
		}
		f.sort()
		got := make([][]byte, 0, len(f.order))
		for _, id := range f.order {
			got = append(got, f.terms[id])
		}
		want := slices.Clone(f.terms)
		slices.SortFunc(want, bytes.Compare)
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("round %d: sorted term %d is %q, want %q", round, i, got[i], want[i])
			}
		}
		if len(got) < 1000 {
			t.Fatal(fmt.Sprintf("round %d: only %d terms", round, len(got)))
		}
	}
}
