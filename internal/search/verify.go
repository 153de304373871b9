package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// FileSum is what a manifest records of one file of its generation: its
// size and SHA-256, so that a generation can be verified before it is
// served.
type FileSum struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ErrCorrupt is the sentinel every *CorruptError matches with errors.Is.
var ErrCorrupt = errors.New("index generation is corrupt")

// CorruptError reports a generation whose files are not the ones its
// manifest recorded: a file missing, truncated, changed or unexpected, or a
// manifest that cannot be read. File is relative to the generation folder
// ("bleve/store/000000000002.zap", "manifest.json").
type CorruptError struct {
	Dir     string // the generation folder
	File    string
	Problem string // "checksum mismatch", "missing", ...
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("generation %s: %s: %s", e.Dir, e.File, e.Problem)
}

// Is makes errors.Is(err, ErrCorrupt) true for every *CorruptError.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// sumTree computes the FileSum of every regular file below dir but the
// manifest, keyed by its slash-separated path relative to dir.
func sumTree(ctx context.Context, dir string) (map[string]FileSum, error) {
	sums := map[string]FileSum{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel == manifestFile {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", rel)
		}
		s, err := sumFile(ctx, p)
		if err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checksum generation: %w", err)
	}
	return sums, nil
}

// sumFile hashes one file, checking ctx between blocks.
func sumFile(ctx context.Context, p string) (FileSum, error) {
	f, err := os.Open(p)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return FileSum{}, err
		}
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return FileSum{}, fmt.Errorf("read %s: %w", p, err)
		}
	}
	return FileSum{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// verifyGeneration checks the files of the generation folder dir against
// its manifest m: every file listed must be there with its size and
// checksum, and no other file may be in the folder. It reads every
// byte (SHA-256 runs at over 1 GB/s on current CPUs, so a generation of a
// few hundred MB costs well under a second), and fails with a
// *CorruptError naming the first bad file.
func verifyGeneration(ctx context.Context, dir string, m Manifest) error {
	if len(m.Contents) == 0 || m.Checksum == "" {
		return &CorruptError{Dir: dir, File: manifestFile, Problem: "no checksums of the generation's files (written by an older indexer): rebuild the index"}
	}
	names := make([]string, 0, len(m.Contents))
	for name := range m.Contents {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := m.Contents[name]
		if !filepath.IsLocal(filepath.FromSlash(name)) || name == manifestFile {
			return &CorruptError{Dir: dir, File: manifestFile, Problem: fmt.Sprintf("lists a file outside the generation: %q", name)}
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return &CorruptError{Dir: dir, File: name, Problem: "missing"}
		case err != nil:
			return &CorruptError{Dir: dir, File: name, Problem: err.Error()}
		case !fi.Mode().IsRegular():
			return &CorruptError{Dir: dir, File: name, Problem: "not a regular file"}
		case fi.Size() != want.Size:
			return &CorruptError{Dir: dir, File: name, Problem: fmt.Sprintf("size %d bytes, the manifest says %d (truncated or overwritten)", fi.Size(), want.Size)}
		}
		got, err := sumFile(ctx, p)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return &CorruptError{Dir: dir, File: name, Problem: err.Error()}
		}
		if got.SHA256 != want.SHA256 {
			return &CorruptError{Dir: dir, File: name, Problem: "checksum mismatch"}
		}
	}
	// A file the manifest does not list (a segment copied in) could be
	// read by Bleve: refuse it too.
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			return &CorruptError{Dir: dir, File: rel, Problem: err.Error()}
		}
		if d.IsDir() || rel == manifestFile {
			return nil
		}
		if _, ok := m.Contents[rel]; !ok {
			return &CorruptError{Dir: dir, File: rel, Problem: "not listed in the manifest"}
		}
		return nil
	})
}
