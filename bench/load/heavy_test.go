package load

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"countynews/internal/ingest"
)

// The expensive-query run of issue 13, by hand, on an index of news-2023:
//
//	go run ./indexer -index /tmp/news-index /work/shared/corpus/real/news-2023.jsonl.gz
//	LOAD_INDEX=/tmp/news-index go test ./bench/load -run TestLoadHeavyNews -v -timeout 10m
//
// 8 clients send the most expensive requests (HeavyQueries) for 60 s while
// 2 clients search single phrases at a person's pace; it reports the
// simple searches' latency over HTTP (target: p99 ≤ 100 ms).
func TestLoadHeavyNews(t *testing.T) {
	index := os.Getenv("LOAD_INDEX")
	if index == "" {
		t.Skip("LOAD_INDEX names an index folder of news-2023 (see the comment)")
	}
	runHeavyMix(t, index, 60*time.Second, false, 20*time.Second)
}

// TestHeavyMixShort is the same mix on the embedded corpus for 4 s, part of
// the fault suite: no request may fail with a 5xx or a transport error.
func TestHeavyMixShort(t *testing.T) {
	index := filepath.Join(t.TempDir(), "index")
	if _, err := ingest.Run(context.Background(), ingest.Options{Index: index}); err != nil {
		t.Fatal(err)
	}
	runHeavyMix(t, index, 4*time.Second, true, 0)
}

// runHeavyMix runs the mix for d; with baseline > 0, first the simple
// searches alone for that long, to compare in the same run.
func runHeavyMix(t *testing.T, index string, d time.Duration, strict bool, baseline time.Duration) {
	ctx := context.Background()
	bin, err := BuildDaemon(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dm, err := StartDaemon(ctx, bin, index)
	if err != nil {
		t.Fatal(err)
	}
	defer dm.Stop()
	c := Client(10)
	texts := readTexts(t, 1)
	w, err := Discover(ctx, c, dm.URL, Phrases(texts, 120, rand.New(rand.NewPCG(1, 1))), 4)
	if err != nil {
		t.Fatal(err)
	}
	heavy := HeavyQueries(w.Paragraphs, rand.New(rand.NewPCG(2, 2)))
	if baseline > 0 {
		base, err := RunHeavyMix(ctx, c, dm.URL, w, heavy, 0, 2, baseline)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("baseline, no expensive clients: %s", base)
	}
	rep, err := RunHeavyMix(ctx, c, dm.URL, w, heavy, 8, 2, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", rep)
	for status, n := range rep.SimpleStatus {
		if status != http.StatusOK {
			t.Errorf("%d simple searches answered %d", n, status)
		}
	}
	for status, n := range rep.HeavyStat {
		if status < 0 || status >= 500 && (strict || status != http.StatusServiceUnavailable) {
			t.Errorf("%d expensive requests answered %d", n, status)
		}
	}
}
