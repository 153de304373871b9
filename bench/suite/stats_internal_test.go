package suite

import (
	"testing"
	"time"
)

// TestLatencyStats: nearest-rank percentiles, as Bench.java computes them,
// so both engines' figures mean the same thing.
func TestLatencyStats(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- { // 1..100 ms, unsorted
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	st := latencyStats(lat, 2, 10*time.Second)
	want := QueryStats{Clients: 2, Queries: 100, P50Ms: 50, P95Ms: 95, P99Ms: 99, MaxMs: 100, MeanMs: 50.5, QPS: 10, Seconds: 10}
	if st != want {
		t.Errorf("latencyStats = %+v\nwant %+v", st, want)
	}
	if lat[0] != 100*time.Millisecond {
		t.Error("latencyStats sorted its input in place")
	}
	if one := latencyStats([]time.Duration{3 * time.Millisecond}, 1, time.Second); one.P50Ms != 3 || one.P99Ms != 3 {
		t.Errorf("one latency: %+v", one)
	}
	if none := latencyStats(nil, 1, 0); none.Queries != 0 || none.QPS != 0 {
		t.Errorf("no latencies: %+v", none)
	}
}

func TestMedianAndCombine(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1}, 3}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	q := combineQueries([]QueryStats{{Clients: 8, Queries: 500, P50Ms: 10, QPS: 100}, {Clients: 8, Queries: 500, P50Ms: 20, QPS: 50}})
	if q.Queries != 1000 || q.P50Ms != 15 || q.QPS != 75 || q.Clients != 8 {
		t.Errorf("combineQueries = %+v", q)
	}
	b := combineBuilds([]BuildStats{{Paragraphs: 10, Seconds: 4, TextMB: 8}, {Paragraphs: 10, Seconds: 2, TextMB: 8}})
	if b.Seconds != 3 || b.MBPerS() != 8.0/3 || b.ParagraphsPerS() != 10.0/3 {
		t.Errorf("combineBuilds = %+v", b)
	}
}
