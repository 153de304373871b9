package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
)

// Index is one open generation of an index folder, read-only. It is safe
// for concurrent use; Close it when the last search has returned.
type Index struct {
	path  string
	dir   string // PATH/gen-N
	man   Manifest
	sch   *schema
	bleve bleve.Index
	table *table // nil: search with Bleve's facets and sorts
	// noTable says why the index does not fit a table ("" if it does).
	noTable string
	// spare holds a token per core a search may borrow to split its pass
	// (GOMAXPROCS-1); forceSplit splits small indexes too (tests).
	spare      chan struct{}
	forceSplit bool
	running    atomic.Int32 // table searches in progress
	size       int64

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool // the table outlives Bleve: searches check this
}

// Open opens the generation PATH/current points to. An index written by
// another schema version fails with a *SchemaError (errors.Is ErrSchema).
func Open(ctx context.Context, path string) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	gen, err := Current(path)
	if err != nil {
		if _, serr := os.Stat(filepath.Join(path, "index_meta.json")); serr == nil {
			return nil, fmt.Errorf("%s is a Bleve index of an older layout, not an index folder: rebuild it with `go run ./indexer -index NEWPATH`", path)
		}
		return nil, err
	}
	dir := filepath.Join(path, genName(gen))
	m, err := readManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	if m.Schema != SchemaVersion {
		return nil, &SchemaError{Path: path, Found: m.Schema, Want: SchemaVersion}
	}
	sch, err := newSchema()
	if err != nil {
		return nil, err
	}
	// Read-only: no persister or merger touches a published generation,
	// the bolt file is opened shared, and an update can copy it safely.
	b, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	t, why, err := loadTable(ctx, b)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	return &Index{path: path, dir: dir, man: m, sch: sch, bleve: b, table: t, noTable: why, size: dirSize(dir),
		spare: make(chan struct{}, max(0, runtime.GOMAXPROCS(0)-1))}, nil
}

// TableStatus says whether the searches of an open index run on the
// document table (the fast path) or fall back to Bleve's own collector,
// facets and sorts, and why.
type TableStatus struct {
	Used bool
	// Reason is why the index does not fit a table ("" when Used): an
	// unknown internal ID layout, more than 255 counties or years, or
	// more than 64 programs.
	Reason string
}

// Table reports whether searches use the document table. A fallback is
// correct but slower (every facet and sort reads Bleve's doc values):
// searchd logs it and exports it in /metrics.
func (ix *Index) Table() TableStatus {
	return TableStatus{Used: ix.table != nil, Reason: ix.noTable}
}

// Generation returns the generation number of the open index.
func (ix *Index) Generation() int { return ix.man.Generation }

// Manifest returns the open generation's manifest.
func (ix *Index) Manifest() Manifest { return ix.man }

// DocCount returns the number of paragraphs in the index.
func (ix *Index) DocCount() int {
	n, err := ix.bleve.DocCount()
	if err != nil {
		return 0
	}
	return int(n)
}

// SizeBytes returns the size of the generation folder on disk.
func (ix *Index) SizeBytes() int64 { return ix.size }

// Close closes the index. Closing it again does nothing (Bleve's scorch
// panics on a second close). Methods called after Close fail with an
// error.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		ix.closed.Store(true)
		if err := ix.bleve.Close(); err != nil {
			ix.closeErr = fmt.Errorf("close index: %w", err)
		}
	})
	return ix.closeErr
}
