package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/internal/story"
)

// DefaultBatchSize is the number of paragraphs indexed per Bleve batch
// when BuildOptions.BatchSize is 0 (see BenchmarkIndex).
const DefaultBatchSize = 1000

// BuildOptions configure a Builder.
type BuildOptions struct {
	// Update starts the new generation from a copy of the current one, so
	// that only changed files need re-indexing (RemoveFile, then Add). If
	// the current generation was written by another schema version, the
	// build starts empty instead and Previous reports no files.
	Update bool
	// BatchSize is the number of paragraphs per Bleve batch (0: default).
	BatchSize int

	noUnigrams bool // benchmarks only: leave out the text1 field
	workers    int  // benchmarks only: batches in flight (0: batchWorkers)
	noMerge    bool // benchmarks only: leave a full build in the segments scorch left
	// tests and benchmarks only: a full build through scorch's online
	// index (batches, then mergeToOne), the way before segmentBuild
	online bool
	// tests only: paragraphs held back to train the stored dictionary on
	// (0: storedSamples), and trained on however few they are
	dictSamples int
	// tests only: called before each merge of a full build's segments
	// (level 1: a group, 2: the final merge), from the goroutines that
	// merge, groups at once; an error fails the build
	mergeHook func(level int) error
	// tests only: documents analysed by Bleve's analyzer chains instead
	// of the one-pass analysis (indexanalysis.go)
	refAnalysis bool
	// tests only: a full build's batches written by cnzap's New from
	// the fields' token frequencies (writeSegmentBleve) instead of from
	// the batch's inverted index (writeSegment)
	bleveSegments bool
	// benchmarks only: a full build with scorch's default tiered merges
	// while it runs and one round of force merge at the end (the way
	// before fullBuildConfig and mergeToOne)
	tieredMerges bool
}

// BuildStats reports a committed generation.
type BuildStats struct {
	Generation int
	Paragraphs int   // documents in the generation
	Added      int   // paragraphs added by this build
	Removed    int   // paragraphs deleted by RemoveFile
	SizeBytes  int64 // bytes of the generation folder
}

// Builder writes a new generation of an index folder. It is not safe for
// concurrent use. A Builder must end with Commit or Abort; until Commit
// returns, the current generation is untouched and servable, whatever
// happens to the process.
type Builder struct {
	path   string
	opt    BuildOptions
	sch    *schema
	lock   *os.File
	gen    int
	tmp    string   // PATH/gen-N.tmp
	prev   Manifest // the current generation's manifest, if compatible
	cur    int      // generation current pointed to at the start (0: none)
	copyOf string   // Bleve folder to start from (Update), "" for empty

	idx     bleve.Index // opened lazily: an update that changes nothing costs nothing
	batch   *batcher
	seg     *segmentBuild // a full build's segments (segbuild.go), instead of idx
	files   map[string]FileEntry
	holds   map[string][]string
	added   int
	removed int
	done    bool
	// held are a full build's first paragraphs, held back until the
	// dictionary of the stored paragraphs is trained on them (train);
	// trained: the generation's codec is set (an update's from the start).
	held    []heldParagraph
	trained bool
}

// heldParagraph is a paragraph given to AddSigned before the stored
// dictionary is trained.
type heldParagraph struct {
	input string
	p     corpus.Paragraph
	sig   story.Signature
}

// NewBuilder prepares generation N+1 of the index folder path, creating
// the folder if needed. It refuses a path that holds anything but an index
// folder, takes the folder's build lock and removes what interrupted
// builds left.
func NewBuilder(ctx context.Context, path string, opt BuildOptions) (*Builder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	sch, err := newSchema()
	if err != nil {
		return nil, err
	}
	sch.refAnalysis = opt.refAnalysis
	if err := checkLayout(path); err != nil {
		return nil, err
	}
	lock, err := lockFolder(path)
	if err != nil {
		return nil, err
	}
	b := &Builder{path: path, opt: opt, sch: sch, lock: lock, files: map[string]FileEntry{}}
	if err := b.prepare(); err != nil {
		unlockFolder(lock)
		return nil, err
	}
	return b, nil
}

func (b *Builder) prepare() error {
	if err := removeLeftovers(b.path); err != nil {
		return err
	}
	gens, err := generations(b.path)
	if err != nil {
		return fmt.Errorf("index folder: %w", err)
	}
	if len(gens) > 0 {
		b.gen = gens[len(gens)-1]
	}
	b.gen++
	if cur, err := Current(b.path); err == nil {
		b.cur = cur
		// Generations a killed build left past the two a build keeps
		// (the current one and the one before it, for readers and as a
		// fallback) go now, even if this build changes nothing.
		keep := []int{cur}
		for _, g := range gens {
			if g < cur {
				keep = append(keep[:1], g)
			}
		}
		pruneGenerations(b.path, keep...)
		dir := filepath.Join(b.path, genName(cur))
		m, err := readManifest(dir)
		if err == nil && b.opt.Update {
			// An update starts from a copy of the current generation:
			// a damaged one is not copied, the update is a full build.
			err = verifyGeneration(context.Background(), dir, m)
		}
		if err == nil && m.Schema == SchemaVersion {
			b.prev = m
			if b.opt.Update {
				b.copyOf = filepath.Join(dir, bleveDir)
				b.files = maps.Clone(m.Files)
				if b.files == nil {
					b.files = map[string]FileEntry{}
				}
			}
		}
	}
	b.tmp = filepath.Join(b.path, genName(b.gen)+tmpSuffix)
	if err := os.Mkdir(b.tmp, 0o755); err != nil {
		return fmt.Errorf("create generation: %w", err)
	}
	return nil
}

// Previous returns the manifest of the current generation (the zero
// Manifest if there is none, or if it was written by another schema).
func (b *Builder) Previous() Manifest { return b.prev }

// open creates or copies the Bleve index of the new generation on first
// use, in PATH/gen-N.tmp/work (see Commit).
func (b *Builder) open() error {
	if b.done {
		return errors.New("build already committed or aborted")
	}
	if b.idx != nil || b.seg != nil {
		return nil
	}
	dir := filepath.Join(b.tmp, workDir)
	workers := b.opt.workers
	if workers == 0 {
		workers = batchWorkers
	}
	if b.copyOf == "" && !b.opt.online && !b.opt.noMerge && !b.opt.tieredMerges {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("create index: %w", err)
		}
		b.seg = newSegmentBuild(dir, b.opt.BatchSize, workers)
		b.seg.check, b.seg.hook = b.checkSpace, b.opt.mergeHook
		b.seg.bleveSegments = b.opt.bleveSegments
		return nil
	}
	var idx bleve.Index
	var err error
	if b.copyOf != "" {
		// An update adds frames to the copied ones: same dictionary.
		c, cerr := readStoredCodec(filepath.Dir(b.copyOf))
		if cerr == nil {
			cerr = c.write(b.tmp)
		}
		if cerr != nil {
			return cerr
		}
		b.sch.stored, b.trained = c, true
		if err = copyTree(b.copyOf, dir); err != nil {
			return fmt.Errorf("copy generation %d: %w", b.cur, err)
		}
		idx, err = bleve.Open(dir)
	} else {
		idx, err = bleve.NewUsing(dir, b.sch.mapping, scorch.Name, scorch.Name, segmentConfig())
		if err == nil && !b.opt.tieredMerges {
			// Reopened with the build's scorch options, which are
			// runtime options only: the index's own metadata (copied
			// into the generation) keeps scorch's defaults for
			// updates and readers.
			if err = idx.Close(); err == nil {
				idx, err = bleve.OpenUsing(dir, fullBuildConfig())
			}
		}
	}
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	b.idx, b.batch = idx, newBatcher(idx, b.opt.BatchSize, workers)
	b.batch.check = b.checkSpace
	return nil
}

// Add indexes a paragraph of the input p.Source.File (see AddFrom).
func (b *Builder) Add(ctx context.Context, p corpus.Paragraph) error {
	return b.AddFrom(ctx, p.Source.File, p)
}

// AddFrom indexes a paragraph (batched) as one of input, the key by which
// RemoveFile deletes it, without a story signature (its article is a
// story of its own; see AddSigned). A paragraph with the ID of one
// already in the generation replaces it.
func (b *Builder) AddFrom(ctx context.Context, input string, p corpus.Paragraph) error {
	return b.AddSigned(ctx, input, p, 0)
}

// AddArticle indexes an article's paragraphs as of their source files,
// with the article's story signature (see AddSigned).
func (b *Builder) AddArticle(ctx context.Context, a corpus.Article) error {
	sig := story.SignArticle(a)
	for _, p := range a.Paragraphs {
		if err := b.AddSigned(ctx, p.Source.File, p, sig); err != nil {
			return err
		}
	}
	return nil
}

