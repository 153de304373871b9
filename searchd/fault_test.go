package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/internal/ingest"
	"countynews/internal/search"
	"countynews/query"
)

// The fault-injection suite of the daemon: damaged generations at start and
// at reload, panics inside the engine and inside cached computations. The
// index side (every file, every damage, Open and OpenFallback) is
// internal/search's verify_test.go.

// twoGenerationFolder builds generation 1 of the embedded corpus and
// generation 2 of it plus one marker page, and returns the index folder
// (current -> gen-2) and the marker phrase.
func twoGenerationFolder(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	index := filepath.Join(t.TempDir(), "index")
	if _, err := ingest.Run(ctx, ingest.Options{Index: index}); err != nil {
		t.Fatal(err)
	}
	const marker = "白泽麒麟工作法"
	page := filepath.Join(t.TempDir(), "marker.txt")
	if err := os.WriteFile(page, []byte("---\ndate: 2024-03-01\n---\n本报梁山讯（通讯员 王五）梁山县推行"+marker+"，社区治理见实效。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{page}}); err != nil {
		t.Fatal(err)
	}
	return index, marker
}

// genFiles lists the files of a generation folder, relative to it.
func genFiles(t *testing.T, gen string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(gen, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// damage breaks file p: "flip" changes a byte in its middle, "truncate"
// halves it, "delete" removes it.
func damage(t *testing.T, how, p string) {
	t.Helper()
	switch how {
	case "flip":
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x5a
		err = os.WriteFile(p, b, 0o644)
		if err != nil {
			t.Fatal(err)
		}
	case "truncate":
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	case "delete":
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown damage %q", how)
	}
}

// pointCurrent points index/current at gen-N as a build would.
func pointCurrent(t *testing.T, index string, gen int) {
	t.Helper()
	tmp := filepath.Join(index, "current.tmp")
	os.Remove(tmp)
	if err := os.Symlink(fmt.Sprintf("gen-%d", gen), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(index, "current")); err != nil {
		t.Fatal(err)
	}
}

// markerTotal searches the marker phrase through the server, exactly (a
// relaxed search would find its words elsewhere).
func markerTotal(t *testing.T, base, q string) (int, int) {
	t.Helper()
	resp, err := http.Get(base + "/api/search?match=exact&q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Total int }
	if resp.StatusCode == http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, body.Total
}

// TestFaultCorruptGenerationAtReload: the daemon serves generation 1; a
// generation 2 with one file damaged (each file, each damage) is published
// and a reload asked for. It is refused with a warning naming the file,
// once; generation 1 goes on answering every request; an intact
// generation published after it is swapped in.
func TestFaultCorruptGenerationAtReload(t *testing.T) {
	ctx := context.Background()
	orig, _ := twoGenerationFolder(t)
	for _, file := range genFiles(t, filepath.Join(orig, "gen-2")) {
		for _, how := range []string{"flip", "truncate", "delete"} {
			t.Run(file+"/"+how, func(t *testing.T) {
				index := copyIndex(t, orig)
				pointCurrent(t, index, 1)
				var logs lockedBuffer
				h, err := newHolderWith(ctx, index, slog.New(slog.NewTextHandler(&logs, nil)), loadedWords(t))
				if err != nil {
					t.Fatal(err)
				}
				defer h.close()
				e := newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))
				damage(t, how, filepath.Join(index, "gen-2", filepath.FromSlash(file)))
				pointCurrent(t, index, 2)
				swapped, err := h.reload(ctx, "test")
				if swapped || err == nil || !strings.Contains(err.Error(), file) {
					t.Fatalf("reload of a damaged generation: swapped %v, err %v; want a refusal naming %s", swapped, err, file)
				}
				if swapped, err := h.reload(ctx, "test"); swapped || err != nil {
					t.Errorf("second reload of the same damaged generation: swapped %v, %v; want it remembered as refused", swapped, err)
				}
				if h.generation() != 1 {
					t.Errorf("serving generation %d, want 1", h.generation())
				}
				var res searchJSON
				if code := get(t, e, "/api/search?q="+url.QueryEscape("梁山"), &res); code != http.StatusOK || res.Total == 0 {
					t.Errorf("search after the refusal: status %d, total %d", code, res.Total)
				}
				var ready struct{ Generation int }
				if code := get(t, e, "/readyz", &ready); code != http.StatusOK || ready.Generation != 1 {
					t.Errorf("/readyz: %d, generation %d", code, ready.Generation)
				}
				// The builder publishes an intact generation 3: swapped in.
				if _, err := ingest.Run(ctx, ingest.Options{Index: index}); err != nil {
					t.Fatal(err)
				}
				if swapped, err := h.reload(ctx, "test"); !swapped || err != nil {
					t.Errorf("reload of an intact generation after the damaged one: swapped %v, %v", swapped, err)
				}
			})
		}
	}
}

// TestFaultCorruptCurrentAtStart: a daemon started on a folder whose
// current generation is damaged (each file, each damage) serves the
// previous one, warns naming the file, and answers from it; the real
// daemon does so once end to end, and with no intact generation it exits
// with an error naming the file.
func TestFaultCorruptCurrentAtStart(t *testing.T) {
	ctx := context.Background()
	orig, marker := twoGenerationFolder(t)
	for _, file := range genFiles(t, filepath.Join(orig, "gen-2")) {
		for _, how := range []string{"flip", "truncate", "delete"} {
			t.Run(file+"/"+how, func(t *testing.T) {
				index := copyIndex(t, orig)
				damage(t, how, filepath.Join(index, "gen-2", filepath.FromSlash(file)))
				var logs lockedBuffer
				h, err := newHolderWith(ctx, index, slog.New(slog.NewTextHandler(&logs, nil)), loadedWords(t))
				if err != nil {
					t.Fatalf("start: %v", err)
				}
				defer h.close()
				if h.generation() != 1 {
					t.Errorf("serving generation %d, want the intact 1", h.generation())
				}
				ix, release := h.acquire()
				defer release()
				for q, want := range map[string]bool{marker: false, "梁山": true} {
					res, err := ix.Search(ctx, search.Request{Query: mustQuery(t, q), Size: 1})
					if err != nil || (res.Total > 0) != want {
						t.Errorf("search %s on the fallback: %v, %+v", q, err, res)
					}
				}
				if !strings.Contains(logs.String(), file) || !strings.Contains(logs.String(), "refused") {
					t.Errorf("no warning naming %s in the log:\n%s", file, logs.String())
				}
			})
		}
	}
	t.Run("real daemon", func(t *testing.T) {
		index := copyIndex(t, orig)
		damage(t, "flip", filepath.Join(index, "gen-2", "bleve", "index_meta.json"))
		d := startLive(t, "-index", index)
		if code, total := markerTotal(t, d.url, marker); code != http.StatusOK || total != 0 {
			t.Errorf("marker search: status %d, total %d; want 200 from generation 1 (no marker)", code, total)
		}
		if code, total := markerTotal(t, d.url, "梁山"); code != http.StatusOK || total == 0 {
			t.Errorf("search on the fallback: status %d, total %d", code, total)
		}
		if logs := d.stderr.String(); !strings.Contains(logs, "bleve/index_meta.json") || !strings.Contains(logs, "refused") {
			t.Errorf("no warning naming the file in the log:\n%s", logs)
		}
	})
	t.Run("no intact generation", func(t *testing.T) {
		index := copyIndex(t, orig)
		for _, g := range []string{"gen-1", "gen-2"} {
			damage(t, "flip", filepath.Join(index, g, "bleve", "index_meta.json"))
		}
		var stderr lockedBuffer
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-index", index}, func(string) string { return "" }, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), "bleve/index_meta.json: checksum mismatch") {
			t.Errorf("run = %v, want an error naming bleve/index_meta.json", err)
		}
	})
}

// panickyIndex panics (as a bug in a handler's call would) or returns
// the engine's recovered panic, to check the daemon's side of both.
type panickyIndex struct {
	Index
	raw bool // panic itself instead of returning a *search.PanicError
}

func (p panickyIndex) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	if p.raw {
		var m map[string]int
		m["boom"]++
	}
	return nil, fmt.Errorf("search: %w", &search.PanicError{Op: "search", Value: "slice bounds out of range", Stack: []byte("stack")})
}

