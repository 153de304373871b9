// Command relevance runs the relevance benchmark (package relevance) on
// the whole dev question file and prints both engines' figures as JSON:
//
//	go run ./bench/relevance/cmd -cache /tmp/countynews-relevance
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"countynews/bench/lucene"
	"countynews/bench/relevance"
	"countynews/internal/search"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "relevance:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("relevance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache := fs.String("cache", "/tmp/countynews-relevance", "cache folder for the indexes")
	news := fs.String("news", "../shared/corpus/real/news-2023.jsonl.gz", "the news-2023 export")
	questions := fs.String("questions", "../shared/eval/relevance-dev.jsonl", "the questions")
	rounds := fs.Int("rounds", 2, "timed rounds: ours, the first on a freshly opened index, the others exact repeats (reported as repeat_p50_ms, repeat_p99_ms); Lucene, the first of several warms up")
	n := fs.Int("n", 0, "only the first n questions (0: all)")
	noLucene := fs.Bool("no-lucene", false, "skip Lucene")
	dumpPath := fs.String("dump", "", "write each question's answer (first 10 articles, mode, words, rank of the first relevant) to this file, one JSON a line per engine")
	split := fs.String("split", "", "only the questions of the odd lines of the file (odd: 1, 3, ...; for tuning) or the even ones (even); empty: all (the figures of both halves are reported anyway)")
	collapse := fs.String("collapse", "auto", "our requests' collapse: auto (the API's default), none, article or story")
	rerank := fs.Int("rerank", 0, "how many first-stage hits a relaxed answer reranks: 0 the product's default, -1 none (the first stage's order)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logf := log.New(stderr, "", log.LstdFlags).Printf
	qs, err := relevance.ReadQuestions(*questions)
	if err != nil {
		return err
	}
	if qs, err = relevance.Split(qs, *split); err != nil {
		return fmt.Errorf("-split: %w", err)
	}
	if *n > 0 && *n < len(qs) {
		qs = qs[:*n]
	}
	var h *lucene.Harness
	if !*noLucene {
		if h, err = lucene.Compile(ctx, *cache+"/lucene-classes"); err != nil {
			return err
		}
	}
	c, err := relevance.Prepare(ctx, *cache, *news, h, nil, 0, logf)
	if err != nil {
		return err
	}
	var opts []search.Option
	if *rerank != 0 {
		opts = append(opts, search.WithRerank(*rerank))
	}
	ix, err := search.Open(ctx, c.Index, opts...)
	if err != nil {
		return err
	}
	defer ix.Close()
	opt := relevance.Options{Open: func(ctx context.Context) (*search.Index, error) { return search.Open(ctx, c.Index, opts...) }}
	if opt.Collapse, err = search.ParseCollapse(*collapse); err != nil {
		return fmt.Errorf("-collapse: %w", err)
	}
	var dump io.Writer
	if *dumpPath != "" {
		f, err := os.Create(*dumpPath)
		if err != nil {
			return err
		}
		defer f.Close()
		dump = f
		opt.Dump = f
	}
	out := map[string]any{"paragraphs": c.Paragraphs, "index_bytes": c.IndexBytes, "build_seconds": c.BuildSecs}
	ours, err := relevance.RunOurs(ctx, ix, c, qs, *rounds, opt)
	if err != nil {
		return err
	}
	out["ours"] = ours
	if h != nil {
		luc, err := relevance.RunLucene(ctx, h, c, qs, *rounds, dump)
		if err != nil {
			return err
		}
		out["lucene"] = luc
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
