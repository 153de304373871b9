package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"countynews/corpus"
	"countynews/corpus/synth"
	"countynews/internal/ingest"
	"countynews/internal/search"
)

// Each test corpus holds one marker page: its phrase is in that corpus
// only, so a search for either phrase finds exactly one paragraph in every
// generation, and which one says which corpus answered.
var swapMarkers = [2]string{"青龙白虎工作法", "朱雀玄武工作法"}

// writeSwapCorpus writes a synthetic corpus (seed) plus the marker page of
// corpus k into a new folder and returns it.
func writeSwapCorpus(t *testing.T, k int, seed uint64, pages int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("corpus-%d", k))
	gaz, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	g, err := synth.New(seed, sampleVocabulary(t), gaz, tax)
	if err != nil {
		t.Fatal(err)
	}
	for range pages {
		pg := g.Next(12)
		p := filepath.Join(dir, pg.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, pg.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	marker := fmt.Sprintf("---\ndate: 2024-0%d-01\n---\n本报梁山讯（通讯员 王五）梁山县推行%s，社区治理见实效。\n", k+1, swapMarkers[k])
	if err := os.WriteFile(filepath.Join(dir, "marker.txt"), []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sampleVocabulary is the sentences of the embedded sample page.
func sampleVocabulary(t *testing.T) synth.Vocabulary {
	t.Helper()
	p, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, in := range ingest.DefaultInputs() {
		if _, err := ingest.Read(context.Background(), p, in, func(a corpus.Article) error {
			for _, para := range a.Paragraphs {
				texts = append(texts, para.Text)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return synth.NewVocabulary(texts)
}

// openFilesUnder lists the files below dir this process holds open.
func openFilesUnder(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			out = append(out, target)
		}
	}
	return out
}

// TestLiveSwap runs the real daemon on an index of corpus A while 8
// clients search it for 20 s (5 s with -short) and the index is rebuilt 5
// times, alternating corpora B and A; swaps come by SIGHUP and by the
// periodic generation check. No request may fail, every answer must come
// from exactly one generation, the results must follow the new corpus, and
// retired generations must be closed.
func TestLiveSwap(t *testing.T) {
	duration := 20 * time.Second
	if testing.Short() {
		duration = 5 * time.Second
	}
	corpora := [2]string{writeSwapCorpus(t, 0, 1, 20), writeSwapCorpus(t, 1, 2, 24)}
	index := filepath.Join(t.TempDir(), "index")
	ctx := context.Background()
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[0]}}); err != nil {
		t.Fatal(err)
	}
	d := startLive(t, "-index", index, "-reload", "1s", "-log-json")
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}

	// search returns which corpus answered: the total of each marker.
	both := url.QueryEscape(swapMarkers[0] + " OR " + swapMarkers[1])
	generation := func() int {
		resp, err := client.Get(d.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct{ Generation int }
		json.NewDecoder(resp.Body).Decode(&r)
		return r.Generation
	}
	corpusServed := func() int {
		resp, err := client.Get(d.url + "/api/search?q=" + both)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res searchJSON
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || res.Total != 1 {
			t.Fatalf("marker search: total %d, %v", res.Total, err)
		}
		return strings.Index(res.Hits[0].Text, swapMarkers[1]) + 1 // 0: A, >0: B
	}
	if corpusServed() != 0 {
		t.Fatal("not serving corpus A at the start")
	}

	targets := []string{
		"/api/search?q=" + both,
		"/api/search?q=" + both + "&county=" + url.QueryEscape("梁山"),
		"/api/search?q=" + url.QueryEscape("县"),
		"/api/search?q=" + url.QueryEscape("工作 -梁山") + "&sort=newest&size=20",
		"/api/search?year_from=2015&year_to=2025&page=2",
		"/api/search?sort=newest",
		"/api/facets",
		"/readyz",
		"/?q=" + both,
		"/compare?q=" + url.QueryEscape("工作"),
	}
	var (
		requests, failures atomic.Int64
		seen               [2]atomic.Int64 // marker answers per corpus
		mu                 sync.Mutex
		failed             []string
	)
	fail := func(s string) {
		failures.Add(1)
		mu.Lock()
		if len(failed) < 20 {
			failed = append(failed, s)
		}
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				target := targets[i%len(targets)]
				requests.Add(1)
				resp, err := client.Get(d.url + target)
				if err != nil {
					fail(fmt.Sprintf("%s: %v", target, err))
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					fail(fmt.Sprintf("%s: status %d, %v: %.200s", target, resp.StatusCode, err, body))
					continue
				}
				if target == targets[0] {
					var res searchJSON
					if err := json.Unmarshal(body, &res); err != nil || res.Total != 1 || len(res.Hits) != 1 {
						fail(fmt.Sprintf("marker search saw %d hits (not exactly one generation): %v", res.Total, err))
						continue
					}
					k := 0
					if strings.Contains(res.Hits[0].Text, swapMarkers[1]) {
						k = 1
					}
					seen[k].Add(1)
				}
			}
		}()
	}

	// Rebuild 5 times, alternating B and A; odd rebuilds are announced by
	// SIGHUP, even ones left to the periodic check.
	start := time.Now()
	const rebuilds = 5
	gap := (duration - 2*time.Second) / rebuilds
	for i := 1; i <= rebuilds; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		k := i % 2
		sum, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[k]}})
		if err != nil {
			t.Fatalf("rebuild %d: %v", i, err)
		}
		if i%2 == 1 {
			if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for generation() != sum.Generation {
			if time.Now().After(deadline) {
				t.Fatalf("rebuild %d: generation %d not served after 10 s", i, sum.Generation)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if got := corpusServed(); got > 0 != (k == 1) {
			t.Errorf("rebuild %d: generation %d serves the other corpus", i, sum.Generation)
		}
		// The unfiltered listing (cached per generation) counts the new
		// generation's paragraphs.
		var all searchJSON
		if resp, err := client.Get(d.url + "/api/search"); err != nil {
			t.Fatal(err)
		} else {
			json.NewDecoder(resp.Body).Decode(&all)
			resp.Body.Close()
		}
		if all.Total != sum.Total {
			t.Errorf("rebuild %d: the listing counts %d paragraphs, the generation has %d", i, all.Total, sum.Total)
		}
	}
	time.Sleep(time.Until(start.Add(duration)))
	close(stop)
	wg.Wait()
	tr.CloseIdleConnections()

	n, nf := requests.Load(), failures.Load()
	t.Logf("%d requests by 8 clients in %v, %d failed; marker answers from A %d, from B %d", n, time.Since(start).Round(time.Millisecond), nf, seen[0].Load(), seen[1].Load())
	if nf != 0 {
		t.Errorf("%d of %d requests failed:\n%s", nf, n, strings.Join(failed, "\n"))
	}
	if seen[0].Load() == 0 || seen[1].Load() == 0 {
		t.Errorf("clients never saw one of the corpora: A %d, B %d", seen[0].Load(), seen[1].Load())
	}

	// Retired generations are closed: only the served one is open.
	gen, err := search.Current(index)
	if err != nil {
		t.Fatal(err)
	}
	served := filepath.Join(index, fmt.Sprintf("gen-%d", gen)) + string(filepath.Separator)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var stale []string
		for _, f := range openFilesUnder(t, index) {
			if !strings.HasPrefix(f, served) {
				stale = append(stale, f)
			}
		}
		if len(stale) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("files of retired generations still open: %q", stale)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.stop(t)
	if open := openFilesUnder(t, index); len(open) != 0 {
		t.Errorf("after shutdown, files still open: %q", open)
	}

	// Both triggers swapped.
	triggers := map[string]int{}
	for _, line := range strings.Split(d.stderr.String(), "\n") {
		var rec struct{ Msg, Trigger string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "index swapped" {
			triggers[rec.Trigger]++
		}
	}
	if triggers["signal"] == 0 || triggers["periodic"] == 0 || triggers["signal"]+triggers["periodic"] != rebuilds {
		t.Errorf("swaps by trigger %v, want %d in all, by both signal and periodic check", triggers, rebuilds)
	}
}

// TestHolderRetiredIndexOutlivesItsFolder: a request that holds generation
// 1 keeps searching it while two rebuilds swap it out and the second
// deletes its folder; it is closed when that request releases it, and not
// before.
func TestHolderRetiredIndexOutlivesItsFolder(t *testing.T) {
	ctx := context.Background()
	corpora := [2]string{writeSwapCorpus(t, 0, 3, 4), writeSwapCorpus(t, 1, 4, 4)}
	index := filepath.Join(t.TempDir(), "index")
	h := newSwapHolder(t, index, corpora[0])
	pinned, release := h.acquire()
	for i, k := range []int{1, 0} {
		if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[k]}}); err != nil {
			t.Fatal(err)
		}
		if swapped, err := h.reload(ctx, "test"); err != nil || !swapped {
			t.Fatalf("reload %d: swapped %v, %v", i, swapped, err)
		}
	}
	if _, err := os.Stat(filepath.Join(index, "gen-1")); !os.IsNotExist(err) {
		t.Fatalf("gen-1 still on disk (%v); the test needs it pruned", err)
	}
	if h.generation() != 3 {
		t.Fatalf("serving generation %d, want 3", h.generation())
	}
	if len(openFilesUnder(t, filepath.Join(index, "gen-1"))) == 0 && len(openFilesUnder(t, index)) == 0 {
		t.Log("no open files to watch (index fully mapped)")
	}
	q, err := bindSearch(url.Values{"q": {swapMarkers[0]}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pinned.Search(ctx, q.request())
	if err != nil || res.Total != 1 {
		t.Fatalf("search on the retired, deleted generation: total %v, %v", res, err)
	}
	if _, err := pinned.Paragraph(ctx, res.Hits[0].ID); err != nil {
		t.Fatalf("paragraph from the retired generation: %v", err)
	}
	release()
	release() // a second release is a no-op
	if _, err := pinned.Search(ctx, q.request()); err == nil {
		t.Errorf("the retired generation is still open after its last request")
	}
	cur, rel := h.acquire()
	if res, err := cur.Search(ctx, q.request()); err != nil || res.Total != 1 {
		t.Errorf("current generation: %v, %v", res, err)
	}
	rel()
	if err := h.close(); err != nil {
		t.Fatal(err)
	}
	if err := h.close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if open := openFilesUnder(t, index); len(open) != 0 {
		t.Errorf("files still open after close: %q", open)
	}
	// A reload after close opens nothing.
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[1]}}); err != nil {
		t.Fatal(err)
	}
	if swapped, _ := h.reload(ctx, "test"); swapped {
		t.Errorf("a closed holder swapped in a new index")
	}
	if open := openFilesUnder(t, index); len(open) != 0 {
		t.Errorf("a reload after close left files open: %q", open)
	}
}

