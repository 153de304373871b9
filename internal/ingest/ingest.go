// Package ingest is the indexing pipeline shared by the indexer command and
// searchd's first start: it walks corpus inputs, parses them with package
// corpus and feeds the paragraphs to a search.Builder, re-indexing only
// what changed when asked to update. It makes no Bleve calls itself.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"countynews/corpus"
	"countynews/internal/search"
)

// Options configure one run of the pipeline.
type Options struct {
	// Index is the index folder (see package search for its layout).
	Index string
	// Paths are page files, folders and JSONL exports; none means the
	// embedded default corpus.
	Paths []string
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
	Changed    int       `json:"changed"`    // with Update: inputs re-indexed plus inputs removed
	BytesRead  int64     `json:"bytes_read"` // input bytes as stored (gzip compressed, if so)
	MBRead     float64   `json:"mb_read"`
	TextBytes  int64     `json:"text_bytes"` // UTF-8 bytes of the paragraph text indexed
	TextMB     float64   `json:"text_mb"`
	Seconds    float64   `json:"seconds"`
	PerSecond  float64   `json:"paragraphs_per_s"`
	MBPerSec   float64   `json:"mb_per_s"` // MB of paragraph text indexed a second
	IndexBytes int64     `json:"index_bytes"`
}

// Run builds (or with Update, refreshes) the index. On any fatal error the
// temporary generation is removed and the previous index is left as it
// was.
func Run(ctx context.Context, opt Options) (sum *Summary, err error) {
	start := time.Now()
	obs := opt.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	parser := opt.Parser
	if parser == nil {
		if parser, err = corpus.NewParser(corpus.Options{}); err != nil {
			return nil, err
		}
	}
	inputs := corpus.DefaultInputs()
	if len(opt.Paths) > 0 {
		if inputs, err = corpus.Inputs(opt.Paths...); err != nil {
			return nil, err
		}
	}
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	obs.Start(len(inputs), total)

	b, err := search.NewBuilder(ctx, opt.Index, search.BuildOptions{Update: opt.Update, BatchSize: opt.BatchSize})
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			if aerr := b.Abort(); aerr != nil && err != nil {
				err = fmt.Errorf("%w (and cleaning up: %v)", err, aerr)
			}
		}
	}()

	sum = &Summary{Index: opt.Index, Skipped: []Skipped{}}
	prev := b.Previous()
	seen := map[string]bool{} // input names in this run
	ids := map[string]bool{}  // paragraph IDs added in this run
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seen[in.Name] = true
		hash, err := in.Hash()
		if err != nil {
			if opt.Strict {
				return nil, err
			}
			sum.Skipped = append(sum.Skipped, Skipped{in.Name, err.Error()})
			obs.Problem(err)
			continue
		}
		old, existed := prev.Files[in.Name]
		if opt.Update && existed && old.Hash == hash {
			b.SetFile(in.Name, hash, old.Paragraphs)
			sum.Unchanged++
			obs.Input(in.Name, in.Size, 0)
			continue
		}
		if opt.Update && existed {
			if err := b.RemoveFile(ctx, in.Name); err != nil {
				return nil, err
			}
		}
		if opt.Update {
			sum.Changed++
		}
		n, arts, problems, rerr := readInput(ctx, parser, b, in.Observed(obs.Read), ids, &sum.Duplicates, &sum.TextBytes)
		sum.BytesRead += in.Size
		sum.Pages++
		for _, p := range problems {
			if opt.Strict {
				return nil, p
			}
			sum.Warnings++
			obs.Problem(p)
		}
		var ce *corpus.Error
		switch {
		case errors.As(rerr, &ce) && !opt.Strict:
			if n > 0 { // a file that broke part-way (a corrupt gzip) is left out whole
				if err := b.RemoveFile(ctx, in.Name); err != nil {
					return nil, err
				}
			}
			sum.Skipped = append(sum.Skipped, Skipped{in.Name, ce.Error()})
			obs.Problem(rerr)
			obs.Input(in.Name, in.Size, 0)
			continue
		case rerr != nil:
			return nil, rerr
		}
		b.SetFile(in.Name, hash, n)
		sum.Paragraphs += n
		sum.Articles += arts
		obs.Input(in.Name, in.Size, n)
	}
	if opt.Update {
		for name := range prev.Files {
			if !seen[name] {
				if err := b.RemoveFile(ctx, name); err != nil {
					return nil, err
				}
				sum.Changed++
			}
		}
	}
	if opt.Update && sum.Changed == 0 && prev.Generation > 0 {
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

// readInput parses one input into the builder, returning its paragraph and
// article counts. A parse failure of the whole input comes back as a
// *corpus.Error with nothing added.
func readInput(ctx context.Context, p *corpus.Parser, b *search.Builder, in corpus.Input, ids map[string]bool, dups *int, textBytes *int64) (paragraphs, articles int, problems []*corpus.Error, err error) {
	problems, err = p.Read(ctx, in, func(a corpus.Article) error {
		articles++
		for _, para := range a.Paragraphs {
			if ids[para.ID] {
				*dups++
			}
			ids[para.ID] = true
			if err := b.Add(ctx, para); err != nil {
				return fmt.Errorf("index %s: %w", para.ID, err)
			}
			paragraphs++
			*textBytes += int64(len(para.Text))
		}
		return nil
	})
	return paragraphs, articles, problems, err
}

type nopObserver struct{}

func (nopObserver) Start(int, int64)         {}
func (nopObserver) Read(int)                 {}
func (nopObserver) Input(string, int64, int) {}
func (nopObserver) Problem(error)            {}
