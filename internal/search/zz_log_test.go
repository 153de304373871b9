package search

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sort"
	"testing"
	"time"

	"countynews/query"
)

type zzq struct {
	ID, Kind string
	Q        string   `json:"q"`
	County   []string `json:"county"`
	Year     []int    `json:"year"`
	Program  []string `json:"program"`
}

func TestZZLog(t *testing.T) {
	dir := os.Getenv("ZZ_INDEX")
	if dir == "" {
		t.Skip()
	}
	ctx := context.Background()
	start := time.Now()
	ix, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	t.Logf("open %v", time.Since(start))
	f, _ := os.Open(os.Getenv("ZZ_LOG"))
	sc := bufio.NewScanner(f)
	var qs []zzq
	for sc.Scan() {
		var q zzq
		json.Unmarshal(sc.Bytes(), &q)
		qs = append(qs, q)
	}
	type res struct {
		q     zzq
		d     time.Duration
		total int
	}
	var rs []res
	byKind := map[string]time.Duration{}
	for pass := 0; pass < 2; pass++ {
		rs = rs[:0]
		for _, q := range qs {
			pq, err := query.Parse(q.Q)
			if err != nil {
				t.Fatal(err)
			}
			r := Request{Query: pq, Counties: q.County, Years: q.Year, Programs: q.Program, Size: 10, Highlight: true, Facets: true}
			s := time.Now()
			out, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(s)
			rs = append(rs, res{q, d, out.Total})
			if pass == 1 {
				byKind[q.Kind] += d
			}
		}
	}
	for k, d := range byKind {
		t.Logf("%-16s total %v", k, d)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].d > rs[j].d })
	for _, r := range rs[:20] {
		t.Logf("%8.2f ms %6d hits %s %q", float64(r.d.Microseconds())/1000, r.total, r.q.Kind, r.q.Q)
	}
}
