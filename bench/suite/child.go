package suite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"countynews/bench/lucene"
	"countynews/internal/ingest"
)

// Spawner makes the command of a child process running one job: this
// program again, with ChildMain receiving args. The benchsuite command
// runs itself with a "child" argument; the test binary runs itself with
// an environment variable (see TestMain).
type Spawner func(ctx context.Context, args ...string) *exec.Cmd

// Child jobs.
const (
	jobBleveBuild  = "bleve-build"
	jobBleveQuery  = "bleve-query"
	jobBleveDetail = "bleve-detail"
	jobLuceneIndex = "lucene-index"
	jobLuceneQuery = "lucene-query"
)

// childOut is what every job prints as its one JSON line.
type childOut struct {
	Build  *BuildStats        `json:"build,omitempty"`
	Query  *QueryResult       `json:"query,omitempty"`
	Detail []Detail           `json:"detail,omitempty"`
	Lucene *lucene.IndexStats `json:"lucene,omitempty"`
	// Peaks is the Lucene job's resident set split (the JVM's own).
	Peaks *RSSPeaks `json:"peaks,omitempty"`
	// ChildrenRSSMB is the peak RSS of the job's own children (the JVM).
	ChildrenRSSMB float64 `json:"children_rss_mb,omitempty"`
}

// ChildMain runs one job in a child process: args[0] names it, the rest
// are its flags. It prints one JSON line on stdout and returns the exit
// status (0 ok, 1 failure, 2 bad arguments).
func ChildMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := child(ctx, args, stdout); err != nil {
		fmt.Fprintln(stderr, "benchsuite child:", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

func child(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("no job")}
	}
	job := args[0]
	fs := flag.NewFlagSet(job, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		input    = fs.String("input", "", "paragraphs (JSONL for bleve, TSV for lucene)")
		index    = fs.String("index", "", "index folder")
		logPath  = fs.String("log", "", "query log (JSONL for bleve, TSV for lucene)")
		work     = fs.String("work", "", "lucene work folder (compiled classes)")
		batch    = fs.Int("batch", 0, "bleve batch size (0: default)")
		threads  = fs.Int("threads", 2, "lucene indexing threads")
		clients  = fs.Int("clients", 1, "concurrent clients")
		warmup   = fs.Int("warmup", 1, "warm-up rounds")
		rounds   = fs.Int("rounds", 1, "measured rounds")
		variant  = fs.String("variant", string(VariantFull), "bleve request variant")
		cpu      = fs.String("cpuprofile", "", "bleve CPU profile of the measured rounds (bleve-build: of the build)")
		facetTop = fs.Int("facet-top", 100, "lucene facet values per dimension")
		noFacets = fs.Bool("no-facets", false, "lucene: skip facet counting")
		noHL     = fs.Bool("no-highlight", false, "lucene: skip highlighting")
		noLeaf   = fs.Bool("no-leaf-cache", false, "bleve: turn the leaf cache off")
	)
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{fmt.Errorf("%s: %w", job, err)}
	}
	var out childOut
	switch job {
	case jobBleveBuild:
		if *cpu != "" { // by hand: where a build's time goes
			f, err := os.Create(*cpu)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		// the collector the indexer command builds with
		restore := ingest.TuneGC()
		st, err := BuildBleve(ctx, *input, *index, *batch)
		restore()
		if err != nil {
			return err
		}
		out.Build = &st
	case jobBleveQuery, jobBleveDetail:
		log, err := readLog(ctx, *logPath)
		if err != nil {
			return err
		}
		if job == jobBleveDetail {
			if out.Detail, err = DetailBleve(ctx, *index, log); err != nil {
				return err
			}
			break
		}
		res, err := QueryBleve(ctx, *index, log, QueryOptions{Clients: *clients, WarmupRounds: *warmup,
			Rounds: *rounds, Variant: Variant(*variant), CPUProfile: *cpu, NoLeafCache: *noLeaf})
		if err != nil {
			return err
		}
		out.Query = &res
	case jobLuceneIndex:
		h, err := lucene.Compile(ctx, *work)
		if err != nil {
			return err
		}
		peaks := sampleRSS(ctx)
		st, err := h.Index(ctx, *input, *index, lucene.IndexOptions{Threads: *threads})
		p := peaks()
		if err != nil {
			return err
		}
		out.Lucene, out.Peaks = &st, &p
	case jobLuceneQuery:
		h, err := lucene.Compile(ctx, *work)
		if err != nil {
			return err
		}
		qs, hits, err := h.Query(ctx, *index, *logPath, lucene.QueryOptions{Clients: *clients,
			WarmupRounds: *warmup, Rounds: *rounds, FacetTop: *facetTop, SkipFacets: *noFacets, SkipHighlight: *noHL})
		if err != nil {
			return err
		}
		out.Query = &QueryResult{Hits: hits, Stats: QueryStats{Clients: qs.Clients, Queries: qs.Queries,
			P50Ms: qs.P50Ms, P95Ms: qs.P95Ms, P99Ms: qs.P99Ms, MaxMs: qs.MaxMs, MeanMs: qs.MeanMs,
			QPS: qs.QPS, Seconds: qs.Seconds, HeapMB: qs.HeapMB, CPUSeconds: qs.CPUSeconds}}
	default:
		return usageError{fmt.Errorf("unknown job %q", job)}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err == nil {
		out.ChildrenRSSMB = float64(ru.Maxrss) / 1024
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

func readLog(ctx context.Context, path string) ([]LogQuery, error) {
	var log []LogQuery
	err := eachJSONL(ctx, path, func(q LogQuery) error {
		log = append(log, q)
		return nil
	})
	if err == nil && len(log) == 0 {
		err = fmt.Errorf("query log %s is empty", path)
	}
	return log, err
}

// runChild runs one job and decodes its JSON line. It returns the child's
// peak RSS in MB: the larger of its own maxrss and its children's (wait4
// reports both, and the job reports its children's too).
func runChild(ctx context.Context, spawn Spawner, args ...string) (childOut, float64, error) {
	cmd := spawn(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var out childOut
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return out, 0, ctx.Err()
		}
		return out, 0, fmt.Errorf("child %s: %w\n%s", args[0], err, lastLines(stderr.String(), 20))
	}
	line := lastLines(stdout.String(), 1)
	if err := json.Unmarshal([]byte(line), &out); err != nil {
		return out, 0, fmt.Errorf("child %s: decode %q: %w", args[0], clipString(line, 200), err)
	}
	rss := out.ChildrenRSSMB
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = max(rss, float64(ru.Maxrss)/1024)
	}
	return out, rss, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }
