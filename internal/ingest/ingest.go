// Package ingest is the indexing pipeline shared by the indexer command and
// searchd's first start: it walks corpus inputs, parses them with package
// corpus and feeds the paragraphs to a search.Builder, re-indexing only
// what changed when asked to update. It makes no Bleve calls itself.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"countynews/corpus"
	"countynews/internal/search"
	"countynews/internal/story"
)

// Options configure one run of the pipeline.
type Options struct {
	// Index is the index folder (see package search for its layout).
	Index string
	// Paths are page files, folders and JSONL exports; none means the
	// embedded default corpus.
	Paths []string
	// Root is the corpus root the inputs are named (and cited) relative
	// to; "" is the deepest folder holding every path (see InputsUnder).
	Root string
	// Update re-indexes only inputs whose content hash changed since the
	// last build and removes the paragraphs of inputs that disappeared.
	Update bool
	// Strict turns every problem with an input into a fatal error.
	Strict bool
	// BatchSize is passed to the builder (0: its default).
	BatchSize int
	// Observer is told of progress and problems; nil tells nobody.
	Observer Observer
	// Parser overrides the default corpus parser (tests pin its clock).
	Parser *corpus.Parser
	// NoSpaceCheck skips the free-space check before the build (see
	// disk.go); a full disk is then reported when a write fails.
	NoSpaceCheck bool
}

// Observer follows a run, e.g. to draw a progress bar. Calls come from the
// goroutine that called Run.
type Observer interface {
	// Start is called once with the inputs' total size in bytes.
	Start(inputs int, bytes int64)
	// Read is called as bytes of the current input are read.
	Read(bytes int)
	// Input is called after each input, read or not, with its size and
	// paragraph count.
	Input(name string, size int64, paragraphs int)
	// Problem reports a skipped input or a part of one read with a fallback.
	Problem(err error)
}

// Skipped is an input left out of the index, with the reason.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Summary reports what a run did. JSON keys are snake_case for the
// indexer's -json output.
type Summary struct {
	Index      string    `json:"index"`
	Generation int       `json:"generation"`
	Pages      int       `json:"pages"` // inputs read (page files and exports)
	Articles   int       `json:"articles"`
	Paragraphs int       `json:"paragraphs"` // paragraphs indexed in this run
	Total      int       `json:"total_paragraphs"`
	Duplicates int       `json:"duplicates"` // paragraphs whose ID was seen before in the run
	Warnings   int       `json:"warnings"`
	Skipped    []Skipped `json:"skipped"`
	Unchanged  int       `json:"unchanged"`  // with Update: inputs whose hash matched
	Changed    int       `json:"changed"`    // with Update: inputs added, changed or removed
	Reread     int       `json:"reread"`     // with Update: unchanged inputs read again (they share paragraphs with a changed one)
	BytesRead  int64     `json:"bytes_read"` // input bytes as stored (gzip compressed, if so)
	MBRead     float64   `json:"mb_read"`
	TextBytes  int64     `json:"text_bytes"` // UTF-8 bytes of the paragraph text indexed
	TextMB     float64   `json:"text_mb"`
	Seconds    float64   `json:"seconds"`
	PerSecond  float64   `json:"paragraphs_per_s"`
	MBPerSec   float64   `json:"mb_per_s"` // MB of paragraph text indexed a second
	IndexBytes int64     `json:"index_bytes"`
}

// Counters are what a run counted, input by input.
type Counters struct {
	Pages      int       // inputs read (page files and exports)
	Articles   int       // articles read
	Paragraphs int       // paragraphs indexed in this run
	Duplicates int       // paragraphs read whose ID another input (or an earlier place) holds
	Warnings   int       // problems that skipped part of an input
	Skipped    []Skipped // inputs left out
	Unchanged  int       // with Update: inputs whose hash matched
	Changed    int       // with Update: inputs added, changed or removed
	Reread     int       // with Update: unchanged inputs read again, as they share paragraphs with a changed one
	BytesRead  int64     // input bytes as stored (gzip compressed, if so)
	TextBytes  int64     // UTF-8 bytes of the paragraph text indexed
}

