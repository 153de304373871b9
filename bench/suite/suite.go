package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"countynews/bench/lucene"
	"countynews/internal/search"
)

// Engine names.
const (
	Ours   = "ours"
	Lucene = "lucene"
)

// Config is one run of the suite.
type Config struct {
	Corpus CorpusSpec
	// CacheDir holds prepared corpora, query logs, compiled classes and
	// built indexes, keyed by their parameters.
	CacheDir string
	// Fresh prepares and builds everything again instead of reusing the
	// cache.
	Fresh bool
	// LogSeed and Queries define the query log.
	LogSeed uint64
	Queries int
	// Rounds is how many times the engines alternate A B for each figure
	// (builds, then each query setting); at least 1, 2 for the report.
	Rounds int
	// Warmup and Passes are the passes over the log before and during each
	// measured query run.
	Warmup, Passes int
	// NoLeafCache turns our engine's cache of common leaves off in the
	// in-process query runs (search.WithLeafCache(0)): the log's repeats
	// then cost what first sightings do.
	NoLeafCache bool
	// Clients are the concurrency levels measured (1 and 8).
	Clients []int
	// HTTP measures searchd over HTTP too; Breakdown runs the request
	// variants on our engine (where the time goes).
	HTTP, Breakdown bool
	// CPUProfile, if set, receives a CPU profile of our engine replaying
	// the log (full requests, 1 client).
	CPUProfile string
	// BatchSize is our builder's batch size (0: its default);
	// LuceneThreads Lucene's indexing threads (0: 2).
	BatchSize, LuceneThreads int
	// BuildOnly, if Ours or Lucene, builds (or finds cached) that
	// engine's index and measures nothing else: a large corpus's Lucene
	// index can be built ahead of a change to ours.
	BuildOnly string
	// Spawn runs child jobs (see ChildMain).
	Spawn Spawner
	// Logf reports progress.
	Logf func(format string, args ...any)
	// Command is the command line, for the report.
	Command string
}

// Result is everything a run measured.
type Result struct {
	Config  Config
	Machine Machine
	Started time.Time
	Took    time.Duration
	Corpus  *Corpus
	Log     []LogQuery
	// Build holds each engine's builds, one per round; BuildCached says
	// they were read from an earlier run's cache.
	Build       map[string][]BuildStats
	BuildCached bool
	// CachedBuilds names the engines whose build figures were read from
	// an earlier run's cache.
	CachedBuilds []string
	// InProcess[engine][clients] holds one QueryStats per round.
	InProcess map[string]map[int][]QueryStats
	// HTTP[clients] holds one QueryStats per round (ours only).
	HTTP map[int][]QueryStats
	// SearchdRSSMB and SearchdPeakMB are searchd's resident set after the
	// HTTP load and its peak.
	SearchdRSSMB, SearchdPeakMB float64
	// Breakdown holds each engine's figures per request variant (1
	// client); Lucene lacks the count-only variant.
	Breakdown map[string]map[Variant]QueryStats
	Agreement Agreement
}

