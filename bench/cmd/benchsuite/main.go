// Command benchsuite runs countynews' benchmark suite: our Bleve engine and
// Lucene 8 side by side on the same corpus and query log (see bench/suite).
//
//	go run ./bench/cmd/benchsuite -corpus real -out BENCHMARKS.md
//	go run ./bench/cmd/benchsuite -corpus synth -paragraphs 1000000 -out BENCHMARKS.md
//
// It prints the markdown table on stdout, progress on stderr, and with -out
// replaces the corpus's section of the given file. Prepared corpora, query
// logs and built indexes are cached under $TMPDIR/countynews-bench (-cache),
// keyed by their parameters; -fresh rebuilds them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "child" {
		code := childMain(ctx, os.Args[2:])
		stop()
		os.Exit(code)
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchsuite:", err)
		os.Exit(1)
	}
}