// Run builds (or with Update, refreshes) the index. On any fatal error the
// temporary generation is removed and the previous index is left as it
// was.
//
// An update gives the index a fresh build of the same inputs would: the
// same documents, totals and facets (TestUpdateEqualsFreshBuild). Inputs
// are known by Input.Key, so a file named two ways is one input. A
// paragraph held by several inputs (an article printed in two files has one
// ID) is stored once, from the input with the smallest key, and stays while
// any input holds it: the generation records which paragraphs each input
// holds (search.Builder.SetHolds), and when an input changes or goes away,
// the unchanged inputs that share paragraphs with it are read again.
func Run(ctx context.Context, opt Options) (sum *Summary, err error) {
	start := time.Now()
	r := &pipeline{opt: opt, obs: opt.Observer, parser: opt.Parser}
	if r.obs == nil {
		r.obs = nopObserver{}
	}
	if r.parser == nil {
		if r.parser, err = corpus.NewParser(corpus.Options{}); err != nil {
			return nil, err
		}
	}
	inputs := DefaultInputs()
	var problems []error
	if len(opt.Paths) > 0 {
		if inputs, problems, err = InputsUnder(opt.Root, opt.Paths...); err != nil {
			return nil, err
		}
	}
	for _, p := range problems {
		if opt.Strict {
			return nil, p
		}
		r.skip(p)
	}
	sort.SliceStable(inputs, func(i, j int) bool { return inputs[i].Key < inputs[j].Key })
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	r.obs.Start(len(inputs), total)

	b, err := search.NewBuilder(ctx, opt.Index, search.BuildOptions{Update: opt.Update, BatchSize: opt.BatchSize})
	if err != nil {
		return nil, err
	}
	r.b = b
	committed := false
	defer func() {
		if !committed {
			if aerr := b.Abort(); aerr != nil && err != nil {
				err = fmt.Errorf("%w (and cleaning up: %v)", err, aerr)
			}
		}
	}()
	changed, err := r.plan(ctx, inputs)
	if err != nil {
		return nil, err
	}
	for len(r.queue) > 0 {
		in := r.queue[0]
		r.queue = r.queue[1:]
		if err := r.input(ctx, in); err != nil {
			return nil, err
		}
	}
	b.SetHolds(r.holds)

	sum = &Summary{Index: opt.Index}
	prev := b.Previous()
	if opt.Update && !changed && prev.Generation > 0 {
		// Nothing changed: keep the current generation as it is.
		if err := b.Abort(); err != nil {
			return nil, err
		}
		committed = true
		sum.Generation, sum.Total = prev.Generation, prev.Paragraphs
	} else {
		st, err := b.Commit(ctx)
		if err != nil {
			return nil, err
		}
		committed = true
		sum.Generation, sum.Total, sum.IndexBytes = st.Generation, st.Paragraphs, st.SizeBytes
	}
	c := r.c
	sum.Pages, sum.Articles, sum.Paragraphs, sum.Duplicates, sum.Warnings = c.Pages, c.Articles, c.Paragraphs, c.Duplicates, c.Warnings
	sum.Skipped, sum.Unchanged, sum.Changed, sum.Reread = c.Skipped, c.Unchanged, c.Changed, c.Reread
	sum.BytesRead, sum.TextBytes = c.BytesRead, c.TextBytes
	if sum.Skipped == nil {
		sum.Skipped = []Skipped{}
	}
	if sum.IndexBytes == 0 { // the current generation kept as it was
		if n, err := search.CurrentBytes(opt.Index); err == nil {
			sum.IndexBytes = n
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	sum.MBRead = float64(sum.BytesRead) / 1e6
	sum.TextMB = float64(sum.TextBytes) / 1e6
	if sum.Seconds > 0 {
		sum.PerSecond = float64(sum.Paragraphs) / sum.Seconds
		sum.MBPerSec = sum.TextMB / sum.Seconds
	}
	return sum, nil
}

// pipeline is one run: the plan of what to read, then one input at a time.
type pipeline struct {
	opt    Options
	parser *corpus.Parser
	obs    Observer
	b      *search.Builder

	all      map[string]Input  // every input of the run, by key
	queue    []Input           // inputs to read, by key
	hashes   map[string]string // input key -> hash, of the inputs to read
	readHash map[string]string // input key -> hash, of every input hashed
	// outside maps a paragraph ID to the keys of the inputs not read in
	// this run (unchanged, kept from the current generation) that hold it.
	outside map[string][]string
	// decided is the paragraph IDs whose stored copy this run settled,
	// with the input that settled it.
	decided map[string]string
	// holds is the paragraph IDs each input holds in the new generation.
	holds map[string][]string
	c     Counters
}

// skip records an input left out.
func (r *pipeline) skip(err error) {
	var ce *corpus.Error
	file := ""
	if errors.As(err, &ce) {
		file = ce.File
	}
	r.c.Skipped = append(r.c.Skipped, Skipped{File: file, Reason: err.Error()})
	r.obs.Problem(err)
}

// plan hashes the inputs, decides which to read and removes from the new
// generation what they (and inputs gone since the current one) stored. It
// reports whether anything differs from the current generation.
func (r *pipeline) plan(ctx context.Context, inputs []Input) (changed bool, err error) {
	r.hashes = map[string]string{}
	r.readHash = map[string]string{}
	r.all = map[string]Input{}
	r.outside = map[string][]string{}
	r.decided = map[string]string{}
	r.holds = map[string][]string{}
	prev := r.b.Previous()
	var prevHolds map[string][]string
	if r.opt.Update {
		if prevHolds, err = r.b.PreviousHolds(); err != nil {
			return false, err
		}
	}
	present := map[string]bool{}
	var unchanged []Input
	dirty := map[string]bool{} // keys of the current generation whose paragraphs must go: changed or removed
	for _, in := range inputs {
		hash, err := in.Hash(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			if r.opt.Strict {
				return false, err
			}
			r.skip(err)
			continue
		}
		present[in.Key] = true
		r.all[in.Key] = in
		r.readHash[in.Key] = hash
		old, existed := prev.Files[in.Key]
		switch {
		case r.opt.Update && existed && old.Hash == hash && prevHolds != nil:
			unchanged = append(unchanged, in)
			continue
		case r.opt.Update && existed:
			dirty[in.Key] = true
		}
		r.hashes[in.Key] = hash
		r.queue = append(r.queue, in)
		if r.opt.Update {
			r.c.Changed++
		}
	}
	if r.opt.Update {
		for key := range prev.Files {
			if !present[key] {
				dirty[key] = true
				r.c.Changed++
			}
		}
	}
	// The paragraphs of dirty inputs are deleted; an unchanged input that
	// holds one of them is read again, so that the paragraph stays if it
	// still holds it and comes from the input a fresh build would take.
	affected := map[string]bool{}
	for key := range dirty {
		for _, id := range prevHolds[key] {
			affected[id] = true
		}
	}
	var kept []Input
	for _, in := range unchanged {
		reread := false
		for _, id := range prevHolds[in.Key] {
			if affected[id] {
				reread = true
				break
			}
		}
		if reread {
			dirty[in.Key] = true
			r.hashes[in.Key] = prev.Files[in.Key].Hash
			r.queue = append(r.queue, in)
			r.c.Reread++
			continue
		}
		kept = append(kept, in)
	}
	for _, in := range kept {
		e := prev.Files[in.Key]
		r.b.SetFile(in.Key, e.Hash, e.Paragraphs)
		r.holds[in.Key] = prevHolds[in.Key]
		for _, id := range prevHolds[in.Key] {
			r.outside[id] = append(r.outside[id], in.Key)
		}
		r.c.Unchanged++
		r.obs.Input(in.Name, in.Size, 0)
	}
	if !r.opt.NoSpaceCheck {
		var current int64
		if r.opt.Update && len(r.queue)+len(dirty) > 0 {
			current, _ = search.CurrentBytes(r.opt.Index)
		}
		if err := checkSpace(r.opt.Index, estimateSpace(r.queue, current)); err != nil {
			return false, err
		}
	}
	keys := make([]string, 0, len(dirty))
	for key := range dirty {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if err := r.b.RemoveFile(ctx, key); err != nil {
			return false, err
		}
	}
	sort.SliceStable(r.queue, func(i, j int) bool { return r.queue[i].Key < r.queue[j].Key })
	return !r.opt.Update || r.c.Changed > 0, nil
}

// input reads one input into the builder: the per-input step.
func (r *pipeline) input(ctx context.Context, in Input) error {
	var ids []string // paragraph IDs the input holds, in order
	seen := map[string]bool{}
	paragraphs, articles := 0, 0
	var textBytes int64
	problems, rerr := Read(ctx, r.parser, in.Observed(r.obs.Read), func(a corpus.Article) error {
		articles++
		sig := story.SignArticle(a) // every paragraph carries its article's
		for _, para := range a.Paragraphs {
			paragraphs++
			if !seen[para.ID] {
				seen[para.ID] = true
				ids = append(ids, para.ID)
			}
			if _, ok := r.decided[para.ID]; ok {
				r.c.Duplicates++
				continue
			}
			r.decided[para.ID] = in.Key
			if o := r.outside[para.ID]; len(o) > 0 && slices.Min(o) < in.Key {
				// A kept input with a smaller key stores it, as a fresh
				// build would.
				r.c.Duplicates++
				continue
			}
			if err := r.b.AddSigned(ctx, in.Key, para, sig); err != nil {
				return err
			}
			r.c.Paragraphs++
			textBytes += int64(len(para.Text))
		}
		return nil
	})
	r.c.BytesRead += in.Size
	r.c.Pages++
	for _, p := range problems {
		if r.opt.Strict {
			return p
		}
		r.c.Warnings++
		r.obs.Problem(p)
	}
	var ce *corpus.Error
	switch {
	case errors.As(rerr, &ce) && !r.opt.Strict:
		// An input that broke part-way (a corrupt gzip) is left out
		// whole, as if it were not there.
		if err := r.undo(ctx, in.Key); err != nil {
			return err
		}
		r.skip(rerr)
		r.obs.Input(in.Name, in.Size, 0)
		return nil
	case rerr != nil:
		return rerr
	}
	r.c.Articles += articles
	r.c.TextBytes += textBytes
	r.b.SetFile(in.Key, r.hashes[in.Key], paragraphs)
	r.holds[in.Key] = ids
	r.obs.Input(in.Name, in.Size, paragraphs)
	return nil
}

// undo takes out what the input key, left out part-way, stored: its
// paragraphs are deleted and forgotten, and every other input that holds
// one of them (kept or already read) is read again, with the same done for
// what it stored, so that each paragraph ends up from the input a fresh
// build without the broken one would take. Rare (a file that breaks
// part-way and shares articles with others), so it scans rather than
// keeping reverse maps.
func (r *pipeline) undo(ctx context.Context, key string) error {
	work := []string{key}
	visited := map[string]bool{key: true}
	for len(work) > 0 {
		k := work[0]
		work = work[1:]
		if err := r.b.RemoveFile(ctx, k); err != nil {
			return err
		}
		var freed []string
		for id, by := range r.decided {
			if by == k {
				delete(r.decided, id)
				freed = append(freed, id)
			}
		}
		for _, id := range r.holds[k] {
			o := r.outside[id]
			if len(o) > 0 && slices.Min(o) == k {
				freed = append(freed, id) // a kept input's stored copy
			}
			r.outside[id] = slices.DeleteFunc(o, func(x string) bool { return x == k })
		}
		delete(r.holds, k)
		if k != key {
			r.hashes[k] = r.readHash[k]
			r.queue = append(r.queue, r.all[k])
			r.c.Reread++
		}
		freedSet := map[string]bool{}
		for _, id := range freed {
			freedSet[id] = true
		}
		for other, ids := range r.holds {
			if visited[other] {
				continue
			}
			for _, id := range ids {
				if freedSet[id] {
					visited[other] = true
					work = append(work, other)
					break
				}
			}
		}
	}
	sort.SliceStable(r.queue, func(i, j int) bool { return r.queue[i].Key < r.queue[j].Key })
	return nil
}

type nopObserver struct{}

func (nopObserver) Start(int, int64)         {}
func (nopObserver) Read(int)                 {}
func (nopObserver) Input(string, int64, int) {}
func (nopObserver) Problem(error)            {}
