package search

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"countynews/query"
)

// BenchmarkBoostsAtScale replays the benchmark suite's query log (the full
// request: top 10, highlights, facets) on a cached scale index, with the
// boosts evaluated within every must hit (full) and on the top k's
// candidates (topk), one pass over the log per op, and reports the hits
// of the searches the top-k evaluation answered and those the boosts were
// evaluated on. COUNTYNEWS_SCALE_CORPUS names a corpus folder of the
// suite's cache (holding index-ours-s9-b0 and log-s1-n500-v1), e.g.
//
//	COUNTYNEWS_SCALE_CORPUS=/tmp/x/corpus-synth-1000000-dc6be4c769 go test -run '^$' -bench BoostsAtScale -benchtime 3x ./internal/search/
func BenchmarkBoostsAtScale(b *testing.B) {
	dir := os.Getenv("COUNTYNEWS_SCALE_CORPUS")
	if dir == "" {
		b.Skip("COUNTYNEWS_SCALE_CORPUS not set")
	}
	ctx := context.Background()
	ix, err := Open(ctx, filepath.Join(dir, "index-ours-s9-b0"), WithLeafCache(0))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	f, err := os.Open(filepath.Join(dir, "log-s1-n500-v1", "queries.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var reqs []Request
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var lq struct {
			Text     string   `json:"q"`
			Counties []string `json:"county"`
			Years    []int    `json:"year"`
			Programs []string `json:"program"`
		}
		if err := json.Unmarshal(sc.Bytes(), &lq); err != nil {
			b.Fatal(err)
		}
		pq, err := query.Parse(lq.Text)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, Request{Query: pq, Counties: lq.Counties, Years: lq.Years, Programs: lq.Programs,
			Size: 10, Highlight: true, Facets: true})
	}
	for _, full := range []bool{true, false} {
		name := "topk"
		if full {
			name = "full"
		}
		b.Run(name, func(b *testing.B) {
			ix.noMaxScore = full
			defer func() { ix.noMaxScore = false }()
			counts := &boostCounts{}
			ix.boostEvals = counts
			defer func() { ix.boostEvals = nil }()
			for b.Loop() {
				for _, r := range reqs {
					if _, err := ix.Search(ctx, r); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(reqs)), "ms/request")
			if h := counts.hits.Load(); h > 0 {
				b.ReportMetric(float64(h)/float64(b.N), "hits/pass")
				b.ReportMetric(float64(counts.evaluated.Load())/float64(b.N), "boosted/pass")
			}
		})
	}
}
