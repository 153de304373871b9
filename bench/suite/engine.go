package suite

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"countynews/corpus"
	"countynews/internal/search"
)

// BuildBleve builds our index at indexDir (removed first) from the corpus
// JSON lines, as the indexer does: search.NewBuilder, Add each paragraph,
// Commit. The time runs from opening the input to the end of Commit, so it
// includes decoding the input, as Lucene's includes reading its TSV.
func BuildBleve(ctx context.Context, jsonl, indexDir string, batchSize int) (BuildStats, error) {
	if err := os.RemoveAll(indexDir); err != nil {
		return BuildStats{}, fmt.Errorf("bleve build: %w", err)
	}
	start, cpu0 := time.Now(), cpuTime()
	peaks := sampleRSS(ctx)
	defer peaks()
	b, err := search.NewBuilder(ctx, indexDir, search.BuildOptions{BatchSize: batchSize})
	if err != nil {
		return BuildStats{}, fmt.Errorf("bleve build: %w", err)
	}
	var st BuildStats
	var text int64
	err = eachJSONL(ctx, jsonl, func(p corpus.Paragraph) error {
		text += int64(len(p.Text))
		st.Paragraphs++
		return b.Add(ctx, p)
	})
	if err != nil {
		return st, fmt.Errorf("bleve build: %w", errJoin(err, b.Abort()))
	}
	bs, err := b.Commit(ctx)
	if err != nil {
		return st, fmt.Errorf("bleve build: %w", err)
	}
	st.Seconds = time.Since(start).Seconds()
	st.CPUSeconds = (cpuTime() - cpu0).Seconds()
	st.TextMB = float64(text) / 1e6
	st.IndexBytes = bs.SizeBytes
	st.Peaks = peaks()
	return st, nil
}

// Variant is how much of the full request a query run asks for, to see
// where the time goes.
type Variant string

// Variants, from the bare search to the full request.
const (
	// VariantCount: total only (Size 0, no facets, no highlight).
	VariantCount Variant = "count"
	// VariantTop: the top 10 with their stored paragraphs.
	VariantTop Variant = "top"
	// VariantTopHighlight: the top 10 highlighted.
	VariantTopHighlight Variant = "top+highlight"
	// VariantTopFacets: the top 10 and the three facets, no highlight.
	VariantTopFacets Variant = "top+facets"
	// VariantFull: the full request searchd serves.
	VariantFull Variant = "full"
)

// Variants lists the variants in report order.
var Variants = []Variant{VariantCount, VariantTop, VariantTopHighlight, VariantTopFacets, VariantFull}

// luceneFlags returns the harness flags that make Lucene do the same part
// of the request, and false if it has no such mode.
func (v Variant) luceneFlags() ([]string, bool) {
	switch v {
	case VariantTop:
		return []string{"-no-facets", "-no-highlight"}, true
	case VariantTopHighlight:
		return []string{"-no-facets"}, true
	case VariantTopFacets:
		return []string{"-no-highlight"}, true
	case VariantFull:
		return nil, true
	}
	return nil, false
}

func (v Variant) apply(r search.Request) (search.Request, error) {
	switch v {
	case VariantCount:
		r.Size, r.Highlight, r.Facets = 0, false, false
	case VariantTop:
		r.Highlight, r.Facets = false, false
	case VariantTopHighlight:
		r.Facets = false
	case VariantTopFacets:
		r.Highlight = false
	case VariantFull, "":
	default:
		return r, fmt.Errorf("unknown variant %q", v)
	}
	return r, nil
}

// QueryOptions configure a replay of the log against our index.
type QueryOptions struct {
	Clients      int
	WarmupRounds int
	Rounds       int
	Variant      Variant
	// CPUProfile, if set, is written for the measured rounds.
	CPUProfile string
	// NoLeafCache turns the index's leaf cache off (search.WithLeafCache).
	NoLeafCache bool
}

// QueryResult is a replay's figures and each query's total, by query ID.
type QueryResult struct {
	Stats QueryStats     `json:"stats"`
	Hits  map[string]int `json:"hits"`
}

