package main

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
)

// TestServedIndexCacheKeysSort: the front page listed newest first and
// oldest first are two answers (the cache key holds the sort), and each
// equals the index's own.
func TestServedIndexCacheKeysSort(t *testing.T) {
	ctx := context.Background()
	h := newSwapHolder(t, filepath.Join(t.TempDir(), "index"), writeSwapCorpus(t, 0, 7, 3))
	defer h.close()
	served, release := h.acquireServed()
	defer release()
	ix, release2 := h.acquire()
	defer release2()
	for _, order := range []string{"newest", "oldest", "newest"} {
		p, err := bindSearch(url.Values{"sort": {order}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := served.Search(ctx, p.request())
		if err != nil {
			t.Fatal(err)
		}
		want, err := ix.Search(ctx, p.request())
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Hits) == 0 || len(got.Hits) != len(want.Hits) {
			t.Fatalf("%s: %d hits, index %d", order, len(got.Hits), len(want.Hits))
		}
		for i := range got.Hits {
			if got.Hits[i].ID != want.Hits[i].ID {
				t.Fatalf("%s: cached hit %d is %s, the index's %s", order, i, got.Hits[i].ID, want.Hits[i].ID)
			}
		}
	}
}
