package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"countynews/internal/search"
)

// signalChildEnv holds the arguments (separated by US, 0x1f) of a child indexer.
const signalChildEnv = "COUNTYNEWS_INDEXER_SIGNAL_CHILD"

// TestSignalChild is the child of TestSignalCancelsBuild: the indexer as
// main runs it, with SIGINT and SIGTERM cancelling its context. Run on its
// own, it does nothing.
func TestSignalChild(t *testing.T) {
	args := os.Getenv(signalChildEnv)
	if args == "" {
		t.Skip("child of TestSignalCancelsBuild only")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println("started")
	if err := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(exitCode(err))
	}
	os.Exit(0)
}

// writeExport writes a JSONL export of n varied articles.
func writeExport(t *testing.T, n int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	han := []rune("梁山金乡邹城嘉祥微山县乡村振兴红色物业网格服务群众建设推进开展工作社区治理产业发展河长制文明实践志愿活动")
	var b strings.Builder
	for i := range n {
		var text strings.Builder
		for range 300 {
			text.WriteRune(han[r.IntN(len(han))])
			if r.IntN(25) == 0 {
				text.WriteString("。")
			}
		}
		fmt.Fprintf(&b, "{\"id\":\"s%d\",\"date\":\"2023-02-03\",\"text\":%q}\n", i, text.String()+"。")
	}
	p := filepath.Join(t.TempDir(), "big.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSignalCancelsBuild sends SIGTERM or SIGINT to an indexer at random
// moments of a build and of an update: it exits within a second (2 s
// allowed, for loaded machines) with status 1 and a message, the
// temporary generation is removed, the lock is free and the previous
// generation is still served.
func TestSignalCancelsBuild(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(t.TempDir(), "index")
	summary(t, "-index", index)
	export := writeExport(t, 3000)
	r := rand.New(rand.NewPCG(13, 13))
	var worst time.Duration
	for i := range 6 {
		sig := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}[i%2]
		args := []string{"-q", "-index", index, export}
		if i%3 == 2 {
			args = append([]string{"-update"}, args...)
		}
		cmd := exec.Command(exe, "-test.run=^TestSignalChild$")
		cmd.Env = append(os.Environ(), signalChildEnv+"="+strings.Join(args, "\x1f"))
		stdout, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(stdout).ReadString('\n') // "started"
		time.Sleep(time.Duration(100+r.IntN(1500)) * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var werr error
		select {
		case werr = <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: the indexer did not stop within 20 s", sig)
		}
		took := time.Since(sent)
		worst = max(worst, took)
		if took > 2*time.Second {
			t.Errorf("%v (%v): stopped %v after the signal", sig, args, took)
		}
		if werr == nil {
			t.Logf("%v: the build finished before the signal", sig)
		} else if !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("%v: exit %v, stderr %q; want a message saying the build was interrupted", sig, werr, stderr.String())
		}
		entries, _ := os.ReadDir(index)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("%v: %s left behind", sig, e.Name())
			}
		}
		ix, err := search.Open(context.Background(), index)
		if err != nil {
			t.Fatalf("%v: the index no longer opens: %v", sig, err)
		}
		ix.Close()
	}
	t.Logf("slowest stop after a signal: %v", worst)
	// The lock is free: a build runs.
	summary(t, "-index", index)
}
