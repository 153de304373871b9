// Package load is searchd's load test: it starts the daemon as a separate
// process on loopback, drives it with concurrent clients sending a
// realistic query mix for a bounded time and number of requests, and
// reports throughput, latency percentiles, failures and the daemon's
// resident memory.
//
// The mix is drawn from the corpus itself: phrases of 2 to 4 Chinese
// characters cut from paragraph texts, sorted into frequency bands by the
// number of paragraphs the daemon finds for each (rare, medium, common), so
// that cheap and expensive searches both occur, combined into ANDs, NOTs and
// ORs, with 0 to 3 facet filters, paging and sorting, plus paragraph,
// article, similar-paragraph and facet requests and the search page.
//
// The tests in this package (load_test.go) say how to run it.
package load

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// BuildDaemon compiles countynews/searchd into dir and returns the binary.
func BuildDaemon(ctx context.Context, dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "searchd")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "countynews/searchd")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build searchd: %w\n%s", err, out)
	}
	return bin, nil
}

// Daemon is a running searchd process.
type Daemon struct {
	URL  string // http://127.0.0.1:PORT
	PID  int
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the first MB: the start and any early errors
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartDaemon runs bin on a free loopback port over the index folder, with
// extra flags, and waits until it listens.
func StartDaemon(ctx context.Context, bin, index string, flags ...string) (*Daemon, error) {
	args := append([]string{"-index", index, "-addr", "127.0.0.1:0"}, flags...)
	cmd := exec.Command(bin, args...)
	d := &Daemon{cmd: cmd, logs: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = d.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start searchd: %w", err)
	}
	d.PID = cmd.Process.Pid
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
		d.done <- cmd.Wait()
	}()
	select {
	case l, ok := <-line:
		_, addr, found := strings.Cut(l, " on http://")
		if !ok || !found {
			d.Stop()
			return nil, fmt.Errorf("searchd did not start (%q):\n%s", l, d.logs.String())
		}
		d.URL = "http://" + strings.TrimSpace(addr)
	case <-ctx.Done():
		d.Stop()
		return nil, ctx.Err()
	}
	return d, nil
}

// Logs returns what the daemon wrote to stderr (its first MB).
func (d *Daemon) Logs() string { return d.logs.String() }

// Stop asks the daemon to shut down gracefully (SIGTERM), kills it after
// 30 s, and returns how it ended.
func (d *Daemon) Stop() error {
	if d.cmd.Process == nil {
		return nil
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		return err
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		return errors.New("searchd did not stop within 30 s of SIGTERM; killed")
	}
}

// Memory is a process's resident memory, from /proc/PID/status.
type Memory struct {
	RSS, Anon, File int64 // bytes: VmRSS, RssAnon, RssFile
}

