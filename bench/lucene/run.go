package lucene

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// IndexOptions tune Index; the zero value is the benchmark's setting.
type IndexOptions struct {
	// Threads sharing one IndexWriter; 0 means 2 (one per core).
	Threads int
	// ForceMerge merges the index to one segment after the commit; the
	// merge time is included in Seconds and reported in MergeSeconds.
	ForceMerge bool
	// RAMBufferMB is IndexWriter's RAM buffer; 0 means 256.
	RAMBufferMB int
}

// IndexStats is what Bench.java reports after indexing. MB are 10^6 bytes
// of UTF-8 paragraph text.
type IndexStats struct {
	Docs         int     `json:"docs"`
	Seconds      float64 `json:"seconds"`
	TextMB       float64 `json:"text_mb"`
	MBPerS       float64 `json:"mb_per_s"`
	IndexBytes   int64   `json:"index_bytes"`
	Threads      int     `json:"threads"`
	Segments     int     `json:"segments"`
	MergeSeconds float64 `json:"merge_seconds"`
	// CPUSeconds is the JVM's CPU time (all threads, GC and JIT included):
	// on shared, noisy cores TextMB/CPUSeconds is steadier than MBPerS.
	CPUSeconds float64 `json:"cpu_seconds"`
}

// QueryOptions set up a Query run.
type QueryOptions struct {
	// Clients is the number of threads sharing one IndexSearcher; at least 1.
	Clients int
	// WarmupRounds passes over the log are run first and not measured.
	WarmupRounds int
	// Rounds passes over the log are measured, split over the clients.
	Rounds int
	// FacetTop is how many values each facet returns; 0 means 20.
	FacetTop int
	// SkipFacets and SkipHighlight drop those parts of each request, to
	// measure what they cost; the benchmark runs full requests.
	SkipFacets, SkipHighlight bool
	// Classic parses each query's one phrase with Lucene's classic
	// QueryParser (CJK bigrams, default operator OR, special characters
	// escaped): a question as typed. The relevance benchmark uses it.
	Classic bool
	// Top is the number of hits a request keeps (0: 10).
	Top int
}

// flags returns the Bench.java flags of opt's parsing and hit options.
func (opt QueryOptions) flags() []string {
	var out []string
	if opt.Classic {
		out = append(out, "--classic")
	}
	if opt.Top > 0 {
		out = append(out, "--top="+strconv.Itoa(opt.Top))
	}
	return out
}

