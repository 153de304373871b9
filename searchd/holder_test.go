package main

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// TestServedIndexCachePanic: a computation that panics releases the
// requests waiting for it (one of them computes the answer itself), the
// panic reaches its own caller, and nothing is kept for the key.
func TestServedIndexCachePanic(t *testing.T) {
	s := &servedIndex{memo: map[string]*memoEntry{}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	started, panicNow := make(chan struct{}), make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		s.remember(ctx, "k", func() (any, error) {
			close(started)
			<-panicNow
			panic("boom")
		})
	}()
	<-started
	waiter := make(chan error, 1)
	var got any
	go func() {
		v, err := s.remember(ctx, "k", func() (any, error) { return "computed by the waiter", nil })
		got = v
		waiter <- err
	}()
	// Let the waiter reach its wait (it cannot finish before the panic:
	// the entry is there until then).
	time.Sleep(20 * time.Millisecond)
	close(panicNow)
	if p := <-panicked; p != "boom" {
		t.Errorf("the computing caller recovered %v, want the panic", p)
	}
	select {
	case err := <-waiter:
		if err != nil || got != "computed by the waiter" {
			t.Errorf("the waiter got %v, %v", got, err)
		}
	case <-ctx.Done():
		t.Fatal("the waiter was not released by the panic")
	}
	// The waiter's answer is what is cached now; the panicked entry is gone.
	v, err := s.remember(ctx, "k", func() (any, error) { return "again", nil })
	if err != nil || v != "computed by the waiter" {
		t.Errorf("after the panic the cache holds %v, %v", v, err)
	}
	// A failed computation is not kept either.
	if _, err := s.remember(ctx, "e", func() (any, error) { return nil, errors.New("x") }); err == nil {
		t.Error("a failing computation reported no error")
	}
	if v, err := s.remember(ctx, "e", func() (any, error) { return 1, nil }); err != nil || v != 1 {
		t.Errorf("after a failure: %v, %v", v, err)
	}
}

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
