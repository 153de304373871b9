package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"countynews/internal/ingest"
	"countynews/internal/search"
)

// smallDisk mounts a tmpfs of size MB and returns it. It needs root (as in
// CI): elsewhere the test is skipped; under CI=true as root a failed mount
// fails the test.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// bigExport writes a JSONL export of about size bytes of varied Chinese
// text, far more index than a small disk holds.
func bigExport(t *testing.T, size int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	han := []rune("梁山金乡邹城嘉祥微山县乡村振兴红色物业网格服务群众建设推进开展工作社区治理产业发展河长制文明实践志愿活动")
	p := filepath.Join(t.TempDir(), "big.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	written := 0
	for i := 0; written < size; i++ {
		var b strings.Builder
		for range 200 {
			b.WriteRune(han[r.IntN(len(han))])
			if r.IntN(20) == 0 {
				b.WriteString("。")
			}
		}
		n, _ := fmt.Fprintf(f, "{\"id\":\"b%d\",\"title\":\"标题%d\",\"date\":\"2023-01-02\",\"text\":%q}\n", i, i, b.String()+"。")
		written += n
	}
	return p
}

// TestFullDisk: on a 4 MB file system, a build too big for it is refused
// before writing (the estimate), and with the check off fails when a write
// fails; either way with "no space left on device: PATH", exit status 1's
// error (no panic), the temporary generation removed, the lock released
// and the previous generation served.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t, 4)
	ctx := context.Background()
	index := filepath.Join(disk, "index")
	if _, err := ingest.Run(ctx, ingest.Options{Index: index}); err != nil {
		t.Fatal(err)
	}
	big := bigExport(t, 3<<19)
	for _, noCheck := range []bool{false, true} {
		_, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{big}, NoSpaceCheck: noCheck})
		if err == nil {
			t.Fatalf("no-space-check %v: a build of 1.5 MB of text fit in 4 MB", noCheck)
		}
		if !errors.Is(err, syscall.ENOSPC) || !strings.HasPrefix(err.Error(), "no space left on device: "+index) {
			t.Errorf("no-space-check %v: error %q, want no space left on device: %s", noCheck, err, index)
		}
		if noCheck == false && !strings.Contains(err.Error(), "needed") {
			t.Errorf("the estimate's refusal does not say what is needed: %v", err)
		}
		entries, _ := os.ReadDir(index)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if strings.Join(names, " ") != "current gen-1 lock" {
			t.Errorf("no-space-check %v: index folder holds %v, want the old generation only", noCheck, names)
		}
		ix, err := search.Open(ctx, index)
		if err != nil {
			t.Fatalf("the previous generation: %v", err)
		}
		if ix.Generation() != 1 || ix.DocCount() != 34 {
			t.Errorf("serving generation %d with %d paragraphs", ix.Generation(), ix.DocCount())
		}
		ix.Close()
	}
	// The lock was released: the next build runs.
	if sum, err := ingest.Run(ctx, ingest.Options{Index: index}); err != nil || sum.Generation != 2 {
		t.Errorf("build after the full disk: %+v, %v", sum, err)
	}
}
