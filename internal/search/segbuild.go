package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"countynews/internal/search/cnzap"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A full build does not go through scorch's online index (its batches,
// introducer, persister and merger): it builds zap segments itself, on as
// many workers as there are batches in flight, and merges them in two
// levels into the one segment the generation publishes. What scorch's
// online path costs a full build and this one does not:
//
//   - Analysis into maps. A worker puts the analysis's tokens straight
//     into the batch's inverted index (cnzap.Inverted) and writes the
//     segment from it (writeSegment): no Bleve token frequency map per
//     field, none of cnzap's (zap's) interim maps per document. It was
//     about 40% of a build's CPU (BENCHMARKS.md, "build2").
//   - Parallel work. Scorch builds a batch's segment on one goroutine and
//     its persister and merger are one goroutine each: the final merge of
//     every segment ran on one core at the end of the build. Here each
//     worker analyses its batch, builds its segment and writes it, and the
//     first merge level runs its groups on the workers too.
//   - Peak memory. The final merge mapped every batch's segment at once
//     (about 1.9 times the final index at 1,000,000 paragraphs, all of it
//     resident by the end of the merge). Merged in groups of about √N
//     segments first, each group's inputs are closed (unmapped) and removed
//     as soon as its merge is written, and the final merge maps the groups'
//     segments, about one final index; and the pages the merges have read
//     are released as they go (releaseWhileMerging), so that the resident
//     set is the heap and what the merges read in the last moment.
//   - Deletes. A paragraph replaced or removed during the build (RemoveFile,
//     a repeated ID) is dropped at the first merge (zap's drop bitmaps)
//     instead of being searched for and deleted in the online index.
//
// The generation's folder is Bleve's own: bleve.NewBuilder (scorch's
// offline builder) writes the index metadata, the mapping and a root.bolt
// that names one segment, 000000000002.zap, with no deleted documents and no
// statistics; the merged segment, of the same zap version, takes that
// file's place (wrapSegment). The documents keep the order in which they
// were added (zap numbers a segment's documents in the order it is given
// them, and a merge keeps the order of its inputs), so the build is
// deterministic, as scorch's batches (maps of documents) were not.

// segmentPlugin is the segment format a full build writes: cnzap, our
// fork of zap v17 (package cnzap), registered with scorch as its default
// (scorch.go) and forced in the wrapper's root.bolt (wrapConfig), so that
// a full build's segment and an update's are of one format.
var segmentPlugin = &cnzap.ZapPlugin{}

// offlineSegmentFile is the file scorch's offline builder names the one
// segment of the index it writes (segment ID 2, as an online index that
// indexed one batch).
const offlineSegmentFile = "000000000002.zap"

// docLoc is where a document of the build is: its batch (segment) and its
// number within it, and the input it was added as (for RemoveFile).
type docLoc struct {
	seg, local, input uint32
}

// segmentBuild builds the segments of a full build. Its methods other than
// the workers' are called from the Builder's goroutine only.
type segmentBuild struct {
	dir     string // folder of the segment files
	size    int    // documents per batch segment
	workers int
	check   func() error // before each batch (the Builder's space check)
	hook    func(level int) error
	// bleveSegments: batches written by writeSegmentBleve (tests)
	bleveSegments bool

	cur   []index.Document
	paths []string          // segment file of each batch, by number
	drops []*roaring.Bitmap // dropped documents of each batch (nil: none)
	ids   map[string]docLoc // live documents
	inIdx map[string]uint32 // number of each input
	// IDs added as each input, by number (some since replaced as
	// another's): RemoveFile looks at these, not at every document
	byInput [][]string

	ctx     context.Context // ends with the build (Abort) or a worker's failure
	cancel  context.CancelFunc
	jobs    chan segJob
	wg      sync.WaitGroup
	started bool
	mu      sync.Mutex
	err     error // first failure of a worker
	// mapMu is held while segment files are mapped or unmapped (opened
	// or closed for a merge) and while releaseMapped runs.
	mapMu sync.Mutex
}

// segJob is one batch for a worker: its documents and its segment file.
type segJob struct {
	docs []index.Document
	path string
}

func newSegmentBuild(dir string, size, workers int) *segmentBuild {
	ctx, cancel := context.WithCancel(context.Background())
	return &segmentBuild{dir: dir, size: max(1, size), workers: max(1, workers),
		ids: map[string]docLoc{}, inIdx: map[string]uint32{}, ctx: ctx, cancel: cancel}
}

// fail records a worker's failure and stops the build.
func (sb *segmentBuild) fail(err error) {
	sb.mu.Lock()
	if sb.err == nil {
		sb.err = err
	}
	sb.mu.Unlock()
	sb.cancel()
}