func (c *Config) defaults() error {
	if c.Rounds < 1 {
		c.Rounds = 2
	}
	if c.Passes < 1 {
		c.Passes = 1
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if len(c.Clients) == 0 {
		c.Clients = []int{1, 8}
	}
	if c.Queries == 0 {
		c.Queries = 500
	}
	if c.LuceneThreads == 0 {
		c.LuceneThreads = 2
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	if c.BuildOnly != "" && c.BuildOnly != Ours && c.BuildOnly != Lucene {
		return fmt.Errorf("suite: build-only %q: want %s or %s", c.BuildOnly, Ours, Lucene)
	}
	if c.Spawn == nil {
		return errors.New("suite: no Spawner for child jobs")
	}
	if c.CacheDir == "" {
		c.CacheDir = filepath.Join(os.TempDir(), "countynews-bench")
	}
	return nil
}

// Run runs the suite: prepare the corpus and the log, build both indexes
// (A B, Rounds times), replay the log in-process with each client count
// (A B, Rounds times), load searchd over HTTP, run the breakdown and check
// that both engines agree on every query's hit count.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Started: time.Now(), Machine: ReadMachine(ctx),
		Build: map[string][]BuildStats{}, InProcess: map[string]map[int][]QueryStats{Ours: {}, Lucene: {}},
		HTTP: map[int][]QueryStats{}, Breakdown: map[string]map[Variant]QueryStats{Ours: {}, Lucene: {}}}
	logf := cfg.Logf

	c, err := PrepareCorpus(ctx, cfg.CacheDir, cfg.Corpus, cfg.Fresh, logf)
	if err != nil {
		return nil, err
	}
	res.Corpus = c
	logJSONL, logTSV, log, err := prepareLog(ctx, c, LogSpec{Seed: cfg.LogSeed, Queries: cfg.Queries}, cfg.Fresh, logf)
	if err != nil {
		return nil, err
	}
	res.Log = log

	work := filepath.Join(cfg.CacheDir, "lucene-classes")
	h, err := lucene.Compile(ctx, work)
	if err != nil {
		return nil, err
	}

	// Builds.
	oursDir := filepath.Join(c.Dir, fmt.Sprintf("index-ours-s%d-b%d", search.SchemaVersion, cfg.BatchSize))
	lucDir := filepath.Join(c.Dir, fmt.Sprintf("index-lucene-t%d", cfg.LuceneThreads))
	if err := res.builds(ctx, c, oursDir, lucDir, work); err != nil {
		return nil, err
	}
	if cfg.BuildOnly != "" {
		res.Took = time.Since(res.Started)
		return res, nil
	}

	// In-process queries, A B A B.
	for r := 1; r <= cfg.Rounds; r++ {
		for _, n := range cfg.Clients {
			args := []string{"-index", oursDir, "-log", logJSONL, "-clients", itoa(n), "-warmup", itoa(cfg.Warmup), "-rounds", itoa(cfg.Passes)}
			st, hits, err := queryChild(ctx, cfg.Spawn, jobBleveQuery, cfg.leafArgs(args))
			if err != nil {
				return nil, err
			}
			logf("round %d, %d clients: ours   p50 %.2f ms p99 %.2f ms %.1f QPS, RSS %.0f MB", r, n, st.P50Ms, st.P99Ms, st.QPS, st.PeakRSSMB)
			res.InProcess[Ours][n] = append(res.InProcess[Ours][n], st)
			if res.Agreement.Ours == nil {
				res.Agreement.Ours = hits
			}
			args = []string{"-work", work, "-index", lucDir, "-log", logTSV, "-clients", itoa(n), "-warmup", itoa(cfg.Warmup), "-rounds", itoa(cfg.Passes)}
			st, hits, err = queryChild(ctx, cfg.Spawn, jobLuceneQuery, args)
			if err != nil {
				return nil, err
			}
			logf("round %d, %d clients: lucene p50 %.2f ms p99 %.2f ms %.1f QPS, RSS %.0f MB", r, n, st.P50Ms, st.P99Ms, st.QPS, st.PeakRSSMB)
			res.InProcess[Lucene][n] = append(res.InProcess[Lucene][n], st)
			if res.Agreement.Lucene == nil {
				res.Agreement.Lucene = hits
			}
		}
	}

	if cfg.HTTP {
		if err := res.httpRuns(ctx, oursDir, log); err != nil {
			return nil, err
		}
	}
	if cfg.Breakdown {
		for _, v := range Variants {
			args := []string{"-index", oursDir, "-log", logJSONL, "-clients", "1", "-warmup", itoa(cfg.Warmup), "-rounds", itoa(cfg.Passes), "-variant", string(v)}
			st, _, err := queryChild(ctx, cfg.Spawn, jobBleveQuery, cfg.leafArgs(args))
			if err != nil {
				return nil, err
			}
			logf("breakdown %-14s ours   p50 %.2f ms p99 %.2f ms mean %.2f ms", v, st.P50Ms, st.P99Ms, st.MeanMs)
			res.Breakdown[Ours][v] = st
			flags, ok := v.luceneFlags()
			if !ok {
				continue
			}
			args = append([]string{"-work", work, "-index", lucDir, "-log", logTSV, "-clients", "1", "-warmup", itoa(cfg.Warmup), "-rounds", itoa(cfg.Passes)}, flags...)
			st, _, err = queryChild(ctx, cfg.Spawn, jobLuceneQuery, args)
			if err != nil {
				return nil, err
			}
			logf("breakdown %-14s lucene p50 %.2f ms p99 %.2f ms mean %.2f ms", v, st.P50Ms, st.P99Ms, st.MeanMs)
			res.Breakdown[Lucene][v] = st
		}
	}
	if cfg.CPUProfile != "" {
		prof, err := filepath.Abs(cfg.CPUProfile)
		if err != nil {
			return nil, err
		}
		args := []string{"-index", oursDir, "-log", logJSONL, "-clients", "1", "-warmup", itoa(cfg.Warmup), "-rounds", itoa(max(cfg.Passes, 2)), "-cpuprofile", prof}
		if _, _, err := queryChild(ctx, cfg.Spawn, jobBleveQuery, cfg.leafArgs(args)); err != nil {
			return nil, err
		}
		logf("cpu profile of our engine (full requests, 1 client): %s", prof)
	}

	// Hit counts and facet counts, query by query.
	if err := res.checkAgreement(ctx, h, oursDir, lucDir, logJSONL, logTSV); err != nil {
		return nil, err
	}
	res.Took = time.Since(res.Started)
	res.Machine.LoadEnd = LoadAvg()
	return res, nil
}

