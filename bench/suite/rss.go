package suite

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RSSPeaks are the peaks of a process tree's resident set, split as Linux
// splits it: anonymous memory (heaps, the JVM's included) and file-backed
// pages (memory-mapped index files read by a merge, which the kernel can
// drop at will). A peak RSS (rusage maxrss) is their sum at one moment:
// an engine that maps its index counts the pages it has read.
type RSSPeaks struct {
	AnonMB float64 `json:"anon_mb,omitempty"`
	FileMB float64 `json:"file_mb,omitempty"`
}

// rssSampleEvery is how often sampleRSS reads /proc.
const rssSampleEvery = 250 * time.Millisecond

// sampleRSS samples the resident set of this process and its children
// (the JVM of a Lucene job) until the returned function is called, which
// returns the peaks. Where /proc is missing it returns zero peaks.
func sampleRSS(ctx context.Context) func() RSSPeaks {
	ctx, cancel := context.WithCancel(ctx)
	var (
		mu   sync.Mutex
		peak RSSPeaks
		wg   sync.WaitGroup
	)
	sample := func() {
		anon, file := treeRSS(os.Getpid())
		mu.Lock()
		peak.AnonMB, peak.FileMB = max(peak.AnonMB, anon), max(peak.FileMB, file)
		mu.Unlock()
	}
	wg.Go(func() {
		t := time.NewTicker(rssSampleEvery)
		defer t.Stop()
		for {
			sample()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() RSSPeaks {
		cancel()
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// treeRSS returns the anonymous and file-backed resident MB of process pid
// and its children, summed.
func treeRSS(pid int) (anonMB, fileMB float64) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0
	}
	anonMB, fileMB = parseRSS(b)
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	for _, t := range tasks {
		kids, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(kids)) {
			if k, err := strconv.Atoi(f); err == nil {
				a, f := treeRSS(k)
				anonMB, fileMB = anonMB+a, fileMB+f
			}
		}
	}
	return anonMB, fileMB
}

// parseRSS reads RssAnon and RssFile (kB) from a /proc/PID/status.
func parseRSS(status []byte) (anonMB, fileMB float64) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		switch k {
		case "RssAnon":
			anonMB = kb / 1024
		case "RssFile":
			fileMB = kb / 1024
		}
	}
	return anonMB, fileMB
}
