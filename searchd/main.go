// Command searchd serves faceted full-text search over county news
// paragraphs: a JSON API under /api and a search page at /.
//
//	go run ./searchd [-index data/index] [-addr 127.0.0.1:8080]
//
// If the index folder does not exist, searchd first builds it from the
// embedded default corpus (the same pipeline as the indexer command). It
// swaps in a rebuilt index without dropping requests on SIGHUP or when it
// notices a new generation. See README.md for the API.
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
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "searchd:", err)
		os.Exit(1)
	}
}