// failure returns the first failure of a worker.
func (sb *segmentBuild) failure() error {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.err
}

// drop marks a document of the build as deleted.
func (sb *segmentBuild) drop(l docLoc) {
	if sb.drops[l.seg] == nil {
		sb.drops[l.seg] = roaring.New()
	}
	sb.drops[l.seg].Add(l.local)
}

// index adds a document of input, replacing an earlier one of its ID.
func (sb *segmentBuild) index(ctx context.Context, input string, d *document.Document) error {
	if err := sb.failure(); err != nil {
		return err
	}
	if d.ID() == "" {
		return bleve.ErrorEmptyID
	}
	if len(sb.cur) == 0 { // a new batch
		sb.paths = append(sb.paths, filepath.Join(sb.dir, fmt.Sprintf("batch-%07d.zap", len(sb.paths))))
		sb.drops = append(sb.drops, nil)
	}
	if old, ok := sb.ids[d.ID()]; ok {
		sb.drop(old)
	}
	in, ok := sb.inIdx[input]
	if !ok {
		in = uint32(len(sb.byInput))
		sb.byInput = append(sb.byInput, nil)
		sb.inIdx[input] = in
	}
	sb.byInput[in] = append(sb.byInput[in], d.ID())
	sb.ids[d.ID()] = docLoc{seg: uint32(len(sb.paths) - 1), local: uint32(len(sb.cur)), input: in}
	sb.cur = append(sb.cur, d)
	if len(sb.cur) >= sb.size {
		return sb.dispatch(ctx)
	}
	return nil
}

// removeInput deletes every document added as input and returns how many.
func (sb *segmentBuild) removeInput(input string) int {
	in, ok := sb.inIdx[input]
	if !ok {
		return 0
	}
	n := 0
	for _, id := range sb.byInput[in] {
		if l, ok := sb.ids[id]; ok && l.input == in {
			sb.drop(l)
			delete(sb.ids, id)
			n++
		}
	}
	sb.byInput[in] = nil
	return n
}

// docs returns the number of live documents.
func (sb *segmentBuild) docs() int { return len(sb.ids) }

