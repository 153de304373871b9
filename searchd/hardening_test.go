package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// serverOn returns a server with configuration cfg on the fixture's index
// (a holder of its own), and the holder.
func serverOn(t *testing.T, cfg config) (*echo.Echo, *holder) {
	t.Helper()
	f := defaultFixture(t)
	h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.close() })
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Reload == 0 {
		cfg.Reload = time.Hour
	}
	return newServer(cfg, h, slog.New(slog.DiscardHandler)), h
}

// send serves one request through the server's real handler chain.
func send(t *testing.T, e *echo.Echo, method, target string, header map[string]string, remote string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if remote != "" {
		req.RemoteAddr = remote
	}
	return serveWithin(t, e.Server.Handler, req, 20*time.Second)
}

// TestServerTimeouts: the server run() serves with has every timeout set,
// long enough for a search to hit its own limit and report it, and a
// client that never finishes its headers is cut off.
func TestServerTimeouts(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := serverOn(t, cfg)
	s := e.Server
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": s.ReadHeaderTimeout, "ReadTimeout": s.ReadTimeout,
		"WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout,
	} {
		if d <= 0 || d > 5*time.Minute {
			t.Errorf("%s = %v, want a positive bound", name, d)
		}
	}
	if s.WriteTimeout <= cfg.Timeout {
		t.Errorf("WriteTimeout %v must exceed the search timeout %v, or a slow search cannot send its 503", s.WriteTimeout, cfg.Timeout)
	}
	if s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", s.MaxHeaderBytes)
	}
	if s.Handler == nil {
		t.Fatal("no handler")
	}

	// The real daemon: a slowloris client sends half a request and waits.
	d := startLive(t, "-index", copyIndex(t, defaultFixture(t).dir))
	conn, err := net.Dial("tcp", strings.TrimPrefix(d.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "GET /api/search?q=x HTTP/1.1\r\nHost: a\r\nX-Slow: ")
	conn.SetReadDeadline(time.Now().Add(s.ReadHeaderTimeout + 10*time.Second))
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server held a connection with unfinished headers for %v", time.Since(start))
	}
	t.Logf("half-sent request cut off after %v", time.Since(start).Round(100*time.Millisecond))
}

// TestBodyLimit: no endpoint reads a body, and a large one is refused.
func TestBodyLimit(t *testing.T) {
	f := defaultFixture(t)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req := httptest.NewRequest(method, "/api/search?q="+url.QueryEscape("县"), strings.NewReader(strings.Repeat("x", 1<<20)))
		rec := serveWithin(t, f.e.Server.Handler, req, hostileDeadline)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with a 1 MB body: status %d, want 413", method, rec.Code)
		}
		checkErrorJSON(t, method+" 1 MB body", rec.Code, rec.Body.Bytes())
	}
	// A small body on a GET is ignored, not an error.
	req := httptest.NewRequest(http.MethodGet, "/api/search?q="+url.QueryEscape("县"), strings.NewReader("q=other"))
	if rec := serveWithin(t, f.e.Server.Handler, req, hostileDeadline); rec.Code != http.StatusOK {
		t.Errorf("GET with a small body: status %d", rec.Code)
	}
}

// stalledIndex is an index whose every operation hangs until its context
// ends (or a minute passes), as a search over a huge index would; it
// records how each call ended.
type stalledIndex struct {
	Index
	mu    sync.Mutex
	calls []error // ctx.Err() at the end of each call; nil if it ran to the end
}

func (s *stalledIndex) stall(ctx context.Context) error {
	select {
	case <-ctx.Done():
		s.mu.Lock()
		s.calls = append(s.calls, ctx.Err())
		s.mu.Unlock()
		return fmt.Errorf("search: %w", ctx.Err())
	case <-time.After(time.Minute):
		s.mu.Lock()
		s.calls = append(s.calls, nil)
		s.mu.Unlock()
		return nil
	}
}

func (s *stalledIndex) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	if err := s.stall(ctx); err != nil {
		return nil, err
	}
	return s.Index.Search(ctx, r)
}

func (s *stalledIndex) AllFacets(ctx context.Context) (search.Facets, error) {
	if err := s.stall(ctx); err != nil {
		return search.Facets{}, err
	}
	return s.Index.AllFacets(ctx)
}

func (s *stalledIndex) Similar(ctx context.Context, id string, scope search.Scope, n int) (*corpus.Paragraph, []search.Hit, error) {
	if err := s.stall(ctx); err != nil {
		return nil, nil, err
	}
	return s.Index.Similar(ctx, id, scope, n)
}

// TestSlowSearch: a search that runs past the timeout gets 503 with a
// message, and its work is stopped: the search's context is cancelled with
// DeadlineExceeded and the handler returns at once rather than when the
// search would have ended.
func TestSlowSearch(t *testing.T) {
	f := defaultFixture(t)
	h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	slow := &stalledIndex{}
	src := func() (Index, func()) {
		ix, release := h.acquire()
		slow.Index = ix
		return slow, release
	}
	const limit = 200 * time.Millisecond
	e := newServerWith(config{Timeout: limit, Reload: time.Hour}, h, src, slog.New(slog.DiscardHandler))
	pid := f.paragraphs[1].ID
	seen := 0
	for _, tc := range []struct {
		target string
		page   bool
	}{
		{"/api/search?q=" + url.QueryEscape("县"), false},
		{"/api/facets", false},
		{"/api/paragraphs/" + pid + "/similar", false},
		{"/?q=" + url.QueryEscape("县"), true},
		{"/compare", true},
	} {
		accept := echo.MIMEApplicationJSON
		if tc.page {
			accept = echo.MIMETextHTML
		}
		start := time.Now()
		rec := send(t, e, http.MethodGet, tc.target, map[string]string{"Accept": accept}, "")
		took := time.Since(start)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", tc.target, rec.Code)
		}
		if took < limit || took > limit+10*time.Second {
			t.Errorf("%s: answered after %v with a limit of %v", tc.target, took, limit)
		}
		if tc.page {
			if !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), echo.MIMETextHTML) {
				t.Errorf("%s: 503 page with content type %q", tc.target, rec.Header().Get(echo.HeaderContentType))
			}
		} else {
			checkErrorJSON(t, tc.target, rec.Code, rec.Body.Bytes())
			if !strings.Contains(rec.Body.String(), "took too long") {
				t.Errorf("%s: message %s does not say what happened", tc.target, rec.Body.String())
			}
		}
		slow.mu.Lock()
		calls := append([]error(nil), slow.calls...)
		slow.mu.Unlock()
		if len(calls) <= seen {
			t.Fatalf("%s: the stalled index was never searched", tc.target)
		}
		seen = len(calls)
		if last := calls[len(calls)-1]; !errors.Is(last, context.DeadlineExceeded) {
			t.Errorf("%s: the search's context ended with %v, want DeadlineExceeded", tc.target, last)
		}
	}

	// The real index stops too: with a timeout already past, Bleve's
	// collector sees the expired context.
	e2 := newServer(config{Timeout: time.Nanosecond, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))
	rec := send(t, e2, http.MethodGet, "/api/search?q="+url.QueryEscape("县"), nil, "")
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("real index with a 1 ns limit: status %d, want 503", rec.Code)
	}
	checkErrorJSON(t, "1 ns limit", rec.Code, rec.Body.Bytes())
}

// cspDirectives parses a Content-Security-Policy header.
func cspDirectives(h string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(h, ";") {
		fs := strings.Fields(d)
		if len(fs) > 0 {
			out[strings.ToLower(fs[0])] = fs[1:]
		}
	}
	return out
}

// TestSecureHeaders: every response, API or page, success or error, has a
// CSP that allows no inline or eval'd script and no framing, no-sniff and
// frame denial.
func TestSecureHeaders(t *testing.T) {
	f := defaultFixture(t)
	for _, tc := range []struct{ target, accept string }{
		{"/api/search?q=" + url.QueryEscape("红色物业"), echo.MIMEApplicationJSON},
		{"/api/search?q=%22", echo.MIMEApplicationJSON},
		{"/api/articles/nope", echo.MIMEApplicationJSON},
		{"/api/openapi.json", echo.MIMEApplicationJSON},
		{"/healthz", ""},
		{"/metrics", ""},
		{"/", echo.MIMETextHTML},
		{"/?q=%22", echo.MIMETextHTML},
		{"/articles/" + f.paragraphs[0].ArticleID, echo.MIMETextHTML},
		{"/compare", echo.MIMETextHTML},
		{"/no/such/page", echo.MIMETextHTML},
		{"/static/app.js", ""},
	} {
		rec := send(t, f.e, http.MethodGet, tc.target, map[string]string{"Accept": tc.accept}, "")
		hd := rec.Header()
		if rec.Code >= 500 {
			t.Errorf("%s: status %d", tc.target, rec.Code)
		}
		if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", tc.target, got)
		}
		if got := hd.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", tc.target, got)
		}
		csp := cspDirectives(hd.Get("Content-Security-Policy"))
		script, ok := csp["script-src"]
		if !ok {
			script = csp["default-src"]
		}
		if len(script) == 0 {
			t.Errorf("%s: no script-src or default-src in the CSP %q", tc.target, hd.Get("Content-Security-Policy"))
		}
		for _, src := range script {
			if src == "'unsafe-inline'" || src == "'unsafe-eval'" || src == "*" || strings.HasPrefix(src, "http:") || src == "data:" {
				t.Errorf("%s: script-src allows %s", tc.target, src)
			}
		}
		if fa := csp["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
			t.Errorf("%s: frame-ancestors %v, want 'none'", tc.target, fa)
		}
		if ob := csp["object-src"]; ob == nil && csp["default-src"] == nil {
			t.Errorf("%s: neither object-src nor default-src", tc.target)
		}
	}
}

// TestCORS: off by default (no Access-Control-Allow-Origin for anyone);
// with -cors, the listed origins only, for GET and HEAD.
func TestCORS(t *testing.T) {
	target := "/api/search?q=" + url.QueryEscape("县")
	preflight := map[string]string{"Origin": "https://news.example", "Access-Control-Request-Method": "GET"}

	off, _ := serverOn(t, config{})
	if rec := send(t, off, http.MethodGet, target, map[string]string{"Origin": "https://news.example"}, ""); rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Code != http.StatusOK {
		t.Errorf("CORS off: status %d, Access-Control-Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if rec := send(t, off, http.MethodOptions, target, preflight, ""); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: a preflight is allowed")
	}

	cfg, err := parseConfig([]string{"-cors", " https://news.example , https://b.example"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.CORSOrigins) != 2 {
		t.Fatalf("-cors parsed to %q", cfg.CORSOrigins)
	}
	on, _ := serverOn(t, cfg)
	rec := send(t, on, http.MethodGet, target, map[string]string{"Origin": "https://news.example"}, "")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://news.example" || rec.Code != http.StatusOK {
		t.Errorf("CORS on, listed origin: status %d, Access-Control-Allow-Origin %q", rec.Code, got)
	}
	rec = send(t, on, http.MethodGet, target, map[string]string{"Origin": "https://evil.example"}, "")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("CORS on, other origin: Access-Control-Allow-Origin %q", got)
	}
	rec = send(t, on, http.MethodOptions, target, preflight, "")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://news.example" {
		t.Errorf("preflight: status %d, allow origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	methods := rec.Header().Get("Access-Control-Allow-Methods")
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if strings.Contains(methods, m) {
			t.Errorf("preflight allows %s (%q)", m, methods)
		}
	}
	// CORS never turns a write into something allowed.
	rec = send(t, on, http.MethodPost, target, map[string]string{"Origin": "https://news.example"}, "")
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST with CORS on: status %d", rec.Code)
	}
}

