// Command indexer builds the search index of county news paragraphs.
//
//	go run ./indexer -index data/index [flags] [PATH...]
//
// PATHs are page files, folders of them and JSONL exports (.jsonl, .ndjson,
// optionally gzipped); with none, the embedded default corpus is indexed.
// With -dump it prints the parsed paragraphs as JSON lines instead of
// indexing. See README.md for the formats and the index layout.
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
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if err == errUsage {
		return 2
	}
	return 1
}
