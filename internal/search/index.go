package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
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
	words *Words // the segmenter of relaxed matching, loaded on first use
	// stories groups the generation's articles (stories.go).
	stories *stories
	// noTable says why the index does not fit a table ("" if it does).
	noTable string
	// spare holds a token per core a search may borrow to split its pass
	// (GOMAXPROCS-1); forceSplit splits small indexes too (tests).
	spare      chan struct{}
	forceSplit bool
	// noDirect sends every search through Bleve's searchers instead of
	// the direct evaluator (direct.go): the reference, in tests.
	noDirect bool
	steer    int8 // tests: how the direct evaluator meets candidates (evaluator.steer)
	// noMaxScore evaluates the optional clauses within every must hit
	// (evalBool) instead of the top k's candidates (maxscore.go): the
	// reference, in tests.
	noMaxScore   bool
	maxScoreSeed int // tests: the seed of evalTopK's θ (0: maxScoreSeed)
	// boostEvals, when set (tests, benchmarks), counts what evalTopK
	// evaluates.
	boostEvals *boostCounts
	// minParallel: tests: the postings from which the direct evaluator
	// evaluates a split search's parts apart (0: minParallelPostings).
	minParallel uint64
	zapIter     bool // tests: the direct evaluator reads zap's iterators only (zapread.go)
	// bleveBM25: tests: the relaxed modes score with Bleve's BM25 formula
	// instead of relaxedBM25, so that their order compares with
	// searchBleve's (whose searchers know only Bleve's formula).
	bleveBM25 bool
	// rerankN is how many first-stage hits a relaxed answer reranks
	// (rerank.go): 0 rerankDepth, < 0 none (WithRerank).
	rerankN int
	// expandAny, when set (by the by-hand fitters), adds optional
	// clauses to MatchAny's query for its content words.
	expandAny func(ws []string) []bq.Query
	// checkEvery: tests: postings the direct evaluator reads, or documents
	// a scan without a positive term visits, between checks of the
	// context (0: the defaults).
	checkEvery int
	// accs are the direct evaluator's per-document accumulators, reused
	// across searches (a few MB each on a big index).
	accs sync.Pool
	// arenas hold the direct evaluator's lists between searches.
	arenas sync.Pool
	// terms keeps the postings lists the direct evaluator opened, for
	// the next search of the same snapshot (termcache.go).
	terms termCache
	// leaves caches the decoded hits of common leaves (leafcache.go);
	// nil: none.
	leaves  *leafCache
	running atomic.Int32 // table searches in progress
	size    int64
	stamp   Stamp
	// bm25 holds the relaxed modes' BM25 statistics (bm25.go).
	bm25 fieldStats
	// preds caches DidYouMean's dearest lookups (didyoumean.go).
	preds predecessorCache
	// dfs caches the bigram document frequencies DidYouMean reads.
	dfs dfCache

	// completer is read on the first completion (complete.go).
	completeOnce sync.Once
	completer    *completer
	completeErr  error

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool // the table outlives Bleve: searches check this
}

// Open opens the generation PATH/current points to, after verifying every
// file of it against the checksums of its manifest (see verify.go). An
// index written by another schema version fails with a *SchemaError
// (errors.Is ErrSchema); a generation whose files are not those its
// manifest recorded fails with a *CorruptError naming the file (errors.Is
// ErrCorrupt); a panic inside Bleve while opening comes back as a
// *PanicError.
// Options: WithWords.
func Open(ctx context.Context, path string, opts ...Option) (*Index, error) {
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
	return openGeneration(ctx, path, gen, opts...)
}

