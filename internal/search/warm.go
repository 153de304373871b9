package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
)

// WarmUp does now the one-time work the first searches of a freshly opened
// generation would otherwise pay, so that a server can do it before it
// serves the generation (searchd does, at start and before swapping in a
// new generation): it waits for the word segmenter (gse's dictionary,
// about a second, shared by the process: see Words) and measures the
// relaxed modes' field lengths (bm25.go, a sample of stored paragraphs).
// Searches work without it; the first relaxed one then pays instead.
// Calling it again does nothing more.
func (ix *Index) WarmUp(ctx context.Context) error {
	if ix.closed.Load() {
		return fmt.Errorf("warm up: %w", bleve.ErrorIndexClosed)
	}
	ix.words.Preload() // loads in the background while the lengths are measured
	if _, err := ix.relaxedStats(); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	if err := ix.words.Load(ctx); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	return nil
}