// AddSigned is AddFrom with the story signature of the paragraph's article
// (story.SignArticle), from which the index groups syndicated copies into
// stories when it is opened: every paragraph of an article must be given
// the same signature.
func (b *Builder) AddSigned(ctx context.Context, input string, p corpus.Paragraph, sig story.Signature) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return diskError(b.path, err)
	}
	if !b.trained {
		if _, err := b.sch.document(p, input, !b.opt.noUnigrams, sig); err != nil {
			return err // refused now, as it would be once trained
		}
		b.held = append(b.held, heldParagraph{input: input, p: p, sig: sig})
		if n := b.opt.dictSamples; len(b.held) < storedSamples && (n == 0 || len(b.held) < n) {
			return nil
		}
		return b.train(ctx)
	}
	return b.index(ctx, input, p, sig)
}

// train trains the dictionary of the stored paragraphs on the paragraphs
// held back (stored.go), writes it to the generation, and indexes them.
func (b *Builder) train(ctx context.Context) error {
	if b.trained {
		return nil
	}
	ps := make([]corpus.Paragraph, len(b.held))
	for i, h := range b.held {
		ps[i] = h.p
	}
	least := storedMinSamples
	if b.opt.dictSamples > 0 {
		least = 1
	}
	c, err := trainStoredCodec(ctx, ps, least)
	if err != nil {
		return err
	}
	if err := c.write(b.tmp); err != nil {
		return diskError(b.path, err)
	}
	b.sch.stored, b.trained = c, true
	held := b.held
	b.held = nil
	for _, h := range held {
		if err := b.index(ctx, h.input, h.p, h.sig); err != nil {
			return err
		}
	}
	return nil
}

// index indexes a paragraph with the generation's stored codec.
func (b *Builder) index(ctx context.Context, input string, p corpus.Paragraph, sig story.Signature) error {
	d, err := b.sch.document(p, input, !b.opt.noUnigrams, sig)
	if err != nil {
		return err
	}
	if b.seg != nil {
		err = b.seg.index(ctx, input, d)
	} else {
		err = b.batch.index(ctx, d)
	}
	if err != nil {
		return diskError(b.path, fmt.Errorf("index %s: %w", p.ID, err))
	}
	b.added++
	return nil
}

// RemoveFile deletes every paragraph added from input file (including
// paragraphs added earlier in this build) and forgets the file in the new
// manifest.
func (b *Builder) RemoveFile(ctx context.Context, file string) (err error) {
	defer func() { err = diskError(b.path, err) }()
	if err := b.open(); err != nil {
		return err
	}
	if err := b.train(ctx); err != nil {
		return err
	}
	delete(b.files, file)
	if b.seg != nil {
		b.removed += b.seg.removeInput(file)
		return nil
	}
	if err := b.batch.flush(ctx); err != nil {
		return err
	}
	n, err := b.idx.DocCount()
	if err != nil {
		return fmt.Errorf("remove %s: %w", file, err)
	}
	if n == 0 {
		return nil
	}
	tq := query.NewTermQuery(file)
	tq.SetField(fieldFile)
	req := bleve.NewSearchRequestOptions(tq, int(n), 0, false)
	req.Score = bleve.ScoreNone
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("remove %s: %w", file, err)
	}
	for _, h := range res.Hits {
		b.batch.delete(h.ID)
	}
	b.removed += len(res.Hits)
	return b.batch.flush(ctx)
}

// SetFile records a source file in the new generation's manifest.
func (b *Builder) SetFile(file, hash string, paragraphs int) {
	b.files[file] = FileEntry{Hash: hash, Paragraphs: paragraphs}
}

// SetHolds records, for the new generation, which paragraph IDs each input
// holds (an article printed in two files is held by both, stored once), so
// that a later update knows which inputs to re-read when one of them
// changes. It is written to PATH/gen-N/inputs.json.
func (b *Builder) SetHolds(holds map[string][]string) { b.holds = holds }

// PreviousHolds returns what SetHolds recorded in the current generation
// (nil if nothing, or if Previous is empty).
func (b *Builder) PreviousHolds() (map[string][]string, error) {
	if b.prev.Generation == 0 {
		return nil, nil
	}
	return readHolds(filepath.Join(b.path, genName(b.prev.Generation)))
}

