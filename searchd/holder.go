package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"countynews/internal/search"
)

// holder keeps the index being served and swaps in a new generation
// without failing a request: each request holds a reference to the index it
// started on, and a retired index is closed only when its last request
// ends.
type holder struct {
	path string
	log  *slog.Logger

	reloading sync.Mutex // one reload at a time: two could swap out of order

	mu     sync.Mutex
	cur    *indexRef
	closed bool
}

type indexRef struct {
	ix      *search.Index
	served  *servedIndex // ix as the handlers see it
	dir     os.FileInfo  // the generation folder current pointed to when ix was opened (nil if unknown)
	refs    int
	retired bool
}

// currentDir stats the generation folder PATH/current points to. Comparing
// it with os.SameFile tells a new generation even when its number is the
// served one's (the folder was deleted and rebuilt from generation 1).
func currentDir(path string) os.FileInfo {
	fi, err := os.Stat(filepath.Join(path, "current"))
	if err != nil {
		return nil
	}
	return fi
}

// openRef opens the current generation. A swap between the stat and the
// open costs at most one needless reload later.
func openRef(ctx context.Context, path string) (*indexRef, error) {
	dir := currentDir(path)
	ix, err := search.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return &indexRef{ix: ix, served: newServedIndex(ix), dir: dir}, nil
}

func newHolder(ctx context.Context, path string, log *slog.Logger) (*holder, error) {
	r, err := openRef(ctx, path)
	if err != nil {
		return nil, err
	}
	return &holder{path: path, log: log, cur: r}, nil
}

// acquire returns the current index and the function that releases it.
func (h *holder) acquire() (*search.Index, func()) {
	r, release := h.acquireRef()
	return r.ix, release
}

// acquireServed is acquire for the handlers: the index with its
// generation's cache.
func (h *holder) acquireServed() (Index, func()) {
	r, release := h.acquireRef()
	return r.served, release
}

func (h *holder) acquireRef() (*indexRef, func()) {
	h.mu.Lock()
	r := h.cur
	r.refs++
	h.mu.Unlock()
	var once sync.Once
	return r, func() { once.Do(func() { h.release(r) }) }
}

func (h *holder) release(r *indexRef) {
	h.mu.Lock()
	r.refs--
	closeNow := r.retired && r.refs == 0
	h.mu.Unlock()
	if closeNow {
		h.closeRef(r)
	}
}

func (h *holder) closeRef(r *indexRef) {
	if err := r.ix.Close(); err != nil {
		h.log.Warn("close retired index", "generation", r.ix.Generation(), "err", err)
	}
}

// generation returns the generation being served.
func (h *holder) generation() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur.ix.Generation()
}

// reload opens the index folder's current generation and swaps it in if it
// is not the one served. It reports whether it swapped; trigger (signal,
// periodic) is logged.
func (h *holder) reload(ctx context.Context, trigger string) (bool, error) {
	h.reloading.Lock()
	defer h.reloading.Unlock()
	gen, err := search.Current(h.path)
	if err != nil {
		return false, fmt.Errorf("read index generation: %w", err)
	}
	h.mu.Lock()
	served := h.cur
	h.mu.Unlock()
	if dir := currentDir(h.path); gen == served.ix.Generation() && (dir == nil || served.dir == nil || os.SameFile(dir, served.dir)) {
		return false, nil
	}
	r, err := openRef(ctx, h.path)
	if err != nil {
		return false, err
	}
	ix := r.ix
	h.mu.Lock()
	if h.closed { // shut down while opening: serve nothing new
		h.mu.Unlock()
		return false, ix.Close()
	}
	old := h.cur
	h.cur = r
	old.retired = true
	closeNow := old.refs == 0
	h.mu.Unlock()
	if closeNow {
		h.closeRef(old)
	}
	h.log.Info("index swapped", "from_generation", old.ix.Generation(), "to_generation", ix.Generation(), "docs", ix.DocCount(), "trigger", trigger)
	return true, nil
}