// QueryBleve opens our index and replays the log: warm-up rounds, then
// measured rounds; client goroutines share one *search.Index and take the
// next request from a shared counter, as Bench.java's threads do.
func QueryBleve(ctx context.Context, indexDir string, log []LogQuery, opt QueryOptions) (QueryResult, error) {
	if opt.Clients < 1 || opt.Rounds < 0 || opt.WarmupRounds < 0 {
		return QueryResult{}, fmt.Errorf("bleve query: bad options %+v", opt)
	}
	reqs := make([]search.Request, len(log))
	for i, q := range log {
		r, err := q.Request()
		if err != nil {
			return QueryResult{}, err
		}
		if reqs[i], err = opt.Variant.apply(r); err != nil {
			return QueryResult{}, err
		}
	}
	var opts []search.Option
	if opt.NoLeafCache {
		opts = append(opts, search.WithLeafCache(0))
	}
	ix, err := search.Open(ctx, indexDir, opts...)
	if err != nil {
		return QueryResult{}, fmt.Errorf("bleve query: %w", err)
	}
	defer ix.Close()

	totals := make([]int, len(log))
	if _, err := replay(ctx, ix, reqs, totals, opt.Clients, opt.WarmupRounds); err != nil {
		return QueryResult{}, err
	}
	if opt.CPUProfile != "" {
		f, err := os.Create(opt.CPUProfile)
		if err != nil {
			return QueryResult{}, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return QueryResult{}, fmt.Errorf("cpu profile: %w", err)
		}
	}
	start, cpu0 := time.Now(), cpuTime()
	lat, err := replay(ctx, ix, reqs, totals, opt.Clients, opt.Rounds)
	wall, cpu := time.Since(start), cpuTime()-cpu0
	if opt.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return QueryResult{}, err
	}
	if opt.Rounds == 0 && opt.WarmupRounds == 0 {
		if _, err := replay(ctx, ix, reqs, totals, 1, 1); err != nil {
			return QueryResult{}, err
		}
	}
	res := QueryResult{Stats: latencyStats(lat, opt.Clients, wall), Hits: map[string]int{}}
	res.Stats.CPUSeconds = cpu.Seconds()
	for i, q := range log {
		res.Hits[q.ID] = totals[i]
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Stats.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	return res, nil
}

// replay runs the requests rounds times over clients goroutines and
// returns every request's latency; totals[i] gets request i's total.
func replay(ctx context.Context, ix *search.Index, reqs []search.Request, totals []int, clients, rounds int) ([]time.Duration, error) {
	n := len(reqs) * rounds
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				k := i % len(reqs)
				s := time.Now()
				res, err := ix.Search(ctx, reqs[k])
				lat[i] = time.Since(s)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("bleve query %d: %w", k, err); cancel() })
					return
				}
				totals[k] = res.Total
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return lat, ctx.Err()
}

// Detail is what one request returned, for comparing the engines.
type Detail struct {
	ID     string                    `json:"id"`
	Total  int                       `json:"total"`
	Facets map[string]map[string]int `json:"facets"` // dimension → value → count
}

// DetailBleve runs every query once and returns its total and facets.
func DetailBleve(ctx context.Context, indexDir string, log []LogQuery) ([]Detail, error) {
	ix, err := search.Open(ctx, indexDir)
	if err != nil {
		return nil, fmt.Errorf("bleve detail: %w", err)
	}
	defer ix.Close()
	out := make([]Detail, 0, len(log))
	for _, q := range log {
		r, err := q.Request()
		if err != nil {
			return nil, err
		}
		res, err := ix.Search(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("bleve detail %s: %w", q.ID, err)
		}
		d := Detail{ID: q.ID, Total: res.Total, Facets: map[string]map[string]int{}}
		for dim, vs := range map[string][]search.FacetValue{"county": res.Facets.County, "year": res.Facets.Year, "program": res.Facets.Program} {
			if len(vs) == 0 {
				continue
			}
			d.Facets[dim] = map[string]int{}
			for _, v := range vs {
				d.Facets[dim][v.Value] = v.Count
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func errJoin(err, other error) error {
	if other == nil {
		return err
	}
	return fmt.Errorf("%w (and: %v)", err, other)
}
