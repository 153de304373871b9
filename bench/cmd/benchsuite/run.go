package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"countynews/bench/suite"
)

// childMain runs one job of the suite in this process (see suite.Spawner).
func childMain(ctx context.Context, args []string) int {
	return suite.ChildMain(ctx, args, os.Stdout, os.Stderr)
}

// spawner runs this executable again as a child job.
func spawner() (suite.Spawner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	return func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, exe, append([]string{"child"}, args...)...)
	}, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchsuite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		corpora    = fs.String("corpus", "synth", "corpora to run, comma-separated: real, synth")
		paragraphs = fs.Int("paragraphs", 0, "synth: paragraphs to generate (0: 1,000,000); real: first N paragraphs (0: all)")
		realPath   = fs.String("real", "../shared/corpus/real/news-2023.jsonl.gz", "news-2023 export: the real corpus and the synthetic vocabulary")
		out        = fs.String("out", "", "markdown file whose corpus section is replaced by this run's (e.g. BENCHMARKS.md)")
		cache      = fs.String("cache", filepath.Join(os.TempDir(), "countynews-bench"), "cache folder for corpora, logs and indexes")
		fresh      = fs.Bool("fresh", false, "prepare corpora and build indexes again instead of reusing the cache")
		seed       = fs.Uint64("seed", 1, "seed of the synthetic corpus and the sample")
		logSeed    = fs.Uint64("log-seed", 1, "seed of the query log")
		queries    = fs.Int("queries", 500, "queries in the log")
		rounds     = fs.Int("rounds", 2, "A B rounds per figure")
		warmup     = fs.Int("warmup", 1, "warm-up passes over the log before each query run")
		noLeaf     = fs.Bool("no-leaf-cache", false, "turn our engine's cache of common leaves off (in-process runs)")
		passes     = fs.Int("passes", 1, "measured passes over the log per query run")
		clients    = fs.String("clients", "1,8", "concurrent clients, comma-separated")
		httpRuns   = fs.Bool("http", true, "also load searchd over HTTP")
		breakdown  = fs.Bool("breakdown", true, "run the request variants on our engine (where the time goes)")
		cpuprofile = fs.String("cpuprofile", "", "write a CPU profile of our engine replaying the log (full requests, 1 client)")
		batch      = fs.Int("batch", 0, "our builder's batch size (0: its default)")
		lthreads   = fs.Int("lucene-threads", 2, "Lucene indexing threads")
		prepOnly   = fs.Bool("prepare-only", false, "prepare the corpora and query logs, measure nothing")
		buildOnly  = fs.String("build-only", "", "build (or find cached) this engine's index only, ours or lucene, and measure nothing else")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cl, err := suite.ParseClients(*clients)
	if err != nil {
		return err
	}
	spawn, err := spawner()
	if err != nil {
		return err
	}
	if *rounds < 1 || *queries < 12 || *passes < 1 || *warmup < 0 {
		return errors.New("need -rounds ≥ 1, -queries ≥ 12, -passes ≥ 1, -warmup ≥ 0")
	}
	command := "go run ./bench/cmd/benchsuite " + strings.Join(args, " ")
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	for _, kind := range strings.Split(*corpora, ",") {
		kind = strings.TrimSpace(kind)
		spec := suite.CorpusSpec{Kind: kind, RealPath: *realPath, Paragraphs: *paragraphs, Seed: *seed}
		if kind == suite.KindSynth && spec.Paragraphs == 0 {
			spec.Paragraphs = 1_000_000
		}
		cfg := suite.Config{
			Corpus: spec, CacheDir: *cache, Fresh: *fresh, LogSeed: *logSeed, Queries: *queries,
			Rounds: *rounds, Warmup: *warmup, Passes: *passes, NoLeafCache: *noLeaf, Clients: cl, HTTP: *httpRuns, Breakdown: *breakdown,
			CPUProfile: *cpuprofile, BatchSize: *batch, LuceneThreads: *lthreads, BuildOnly: *buildOnly,
			Spawn: spawn, Logf: logf, Command: command,
		}
		if *prepOnly {
			c, log, err := suite.Prepare(ctx, cfg)
			if err != nil {
				return fmt.Errorf("%s corpus: %w", kind, err)
			}
			fmt.Fprintf(stdout, "%s: %d paragraphs, %.1f MB text in %s; %d queries\n", kind, c.Paragraphs, c.TextMB(), c.Dir, len(log))
			continue
		}
		res, err := suite.Run(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%s corpus: %w", kind, err)
		}
		if *buildOnly != "" {
			for _, st := range res.Build[*buildOnly] {
				fmt.Fprintf(stdout, "%s %s build: %.1f s, %.1f CPU-s, %.2f MB/s, %.0f MB index, peak RSS %.0f MB\n",
					kind, *buildOnly, st.Seconds, st.CPUSeconds, st.MBPerS(), st.IndexMB(), st.PeakRSSMB)
			}
			continue
		}
		var md bytes.Buffer
		if err := res.Report(&md); err != nil {
			return err
		}
		if _, err := stdout.Write(md.Bytes()); err != nil {
			return err
		}
		if *out != "" {
			if err := suite.UpdateFile(*out, suite.SectionName(spec), md.String()); err != nil {
				return err
			}
			logf("wrote the %s section of %s", kind, *out)
		}
	}
	return nil
}
