package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
	// words is the word segmenter every generation served shares: it
	// loads (about a second) once per process, before the first
	// generation is served (warmUp).
	words *search.Words

	reloading sync.Mutex // one reload at a time: two could swap out of order

	mu     sync.Mutex
	cur    *indexRef
	closed bool

	// refused is the last generation that failed to verify or open, so
	// that it is reported once rather than re-read at every poll.
	refused search.Stamp
	// tableFallbacks counts the generations opened that do not fit the
	// document table (searched slower, through Bleve's own facets and
	// sorts); /metrics exports it.
	tableFallbacks atomic.Int64
}

type indexRef struct {
	ix      *search.Index
	served  *servedIndex // ix as the handlers see it
	refs    int
	retired bool
}

func newRef(ix *search.Index) *indexRef {
	return &indexRef{ix: ix, served: newServedIndex(ix)}
}

// newHolderWith opens the index folder's current generation, verified, or
// if it is damaged the newest intact earlier one (with a warning naming the
// damaged file), with the word segmenter the process shares (tests share
// one across servers). The generation is warmed up (warmUp) before it is
// returned, which waits for the segmenter.
func newHolderWith(ctx context.Context, path string, log *slog.Logger, words *search.Words) (*holder, error) {
	ix, warnings, err := search.OpenFallback(ctx, path, search.WithWords(words))
	if err != nil {
		return nil, err
	}
	h := &holder{path: path, log: log, words: words, cur: newRef(ix)}
	h.checkTable(ix)
	if err := h.warmUp(ctx, ix); err != nil {
		// Served all the same: exact searches work, and a relaxed one
		// reports the error.
		log.Warn("index warm-up failed", "generation", ix.Generation(), "err", err)
	}
	for _, w := range warnings {
		log.Warn("index generation refused; serving an earlier one", "err", w, "serving_generation", ix.Generation())
	}
	if len(warnings) > 0 {
		if st, err := search.CurrentStamp(path); err == nil {
			h.refused = st
		}
	}
	return h, nil
}

// warmUp does a generation's one-time work (search.Index.WarmUp: the word
// segmenter, the relaxed modes' field lengths) before it is served, so that
// no request pays for it, and logs how long it took.
func (h *holder) warmUp(ctx context.Context, ix *search.Index) error {
	start := time.Now()
	if err := ix.WarmUp(ctx); err != nil {
		return err
	}
	h.log.Info("index warmed up", "generation", ix.Generation(), "seconds", time.Since(start).Seconds())
	return nil
}

// checkTable logs and counts a generation that does not fit the document
// table: its searches are right but slower, which should not go unseen.
func (h *holder) checkTable(ix *search.Index) {
	if st := ix.Table(); !st.Used {
		h.tableFallbacks.Add(1)
		h.log.Warn("index does not fit the document table: searching with Bleve's facets and sorts (slower)",
			"generation", ix.Generation(), "reason", st.Reason)
	}
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
	st, err := search.CurrentStamp(h.path)
	if err != nil {
		return false, fmt.Errorf("read index generation: %w", err)
	}
	h.mu.Lock()
	served := h.cur
	h.mu.Unlock()
	// The stamp tells a new generation even when its number is the
	// served one's (the folder was deleted and rebuilt from generation 1).
	if st == served.ix.Stamp() || st == h.refused {
		return false, nil
	}
	// Open verifies every file before anything is served: a damaged or
	// incomplete generation is refused, and the served one stays.
	ix, err := search.Open(ctx, h.path, search.WithWords(h.words))
	if err != nil {
		if ctx.Err() == nil {
			h.refused = st
		}
		return false, fmt.Errorf("generation %d refused: %w", st.Generation, err)
	}
	if err := h.warmUp(ctx, ix); err != nil {
		ix.Close()
		if ctx.Err() == nil {
			h.refused = st
		}
		return false, fmt.Errorf("generation %d refused: %w", st.Generation, err)
	}
	r := newRef(ix)
	h.checkTable(ix)
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
	if len(r.Query.Clauses) > 0 || len(r.Counties)+len(r.Programs)+len(r.Years) > 0 || r.YearFrom != 0 || r.YearTo != 0 ||
		r.DateFrom != "" || r.DateTo != "" || r.From+r.Size > maxMemoWindow {
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
			s.fill(k, e, compute)
			return e.val, e.err
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

// fill computes e. However compute ends, a panic included, e is released:
// a failed entry is forgotten and its waiters are woken to compute it
// themselves, rather than waiting out their time for the rest of the
// generation. The panic goes on up to the server's recovery.
func (s *servedIndex) fill(k string, e *memoEntry, compute func() (any, error)) {
	ok := false
	defer func() {
		if !ok && e.err == nil {
			e.err = errors.New("cached computation panicked")
		}
		if e.err != nil {
			s.mu.Lock()
			delete(s.memo, k)
			s.mu.Unlock()
		}
		close(e.done)
	}()
	e.val, e.err = compute()
	ok = true
}
