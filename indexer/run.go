package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"countynews/corpus"
	"countynews/internal/ingest"
)

// errUsage is returned for bad command lines; the flag package has already
// printed what was wrong.
var errUsage = errors.New("usage: indexer -index PATH [-update] [-strict] [-q] [-json] [PATH...] | indexer -dump [PATH...]")

// run is the whole command, testable without a process: it parses args,
// then dumps or indexes, writing results to stdout and progress and
// problems to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("indexer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		index   = fs.String("index", "", "index folder to build or update (required unless -dump)")
		update  = fs.Bool("update", false, "re-index only inputs whose content changed; remove vanished ones")
		strict  = fs.Bool("strict", false, "fail on the first problem with an input instead of skipping it")
		quiet   = fs.Bool("q", false, "quiet: no progress, only errors")
		asJSON  = fs.Bool("json", false, "print the summary as one JSON object on the last line of stdout")
		dump    = fs.Bool("dump", false, "print parsed paragraphs as JSON lines; build no index")
		batch   = fs.Int("batch", 0, "documents per index batch (0: the builder's default)")
		noCheck = fs.Bool("no-space-check", false, "skip the free-space check before building (README: The index on disk)")
		root    = fs.String("root", "", "corpus root: inputs are named and cited relative to it (default: the deepest folder holding every input)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, errUsage.Error())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return errUsage
	}
	if *dump {
		return dumpParagraphs(ctx, *root, fs.Args(), *strict, stdout, stderr)
	}
	if *index == "" {
		fs.Usage()
		return errUsage
	}
	obs := newObserver(stderr, *quiet)
	defer ingest.TuneGC()()
	sum, err := ingest.Run(ctx, ingest.Options{
		Index: *index, Paths: fs.Args(), Root: *root, Update: *update, Strict: *strict,
		BatchSize: *batch, Observer: obs, NoSpaceCheck: *noCheck,
	})
	obs.Done()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return fmt.Errorf("build interrupted; the index is as it was before (%s)", *index)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(sum)
	}
	printSummary(stdout, sum, *update)
	return nil
}

// printSummary writes the human-readable summary.
func printSummary(w io.Writer, s *ingest.Summary, update bool) {
	fmt.Fprintf(w, "index %s (generation %d): %d paragraphs in all\n", s.Index, s.Generation, s.Total)
	fmt.Fprintf(w, "read %d inputs (%.1f MB), %d articles, %d paragraphs (%.1f MB of text) in %.2f s: %.2f MB/s of text, %.0f paragraphs/s\n",
		s.Pages, s.MBRead, s.Articles, s.Paragraphs, s.TextMB, s.Seconds, s.MBPerSec, s.PerSecond)
	if update {
		fmt.Fprintf(w, "update: %d changed, %d unchanged, %d read again (they share paragraphs with a changed input)\n", s.Changed, s.Unchanged, s.Reread)
	}
	fmt.Fprintf(w, "index size %.1f MB; %d warnings; %d duplicate paragraphs\n", float64(s.IndexBytes)/1e6, s.Warnings, s.Duplicates)
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "skipped %d inputs:\n", len(s.Skipped))
		for _, sk := range s.Skipped {
			fmt.Fprintf(w, "  %s\n", sk.Reason)
		}
	}
}

// dumpParagraphs prints every parsed paragraph as one JSON line, with the
// field names the API uses.
func dumpParagraphs(ctx context.Context, root string, paths []string, strict bool, stdout, stderr io.Writer) error {
	p, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		return err
	}
	inputs := ingest.DefaultInputs()
	if len(paths) > 0 {
		var problems []error
		if inputs, problems, err = ingest.InputsUnder(root, paths...); err != nil {
			return err
		}
		for _, pr := range problems {
			if strict {
				return pr
			}
			fmt.Fprintln(stderr, "skipped:", pr)
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, in := range inputs {
		problems, err := ingest.Read(ctx, p, in, func(a corpus.Article) error {
			for _, para := range a.Paragraphs {
				if err := enc.Encode(para); err != nil {
					return err
				}
			}
			return nil
		})
		for _, pr := range problems {
			if strict {
				return pr
			}
			fmt.Fprintln(stderr, "warning:", pr)
		}
		var ce *corpus.Error
		if errors.As(err, &ce) && !strict {
			fmt.Fprintln(stderr, "skipped:", strings.TrimSpace(ce.Error()))
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}