// Prepare prepares the corpus and the query log only (for a later run),
// returning the corpus and the log.
func Prepare(ctx context.Context, cfg Config) (*Corpus, []LogQuery, error) {
	if err := cfg.defaults(); err != nil {
		return nil, nil, err
	}
	c, err := PrepareCorpus(ctx, cfg.CacheDir, cfg.Corpus, cfg.Fresh, cfg.Logf)
	if err != nil {
		return nil, nil, err
	}
	_, _, log, err := prepareLog(ctx, c, LogSpec{Seed: cfg.LogSeed, Queries: cfg.Queries}, cfg.Fresh, cfg.Logf)
	return c, log, err
}

// builds builds both indexes Rounds times, alternating, or reads the
// figures of the cached builds. Each engine's index is cached on its own
// (its figures in build-DIR.json beside it), so that a change to our
// indexing rebuilds ours only, and a large corpus's Lucene index can be
// built ahead (BuildOnly).
func (res *Result) builds(ctx context.Context, c *Corpus, oursDir, lucDir, work string) error {
	cfg := res.Config
	engines := []string{Ours, Lucene}
	if cfg.BuildOnly != "" {
		engines = []string{cfg.BuildOnly}
	}
	dirs := map[string]string{Ours: oursDir, Lucene: lucDir}
	var build []string // engines whose index is not cached
	for _, e := range engines {
		var st []BuildStats
		if !cfg.Fresh && readJSON(buildStatsFile(dirs[e]), &st) == nil && exists(dirs[e]) && len(st) > 0 {
			res.Build[e] = st
			res.CachedBuilds = append(res.CachedBuilds, e)
			cfg.Logf("builds: cached %s index %s (figures from the run that built it)", e, dirs[e])
			continue
		}
		os.Remove(buildStatsFile(dirs[e]))
		build = append(build, e)
	}
	res.BuildCached = len(build) == 0
	for r := 1; r <= cfg.Rounds; r++ {
		for _, e := range build {
			st, err := buildOnce(ctx, cfg, e, c, dirs[e], work)
			if err != nil {
				return err
			}
			cfg.Logf("round %d build: %-6s %.1f s, %.2f MB/s, %.0f MB index, RSS %.0f MB", r, e, st.Seconds, st.MBPerS(), st.IndexMB(), st.PeakRSSMB)
			res.Build[e] = append(res.Build[e], st)
		}
	}
	for _, e := range build {
		if err := writeJSON(buildStatsFile(dirs[e]), res.Build[e]); err != nil {
			return err
		}
	}
	return nil
}

// buildStatsFile is where the figures of the build of the index in dir
// are kept.
func buildStatsFile(dir string) string {
	return filepath.Join(filepath.Dir(dir), "build-"+filepath.Base(dir)+".json")
}

// buildOnce builds engine's index of c in dir in a child process.
func buildOnce(ctx context.Context, cfg Config, engine string, c *Corpus, dir, work string) (BuildStats, error) {
	if engine == Ours {
		out, rss, err := runChild(ctx, cfg.Spawn, jobBleveBuild, "-input", c.JSONL(), "-index", dir, "-batch", itoa(cfg.BatchSize))
		if err != nil {
			return BuildStats{}, err
		}
		st := *out.Build
		st.PeakRSSMB = rss
		return st, nil
	}
	out, rss, err := runChild(ctx, cfg.Spawn, jobLuceneIndex, "-work", work, "-input", c.TSV(), "-index", dir, "-threads", itoa(cfg.LuceneThreads))
	if err != nil {
		return BuildStats{}, err
	}
	ls := out.Lucene
	st := BuildStats{Paragraphs: ls.Docs, Seconds: ls.Seconds, TextMB: ls.TextMB, IndexBytes: ls.IndexBytes, PeakRSSMB: rss, Segments: ls.Segments, CPUSeconds: ls.CPUSeconds}
	if out.Peaks != nil {
		st.Peaks = *out.Peaks
	}
	return st, nil
}

