package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"countynews/query"
)

// BenchmarkFreshQuestions is the relevance harness's timed first round
// (bench/relevance timeOurs): each iteration opens the index folder
// COUNTYNEWS_QUESTIONS_INDEX afresh, outside the timer, and runs every
// question of COUNTYNEWS_QUESTIONS once, the full request of
// `GET /api/search?q=QUESTION` (auto mode, collapse auto, top 10, facets,
// highlights), so that each question meets its leaves for the first time.
// It reports the open (with the warm-up), the questions' p50 and p99, and
// the process's CPU time per question (user and system, the garbage
// collector's and the spare core's included: steadier than latencies on a
// loaded machine);
// with COUNTYNEWS_QUESTIONS_SLOW set, it writes the slowest questions of
// the last iteration there (latency, mode, total, words) for study.
// Profile the questions alone with -cpuprofile and pprof's -focus=Search.
func BenchmarkFreshQuestions(b *testing.B) {
	path, texts, qs := benchQuestionFile(b)
	ctx := context.Background()
	words := NewWords() // one per process, as searchd's
	var lat []time.Duration
	var opens, cpu time.Duration
	type slow struct {
		d     time.Duration
		q     string
		mode  string
		total int
		words []string
	}
	var last []slow
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t0 := time.Now()
		ix, err := Open(ctx, path, WithWords(words), benchRerank(b))
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.WarmUp(ctx); err != nil {
			b.Fatal(err)
		}
		opens += time.Since(t0)
		cpu0 := cpuTime()
		b.StartTimer()
		last = last[:0]
		for j, q := range qs {
			r := Request{Query: q, Match: MatchAuto, Size: 10, Highlight: true, Facets: true, Collapse: CollapseAuto}
			t := time.Now()
			res, err := ix.Search(ctx, r)
			if err != nil {
				b.Fatal(err)
			}
			d := time.Since(t)
			lat = append(lat, d)
			last = append(last, slow{d, texts[j], res.Match.String(), res.Total, res.Words})
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		ix.Close()
		b.StartTimer()
	}
	reportLatency(b, lat)
	b.ReportMetric(float64(opens.Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N*len(qs)), "cpu-ms/question")
	if out := os.Getenv("COUNTYNEWS_QUESTIONS_SLOW"); out != "" {
		slices.SortFunc(last, func(a, b slow) int { return int(b.d - a.d) })
		var sb strings.Builder
		for _, s := range last[:min(40, len(last))] {
			fmt.Fprintf(&sb, "%.2fms\t%s\t%d\t%d words\t%s\t%v\n", float64(s.d.Microseconds())/1000, s.mode, s.total, len(s.words), s.q, s.words)
		}
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchQuestionFile returns the index folder COUNTYNEWS_QUESTIONS_INDEX
// and the questions of COUNTYNEWS_QUESTIONS (JSONL with "q") the query
// parser accepts, as typed and parsed; it skips b without them.
func benchQuestionFile(b *testing.B) (string, []string, []query.Query) {
	path, qfile := os.Getenv("COUNTYNEWS_QUESTIONS_INDEX"), os.Getenv("COUNTYNEWS_QUESTIONS")
	if path == "" || qfile == "" {
		b.Skip("COUNTYNEWS_QUESTIONS_INDEX and COUNTYNEWS_QUESTIONS not set")
	}
	data, err := os.ReadFile(qfile)
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	var qs []query.Query
	for _, line := range strings.Split(string(data), "\n") {
		var q struct{ Q string }
		if json.Unmarshal([]byte(line), &q) != nil || q.Q == "" {
			continue
		}
		if pq, err := query.Parse(q.Q); err == nil {
			qs = append(qs, pq)
			texts = append(texts, q.Q)
		}
	}
	return path, texts, qs
}

// benchRerank is the reranking of COUNTYNEWS_RERANK: a depth, -1 for
// none (WithRerank); unset, the default.
func benchRerank(b *testing.B) Option {
	s := os.Getenv("COUNTYNEWS_RERANK")
	if s == "" {
		return func(*Index) {}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		b.Fatalf("COUNTYNEWS_RERANK: %v", err)
	}
	return WithRerank(n)
}