// OpenFallback opens the current generation like Open or, if that one is
// corrupt or fails to open, the newest earlier generation that verifies
// and opens (a build keeps the generation it replaced for this). The
// generations refused on the way come back as warnings, each naming its
// file. It fails, with the current generation's error, when no generation
// can be served, and never falls back past a *SchemaError or a cancelled
// ctx.
func OpenFallback(ctx context.Context, path string, opts ...Option) (*Index, []error, error) {
	ix, err := Open(ctx, path, opts...)
	if err == nil || errors.Is(err, ErrSchema) || ctx.Err() != nil {
		return ix, nil, err
	}
	first := err
	warnings := []error{err}
	gens, gerr := generations(path)
	if gerr != nil {
		return nil, nil, first
	}
	cur, cerr := Current(path)
	for i := len(gens) - 1; i >= 0; i-- {
		if cerr == nil && gens[i] >= cur {
			continue
		}
		ix, err := openGeneration(ctx, path, gens[i], opts...)
		if err == nil {
			return ix, warnings, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		warnings = append(warnings, err)
	}
	return nil, nil, first
}

// openGeneration verifies and opens generation gen of path.
func openGeneration(ctx context.Context, path string, gen int, opts ...Option) (ix *Index, err error) {
	defer recoverPanic("open generation "+strconv.Itoa(gen), &err)
	dir := filepath.Join(path, genName(gen))
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if m.Schema != SchemaVersion {
		return nil, &SchemaError{Path: path, Found: m.Schema, Want: SchemaVersion}
	}
	if m.Generation != gen {
		return nil, &CorruptError{Dir: dir, File: manifestFile, Problem: fmt.Sprintf("records generation %d, not %d", m.Generation, gen)}
	}
	if err := verifyGeneration(ctx, dir, m); err != nil {
		return nil, err
	}
	stamp, err := stampOf(dir, gen)
	if err != nil {
		return nil, err
	}
	sch, err := newSchema()
	if err != nil {
		return nil, err
	}
	if sch.stored, err = readStoredCodec(dir); err != nil {
		return nil, err
	}
	// Read-only: no persister or merger touches a published generation,
	// the bolt file is opened shared, and an update can copy it safely.
	b, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	t, why, err := func() (t *table, why string, err error) {
		defer recoverPanic("read document table", &err)
		return loadTable(ctx, b)
	}()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	st, err := func() (st *stories, err error) {
		defer recoverPanic("group stories", &err)
		return loadStories(ctx, b)
	}()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open generation %d: %w", gen, err)
	}
	ix = &Index{path: path, dir: dir, man: m, sch: sch, bleve: b, table: t, noTable: why, stories: st, size: dirSize(dir), stamp: stamp,
		words: NewWords(), spare: make(chan struct{}, max(0, runtime.GOMAXPROCS(0)-1)), leaves: newLeafCache(leafCacheMin, defaultLeafCacheBytes).admitting(leafCacheSeen, leafHistory)}
	for _, o := range opts {
		o(ix)
	}
	return ix, nil
}

// Stamp identifies a generation folder on disk: its number and its inode,
// so that a folder deleted and rebuilt under the same number is told
// apart. Stamps are comparable.
type Stamp struct {
	Generation int
	dev, ino   uint64
}

func stampOf(dir string, gen int) (Stamp, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return Stamp{}, fmt.Errorf("generation %d: %w", gen, err)
	}
	st := Stamp{Generation: gen}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.dev, st.ino = uint64(sys.Dev), uint64(sys.Ino)
	}
	return st, nil
}

// CurrentStamp returns the Stamp of the generation PATH/current points to,
// from the symlink and one stat: cheap enough to poll. A reader compares it
// with its Index's Stamp to tell whether a new generation was published.
func CurrentStamp(path string) (Stamp, error) {
	gen, err := Current(path)
	if err != nil {
		return Stamp{}, err
	}
	return stampOf(filepath.Join(path, genName(gen)), gen)
}

// Stamp returns the stamp of the open generation's folder.
func (ix *Index) Stamp() Stamp { return ix.stamp }

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
func (ix *Index) DocCount() (docs int) {
	defer func() {
		if recover() != nil {
			docs = 0
		}
	}()
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