// httpRuns serves our index with searchd and loads it, Rounds times per
// client count.
func (res *Result) httpRuns(ctx context.Context, oursDir string, log []LogQuery) error {
	cfg := res.Config
	tmp, err := os.MkdirTemp(cfg.CacheDir, "searchd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := BuildSearchd(ctx, tmp)
	if err != nil {
		return err
	}
	sd, err := StartSearchd(ctx, bin, oursDir, filepath.Join(tmp, "searchd.log"))
	if err != nil {
		return err
	}
	defer sd.Stop()
	totals := make([]int, len(log))
	for r := 1; r <= cfg.Rounds; r++ {
		for _, n := range cfg.Clients {
			st, err := LoadHTTP(ctx, sd.Addr, log, n, cfg.Warmup, cfg.Passes, totals)
			if err != nil {
				return err
			}
			cfg.Logf("round %d, %d clients: http   p50 %.2f ms p99 %.2f ms %.1f QPS", r, n, st.P50Ms, st.P99Ms, st.QPS)
			res.HTTP[n] = append(res.HTTP[n], st)
		}
	}
	res.SearchdRSSMB, res.SearchdPeakMB, _ = sd.Memory()
	res.Agreement.HTTP = map[string]int{}
	for i, q := range log {
		res.Agreement.HTTP[q.ID] = totals[i]
	}
	return nil
}

// queryChild runs one query job and returns its figures (with the child's
// peak RSS) and hit counts.
func queryChild(ctx context.Context, spawn Spawner, job string, args []string) (QueryStats, map[string]int, error) {
	out, rss, err := runChild(ctx, spawn, append([]string{job}, args...)...)
	if err != nil {
		return QueryStats{}, nil, err
	}
	if out.Query == nil {
		return QueryStats{}, nil, fmt.Errorf("child %s returned no query result", job)
	}
	st := out.Query.Stats
	st.PeakRSSMB = rss
	return st, out.Query.Hits, nil
}

// prepareLog returns the query log of the corpus and spec, as JSON lines
// (ours) and TSV (Lucene), generating it if it is not cached.
func prepareLog(ctx context.Context, c *Corpus, spec LogSpec, fresh bool, logf func(string, ...any)) (jsonl, tsv string, log []LogQuery, err error) {
	dir := filepath.Join(c.Dir, fmt.Sprintf("log-s%d-n%d-v%d", spec.Seed, spec.Queries, prepVersion))
	jsonl, tsv = filepath.Join(dir, "queries.jsonl"), filepath.Join(dir, "queries.tsv")
	if !fresh && exists(tsv) {
		if log, err = readLog(ctx, jsonl); err == nil {
			logf("query log: cached %s (%d queries)", jsonl, len(log))
			return jsonl, tsv, log, nil
		}
	}
	sample, err := c.Sample()
	if err != nil {
		return "", "", nil, err
	}
	if log, err = GenerateLog(c, sample, spec); err != nil {
		return "", "", nil, err
	}
	lq := make([]lucene.Query, len(log))
	for i, q := range log {
		if lq[i], err = q.Lucene(); err != nil {
			return "", "", nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", nil, err
	}
	if err := writeLines(jsonl, log); err != nil {
		return "", "", nil, err
	}
	f, err := os.Create(tsv + ".tmp")
	if err != nil {
		return "", "", nil, err
	}
	if err := lucene.WriteQueries(f, lq); err != nil {
		f.Close()
		return "", "", nil, err
	}
	if err := f.Close(); err != nil {
		return "", "", nil, err
	}
	if err := os.Rename(tsv+".tmp", tsv); err != nil {
		return "", "", nil, err
	}
	logf("query log: generated %d queries in %s", len(log), dir)
	return jsonl, tsv, log, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ParseClients reads a comma-separated list of client counts.
func ParseClients(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("client count %q: want a positive integer", f)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// leafArgs adds the leaf cache's flag to a bleve-query child's args.
func (cfg Config) leafArgs(args []string) []string {
	if cfg.NoLeafCache {
		return append(args, "-no-leaf-cache")
	}
	return args
}
