//go:build linux

package search

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// mappedRSSKB returns the resident kB /proc/self/smaps reports for the
// mappings of path.
func mappedRSSKB(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	kb, in := 0, false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path
		case in && len(f) >= 2 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			kb += n
		}
	}
	return kb
}

// TestReleaseMapped: the pages of a mapped zap file in the folder leave
// the resident set and read back the same; a file outside the folder, or
// not a segment, keeps its pages.
func TestReleaseMapped(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("县级融媒体0123456789"), 1<<17) // 3.5 MB
	mapFile := func(name string) (string, []byte) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := syscall.Mmap(int(f.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Munmap(m) })
		if !bytes.Equal(m, data) { // reads every page
			t.Fatal("the mapping reads differently")
		}
		return path, m
	}
	seg, m := mapFile("batch-0000001.zap")
	other, _ := mapFile("root.bolt")
	before, otherBefore := mappedRSSKB(t, seg), mappedRSSKB(t, other)
	if before < 3000 || otherBefore < 3000 {
		t.Fatalf("resident before: %d and %d kB, want the whole files", before, otherBefore)
	}
	releaseMapped(filepath.Join(dir, "elsewhere"))
	if got := mappedRSSKB(t, seg); got < before {
		t.Errorf("released another folder's segment: %d kB resident, was %d", got, before)
	}
	releaseMapped(dir)
	if got := mappedRSSKB(t, seg); got > before/10 {
		t.Errorf("after releaseMapped: %d kB of the segment resident, was %d", got, before)
	}
	if got := mappedRSSKB(t, other); got < otherBefore {
		t.Errorf("released a file that is not a segment: %d kB resident, was %d", got, otherBefore)
	}
	if !bytes.Equal(m, data) {
		t.Error("the released mapping reads differently")
	}
}