// TestFaultEnginePanic: a panic inside the engine (recovered by package
// search) or inside a handler answers 500 JSON, is logged and counted in
// /metrics, and the server goes on.
func TestFaultEnginePanic(t *testing.T) {
	f := defaultFixture(t)
	h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	var logs lockedBuffer
	var raw atomic.Bool
	src := func() (Index, func()) {
		ix, release := h.acquireServed()
		return panickyIndex{Index: ix, raw: raw.Load()}, release
	}
	e := newServerWith(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, src, slog.New(slog.NewTextHandler(&logs, nil)))
	for _, isRaw := range []bool{false, true} {
		raw.Store(isRaw)
		for range 3 {
			rec := send(t, e, http.MethodGet, "/api/search?q="+url.QueryEscape("县"), nil, "")
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("raw %v: status %d, want 500", isRaw, rec.Code)
			}
			checkErrorJSON(t, "panic", rec.Code, rec.Body.Bytes())
		}
		where := "engine"
		if isRaw {
			where = "handler"
		}
		rec := send(t, e, http.MethodGet, "/metrics", nil, "")
		if want := `searchd_panics_total{where="` + where + `"} 3`; !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
		if !strings.Contains(logs.String(), "panic") {
			t.Errorf("raw %v: the panic is not logged: %s", isRaw, logs.String())
		}
		if rec := send(t, e, http.MethodGet, "/healthz", nil, ""); rec.Code != http.StatusOK {
			t.Errorf("healthz after panics: %d", rec.Code)
		}
	}
}

