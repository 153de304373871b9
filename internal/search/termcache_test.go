package search

import (
	"fmt"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestTermCacheSnapshot checks that the cache hands a term's postings
// back only for the snapshot they were opened on: another deleted
// bitmap, another offset, another number of segments or a new snapshot
// put in between each miss.
func TestTermCacheSnapshot(t *testing.T) {
	del1, del2 := roaring.New(), roaring.New()
	a := []snapSegment{{deleted: del1}, {deleted: nil, offset: 10}}
	tp := &termPostings{count: 3}
	var c termCache
	if got := c.get(a, fieldText, "县委"); got != nil {
		t.Fatalf("empty cache: got %v", got)
	}
	c.put(a, fieldText, "县委", tp)
	same := []snapSegment{{deleted: del1}, {deleted: nil, offset: 10}}
	if got := c.get(same, fieldText, "县委"); got != tp {
		t.Fatalf("same snapshot: got %v, want the entry put", got)
	}
	for name, other := range map[string][]snapSegment{
		"another deleted bitmap": {{deleted: del2}, {deleted: nil, offset: 10}},
		"another offset":         {{deleted: del1}, {deleted: nil, offset: 11}},
		"a segment fewer":        {{deleted: del1}},
		"no segments":            nil,
	} {
		if got := c.get(other, fieldText, "县委"); got != nil {
			t.Errorf("%s: got %v, want a miss", name, got)
		}
	}
	if got := c.get(a, fieldHeadline, "县委"); got != nil {
		t.Errorf("another field: got %v, want a miss", got)
	}
	b := []snapSegment{{deleted: del2}}
	c.put(b, fieldText, "全县", &termPostings{count: 1})
	if got := c.get(a, fieldText, "县委"); got != nil {
		t.Errorf("after a new snapshot's put: got %v, want the old entries dropped", got)
	}
	if got := c.get(b, fieldText, "全县"); got == nil || got.count != 1 {
		t.Errorf("new snapshot: got %v", got)
	}
	for i := range termCacheMax + 1 {
		c.put(b, fieldText, fmt.Sprint(i), &termPostings{})
	}
	if c.n > termCacheMax {
		t.Errorf("%d terms kept, more than %d", c.n, termCacheMax)
	}
}

// TestTermCacheSearch checks that a search served from the cache gives
// what the first search (which filled it) gave: the same hits in the
// same order with the same scores, for lone characters (thousands of
// bigrams each) and a word.
func TestTermCacheSearch(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	for _, c := range []string{"的", "县", "村", "乡村"} {
		first := searchChar(t, ix, c, 50)
		if ix.terms.n == 0 {
			t.Fatalf("%q: nothing cached", c)
		}
		again := searchChar(t, ix, c, 50)
		if first.Total != again.Total || len(first.Hits) != len(again.Hits) {
			t.Fatalf("%q: %d/%d hits, then %d/%d", c, first.Total, len(first.Hits), again.Total, len(again.Hits))
		}
		for i := range first.Hits {
			if first.Hits[i].ID != again.Hits[i].ID || first.Hits[i].Score != again.Hits[i].Score {
				t.Errorf("%q hit %d: %s %v, then %s %v", c, i, first.Hits[i].ID, first.Hits[i].Score, again.Hits[i].ID, again.Hits[i].Score)
			}
		}
	}
}
