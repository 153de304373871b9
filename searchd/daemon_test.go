package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveDaemon is searchd started by run() on a free loopback port.
type liveDaemon struct {
	url    string
	stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan error
}

// lockedBuffer is a bytes buffer safe for the daemon's logger and the test to
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLive runs the daemon as main does, with args after -addr
// 127.0.0.1:0, and waits until it listens. The daemon is stopped (and must
// shut down cleanly) when the test ends, or earlier by stop.
func startLive(t *testing.T, args ...string) *liveDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	d := &liveDaemon{stderr: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	env := func(string) string { return "" }
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), env, pw, d.stderr)
		pw.CloseWithError(fmt.Errorf("run returned: %v", err))
		d.done <- err
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		cancel()
		t.Fatalf("daemon did not start: %v\n%s", sc.Err(), d.stderr.String())
	}
	line := sc.Text()
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	if i < 0 {
		cancel()
		t.Fatalf("daemon said %q, not where it listens", line)
	}
	d.url = strings.TrimSpace(line[i:])
	t.Cleanup(func() { d.stop(t) })
	return d
}

// stop shuts the daemon down and checks that it returned no error. It may
// be called more than once.
func (d *liveDaemon) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	if d.done == nil {
		return
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("daemon: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("daemon did not shut down within 30 s")
	}
	d.done = nil
}