// TestFaultRememberPanic: a cached computation that panics releases the
// requests waiting for it; the next one computes afresh.
func TestFaultRememberPanic(t *testing.T) {
	s := newServedIndex(nil)
	k := allFacetsKey
	started := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { recover() }()
		s.remember(context.Background(), k, func() (any, error) {
			close(started)
			<-release
			panic("boom")
		})
	}()
	<-started
	waiter := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := s.remember(ctx, k, func() (any, error) { return 42, nil })
		if err == nil && v != 42 {
			err = fmt.Errorf("got %v", v)
		}
		waiter <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the waiter wait
	close(release)
	wg.Wait()
	select {
	case err := <-waiter:
		if err != nil {
			t.Errorf("waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter still waits for a computation that panicked")
	}
	if v, err := s.remember(context.Background(), k, func() (any, error) { return 7, nil }); err != nil || v != 42 {
		t.Errorf("after recovery: %v, %v (want the waiter's 42 cached)", v, err)
	}
}

// TestFaultFirstStartLeftovers: a first start that failed (only the lock
// left) or was killed mid-build (a gen-1.tmp left) does not stop the next
// start: it builds the index again and serves it.
func TestFaultFirstStartLeftovers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"lone lock", []string{"lock"}},
		{"temporary generation", []string{"lock", "gen-1.tmp/work/store/x.zap", "current.tmp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			index := filepath.Join(t.TempDir(), "index")
			for _, f := range tc.files {
				p := filepath.Join(index, f)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte("left over"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			d := startLive(t, "-index", index)
			resp, err := http.Get(d.url + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			var ready struct{ Generation, Documents int }
			json.NewDecoder(resp.Body).Decode(&ready)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || ready.Generation != 1 || ready.Documents == 0 {
				t.Errorf("/readyz %d: %+v", resp.StatusCode, ready)
			}
			if _, err := os.Stat(filepath.Join(index, "gen-1.tmp")); !os.IsNotExist(err) {
				t.Errorf("the leftover temporary generation is still there (%v)", err)
			}
		})
	}
}

// TestAdmissionHeavyLane: however many expensive requests come, they hold
// at most n/4 of the n places; cheap requests still get in at once.
func TestAdmissionHeavyLane(t *testing.T) {
	admit := admission(4, func(c echo.Context) bool { return c.QueryParam("heavy") == "1" })
	release := make(chan struct{})
	var mu sync.Mutex
	inside := map[string]int{}
	h := admit(func(c echo.Context) error {
		kind := "light"
		if c.QueryParam("heavy") == "1" {
			kind = "heavy"
		}
		mu.Lock()
		inside[kind]++
		mu.Unlock()
		select {
		case <-release:
		case <-c.Request().Context().Done():
		}
		return nil
	})
	e := echo.New()
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	serve := func(target string) {
		defer wg.Done()
		req := httptest.NewRequest(http.MethodGet, target, nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		h(c)
	}
	for range 8 {
		wg.Add(1)
		go serve("/?heavy=1")
	}
	time.Sleep(100 * time.Millisecond)
	for range 3 {
		wg.Add(1)
		go serve("/?heavy=0")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		l, hv := inside["light"], inside["heavy"]
		mu.Unlock()
		if l == 3 || time.Now().After(deadline) {
			if l != 3 || hv != 1 {
				t.Errorf("inside: %d light, %d heavy; want 3 light (at once) and 1 heavy", l, hv)
			}
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	if inside["heavy"] != 8 {
		t.Errorf("%d heavy requests served in the end, want 8", inside["heavy"])
	}
}

// TestQueryCost: the cost estimate tells a disjunction of common
// characters (past HeavyCost) from an ordinary phrase (under it), and
// heavyRequest routes them so.
func TestQueryCost(t *testing.T) {
	f := defaultFixture(t)
	h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	heavy := heavyRequest(h)
	e := echo.New()
	for _, tc := range []struct {
		q     string
		heavy bool
	}{
		{"红色物业", false},
		{"梁山 红色物业", false},
		{"", false},
		{`"`, false}, // does not parse: the handler's 400
		{"县 OR 的 OR 一 OR 是 OR 在 OR 不 OR 了 OR 有 OR 和 OR 人 OR 这 OR 中 OR 大 OR 为 OR 上 OR 个", true},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/search?q="+url.QueryEscape(tc.q), nil)
		c := e.NewContext(req, httptest.NewRecorder())
		c.SetPath("/api/search")
		if got := heavy(c); got != tc.heavy {
			ix, rel := h.acquire()
			pq, _ := query.Parse(tc.q)
			cost, _ := ix.Cost(context.Background(), pq)
			t.Errorf("q=%s: heavy %v, want %v (cost %d, heavy past %d)", tc.q, got, tc.heavy, cost, ix.HeavyCost())
			rel()
		}
	}
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/paragraphs/x/similar", nil), httptest.NewRecorder())
	c.SetPath("/api/paragraphs/:id/similar")
	if !heavy(c) {
		t.Error("similar is not in the heavy lane")
	}
}

// TestFrontDoor: the small hardenings of issue 13, point 7, each checked
// through the whole server.
func TestFrontDoor(t *testing.T) {
	e, _ := serverOn(t, config{RateLimit: 1, RateBurst: 2})
	const ip = "192.0.2.7:1234"

	t.Run("X-Request-ID of 60 KB is replaced", func(t *testing.T) {
		rec := send(t, e, http.MethodGet, "/healthz", map[string]string{echo.HeaderXRequestID: strings.Repeat("x", 60<<10)}, "192.0.2.1:1")
		if got := rec.Header().Get(echo.HeaderXRequestID); len(got) == 0 || len(got) > maxRequestID {
			t.Errorf("echoed X-Request-ID of %d bytes", len(got))
		}
		rec = send(t, e, http.MethodGet, "/healthz", map[string]string{echo.HeaderXRequestID: "abc-123"}, "192.0.2.1:1")
		if got := rec.Header().Get(echo.HeaderXRequestID); got != "abc-123" {
			t.Errorf("a well-formed X-Request-ID was not kept: %q", got)
		}
		rec = send(t, e, http.MethodGet, "/healthz", map[string]string{echo.HeaderXRequestID: "a\x01<script>"}, "192.0.2.1:1")
		if got := rec.Header().Get(echo.HeaderXRequestID); strings.ContainsAny(got, "<\x01") {
			t.Errorf("X-Request-ID with markup echoed: %q", got)
		}
	})
	t.Run("q=%ZZ is a 400", func(t *testing.T) {
		rec := send(t, e, http.MethodGet, "/api/search?q=%ZZ", nil, "192.0.2.2:1")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `invalid URL escape \"%ZZ\"`) {
			t.Errorf("status %d: %s", rec.Code, rec.Body.String())
		}
		checkErrorJSON(t, "q=%ZZ", rec.Code, rec.Body.Bytes())
	})
	t.Run("OPTIONS is a 405 allowing GET and HEAD", func(t *testing.T) {
		rec := send(t, e, http.MethodOptions, "/api/search", nil, "192.0.2.3:1")
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
		}
		rec = send(t, e, http.MethodPost, "/api/search", nil, "192.0.2.3:1")
		if rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST: Allow %q", rec.Header().Get("Allow"))
		}
	})
	t.Run("//api/search is /api/search", func(t *testing.T) {
		rec := send(t, e, http.MethodGet, "//api//search?q=x", nil, "192.0.2.4:1")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
			t.Errorf("status %d, %s", rec.Code, rec.Header().Get(echo.HeaderContentType))
		}
	})
	t.Run("static files are not rate limited", func(t *testing.T) {
		for i := range 10 {
			if rec := send(t, e, http.MethodGet, "/static/app.css", nil, ip); rec.Code != http.StatusOK {
				t.Fatalf("static request %d: status %d", i, rec.Code)
			}
		}
		codes := map[int]int{}
		for range 5 {
			codes[send(t, e, http.MethodGet, "/api/search?q=x", nil, ip).Code]++
		}
		if codes[http.StatusTooManyRequests] == 0 {
			t.Errorf("the API is not rate limited any more: %v", codes)
		}
	})
}