func (m Memory) String() string {
	return fmt.Sprintf("RSS %.1f MB (anon %.1f MB, file %.1f MB)", mb(m.RSS), mb(m.Anon), mb(m.File))
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// ReadMemory reads pid's resident memory.
func ReadMemory(pid int) (Memory, error) {
	var m Memory
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fs := strings.Fields(val)
		if len(fs) != 2 || fs[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseInt(fs[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSS = n << 10
		case "RssAnon":
			m.Anon = n << 10
		case "RssFile":
			m.File = n << 10
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, nil
}

// Bands of phrase frequency, by the number of paragraphs found.
const (
	Rare   = iota // at most RareMax paragraphs
	Medium        // up to MediumMax
	Common        // more
	bands
)

// Band limits.
const (
	RareMax   = 30
	MediumMax = 3000
)

// Workload is what the query mix is drawn from: phrases by frequency band,
// facet values and document IDs, all found in the served index.
type Workload struct {
	Phrases    [bands][]string
	Counties   []string
	Years      []string
	Programs   []string
	Paragraphs []string // paragraph IDs
	Articles   []string // article IDs
}

// Client returns an HTTP client for n concurrent users of one loopback
// server.
func Client(n int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // loopback only: never through a proxy
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        2 * n,
			MaxIdleConnsPerHost: 2 * n,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

// checkLoopback refuses any base URL that is not on the loopback
// interface.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("load test against %s refused: loopback only", base)
	}
	return nil
}

// Phrases cuts up to n distinct phrases of 2 to 4 Chinese characters from
// texts at random.
func Phrases(texts []string, n int, rng *rand.Rand) []string {
	seen := map[string]bool{}
	var out []string
	for tries := 0; len(out) < n && tries < 50*n && len(texts) > 0; tries++ {
		rs := []rune(texts[rng.IntN(len(texts))])
		k := 2 + rng.IntN(3)
		if len(rs) < k {
			continue
		}
		i := rng.IntN(len(rs) - k + 1)
		p := rs[i : i+k]
		if !slices.ContainsFunc(p, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) && !seen[string(p)] {
			seen[string(p)] = true
			out = append(out, string(p))
		}
	}
	return out
}

type searchResp struct {
	Total int `json:"total"`
	Hits  []struct {
		ID        string `json:"id"`
		ArticleID string `json:"article_id"`
	} `json:"hits"`
}

type facetsResp struct {
	Facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	} `json:"facets"`
}

func getJSON(ctx context.Context, c *http.Client, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("GET %s: status %d: %s", u, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// Discover builds the workload: it asks the daemon how many paragraphs
// each candidate phrase finds (which also warms the index), sorts the
// phrases into bands, keeps the IDs of the hits and reads the facet values.
func Discover(ctx context.Context, c *http.Client, base string, candidates []string, workers int) (*Workload, error) {
	if err := checkLoopback(base); err != nil {
		return nil, err
	}
	w := &Workload{}
	var f facetsResp
	if err := getJSON(ctx, c, base+"/api/facets", &f); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*[]string{"county": &w.Counties, "year": &w.Years, "program": &w.Programs} {
		for _, v := range f.Facets[name] {
			*dst = append(*dst, v.Value)
		}
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(candidates) {
					return
				}
				var r searchResp
				err := getJSON(ctx, c, base+"/api/search?size=3&q="+url.QueryEscape(candidates[i]), &r)
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case r.Total == 0:
				default:
					b := Common
					if r.Total <= RareMax {
						b = Rare
					} else if r.Total <= MediumMax {
						b = Medium
					}
					w.Phrases[b] = append(w.Phrases[b], candidates[i])
					for _, h := range r.Hits {
						w.Paragraphs = append(w.Paragraphs, h.ID)
						w.Articles = append(w.Articles, h.ArticleID)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, fmt.Errorf("discover: %d of %d searches failed, first: %w", len(errs), len(candidates), errs[0])
	}
	for b := range w.Phrases {
		slices.Sort(w.Phrases[b]) // the mix depends on the seed only
	}
	slices.Sort(w.Paragraphs)
	w.Paragraphs = slices.Compact(w.Paragraphs)
	slices.Sort(w.Articles)
	w.Articles = slices.Compact(w.Articles)
	if len(w.Paragraphs) == 0 || len(w.Counties) == 0 {
		return nil, errors.New("discover: no phrase found anything")
	}
	return w, nil
}

// phrase draws a phrase from a band chosen uniformly among the non-empty
// ones.
func (w *Workload) phrase(rng *rand.Rand) string {
	var nonEmpty []int
	for b := range w.Phrases {
		if len(w.Phrases[b]) > 0 {
			nonEmpty = append(nonEmpty, b)
		}
	}
	ps := w.Phrases[nonEmpty[rng.IntN(len(nonEmpty))]]
	return ps[rng.IntN(len(ps))]
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// filters adds 0 to 3 facet filters (half the searches have none).
func (w *Workload) filters(rng *rand.Rand, v url.Values) {
	n := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 3}[rng.IntN(10)]
	for range n {
		switch rng.IntN(4) {
		case 0:
			v.Add("county", pick(rng, w.Counties))
		case 1:
			if len(w.Years) > 0 {
				v.Add("year", pick(rng, w.Years))
			}
		case 2:
			if len(w.Programs) > 0 {
				v.Add("program", pick(rng, w.Programs))
			}
		default:
			from := 2015 + rng.IntN(9)
			v.Set("year_from", strconv.Itoa(from))
			v.Set("year_to", strconv.Itoa(from+rng.IntN(4)))
		}
	}
}

// Next draws one request of the mix and returns its kind and path.
func (w *Workload) Next(rng *rand.Rand) (kind, target string) {
	r := rng.IntN(100)
	v := url.Values{}
	switch {
	case r < 30:
		kind = "phrase"
		v.Set("q", w.phrase(rng))
	case r < 42:
		kind = "and"
		v.Set("q", w.phrase(rng)+" "+w.phrase(rng))
	case r < 50:
		kind = "not"
		v.Set("q", w.phrase(rng)+" -"+w.phrase(rng))
	case r < 58:
		kind = "or"
		v.Set("q", w.phrase(rng)+" OR "+w.phrase(rng))
	case r < 63:
		kind = "and-or"
		v.Set("q", w.phrase(rng)+" "+w.phrase(rng)+" OR "+w.phrase(rng))
	case r < 70:
		kind = "browse"
	case r < 81:
		return "paragraph", "/api/paragraphs/" + pick(rng, w.Paragraphs)
	case r < 86:
		return "similar", "/api/paragraphs/" + pick(rng, w.Paragraphs) + "/similar?size=" + strconv.Itoa(3+rng.IntN(8))
	case r < 89:
		return "article", "/api/articles/" + pick(rng, w.Articles)
	case r < 92:
		return "facets", "/api/facets"
	default:
		v.Set("q", w.phrase(rng))
		w.filters(rng, v)
		return "page", "/?" + v.Encode()
	}
	w.filters(rng, v)
	if rng.IntN(10) < 3 {
		v.Set("page", strconv.Itoa(2+rng.IntN(4)))
	}
	if rng.IntN(10) < 2 {
		v.Set("size", []string{"20", "50"}[rng.IntN(2)])
	}
	if rng.IntN(10) == 0 {
		v.Set("sort", []string{"newest", "oldest"}[rng.IntN(2)])
	}
	return kind, "/api/search?" + v.Encode()
}

// Options bound a run.
type Options struct {
	Clients     int
	Duration    time.Duration
	MaxRequests int64  // stop after this many requests in all (0: 10 million)
	Seed        uint64 // of the query mix
}

// Report is the outcome of a run.
type Report struct {
	Clients      int
	Requests     int64
	Failures     int64 // transport errors and any status but 200
	ByKind       map[string]int64
	FailureLog   []string // the first failures
	Elapsed      time.Duration
	Throughput   float64 // requests a second
	P50, P90     time.Duration
	P99, Max     time.Duration
	KindP99      map[string]time.Duration
	BytesRead    int64
	StatusCounts map[int]int64
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients, %v: %d requests, %d failed, %.1f req/s, p50 %v, p90 %v, p99 %v, max %v, %.1f MB read\n",
		r.Clients, r.Elapsed.Round(time.Millisecond), r.Requests, r.Failures, r.Throughput,
		r.P50.Round(10*time.Microsecond), r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(time.Millisecond), mb(r.BytesRead))
	kinds := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-9s %7d requests, p99 %v\n", k, r.ByKind[k], r.KindP99[k].Round(10*time.Microsecond))
	}
	return b.String()
}

type sample struct {
	kind string
	d    time.Duration
}

// Run drives base with opt.Clients clients, each sending the next request
// of the mix as soon as the last one is answered, until opt.Duration has
// passed, opt.MaxRequests were sent or ctx ends.
func Run(ctx context.Context, c *http.Client, base string, w *Workload, opt Options) (Report, error) {
	if err := checkLoopback(base); err != nil {
		return Report{}, err
	}
	if opt.MaxRequests <= 0 {
		opt.MaxRequests = 10_000_000
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Duration)
	defer cancel()
	var (
		sent, failures, bytes atomic.Int64
		mu                    sync.Mutex
		failLog               []string
		statuses              = map[int]int64{}
		wg                    sync.WaitGroup
	)
	samples := make([][]sample, opt.Clients)
	start := time.Now()
	for i := range opt.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(opt.Seed, uint64(i)))
			for ctx.Err() == nil && sent.Add(1) <= opt.MaxRequests {
				kind, target := w.Next(rng)
				t0 := time.Now()
				status, n, err := fetch(ctx, c, base+target)
				d := time.Since(t0)
				if ctx.Err() != nil && err != nil {
					sent.Add(-1) // cut off by the end of the run: not a failure, not a sample
					return
				}
				bytes.Add(n)
				samples[i] = append(samples[i], sample{kind, d})
				mu.Lock()
				statuses[status]++
				if err != nil || status != http.StatusOK {
					failures.Add(1)
					if len(failLog) < 20 {
						failLog = append(failLog, fmt.Sprintf("%s %s: status %d, %v", kind, target, status, err))
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	rep := Report{Clients: opt.Clients, Failures: failures.Load(), FailureLog: failLog, Elapsed: elapsed,
		ByKind: map[string]int64{}, KindP99: map[string]time.Duration{}, BytesRead: bytes.Load(), StatusCounts: statuses}
	var all []time.Duration
	byKind := map[string][]time.Duration{}
	for _, ss := range samples {
		for _, s := range ss {
			all = append(all, s.d)
			byKind[s.kind] = append(byKind[s.kind], s.d)
		}
	}
	rep.Requests = int64(len(all))
	if len(all) == 0 {
		return rep, errors.New("no request completed")
	}
	slices.Sort(all)
	rep.P50, rep.P90, rep.P99, rep.Max = quantile(all, .5), quantile(all, .9), quantile(all, .99), all[len(all)-1]
	rep.Throughput = float64(len(all)) / elapsed.Seconds()
	for k, ds := range byKind {
		slices.Sort(ds)
		rep.ByKind[k] = int64(len(ds))
		rep.KindP99[k] = quantile(ds, .99)
	}
	return rep, nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// fetch GETs u, reads the whole body and checks that a 200 from the API is
// JSON.
func fetch(ctx context.Context, c *http.Client, u string) (int, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, int64(len(body)), err
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(u, "/api/") && !json.Valid(body) {
		return resp.StatusCode, int64(len(body)), errors.New("200 with a body that is not JSON")
	}
	if resp.StatusCode == http.StatusOK && !utf8.Valid(body) {
		return resp.StatusCode, int64(len(body)), errors.New("200 with a body that is not UTF-8")
	}
	return resp.StatusCode, int64(len(body)), nil
}
