package suite

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// BuildSearchd compiles the searchd command into dir and returns the
// binary's path. It runs `go build` in the module root.
func BuildSearchd(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "searchd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./searchd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build searchd: %w\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the countynews module's folder with `go env GOMOD`.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("find module root: not inside the countynews module")
	}
	return filepath.Dir(mod), nil
}

// Searchd is a running searchd process.
type Searchd struct {
	cmd  *exec.Cmd
	Addr string
	done chan error
}

// StartSearchd starts bin on index, on a free port of 127.0.0.1, and waits
// for the "searchd: serving ... on http://ADDR" line. Its log goes to
// logPath. The search time limit is raised to a minute: the benchmark
// wants every request answered, however slow.
func StartSearchd(ctx context.Context, bin, index, logPath string) (*Searchd, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start searchd: %w", err)
	}
	cmd := exec.Command(bin, "-index", index, "-addr", "127.0.0.1:0", "-timeout", "60s")
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("start searchd: %w", err)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start searchd: %w", err)
	}
	s := &Searchd{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, " on http://"); ok && strings.HasPrefix(line, "searchd: serving") {
				select {
				case addr <- strings.TrimSpace(rest):
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		s.done <- cmd.Wait()
		logf.Close()
	}()
	select {
	case a := <-addr:
		s.Addr = a
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("searchd exited before serving: %v (log: %s)", err, logPath)
	case <-time.After(2 * time.Minute):
		s.Stop()
		return nil, fmt.Errorf("searchd did not start serving within 2 minutes (log: %s)", logPath)
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
}

// Memory returns searchd's resident set now and its peak (VmRSS and VmHWM
// of /proc/PID/status), in MB.
func (s *Searchd) Memory() (rss, peak float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseFloat(f[0], 64)
		switch k {
		case "VmRSS":
			rss = n / 1024
		case "VmHWM":
			peak = n / 1024
		}
	}
	return rss, peak, nil
}

// Stop ends searchd with SIGTERM (a graceful shutdown), or kills it after
// 20 seconds.
func (s *Searchd) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return nil
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("searchd did not stop within 20 s: killed")
	}
}

// LoadHTTP replays the log against searchd's /api/search: warm-up rounds,
// then measured rounds over clients concurrent connections. totals gets
// each query's total as the API reports it, for checking against the
// in-process run.
func LoadHTTP(ctx context.Context, addr string, log []LogQuery, clients, warmup, rounds int, totals []int) (QueryStats, error) {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	urls := make([]string, len(log))
	for i, q := range log {
		urls[i] = "http://" + addr + "/api/search?" + q.Values().Encode()
	}
	run := func(rounds int) ([]time.Duration, int, error) {
		n := len(urls) * rounds
		lat := make([]time.Duration, n)
		var next, errs atomic.Int64
		var wg sync.WaitGroup
		var once sync.Once
		var firstErr error
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
					k := i % len(urls)
					s := time.Now()
					total, err := get(ctx, client, urls[k])
					lat[i] = time.Since(s)
					if err != nil {
						errs.Add(1)
						once.Do(func() { firstErr = fmt.Errorf("%s: %w", log[k].ID, err) })
						continue
					}
					totals[k] = total
				}
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if errs.Load() > int64(n/100) { // more than 1% failed: not a measurement
			return nil, int(errs.Load()), fmt.Errorf("http load: %d of %d requests failed, first: %v", errs.Load(), n, firstErr)
		}
		return lat, int(errs.Load()), nil
	}
	if _, _, err := run(warmup); err != nil {
		return QueryStats{}, err
	}
	start := time.Now()
	lat, errs, err := run(rounds)
	if err != nil {
		return QueryStats{}, err
	}
	st := latencyStats(lat, clients, time.Since(start))
	st.Errors = errs
	return st, nil
}

// get fetches one search and returns its total. The body is read in full
// and decoded, as a client would.
func get(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, clipString(string(body), 200))
	}
	var r struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("decode response: %w", err)
	}
	return r.Total, nil
}