// dispatch hands the current batch to a worker, waiting for one to be
// free.
func (sb *segmentBuild) dispatch(ctx context.Context) error {
	if len(sb.cur) == 0 {
		return sb.failure()
	}
	if sb.check != nil {
		if err := sb.check(); err != nil {
			sb.fail(err)
			return err
		}
	}
	if !sb.started {
		sb.started = true
		sb.jobs = make(chan segJob)
		for range sb.workers {
			sb.wg.Go(sb.work)
		}
	}
	job := segJob{docs: sb.cur, path: sb.paths[len(sb.paths)-1]}
	sb.cur = nil
	select {
	case sb.jobs <- job:
		return nil
	case <-sb.ctx.Done():
		if err := sb.failure(); err != nil {
			return err
		}
		return sb.ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work builds the segments of the batches it is given.
func (sb *segmentBuild) work() {
	var a indexAnalyzer // this worker's analysis buffers
	inv := cnzap.NewInverted()
	for job := range sb.jobs {
		if sb.ctx.Err() != nil {
			continue // failed or aborted: drain
		}
		write := func() error { return writeSegment(&a, inv, job.docs, job.path) }
		if sb.bleveSegments {
			write = func() error { return writeSegmentBleve(&a, job.docs, job.path) }
		}
		if err := write(); err != nil {
			sb.fail(err)
		}
	}
}

// writeSegment analyses docs with a's buffers into inv and writes them as
// one segment to path. The analysis puts its tokens straight into the
// batch's inverted index (invertDocument), and the segment is written
// from it (cnzap's NewFromInverted): no token frequency maps per field,
// no per-document maps in cnzap. The segment is byte for byte the one
// writeSegmentBleve writes of the same documents
// (TestInvertedSegmentsMatchBleve).
func writeSegment(a *indexAnalyzer, inv *cnzap.Inverted, docs []index.Document, path string) (err error) {
	defer recoverPanic("index batch", &err)
	for _, d := range docs {
		if !invertible(d) {
			return writeSegmentBleve(a, docs, path)
		}
	}
	inv.Reset()
	for i, d := range docs {
		d.AddIDField()
		invertDocument(a, inv, uint32(i), d)
	}
	seg, _, err := segmentPlugin.NewFromInverted(docs, inv)
	if err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return persistSegment(seg, path)
}

// writeSegmentBleve analyses docs with a's buffers as Bleve's fields and
// writes them as one segment to path by cnzap's New, from the fields'
// token frequencies: scorch's way, writeSegment's reference.
func writeSegmentBleve(a *indexAnalyzer, docs []index.Document, path string) (err error) {
	defer recoverPanic("index batch", &err)
	for _, d := range docs {
		d.AddIDField()
		analyzeDocument(a, d)
	}
	seg, _, err := segmentPlugin.New(docs)
	if err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return persistSegment(seg, path)
}

// persistSegment writes the new segment seg to path and closes it.
func persistSegment(seg segment.Segment, path string) error {
	defer seg.Close()
	un, ok := seg.(segment.UnpersistedSegment)
	if !ok {
		return fmt.Errorf("index batch: segment %T cannot be written", seg)
	}
	if err := un.Persist(path); err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return nil
}

// invertible reports whether d's fields can go into an Inverted: no
// composite field (the mapping has no _all field) and no array positions
// (the mapping has no arrays of objects).
func invertible(d index.Document) bool {
	if d.HasComposite() {
		return false
	}
	ok := true
	d.VisitFields(func(f index.Field) {
		if len(f.ArrayPositions()) > 0 {
			ok = false
		}
	})
	return ok
}

// invertDocument analyses the indexed fields of d, document doc of the
// batch, into inv: the CJK fields by indexAnalyzer's token streams, the
// others by Bleve's own analysis (keywords, the year's numeric terms, the
// ID).
func invertDocument(a *indexAnalyzer, inv *cnzap.Inverted, doc uint32, d index.Document) {
	d.VisitFields(func(f index.Field) {
		if !f.Options().IsIndexed() {
			return
		}
		if cf, ok := f.(*indexField); ok {
			cf.invert(a, inv, doc)
			return
		}
		f.Analyze()
		inv.Field(f.Name(), f.Options()).Frequencies(doc, f.AnalyzedTokenFrequencies())
		inv.Field(f.Name(), f.Options()).Length(doc, f.AnalyzedLength())
	})
}

// analyzeDocument analyses the indexed fields of d, as scorch's Batch does
// before it builds a segment (Bleve v2.6.3's analyze; the mapping has no
// composite or geo-shape fields, and no nested documents).
func analyzeDocument(a *indexAnalyzer, d index.Document) {
	d.VisitFields(func(f index.Field) {
		if !f.Options().IsIndexed() {
			return
		}
		if cf, ok := f.(*indexField); ok {
			cf.analyzeWith(a)
		} else {
			f.Analyze()
		}
		if d.HasComposite() && f.Name() != "_id" {
			d.VisitComposite(func(cf index.CompositeField) {
				cf.Compose(f.Name(), f.AnalyzedLength(), f.AnalyzedTokenFrequencies())
			})
		}
	})
}

// wait waits for the workers to finish the batches given so far.
func (sb *segmentBuild) wait() error {
	if sb.started {
		close(sb.jobs)
		sb.wg.Wait()
		sb.started = false
	}
	return sb.failure()
}

// abort stops the workers and the merges and waits up to d for them
// (d 0: until they are done), reporting whether they are. Past d they
// finish in the background, writing into a folder being removed.
func (sb *segmentBuild) abort(d time.Duration) bool {
	sb.cancel()
	if sb.started {
		sb.started = false
		close(sb.jobs)
	}
	done := make(chan struct{})
	go func() {
		sb.wg.Wait()
		close(done)
	}()
	if d == 0 {
		<-done
		return true
	}
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// segPart is a segment file to merge, with the documents it drops.
type segPart struct {
	path string
	drop *roaring.Bitmap
}

// finish writes the last batch, waits for the workers and merges every
// segment into one: groups of about √N consecutive segments first, on the
// workers, then the groups. It returns the merged segment's file, or ""
// if the build holds no document.
func (sb *segmentBuild) finish(ctx context.Context) (string, error) {
	if err := sb.dispatch(ctx); err != nil {
		sb.cancel()
		sb.wait()
		return "", err
	}
	if err := sb.wait(); err != nil {
		return "", err
	}
	if len(sb.ids) == 0 {
		return "", nil
	}
	parts := make([]segPart, len(sb.paths))
	for i, p := range sb.paths {
		parts[i] = segPart{path: p, drop: sb.drops[i]}
	}
	// Two levels, each document written three times at most (its batch,
	// its group, the final segment): with groups of √N, each merge maps
	// at most about √N inputs (of which the final merge's are about one
	// final index together).
	stop := sb.releaseWhileMerging()
	defer stop()
	groups := groupParts(parts, int(math.Ceil(math.Sqrt(float64(len(parts))))))
	level := make([]segPart, len(groups))
	errs := make([]error, len(groups))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(sb.workers, len(groups)) {
		wg.Go(func() {
			for g := range next {
				out := filepath.Join(sb.dir, fmt.Sprintf("group-%05d.zap", g))
				level[g].path, errs[g] = sb.merge(ctx, 1, groups[g], out)
			}
		})
	}
	for g := range groups {
		next <- g
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return sb.merge(ctx, 2, level, filepath.Join(sb.dir, "final.zap"))
}

// releaseInterval is how often the pages merges have read are released.
const releaseInterval = 200 * time.Millisecond

// releaseWhileMerging releases the pages of the segment files the merges
// have mapped every releaseInterval (releaseMapped), until the returned
// function is called. A merge reads each input once, mostly in order, so
// its inputs' pages need not stay resident: without it, the last merge's
// resident set grew to all of its inputs, about one final index (the
// process's maxrss; the page cache holds them all the same).
func (sb *segmentBuild) releaseWhileMerging() func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(releaseInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sb.mapMu.Lock()
				releaseMapped(sb.dir)
				sb.mapMu.Unlock()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// groupParts splits parts into runs of n (the last may be shorter).
func groupParts(parts []segPart, n int) [][]segPart {
	return slices.Collect(slices.Chunk(parts, max(1, n)))
}

// merge merges parts into the segment file out (a single part with
// nothing to drop is only renamed), removes the inputs and returns out.
func (sb *segmentBuild) merge(ctx context.Context, level int, parts []segPart, out string) (_ string, err error) {
	defer recoverPanic("merge", &err)
	if sb.hook != nil {
		if err := sb.hook(level); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := sb.ctx.Err(); err != nil {
		return "", err
	}
	if len(parts) == 1 && (parts[0].drop == nil || parts[0].drop.IsEmpty()) {
		if err := os.Rename(parts[0].path, out); err != nil {
			return "", fmt.Errorf("merge: %w", err)
		}
		return out, nil
	}
	segs := make([]segment.Segment, 0, len(parts))
	drops := make([]*roaring.Bitmap, 0, len(parts))
	closeAll := func() {
		sb.mapMu.Lock()
		defer sb.mapMu.Unlock()
		for _, s := range segs {
			s.Close()
		}
		segs = nil
	}
	defer closeAll()
	for _, p := range parts {
		sb.mapMu.Lock()
		s, err := segmentPlugin.Open(p.path)
		sb.mapMu.Unlock()
		if err != nil {
			return "", fmt.Errorf("merge: %w", err)
		}
		segs = append(segs, s)
		drops = append(drops, p.drop)
	}
	// Merge stops when closeCh is closed: when the build is aborted or
	// its context ends.
	closeCh := make(chan struct{})
	stop := context.AfterFunc(sb.ctx, func() { close(closeCh) })
	stopCtx := context.AfterFunc(ctx, sb.cancel)
	_, _, err = segmentPlugin.Merge(segs, drops, out, closeCh, nil)
	stop()
	stopCtx()
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return "", fmt.Errorf("merge: %w", err)
	}
	closeAll()
	for _, p := range parts {
		if err := os.Remove(p.path); err != nil {
			return "", fmt.Errorf("merge: %w", err)
		}
	}
	return out, nil
}

// wrapConfig is the configuration of the offline builder that writes the
// generation's Bleve folder: the segment version of segmentPlugin.
func wrapConfig(buildDir string) map[string]any {
	c := segmentConfig()
	c["buildPathPrefix"] = buildDir
	return c
}

// wrapSegment writes the Bleve index folder dir around the segment file
// seg (moved into it): Bleve's offline builder writes the index of one
// placeholder document, whose one segment seg then replaces. With seg ""
// (no documents) it writes an empty index.
func wrapSegment(dir string, m mapping.IndexMapping, seg, buildDir string) error {
	if seg == "" {
		idx, err := bleve.NewUsing(dir, m, scorch.Name, scorch.Name, segmentConfig())
		if err != nil {
			return fmt.Errorf("create index: %w", err)
		}
		return idx.Close()
	}
	bl, err := bleve.NewBuilder(dir, m, wrapConfig(buildDir))
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	if err := bl.Index("placeholder", map[string]any{}); err != nil {
		bl.Close()
		return fmt.Errorf("create index: %w", err)
	}
	if err := bl.Close(); err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	store := filepath.Join(dir, "store")
	entries, err := os.ReadDir(store)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{offlineSegmentFile, "root.bolt"}) {
		return fmt.Errorf("create index: Bleve's offline builder wrote %q, want one segment %s and root.bolt", names, offlineSegmentFile)
	}
	if err := os.Rename(seg, filepath.Join(store, offlineSegmentFile)); err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	return nil
}
