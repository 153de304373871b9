package load

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"countynews/corpus"
	"countynews/corpus/synth"
	"countynews/internal/ingest"
	"countynews/internal/search"
)

// The full load test:
//
//	LOAD=1 go test ./bench/load -run TestLoadNews -v -timeout 30m
//
// It serves at least MinParagraphs paragraphs: all of the real news-2023
// corpus (95,624 paragraphs) topped up with synthetic pages whose sentences
// are the real corpus's own (corpus/synth). The index is built once into
// $TMPDIR/countynews-bench/news-index and reused.
const (
	newsCorpus    = "../../../shared/corpus/real/news-2023.jsonl.gz" // shared/ beside the repository, as CI lays it
	MinParagraphs = 250_000
)

// readTexts returns the paragraph texts of inputs (nil: the embedded
// corpus), keeping every nth.
func readTexts(t testing.TB, nth int, paths ...string) []string {
	t.Helper()
	p, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inputs := ingest.DefaultInputs()
	if len(paths) > 0 {
		if inputs, _, err = ingest.Inputs(paths...); err != nil {
			t.Fatal(err)
		}
	}
	var texts []string
	i := 0
	for _, in := range inputs {
		if _, err := ingest.Read(context.Background(), p, in, func(a corpus.Article) error {
			for _, para := range a.Paragraphs {
				if i%nth == 0 {
					texts = append(texts, para.Text)
				}
				i++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return texts
}

// paragraphsIn returns the paragraph count of the index at path (0 if
// there is no servable index).
func paragraphsIn(path string) int {
	ix, err := search.Open(context.Background(), path)
	if err != nil {
		return 0
	}
	defer ix.Close()
	return ix.DocCount()
}

// newsIndex returns the cached benchmark index, building it if it is
// missing or too small.
func newsIndex(t *testing.T, texts []string, real int) string {
	t.Helper()
	cache := filepath.Join(os.TempDir(), "countynews-bench")
	index := filepath.Join(cache, "news-index")
	if n := paragraphsIn(index); n >= MinParagraphs {
		t.Logf("reusing %s: %d paragraphs", index, n)
		return index
	}
	// Top up with synthetic pages drawn from the real sentences.
	pages := filepath.Join(cache, "synth-pages")
	if err := os.RemoveAll(pages); err != nil {
		t.Fatal(err)
	}
	gaz, _ := corpus.DefaultGazetteer()
	tax, _ := corpus.DefaultTaxonomy()
	g, err := synth.New(2023, synth.NewVocabulary(texts), gaz, tax)
	if err != nil {
		t.Fatal(err)
	}
	need := MinParagraphs - real + 5000
	for made := 0; made < need; {
		pg := g.Next(12)
		p := filepath.Join(pages, pg.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, pg.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		made += pg.Paragraphs
	}
	t.Logf("building %s from %s (%d paragraphs) and %d synthetic paragraphs; this takes minutes", index, newsCorpus, real, need)
	sum, err := ingest.Run(context.Background(), ingest.Options{Index: index, Paths: []string{newsCorpus, pages}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %.0f s: %d paragraphs, %.0f MB", sum.Seconds, sum.Total, float64(sum.IndexBytes)/(1<<20))
	if sum.Total < MinParagraphs {
		t.Fatalf("index has %d paragraphs, want at least %d", sum.Total, MinParagraphs)
	}
	return index
}

// TestLoadNews is the full load test: 64 clients for 60 s against the
// news index, after a warm-up of 64 clients for 15 s. No request may fail,
// and the daemon's resident memory after the run must be within 20% of
// what it was after the warm-up.
func TestLoadNews(t *testing.T) {
	if os.Getenv("LOAD") != "1" {
		t.Skip("the 60-second load test runs with LOAD=1")
	}
	if _, err := os.Stat(newsCorpus); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no news corpus under CI=true: %v", err)
		}
		t.Skipf("no news corpus: %v", err)
	}
	ctx := context.Background()
	all := readTexts(t, 1, newsCorpus)
	index := newsIndex(t, all, len(all))
	texts := make([]string, 0, len(all)/10)
	for i := 0; i < len(all); i += 10 {
		texts = append(texts, all[i])
	}
	all = nil

	bin, err := BuildDaemon(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d, err := StartDaemon(ctx, bin, index)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Stop(); err != nil {
			t.Errorf("searchd: %v\n%s", err, d.Logs())
		}
	}()
	const clients = 64
	c := Client(clients)
	rng := rand.New(rand.NewPCG(7, 7))
	w, err := Discover(ctx, c, d.URL, Phrases(texts, 900, rng), 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("workload: phrases rare %d, medium %d, common %d; %d counties, %d years, %d programs, %d paragraph IDs",
		len(w.Phrases[Rare]), len(w.Phrases[Medium]), len(w.Phrases[Common]), len(w.Counties), len(w.Years), len(w.Programs), len(w.Paragraphs))

	warm, err := Run(ctx, c, d.URL, w, Options{Clients: clients, Duration: 15 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("warm-up: %s", warm)
	memWarm, err := ReadMemory(d.PID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, c, d.URL, w, Options{Clients: clients, Duration: 60 * time.Second, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	memAfter, err := ReadMemory(d.PID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run (%d paragraphs, GOMAXPROCS %d): %s", paragraphsIn(index), runtime.GOMAXPROCS(0), rep)
	t.Logf("memory after warm-up: %v; after the run: %v (%+.1f%%)", memWarm, memAfter, 100*float64(memAfter.RSS-memWarm.RSS)/float64(memWarm.RSS))
	t.Logf("statuses: %v", rep.StatusCounts)
	if warm.Failures+rep.Failures != 0 {
		t.Errorf("%d failed requests (warm-up %d):\n%v\n%v", rep.Failures+warm.Failures, warm.Failures, warm.FailureLog, rep.FailureLog)
	}
	if float64(memAfter.RSS) > 1.2*float64(memWarm.RSS) {
		t.Errorf("resident memory grew from %v to %v: more than 20%%", memWarm, memAfter)
	}
}

// TestLoadShort is the CI-sized load test: 8 clients for 5 s against the
// embedded corpus, the same mix and checks, no failure allowed.
func TestLoadShort(t *testing.T) {
	ctx := context.Background()
	index := filepath.Join(t.TempDir(), "index")
	if _, err := ingest.Run(ctx, ingest.Options{Index: index}); err != nil {
		t.Fatal(err)
	}
	texts := readTexts(t, 1)
	bin, err := BuildDaemon(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d, err := StartDaemon(ctx, bin, index)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			d.Stop()
		}
	}()
	const clients = 8
	c := Client(clients)
	w, err := Discover(ctx, c, d.URL, Phrases(texts, 120, rand.New(rand.NewPCG(1, 1))), 4)
	if err != nil {
		t.Fatal(err)
	}
	memWarm, err := ReadMemory(d.PID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, c, d.URL, w, Options{Clients: clients, Duration: 5 * time.Second, MaxRequests: 200_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	memAfter, _ := ReadMemory(d.PID)
	t.Logf("%s", rep)
	t.Logf("memory before: %v; after: %v", memWarm, memAfter)
	if rep.Failures != 0 {
		t.Errorf("%d failed requests:\n%v", rep.Failures, rep.FailureLog)
	}
	if len(rep.ByKind) < 8 {
		t.Errorf("the mix covered only %v", rep.ByKind)
	}
	stopped = true
	if err := d.Stop(); err != nil {
		t.Errorf("searchd did not stop cleanly: %v\n%s", err, d.Logs())
	}
}

// TestRunRefusesNonLoopback: the harness never loads anything but
// loopback.
func TestRunRefusesNonLoopback(t *testing.T) {
	for _, base := range []string{"http://example.com", "http://10.0.0.1:8080", "http://[2001:db8::1]:80", "http://localhost.example"} {
		if _, err := Run(context.Background(), Client(1), base, &Workload{}, Options{Clients: 1, Duration: time.Second}); err == nil {
			t.Errorf("Run against %s was not refused", base)
		}
		if _, err := Discover(context.Background(), Client(1), base, nil, 1); err == nil {
			t.Errorf("Discover against %s was not refused", base)
		}
	}
	if err := checkLoopback("http://127.0.0.1:1"); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
	if err := checkLoopback("http://[::1]:1"); err != nil {
		t.Errorf("IPv6 loopback refused: %v", err)
	}
}