// TestRateLimit: off by default; with -rate, a client past its burst gets
// 429 JSON while other clients are served; the client is the connection's
// peer unless -trusted-proxies says whose X-Forwarded-For to believe.
func TestRateLimit(t *testing.T) {
	target := "/api/search?q=" + url.QueryEscape("县")
	off, _ := serverOn(t, config{})
	for i := range 200 {
		if rec := send(t, off, http.MethodGet, target, nil, "192.0.2.1:1000"); rec.Code != http.StatusOK {
			t.Fatalf("rate limit off: request %d got %d", i, rec.Code)
		}
	}

	cfg, err := parseConfig([]string{"-rate", "0.01", "-burst", "3"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	on, _ := serverOn(t, cfg)
	for i := range 3 {
		if rec := send(t, on, http.MethodGet, target, nil, "192.0.2.1:1000"); rec.Code != http.StatusOK {
			t.Fatalf("within the burst: request %d got %d", i, rec.Code)
		}
	}
	rec := send(t, on, http.MethodGet, target, nil, "192.0.2.1:1001")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("past the burst: status %d, want 429", rec.Code)
	}
	checkErrorJSON(t, "429", rec.Code, rec.Body.Bytes())
	// A forged X-Forwarded-For does not buy a fresh allowance.
	for i := range 3 {
		rec := send(t, on, http.MethodGet, target, map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i), "X-Real-Ip": fmt.Sprintf("198.51.100.%d", i)}, "192.0.2.1:1002")
		if rec.Code != http.StatusTooManyRequests {
			t.Errorf("forged X-Forwarded-For %d: status %d, want 429", i, rec.Code)
		}
	}
	if rec := send(t, on, http.MethodGet, target, nil, "192.0.2.2:1000"); rec.Code != http.StatusOK {
		t.Errorf("another client: status %d", rec.Code)
	}
	if rec := send(t, on, http.MethodGet, "/healthz", nil, "192.0.2.1:1000"); rec.Code != http.StatusOK {
		t.Errorf("/healthz is rate limited: %d", rec.Code)
	}

	// Behind a trusted proxy, each forwarded client has its own allowance;
	// an untrusted peer's X-Forwarded-For is still ignored.
	cfg, err = parseConfig([]string{"-rate", "0.01", "-burst", "1", "-trusted-proxies", "10.0.0.0/8, 192.0.2.9"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	proxied, _ := serverOn(t, cfg)
	for i, proxy := range []string{"10.1.2.3:5000", "192.0.2.9:5000"} {
		for j := range 2 {
			xff := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", 10*i+j)}
			if rec := send(t, proxied, http.MethodGet, target, xff, proxy); rec.Code != http.StatusOK {
				t.Errorf("client %d behind proxy %s: status %d", j, proxy, rec.Code)
			}
		}
	}
	for j := range 2 {
		xff := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", 100+j)}
		rec := send(t, proxied, http.MethodGet, target, xff, "198.51.100.7:5000")
		if want := []int{http.StatusOK, http.StatusTooManyRequests}[j]; rec.Code != want {
			t.Errorf("untrusted peer, forwarded client %d: status %d, want %d", j, rec.Code, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example"} {
		if _, err := parseConfig([]string{"-trusted-proxies", bad}, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("-trusted-proxies %q accepted", bad)
		}
	}
}

// TestNoWrites: every route is a GET, and every other method on every
// route is refused without touching the index.
func TestNoWrites(t *testing.T) {
	f := defaultFixture(t)
	e, h := serverOn(t, config{})
	ix, release := h.acquire()
	before := ix.DocCount()
	release()
	paths := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method != http.MethodGet {
			t.Errorf("route %s %s accepts a %s", r.Method, r.Path, r.Method)
		}
		paths[r.Path] = true
	}
	if len(paths) < 10 {
		t.Fatalf("only %d routes: %v", len(paths), paths)
	}
	fill := strings.NewReplacer(":id", f.paragraphs[0].ID, "*", "app.js")
	for p := range paths {
		target := fill.Replace(p)
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, "PROPFIND", "MKCOL"} {
			rec := send(t, e, m, target, map[string]string{"Content-Type": "application/json"}, "")
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status %d, want 405", m, target, rec.Code)
			}
			if allow := rec.Header().Get("Allow"); allow != "" && (strings.Contains(allow, "POST") || strings.Contains(allow, "PUT") || strings.Contains(allow, "DELETE")) {
				t.Errorf("%s %s: Allow %q", m, target, allow)
			}
		}
	}
	ix, release = h.acquire()
	defer release()
	if ix.DocCount() != before {
		t.Errorf("document count changed from %d to %d", before, ix.DocCount())
	}
}

