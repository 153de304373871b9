package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"countynews/internal/search"
)

// The space a build needs is estimated from its inputs before anything is
// written (README: The index on disk). A generation takes about six times
// the text it indexes (news-2023: 616 MB for 111 MB of text, BENCHMARKS.md),
// and at its end a build holds two copies of it (the index being built and
// the clean copy made at commit), hence spaceFactor. A gzipped export's
// text is taken as gzipFactor times its size. An update also writes a new
// copy of the current generation at commit, so its size is added.
const (
	spaceFactor = 12
	gzipFactor  = 3
)

// estimateSpace is the bytes a build of ins needs, plus current, the size of
// the generation an update copies.
func estimateSpace(ins []Input, current int64) int64 {
	need := current
	for _, in := range ins {
		n := in.Size
		if strings.HasSuffix(in.Name, ".gz") {
			n *= gzipFactor
		}
		need += spaceFactor * n
	}
	return need
}

// checkSpace fails, before the build writes anything, when the file system
// of the index folder has less free space than need.
func checkSpace(index string, need int64) error {
	dir := index
	for {
		if _, err := os.Stat(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	free, err := search.FreeBytes(dir)
	if err != nil {
		return nil // no statfs here: the build's own write errors will tell
	}
	if free < need {
		return &search.DiskFullError{Path: index, Err: fmt.Errorf("not enough free space for this build: about %s needed (%d× the input text, README: The index on disk), %s free; free some space, choose another -index, or pass -no-space-check",
			mb(need), spaceFactor, mb(free))}
	}
	return nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
