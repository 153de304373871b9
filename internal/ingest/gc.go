package ingest

import (
	"os"
	"runtime/debug"
)

// The garbage collector of a build. Most of what a build allocates is
// short-lived (each batch's documents, analysis and zap's structures
// while its segment is built), and what stays live is small and about
// constant: the batches in flight and the IDs of the paragraphs (about
// 350 MB at 200,000 paragraphs, growing by about 240 bytes a paragraph).
// With Go's default (a collection whenever the heap has doubled) the
// collector's workers took 8% of a build's CPU, and its preemptions and
// allocation slow paths about as much again. A build process lets the
// heap grow to three times what is live (GOGC=200): 10% fewer CPU-seconds
// at 200,000 paragraphs, the peak resident set 737 → 1,022 MB
// (BENCHMARKS.md, "Build CPU outside the segment format"). The soft limit
// keeps the peak below Lucene's (2,131 MB at 1,000,000 paragraphs, 2,693
// MB at 3,000,000) as the map of IDs grows; at 2 GiB it stays above twice
// the live heap up to about 3,000,000 paragraphs, so that near it the
// collector still runs no more often than Go's default would.
const (
	buildGCPercent = 200
	// buildMemoryLimit is the soft limit of the Go heap and runtime
	// while building: the collector works harder near it instead of
	// growing the heap past it. At 1.5 GiB a 1,000,000 build's heap
	// reached the limit (anon 1,533 MB, maxrss 1,672 MB, 610 CPU-s).
	buildMemoryLimit = 2 << 30
)

// TuneGC sets the garbage collector for a process whose work is a build
// (the indexer command, the benchmark's build job) and returns a function
// that restores the settings it found. Set by hand (GOGC or GOMEMLIMIT in
// the environment), the collector is left alone. The settings are the
// process's: a program that serves searches while it builds should not
// call it.
func TuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	pct := debug.SetGCPercent(buildGCPercent)
	limit := debug.SetMemoryLimit(buildMemoryLimit)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	}
}
