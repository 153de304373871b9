package search

import (
	"slices"
	"testing"
)

// TestGallop checks gallop against a linear search on every target of
// lists of several lengths.
func TestGallop(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 64, 100} {
		s := make([]uint32, n)
		for i := range s {
			s[i] = uint32(3*i + i%2)
		}
		for x := uint32(0); x <= uint32(3*n+2); x++ {
			want, _ := slices.BinarySearch(s, x)
			if got := gallop(s, x); got != want {
				t.Fatalf("gallop(%v, %d) = %d, want %d", s, x, got, want)
			}
		}
	}
}