// QueryStats is what Bench.java reports after replaying a query log. A
// request is the full search: top 10 by BM25, exact total, three
// disjunctive facet counts and highlights of the top 10 (unless
// QueryOptions skips parts).
type QueryStats struct {
	Queries int     `json:"queries"`
	Clients int     `json:"clients"`
	P50Ms   float64 `json:"p50_ms"`
	P95Ms   float64 `json:"p95_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
	MeanMs  float64 `json:"mean_ms"`
	QPS     float64 `json:"qps"`
	// HeapMB is the heap in use after a full GC at the end: the live set.
	HeapMB float64 `json:"heap_mb"`
	// HeapPeakMB sums the heap pools' peaks, garbage included.
	HeapPeakMB float64 `json:"heap_peak_mb"`
	// Seconds is the wall time of the measured rounds; CPUSeconds the JVM's
	// CPU time during them (CPUSeconds/Queries is the CPU cost of a request).
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
}

// Index indexes the paragraphs TSV at paragraphsTSV into indexDir, replacing
// any index there. The new index is committed only once every paragraph is
// in: on bad input the old commit is left as it was.
func (h *Harness) Index(ctx context.Context, paragraphsTSV, indexDir string, opt IndexOptions) (IndexStats, error) {
	if opt.Threads < 0 || opt.RAMBufferMB < 0 {
		return IndexStats{}, fmt.Errorf("lucene index: negative option in %+v", opt)
	}
	args := []string{"index", paragraphsTSV, indexDir}
	if opt.Threads > 0 {
		args = append(args, strconv.Itoa(opt.Threads))
	}
	if opt.ForceMerge {
		args = append(args, "--force-merge")
	}
	if opt.RAMBufferMB > 0 {
		args = append(args, "--ram-mb="+strconv.Itoa(opt.RAMBufferMB))
	}
	var st IndexStats
	if err := h.run(ctx, args, &st); err != nil {
		return IndexStats{}, fmt.Errorf("lucene index: %w", err)
	}
	return st, nil
}

// Query replays the query log at queriesTSV against the index at indexDir
// and returns the latency figures and each query's exact total hit count,
// keyed by query ID.
func (h *Harness) Query(ctx context.Context, indexDir, queriesTSV string, opt QueryOptions) (QueryStats, map[string]int, error) {
	if opt.Clients < 1 || opt.WarmupRounds < 0 || opt.Rounds < 0 || opt.FacetTop < 0 {
		return QueryStats{}, nil, fmt.Errorf("lucene query: bad options %+v (need Clients >= 1, others >= 0)", opt)
	}
	tmp, err := os.MkdirTemp("", "lucene-hits-")
	if err != nil {
		return QueryStats{}, nil, fmt.Errorf("lucene query: %w", err)
	}
	defer os.RemoveAll(tmp)
	hitsFile := filepath.Join(tmp, "hits.tsv")
	args := []string{"query", indexDir, queriesTSV,
		strconv.Itoa(opt.Clients), strconv.Itoa(opt.WarmupRounds), strconv.Itoa(opt.Rounds), hitsFile}
	if opt.FacetTop > 0 {
		args = append(args, "--facet-top="+strconv.Itoa(opt.FacetTop))
	}
	if opt.SkipFacets {
		args = append(args, "--no-facets")
	}
	if opt.SkipHighlight {
		args = append(args, "--no-highlight")
	}
	args = append(args, opt.flags()...)
	var st QueryStats
	if err := h.run(ctx, args, &st); err != nil {
		return QueryStats{}, nil, fmt.Errorf("lucene query: %w", err)
	}
	hits, err := readHits(hitsFile)
	if err != nil {
		return QueryStats{}, nil, fmt.Errorf("lucene query: %w", err)
	}
	return st, hits, nil
}

// Hit is one of a query's top 10.
type Hit struct {
	ID    string
	Score float64
	// Snippet is the best passage, matches in <b></b>, HTML-escaped.
	Snippet string
}

// Detail is everything one request returns, for checking semantics and
// comparing engines hit by hit.
type Detail struct {
	Total  int
	Top    []Hit
	Facets map[string]map[string]int // dimension → value → count
}

// Inspect runs every query of the log once, on one client, and returns what
// each request returned, keyed by query ID. facetTop is how many values each
// facet returns; 0 means 20.
func (h *Harness) Inspect(ctx context.Context, indexDir, queriesTSV string, facetTop int) (map[string]Detail, error) {
	return h.InspectWith(ctx, indexDir, queriesTSV, QueryOptions{FacetTop: facetTop})
}

// InspectWith is Inspect with opt's FacetTop, Classic and Top (the other
// options do not apply).
func (h *Harness) InspectWith(ctx context.Context, indexDir, queriesTSV string, opt QueryOptions) (map[string]Detail, error) {
	facetTop := opt.FacetTop
	if facetTop < 0 {
		return nil, fmt.Errorf("lucene inspect: negative facetTop %d", facetTop)
	}
	tmp, err := os.MkdirTemp("", "lucene-detail-")
	if err != nil {
		return nil, fmt.Errorf("lucene inspect: %w", err)
	}
	defer os.RemoveAll(tmp)
	detailFile := filepath.Join(tmp, "detail.tsv")
	args := []string{"query", indexDir, queriesTSV, "1", "0", "0", "--detail=" + detailFile}
	if facetTop > 0 {
		args = append(args, "--facet-top="+strconv.Itoa(facetTop))
	}
	args = append(args, opt.flags()...)
	var st QueryStats
	if err := h.run(ctx, args, &st); err != nil {
		return nil, fmt.Errorf("lucene inspect: %w", err)
	}
	d, err := readDetail(detailFile)
	if err != nil {
		return nil, fmt.Errorf("lucene inspect: %w", err)
	}
	return d, nil
}

// run starts the JVM with args and decodes the JSON line it prints last.
func (h *Harness) run(ctx context.Context, args []string, out any) error {
	argv := append(append(append([]string(nil), h.JVMFlags...), "-cp", h.Classpath, "Bench"), args...)
	cmd := exec.CommandContext(ctx, h.Java, argv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w\n%s", args[0], err, tail(stderr.String(), 4000))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	last := lines[len(lines)-1]
	if err := json.Unmarshal([]byte(last), out); err != nil {
		return fmt.Errorf("%s: decode %q: %w", args[0], last, err)
	}
	return nil
}

// readHits reads Bench.java's "qid \t totalHits" file.
func readHits(path string) (map[string]int, error) {
	hits := make(map[string]int)
	err := eachRecord(path, func(f []string) error {
		if len(f) != 2 {
			return fmt.Errorf("want 2 fields, got %d", len(f))
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return err
		}
		hits[f[0]] = n
		return nil
	})
	return hits, err
}

// readDetail reads Bench.java's --detail file: "qid \t hits \t N",
// "qid \t top \t rank \t id \t score \t snippet" and
// "qid \t facet \t dim \t value \t count" records.
func readDetail(path string) (map[string]Detail, error) {
	out := make(map[string]Detail)
	err := eachRecord(path, func(f []string) error {
		if len(f) < 3 {
			return fmt.Errorf("want at least 3 fields, got %d", len(f))
		}
		d := out[f[0]]
		switch {
		case f[1] == "hits" && len(f) == 3:
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return err
			}
			d.Total = n
		case f[1] == "top" && len(f) == 6:
			score, err := strconv.ParseFloat(f[4], 64)
			if err != nil {
				return err
			}
			d.Top = append(d.Top, Hit{ID: f[3], Score: score, Snippet: f[5]})
		case f[1] == "facet" && len(f) == 5:
			n, err := strconv.Atoi(f[4])
			if err != nil {
				return err
			}
			if d.Facets == nil {
				d.Facets = make(map[string]map[string]int)
			}
			if d.Facets[f[2]] == nil {
				d.Facets[f[2]] = make(map[string]int)
			}
			d.Facets[f[2]][f[3]] = n
		default:
			return fmt.Errorf("unknown record %q with %d fields", f[1], len(f))
		}
		out[f[0]] = d
		return nil
	})
	return out, err
}

// eachRecord calls fn with the unescaped tab-separated fields of each line.
func eachRecord(path string, fn func([]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), "\t")
		for i, s := range fields {
			if fields[i], err = unescape(s); err != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
		}
		if err := fn(fields); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
