package search

import (
	"context"
	"errors"
	"testing"
)

// TestBrowseCancelled checks that a scan without a positive term (browsing
// the live documents) checks its context as it goes, not only at its first
// document: with a check every 2 documents, a context cancelled after the
// checks made before the scan and at document 0 stops it.
func TestBrowseCancelled(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	if len(ix.table.live) < 4 {
		t.Fatalf("index of %d documents: too small", len(ix.table.live))
	}
	r := Request{Size: 10, Facets: true}
	// How many checks a browse makes when only document 0 is checked.
	ix.checkEvery = 1 << 30
	calls := 1 << 30
	if _, err := ix.Search(flipCtx{context.Background(), &calls}, r); err != nil {
		t.Fatalf("browse: %v", err)
	}
	before := 1<<30 - calls
	if before < 1 {
		t.Fatalf("the browse checked its context %d times", before)
	}
	ix.checkEvery = 2
	calls = before
	res, err := ix.Search(flipCtx{context.Background(), &calls}, r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("browse cancelled after document 0: err %v, result of %d hits", err, total(res))
	}
	calls = 1 << 30
	if res, err := ix.Search(flipCtx{context.Background(), &calls}, r); err != nil || res.Total != len(ix.table.live) {
		t.Errorf("browse, checked every 2 documents, not cancelled: %v, %v", res, err)
	}
}

// total is r's total, or -1 without a result.
func total(r *Result) int {
	if r == nil {
		return -1
	}
	return r.Total
}