// watch reloads on every signal from hup and every interval, until ctx
// ends.
func (h *holder) watch(ctx context.Context, hup <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		trigger := "periodic"
		select {
		case <-ctx.Done():
			return
		case <-hup:
			trigger = "signal"
		case <-t.C:
		}
		if _, err := h.reload(ctx, trigger); err != nil {
			h.log.Warn("index reload failed; still serving the previous generation", "err", err)
		}
	}
}

// close closes the served index (at shutdown, after requests have ended;
// a request still holding it closes it when it ends). Later calls and
// reloads do nothing.
func (h *holder) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	h.cur.retired = true
	if h.cur.refs == 0 {
		return h.cur.ix.Close()
	}
	return nil
}

// servedIndex is one generation as the handlers see it: the index, with
// the answers that depend on nothing but the generation kept for its life.
// Those are the facets of the whole index and the first pages of the
// unfiltered listing (the front page): on a large index the most expensive
// requests, as they count every paragraph, and the most frequent.
type servedIndex struct {
	*search.Index
	mu   sync.Mutex
	memo map[string]*memoEntry
}

// Keys of the cache: a search's is its search.Request.CacheKey (every
// field of the request, so that a field added to Request cannot make two
// requests share an answer); the whole index's facets have their own.
const allFacetsKey = "all-facets"

type memoEntry struct {
	done chan struct{} // closed when val and err are set
	val  any
	err  error
}

// Bounds of the cache of one generation.
const (
	maxMemo       = 64  // answers
	maxMemoWindow = 200 // From+Size of a cached listing
)

func newServedIndex(ix *search.Index) *servedIndex {
	return &servedIndex{Index: ix, memo: map[string]*memoEntry{}}
}

// Search answers an unfiltered listing from the cache; any other search
// goes to the index. Which requests are worth caching is decided here; the
// key, which makes the cache correct, is the whole request's.
func (s *servedIndex) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	if len(r.Query.Clauses) > 0 || len(r.Counties)+len(r.Programs)+len(r.Years) > 0 || r.YearFrom != 0 || r.YearTo != 0 || r.From+r.Size > maxMemoWindow {
		return s.Index.Search(ctx, r)
	}
	v, err := s.remember(ctx, "search "+r.CacheKey(), func() (any, error) {
		return s.Index.Search(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return v.(*search.Result), nil
}

// AllFacets answers from the cache.
func (s *servedIndex) AllFacets(ctx context.Context) (search.Facets, error) {
	v, err := s.remember(ctx, allFacetsKey, func() (any, error) { return s.Index.AllFacets(ctx) })
	if err != nil {
		return search.Facets{}, err
	}
	return v.(search.Facets), nil
}

// remember returns the cached answer for k, computing it once: requests
// that come while it is being computed wait for it (within their own
// context) instead of computing it again. A failed computation (its
// request's time ran out) is not kept, nor is one that panicked; its
// waiters are released and one of them then computes it itself. Callers
// must not modify what it returns.
func (s *servedIndex) remember(ctx context.Context, k string, compute func() (any, error)) (any, error) {
	for {
		s.mu.Lock()
		e, ok := s.memo[k]
		if !ok {
			if len(s.memo) >= maxMemo {
				s.mu.Unlock()
				return compute()
			}
			e = &memoEntry{done: make(chan struct{})}
			s.memo[k] = e
			s.mu.Unlock()
			return s.fill(k, e, compute)
		}
		s.mu.Unlock()
		select {
		case <-e.done:
			if e.err == nil {
				return e.val, nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("search: %w", ctx.Err())
		}
	}
}

// errComputePanicked is what the waiters of a computation that panicked
// see (they then compute the answer themselves); the panic itself goes on
// up the computing request's stack, to the recover middleware.
var errComputePanicked = errors.New("cached computation panicked")

// fill computes e, the entry of k. Whatever happens, a panic included, the
// entry is completed and its waiters released; a failed entry is dropped.
func (s *servedIndex) fill(k string, e *memoEntry, compute func() (any, error)) (any, error) {
	finished := false
	defer func() {
		if !finished {
			e.val, e.err = nil, errComputePanicked
		}
		if e.err != nil {
			s.mu.Lock()
			delete(s.memo, k)
			s.mu.Unlock()
		}
		close(e.done)
	}()
	e.val, e.err = compute()
	finished = true
	return e.val, e.err
}
