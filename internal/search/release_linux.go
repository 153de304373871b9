//go:build linux

package search

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseMapped tells the kernel that the process no longer needs the
// pages it has mapped of the zap files in dir (madvise MADV_DONTNEED on
// each mapping /proc/self/maps lists for them). The mappings are
// read-only views of files: the pages stay in the page cache, and a page
// read again is mapped again from it (a minor fault), so this changes
// nothing of what a reader sees, only what the process holds resident.
// The caller must make sure that no mapping of dir's files is unmapped
// while it runs (a range unmapped and reused by the heap would be cleared).
func releaseMapped(dir string) {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	prefix := dir + string(os.PathSeparator)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// start-end perms offset dev inode path
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[5], prefix) || !strings.HasSuffix(f[5], ".zap") || !strings.HasPrefix(f[1], "r") || strings.Contains(f[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED)
	}
}