// TestHolderNoticesRebuiltFolder: an index folder deleted and rebuilt
// from scratch starts again at generation 1, the number being served; the
// holder still sees that it is a new generation and swaps.
func TestHolderNoticesRebuiltFolder(t *testing.T) {
	ctx := context.Background()
	corpora := [2]string{writeSwapCorpus(t, 0, 5, 2), writeSwapCorpus(t, 1, 6, 2)}
	index := filepath.Join(t.TempDir(), "index")
	h := newSwapHolder(t, index, corpora[0])
	defer h.close()
	if swapped, err := h.reload(ctx, "test"); swapped || err != nil {
		t.Fatalf("reload of an unchanged folder: swapped %v, %v", swapped, err)
	}
	if err := os.RemoveAll(index); err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[1]}})
	if err != nil || sum.Generation != 1 {
		t.Fatalf("rebuild: generation %v, %v", sum, err)
	}
	if swapped, err := h.reload(ctx, "test"); !swapped || err != nil {
		t.Fatalf("reload of a rebuilt folder: swapped %v, %v", swapped, err)
	}
	q, _ := bindSearch(url.Values{"q": {swapMarkers[1]}})
	ix, release := h.acquire()
	defer release()
	if res, err := ix.Search(ctx, q.request()); err != nil || res.Total != 1 {
		t.Errorf("after the swap, the new corpus's marker: %v, %v", res, err)
	}
	if swapped, _ := h.reload(ctx, "test"); swapped {
		t.Errorf("a second reload swapped again")
	}
}