// TestSchemaMessage: the 503 for an index of another schema says what
// to do without showing where the index lives.
func TestSchemaMessage(t *testing.T) {
	pe := publicError(fmt.Errorf("open: %w", &search.SchemaError{Path: "/srv/secret/index", Found: 1, Want: 2}))
	if pe.Status != http.StatusServiceUnavailable || strings.Contains(pe.Message, "/srv") || !strings.Contains(pe.Message, "rebuilt") {
		t.Errorf("%d %q", pe.Status, pe.Message)
	}
}

// TestShutdownGrace: a shutdown waits for the longest request the server
// allows, not a fixed 15 s.
func TestShutdownGrace(t *testing.T) {
	for _, tc := range []struct{ timeout, want time.Duration }{
		{5 * time.Second, 15 * time.Second},
		{30 * time.Second, 40 * time.Second},
	} {
		cfg := config{Timeout: tc.timeout}
		e := newServer(cfg, &holder{}, slog.New(slog.DiscardHandler))
		if got := shutdownGrace(cfg); got != tc.want || got < e.Server.WriteTimeout {
			t.Errorf("-timeout %v: grace %v (write timeout %v), want %v", tc.timeout, got, e.Server.WriteTimeout, tc.want)
		}
	}
}

func mustQuery(t *testing.T, q string) query.Query {
	t.Helper()
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return pq
}