// TestHead: HEAD works wherever GET does, with GET's status and headers
// and no body (over a real connection, where net/http drops the body).
func TestHead(t *testing.T) {
	d := startLive(t, "-index", copyIndex(t, defaultFixture(t).dir))
	for _, tc := range []struct {
		target string
		want   int
	}{
		{"/api/search?q=" + url.QueryEscape("红色物业"), http.StatusOK},
		{"/api/search?q=%22", http.StatusBadRequest},
		{"/", http.StatusOK},
		{"/healthz", http.StatusOK},
		{"/api/articles/nope", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodHead, d.url+tc.target, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || len(body) != 0 {
			t.Errorf("HEAD %s: status %d with %d bytes, want %d and none", tc.target, resp.StatusCode, len(body), tc.want)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("HEAD %s: no security headers", tc.target)
		}
	}
}

// TestLogs: with -log-json every log line is a JSON object; each request
// is logged once with its request ID (the one sent back in X-Request-Id),
// method, URI and status; a user error (400, 404, 405) logs its message at
// INFO, with no stack trace; forged log lines in q stay inside one value.
func TestLogs(t *testing.T) {
	d := startLive(t, "-index", copyIndex(t, defaultFixture(t).dir), "-log-json")
	targets := map[string]int{
		"/api/search?q=" + url.QueryEscape("红色物业"): http.StatusOK,
		"/api/search?q=%22": http.StatusBadRequest,
		"/api/search?match=exact&q=" + url.QueryEscape("县\n{\"level\":\"ERROR\",\"msg\":\"forged\"}"): http.StatusOK,
		"/api/articles/..%2f..%2fetc%2fpasswd":                                                        http.StatusNotFound,
		"/api/search?size=-1":                                                                         http.StatusBadRequest,
	}
	ids := map[string]int{}
	for target, want := range targets {
		resp, err := http.Get(d.url + target)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", target, resp.StatusCode, want)
		}
		id := resp.Header.Get(echo.HeaderXRequestID)
		if id == "" {
			t.Errorf("%s: no X-Request-Id", target)
		}
		ids[id] = want
	}
	resp, err := http.Post(d.url+"/api/search", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ids[resp.Header.Get(echo.HeaderXRequestID)] = http.StatusMethodNotAllowed
	d.stop(t) // flushes the request log

	logged := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(d.stderr.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %v: %.300s", err, line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line without %q: %.300s", k, line)
			}
		}
		if rec["msg"] == "forged" {
			t.Errorf("a forged log line made it into the log: %s", line)
		}
		if strings.Contains(line, "goroutine ") || strings.Contains(line, ".go:") || rec["stack"] != nil {
			t.Errorf("stack trace in the log: %.500s", line)
		}
		if rec["msg"] != "request" {
			continue
		}
		id, _ := rec["request_id"].(string)
		status, _ := rec["status"].(float64)
		logged[id] = int(status)
		if status >= 400 && status < 500 {
			if rec["level"] != "INFO" {
				t.Errorf("a user error logged at %v: %s", rec["level"], line)
			}
			if msg, _ := rec["error"].(string); msg == "" {
				t.Errorf("a user error logged without its message: %s", line)
			}
		}
		for _, k := range []string{"method", "uri", "latency", "remote_ip"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("request log line without %q: %s", k, line)
			}
		}
	}
	for id, want := range ids {
		if got, ok := logged[id]; !ok || got != want {
			t.Errorf("request %s: logged status %d (logged: %v), want %d", id, got, ok, want)
		}
	}
}

// TestAdmission: with every place taken, a search waits for one within its
// time limit and then gets 503 "busy"; once a place frees, the next one
// runs; -max-searches is validated. The stand-in handler ends with its
// request's context and every wait is bounded, so that a regression fails
// the test instead of hanging the suite.
func TestAdmission(t *testing.T) {
	admit := admission(1, nil)
	hold := make(chan struct{})
	entered := make(chan struct{}, 2)
	h := admit(func(c echo.Context) error {
		entered <- struct{}{}
		select {
		case <-hold:
			return c.NoContent(http.StatusOK)
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		}
	})
	e := echo.New()
	serve := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
		return h(e.NewContext(req, httptest.NewRecorder()))
	}
	const bound = 10 * time.Second
	wait := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(bound):
			t.Fatalf("%s: not within %v", what, bound)
		}
	}
	result := func(what string, ch <-chan error) error {
		t.Helper()
		select {
		case err := <-ch:
			return err
		case <-time.After(bound):
			t.Fatalf("%s: no answer within %v", what, bound)
			return nil
		}
	}
	release := func(what string) {
		t.Helper()
		select {
		case hold <- struct{}{}:
		case <-time.After(bound):
			t.Fatalf("%s: no search running to release within %v", what, bound)
		}
	}
	first := make(chan error, 1)
	go func() { first <- serve(time.Minute) }()
	wait("the first search entering", entered)
	start := time.Now()
	busy := make(chan error, 1)
	go func() { busy <- serve(100 * time.Millisecond) }()
	err := result("a search waiting past its limit", busy)
	if status, msg := statusOf(err); status != http.StatusServiceUnavailable || !strings.Contains(msg, "busy") {
		t.Errorf("waiting past the limit: %d %q, want 503 busy", status, msg)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %v, want about the 100 ms limit", d)
	}
	second := make(chan error, 1)
	go func() { second <- serve(time.Minute) }()
	select {
	case <-entered:
		t.Fatal("a second search ran while the only place was taken")
	case <-time.After(50 * time.Millisecond):
	}
	release("the first search") // the first leaves; the second gets its place
	wait("the second search entering after the first left", entered)
	release("the second search")
	if err := result("the first search", first); err != nil {
		t.Errorf("first: %v", err)
	}
	if err := result("the second search", second); err != nil {
		t.Errorf("second: %v", err)
	}
	if _, err := parseConfig([]string{"-max-searches", "-1"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("-max-searches -1 accepted")
	}
	cfg, err := parseConfig(nil, func(k string) string { return map[string]string{"SEARCHD_MAX_SEARCHES": "3"}[k] }, io.Discard)
	if err != nil || cfg.MaxSearches != 3 {
		t.Errorf("SEARCHD_MAX_SEARCHES=3: %d, %v", cfg.MaxSearches, err)
	}
}