// Commit flushes, closes the index, writes and syncs the manifest,
// publishes the generation (rename gen-N.tmp to gen-N, then swap current
// atomically) and only then removes generations older than the one it
// replaced, which stays for readers still using it.
func (b *Builder) Commit(ctx context.Context) (BuildStats, error) {
	if err := b.open(); err != nil {
		return BuildStats{}, err
	}
	n, err := b.commit(ctx)
	if err != nil {
		err = diskError(b.path, err)
		return BuildStats{}, errors.Join(err, b.Abort())
	}
	return BuildStats{Generation: b.gen, Paragraphs: n, Added: b.added, Removed: b.removed,
		SizeBytes: dirSize(filepath.Join(b.path, genName(b.gen)))}, nil
}

// commit does Commit's work and returns the generation's document count.
func (b *Builder) commit(ctx context.Context) (int, error) {
	if err := b.train(ctx); err != nil {
		return 0, err
	}
	if b.seg != nil {
		return b.commitSegments(ctx)
	}
	if err := b.batch.flush(ctx); err != nil {
		return 0, err
	}
	count, err := b.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	n := int(count)
	// A full build is merged into one segment: on the real news corpus
	// (95,624 paragraphs) scorch leaves 39 segments, and one segment is
	// 12% smaller (a dictionary instead of 39) and answers the benchmark
	// log about 20% faster (one term lookup per term instead of 39), for
	// about 20% more build time. An update keeps the segments scorch's
	// own merge policy left, so that a small change does not rewrite the
	// whole index.
	if !b.opt.noMerge && b.copyOf == "" {
		merge := mergeToOne
		if b.opt.tieredMerges {
			merge = forceMerge // the way before fullBuildConfig, for BenchmarkBuilder
		}
		if err := merge(ctx, b.idx); err != nil {
			return 0, err
		}
	}
	// Scorch may leave segment files of finished merges or of older
	// snapshots behind when it closes; a published generation must hold
	// only its live data. Bleve's online copy writes exactly the live
	// snapshot (persisting what is still in memory) to a new folder.
	cp, ok := b.idx.(bleve.IndexCopyable)
	if !ok {
		return 0, errors.New("commit: the index cannot be copied")
	}
	if err := cp.CopyTo(bleve.FileSystemDirectory(filepath.Join(b.tmp, bleveDir))); err != nil {
		return 0, fmt.Errorf("commit: copy index: %w", err)
	}
	err = b.idx.Close()
	b.idx = nil
	if err != nil {
		return 0, fmt.Errorf("close index: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(b.tmp, workDir)); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, b.publish(ctx, n)
}

// commitSegments does commit's work for a full build: its segments merged
// into one (segmentBuild.finish), wrapped in the generation's Bleve folder.
func (b *Builder) commitSegments(ctx context.Context) (int, error) {
	seg, err := b.seg.finish(ctx)
	if err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	n := b.seg.docs()
	work := filepath.Join(b.tmp, workDir)
	if err := wrapSegment(filepath.Join(b.tmp, bleveDir), b.sch.mapping, seg, work); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	if err := os.RemoveAll(work); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	b.seg = nil
	return n, b.publish(ctx, n)
}

// publish writes the manifest of the generation in b.tmp, holding n
// paragraphs, and makes it the current one.
func (b *Builder) publish(ctx context.Context, n int) error {
	if err := writeHolds(b.tmp, b.holds); err != nil {
		return err
	}
	sums, err := sumTree(ctx, b.tmp)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	m := Manifest{Schema: SchemaVersion, Generation: b.gen, BuiltAt: time.Now().UTC().Truncate(time.Second),
		Files: b.files, Paragraphs: n, Contents: sums}
	if err := writeManifest(b.tmp, m); err != nil {
		return err
	}
	if err := syncTree(b.tmp); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	final := filepath.Join(b.path, genName(b.gen))
	if err := os.Rename(b.tmp, final); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	b.tmp = final // from here on Abort must not remove it
	if err := syncPath(b.path); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := swapCurrent(b.path, b.gen); err != nil {
		return err
	}
	b.done = true
	keep := []int{b.gen}
	if b.cur > 0 {
		keep = append(keep, b.cur)
	}
	perr := pruneGenerations(b.path, keep...)
	uerr := unlockFolder(b.lock)
	b.lock = nil
	if perr != nil {
		// The new generation is live; stale ones go at the next build.
		return nil
	}
	return uerr
}

// fullBuildConfig is the scorch runtime configuration of a full build,
// whose generation is published only when complete and merged into one
// segment (mergeToOne): scorch's merger is told not to merge while the
// build runs. With its default tiered policy (at most 10 segments a tier,
// merges of 10) every paragraph is rewritten once per tier as the index
// grows, on a core the build needs for analysis; planned for the final
// size, each paragraph is written twice, in its batch's segment and in
// the final merge.
func fullBuildConfig() map[string]any {
	return map[string]any{
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentsPerTier":   1 << 20, // no tier ever fills up: no merge while building
			"SegmentsPerMergeTask": 10,
			"MaxSegmentSize":       mergeplan.MaxSegmentSizeLimit,
			"TierGrowth":           10.0,
			"FloorSegmentSize":     2000,
		},
	}
}

// maxMergeRounds bounds mergeToOne's rounds of scorch's force merge.
const maxMergeRounds = 8

// mergeToOne merges the index into one segment. Scorch's force merge
// plans one round over the segments already persisted and returns: a
// segment still being persisted when it starts (the last batch's) is left
// out, so it is asked again until one segment is left. Each round merges
// every segment at once (merges of 10 at a time would write each
// paragraph once more per factor of 10 in the number of segments).
func mergeToOne(ctx context.Context, idx bleve.Index) error {
	s, err := scorchOf(idx)
	if err != nil {
		return err
	}
	last := 0
	for range maxMergeRounds {
		n, err := segmentCount(s)
		if err != nil || n <= 1 {
			return err
		}
		if n == last { // nothing merged last round: a segment is still being persisted
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		last = n
		mo := mergeplan.SingleSegmentMergePlanOptions
		mo.SegmentsPerMergeTask = max(n, 2)
		mo.MaxSegmentSize = mergeplan.MaxSegmentSizeLimit
		if err := s.ForceMerge(ctx, &mo); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// segmentCount returns the number of segments of the index's current
// snapshot, persisted or not.
func segmentCount(s *scorch.Scorch) (int, error) {
	rd, err := s.Reader()
	if err != nil {
		return 0, fmt.Errorf("merge: %w", err)
	}
	defer rd.Close()
	snap, ok := rd.(*scorch.IndexSnapshot)
	if !ok || snap == nil {
		return 0, fmt.Errorf("merge: unexpected snapshot %T", rd)
	}
	return len(snap.Segments()), nil
}

// abortWait is how long Abort waits for batches in flight.
const abortWait = 300 * time.Millisecond

// removeAllRetry removes dir, trying again while files appear in it (a
// batch still running may create one between RemoveAll's passes).
func removeAllRetry(dir string) error {
	var err error
	for range 5 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Abort discards the build: the temporary generation is removed and the
// current one is left as it was. Calling it again, or after Commit, does
// nothing.
func (b *Builder) Abort() error {
	if b.done {
		return nil
	}
	b.done = true
	var errs []error
	tmp := ""
	if filepath.Ext(b.tmp) == tmpSuffix {
		tmp = b.tmp
	}
	if b.seg != nil {
		// As below: the workers are waited for up to abortWait, then
		// left to finish in the background on a folder removed.
		sb := b.seg
		b.seg = nil
		if !sb.abort(abortWait) && tmp != "" {
			go func() {
				sb.abort(0)
				os.RemoveAll(tmp)
			}()
		}
	}
	if b.idx != nil {
		idx, bt := b.idx, b.batch
		b.idx = nil
		closeIdx := func() error {
			var err error
			defer recoverPanic("close index", &err) // a scorch that failed mid-write may panic again
			return idx.Close()
		}
		// Never close under a running batch; but a cancelled build must
		// not wait seconds for one (SIGTERM stops a build within a
		// second). Past abortWait the batches are left to finish in the
		// background, on a folder already removed: what they write
		// fails, and the index is closed when they are done.
		if bt.reapWithin(abortWait) {
			errs = append(errs, closeIdx())
		} else {
			go func() {
				bt.reap(true)
				closeIdx()
				if tmp != "" {
					os.RemoveAll(tmp)
				}
			}()
		}
	}
	if tmp != "" {
		errs = append(errs, removeAllRetry(tmp))
	}
	errs = append(errs, unlockFolder(b.lock))
	b.lock = nil
	return errors.Join(errs...)
}
