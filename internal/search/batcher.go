package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
)

// batchWorkers is the number of Bleve batches executed at once. Bleve
// analyses a batch in parallel but builds its segment on one goroutine and
// then waits for it to be persisted; a second batch in flight keeps the
// other core busy meanwhile (BenchmarkBuilder: about 1.5× the
// throughput of one batch at a time on two cores).
const batchWorkers = 2

// batcher groups operations into Bleve batches and executes up to workers
// of them concurrently. Batches that touch the same document ID are
// executed in order, so the last operation on an ID wins as it would one
// batch at a time. It is not safe for concurrent use.
type batcher struct {
	idx      bleve.Index
	size     int
	workers  int
	cur      *bleve.Batch
	curIDs   []string
	inflight []*flight
	err      error // first failure of a finished batch
	// check runs before each batch is dispatched (nil: none). The
	// Builder checks free space: on a full disk scorch keeps retrying
	// its writes and batches wait for them, so a build would go on for
	// minutes after the first failed write.
	check func() error
}

// flight is one batch being executed.
type flight struct {
	ids  map[string]struct{}
	done chan struct{}
	err  error
}

func newBatcher(idx bleve.Index, size, workers int) *batcher {
	return &batcher{idx: idx, size: size, workers: max(1, workers), cur: idx.NewBatch()}
}

// index adds a document, executing the batch when it is full. Waiting for
// a place among the batches in flight ends with ctx.
func (bt *batcher) index(ctx context.Context, d *document.Document) error {
	if err := bt.cur.IndexAdvanced(d); err != nil {
		return err
	}
	bt.curIDs = append(bt.curIDs, d.ID())
	if bt.cur.Size() >= bt.size {
		return bt.dispatch(ctx)
	}
	return bt.err
}

// delete adds the deletion of a document.
func (bt *batcher) delete(id string) {
	bt.cur.Delete(id)
	bt.curIDs = append(bt.curIDs, id)
}

// dispatch starts executing the current batch.
func (bt *batcher) dispatch(ctx context.Context) error {
	if bt.cur.Size() == 0 {
		return bt.err
	}
	if bt.check != nil && bt.err == nil {
		if err := bt.check(); err != nil {
			bt.err = err
			return err
		}
	}
	ids := make(map[string]struct{}, len(bt.curIDs))
	for _, id := range bt.curIDs {
		ids[id] = struct{}{}
	}
	for _, f := range bt.inflight {
		if overlaps(f.ids, ids) {
			// Same ID in flight: keep the order.
			if err := wait(ctx, f.done); err != nil {
				return err
			}
		}
	}
	bt.reap(false)
	for len(bt.inflight) >= bt.workers {
		if err := wait(ctx, bt.inflight[0].done); err != nil {
			return err
		}
		bt.reap(false)
	}
	f := &flight{ids: ids, done: make(chan struct{})}
	batch := bt.cur
	go func() {
		defer close(f.done)
		// Scorch can panic deep inside a batch when a write failed
		// before (a full disk: "assignment to entry in nil map" in
		// zapx): the build fails with an error instead.
		defer recoverPanic("index batch", &f.err)
		if err := bt.idx.Batch(batch); err != nil {
			f.err = fmt.Errorf("index batch: %w", err)
		}
	}()
	bt.inflight = append(bt.inflight, f)
	bt.cur, bt.curIDs = bt.idx.NewBatch(), nil
	return bt.err
}

// wait waits for done or the end of ctx.
func wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reapWithin waits up to d for every batch in flight and reports whether
// they all finished.
func (bt *batcher) reapWithin(d time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for _, f := range bt.inflight {
		if wait(ctx, f.done) != nil {
			return false
		}
	}
	bt.reap(true)
	return true
}

// reap forgets finished batches, keeping the first error; with all, it
// waits for every batch in flight.
func (bt *batcher) reap(all bool) {
	kept := bt.inflight[:0]
	for _, f := range bt.inflight {
		if all {
			<-f.done
		}
		select {
		case <-f.done:
			if f.err != nil && bt.err == nil {
				bt.err = f.err
			}
		default:
			kept = append(kept, f)
		}
	}
	clear(bt.inflight[len(kept):])
	bt.inflight = kept
}

// flush executes the current batch and waits for every batch in flight:
// afterwards searches see all operations so far.
func (bt *batcher) flush(ctx context.Context) error {
	err := bt.dispatch(ctx)
	if err != nil && ctx.Err() != nil {
		return err
	}
	bt.reap(true)
	return errors.Join(err, bt.err)
}

func overlaps(a, b map[string]struct{}) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	for id := range a {
		if _, ok := b[id]; ok {
			return true
		}
	}
	return false
}