// TestServedIndexCache: the unfiltered listing and the whole index's
// facets are computed once per generation and equal the uncached answers;
// anything filtered goes to the index; a failed computation is not kept;
// a new generation starts with an empty cache.
func TestServedIndexCache(t *testing.T) {
	ctx := context.Background()
	corpora := [2]string{writeSwapCorpus(t, 0, 7, 3), writeSwapCorpus(t, 1, 8, 5)}
	index := filepath.Join(t.TempDir(), "index")
	h := newSwapHolder(t, index, corpora[0])
	defer h.close()

	browse, _ := bindSearch(url.Values{"sort": {"oldest"}, "page": {"2"}, "size": {"7"}})
	filtered, _ := bindSearch(url.Values{"county": {"梁山"}})
	check := func(gen string) {
		t.Helper()
		served, release := h.acquireServed()
		defer release()
		ix, release2 := h.acquire()
		defer release2()

		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := served.Search(canceled, browse.request()); err == nil {
			t.Fatalf("%s: a canceled listing succeeded", gen)
		}
		a, err := served.Search(ctx, browse.request())
		if err != nil {
			t.Fatalf("%s: the listing after a failed one: %v", gen, err)
		}
		b, _ := served.Search(ctx, browse.request())
		want, err := ix.Search(ctx, browse.request())
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s: the listing was computed twice", gen)
		}
		ids := func(r *search.Result) string {
			var s []string
			for _, h := range r.Hits {
				s = append(s, h.ID)
			}
			return strings.Join(s, ",")
		}
		if a.Total != want.Total || ids(a) != ids(want) || fmt.Sprint(a.Facets) != fmt.Sprint(want.Facets) {
			t.Errorf("%s: cached listing %d %s differs from the index's %d %s", gen, a.Total, ids(a), want.Total, ids(want))
		}
		if want.Total != ix.DocCount() {
			t.Errorf("%s: the listing counts %d of %d paragraphs", gen, want.Total, ix.DocCount())
		}
		f1, _ := served.Search(ctx, filtered.request())
		f2, _ := served.Search(ctx, filtered.request())
		if f1 == f2 {
			t.Errorf("%s: a filtered search was cached", gen)
		}
		fa, err := served.AllFacets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fb, _ := ix.AllFacets(ctx)
		if fmt.Sprint(fa) != fmt.Sprint(fb) {
			t.Errorf("%s: cached facets %v, index's %v", gen, fa, fb)
		}
	}
	check("generation 1")
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[1]}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("generation 2")

	// Many requests at once, as on the front page after a swap: all get
	// the same answer.
	served, release := h.acquireServed()
	defer release()
	var wg sync.WaitGroup
	results := make([]*search.Result, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := bindSearch(url.Values{"sort": {"newest"}})
			results[i], _ = served.Search(ctx, r.request())
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r == nil || r != results[0] {
			t.Fatalf("concurrent listings did not share one answer")
		}
	}
}

// newSwapHolder builds the index folder of corpus and opens a holder on
// it (the test closes it).
func newSwapHolder(t *testing.T, index, corpus string) *holder {
	t.Helper()
	ctx := context.Background()
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpus}}); err != nil {
		t.Fatal(err)
	}
	h, err := newHolderWith(ctx, index, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	return h
}
