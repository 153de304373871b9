package suite

import (
	"math"
	"slices"
	"syscall"
	"time"
)

// BuildStats are one index build's figures.
type BuildStats struct {
	Paragraphs int     `json:"paragraphs"`
	Seconds    float64 `json:"seconds"`
	TextMB     float64 `json:"text_mb"`
	IndexBytes int64   `json:"index_bytes"`
	// PeakRSSMB is the building process's peak resident set (rusage
	// maxrss), filled in by the parent.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// Peaks is the build's resident set split into anonymous memory and
	// mapped files, sampled (its parts peak at different moments).
	Peaks    RSSPeaks `json:"peaks"`
	Segments int      `json:"segments,omitempty"`
	// CPUSeconds is the CPU time the build took (all threads, GC
	// included): on shared, noisy cores text per CPU-second is steadier
	// than text per wall-clock second.
	CPUSeconds float64 `json:"cpu_seconds"`
}

// MBPerCPUSecond is paragraph text indexed per CPU-second.
func (b BuildStats) MBPerCPUSecond() float64 { return safeDiv(b.TextMB, b.CPUSeconds) }

// MBPerS is paragraph text indexed per second.
func (b BuildStats) MBPerS() float64 { return safeDiv(b.TextMB, b.Seconds) }

// ParagraphsPerS is paragraphs indexed per second.
func (b BuildStats) ParagraphsPerS() float64 { return safeDiv(float64(b.Paragraphs), b.Seconds) }

// IndexMB is the index size in 10^6 bytes.
func (b BuildStats) IndexMB() float64 { return float64(b.IndexBytes) / 1e6 }

// SizeRatio is the index size over the text size.
func (b BuildStats) SizeRatio() float64 { return safeDiv(b.IndexMB(), b.TextMB) }

// QueryStats are the figures of one replay of the query log.
type QueryStats struct {
	Clients int     `json:"clients"`
	Queries int     `json:"queries"` // requests measured
	P50Ms   float64 `json:"p50_ms"`
	P95Ms   float64 `json:"p95_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
	MeanMs  float64 `json:"mean_ms"`
	QPS     float64 `json:"qps"`
	Seconds float64 `json:"seconds"`
	// HeapMB is the live heap after a full GC at the end (Go heap or JVM
	// heap); PeakRSSMB the serving process's peak resident set, index
	// pages mapped in included.
	HeapMB    float64 `json:"heap_mb"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// Errors counts failed requests (HTTP only).
	Errors int `json:"errors,omitempty"`
	// CPUSeconds is the serving process's CPU time during the measured
	// passes (GC included).
	CPUSeconds float64 `json:"cpu_seconds"`
}

// CPUMsPerRequest is the CPU cost of one request.
func (q QueryStats) CPUMsPerRequest() float64 { return safeDiv(q.CPUSeconds*1000, float64(q.Queries)) }

// latencyStats summarises latencies measured over wall: nearest-rank
// percentiles, as Bench.java computes them.
func latencyStats(lat []time.Duration, clients int, wall time.Duration) QueryStats {
	s := slices.Clone(lat)
	slices.Sort(s)
	st := QueryStats{Clients: clients, Queries: len(s), Seconds: wall.Seconds()}
	if len(s) == 0 {
		return st
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	st.P50Ms, st.P95Ms, st.P99Ms = ms(pct(s, 0.50)), ms(pct(s, 0.95)), ms(pct(s, 0.99))
	st.MaxMs = ms(s[len(s)-1])
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	st.MeanMs = ms(sum) / float64(len(s))
	st.QPS = safeDiv(float64(len(s)), wall.Seconds())
	return st
}

// pct is the nearest-rank percentile of sorted.
func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// median combines the figures of several rounds: the median of each (the
// mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// combineBuilds takes the median of each figure over rounds.
func combineBuilds(rs []BuildStats) BuildStats {
	if len(rs) == 0 {
		return BuildStats{}
	}
	pick := func(f func(BuildStats) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		return median(xs)
	}
	out := rs[len(rs)-1]
	out.Seconds = pick(func(b BuildStats) float64 { return b.Seconds })
	out.CPUSeconds = pick(func(b BuildStats) float64 { return b.CPUSeconds })
	out.PeakRSSMB = pick(func(b BuildStats) float64 { return b.PeakRSSMB })
	out.Peaks.AnonMB = pick(func(b BuildStats) float64 { return b.Peaks.AnonMB })
	out.Peaks.FileMB = pick(func(b BuildStats) float64 { return b.Peaks.FileMB })
	out.IndexBytes = int64(pick(func(b BuildStats) float64 { return float64(b.IndexBytes) }))
	return out
}

// combineQueries takes the median of each figure over rounds.
func combineQueries(rs []QueryStats) QueryStats {
	if len(rs) == 0 {
		return QueryStats{}
	}
	pick := func(f func(QueryStats) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		return median(xs)
	}
	out := rs[0]
	out.Queries = 0
	for _, r := range rs {
		out.Queries += r.Queries
		out.Errors += r.Errors
	}
	out.P50Ms = pick(func(q QueryStats) float64 { return q.P50Ms })
	out.P95Ms = pick(func(q QueryStats) float64 { return q.P95Ms })
	out.P99Ms = pick(func(q QueryStats) float64 { return q.P99Ms })
	out.MaxMs = pick(func(q QueryStats) float64 { return q.MaxMs })
	out.MeanMs = pick(func(q QueryStats) float64 { return q.MeanMs })
	out.QPS = pick(func(q QueryStats) float64 { return q.QPS })
	out.Seconds = pick(func(q QueryStats) float64 { return q.Seconds })
	out.HeapMB = pick(func(q QueryStats) float64 { return q.HeapMB })
	out.PeakRSSMB = pick(func(q QueryStats) float64 { return q.PeakRSSMB })
	// CPU time per request is the median of the rounds' per-request cost,
	// scaled to the combined request count.
	out.CPUSeconds = pick(func(q QueryStats) float64 { return q.CPUMsPerRequest() }) * float64(out.Queries) / 1000
	return out
}

// cpuTime returns the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
