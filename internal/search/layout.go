package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// On-disk layout of an index folder PATH:
//
//	PATH/current            symlink to gen-N (relative), swapped atomically
//	PATH/gen-N/bleve/       the Bleve (scorch) index of generation N
//	PATH/gen-N/manifest.json
//	PATH/gen-N.tmp/         a build in progress (removed by the next build):
//	                        work/ is the index being built, bleve/ its
//	                        clean copy made at commit
//	PATH/current.tmp        a symlink about to replace current
//	PATH/lock               held (flock) by the one running build
//
// A generation folder is complete before current points to it, so a reader
// that resolves current always finds a closed index and its manifest.
const (
	currentLink  = "current"
	tmpSuffix    = ".tmp"
	genPrefix    = "gen-"
	lockFile     = "lock"
	bleveDir     = "bleve"
	workDir      = "work" // gen-N.tmp/work: the index while it is built
	manifestFile = "manifest.json"
	holdsFile    = "inputs.json" // gen-N/inputs.json: paragraph IDs of each input (SetHolds)
)

// FileEntry is what the manifest records of one source file.
type FileEntry struct {
	Hash       string `json:"hash"` // SHA-256 of the file's bytes, hex
	Paragraphs int    `json:"paragraphs"`
}

// Manifest describes one generation: the schema it was written with, when,
// and from which files.
type Manifest struct {
	Schema     int                  `json:"schema"`
	Generation int                  `json:"generation"`
	BuiltAt    time.Time            `json:"built_at"`
	Files      map[string]FileEntry `json:"files"`
	Paragraphs int                  `json:"paragraphs"`
	// Contents lists every file of the generation's Bleve folder (paths
	// relative to the generation folder, slash-separated) with its size
	// and SHA-256; Open verifies them before serving.
	Contents map[string]FileSum `json:"contents"`
	// Checksum is the SHA-256 of the manifest itself, written with this
	// field empty: a damaged manifest is told from a damaged index.
	Checksum string `json:"checksum"`
}

// manifestChecksum is the SHA-256 of m's JSON with Checksum empty.
func manifestChecksum(m Manifest) (string, error) {
	m.Checksum = ""
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func genName(n int) string { return genPrefix + strconv.Itoa(n) }

// parseGen recognises gen-N and gen-N.tmp.
func parseGen(name string) (n int, tmp bool, ok bool) {
	rest, found := strings.CutPrefix(name, genPrefix)
	if !found {
		return 0, false, false
	}
	rest, tmp = strings.CutSuffix(rest, tmpSuffix)
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 || strconv.Itoa(n) != rest {
		return 0, false, false
	}
	return n, tmp, true
}

// Current returns the generation PATH/current points to, reading only the
// symlink: cheap enough to poll. It fails if there is no current
// generation.
func Current(path string) (int, error) {
	target, err := os.Readlink(filepath.Join(path, currentLink))
	if err != nil {
		return 0, fmt.Errorf("index %s: no current generation: %w", path, err)
	}
	// Only a generation of this folder: a link to ../other/gen-1 would
	// otherwise serve this folder's gen-1 under another's name.
	n, tmp, ok := parseGen(target)
	if !ok || tmp {
		return 0, fmt.Errorf("index %s: current points to %q, not a generation", path, target)
	}
	return n, nil
}

// checkLayout makes sure path is an index folder this package may write
// to: missing (it is created), empty, or holding only the names above.
// Anything else, such as an index of an older program or a folder of
// documents, is refused: a build must never delete what it did not write.
func checkLayout(path string) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("create index folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("index folder: %w", err)
	case !info.IsDir():
		return fmt.Errorf("index path %s exists and is not a folder; choose another -index path", path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("index folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == currentLink || name == currentLink+tmpSuffix || name == lockFile {
			continue
		}
		if _, _, ok := parseGen(name); ok && e.IsDir() {
			continue
		}
		return fmt.Errorf("index path %s is not an index folder of this program (it holds %q); refusing to touch it: remove it or choose another -index path", path, name)
	}
	return nil
}

// generations lists the complete generation folders under path, ascending.
func generations(path string) ([]int, error) {
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var gens []int
	for _, e := range entries {
		if n, tmp, ok := parseGen(e.Name()); ok && !tmp && e.IsDir() {
			gens = append(gens, n)
		}
	}
	sort.Ints(gens)
	return gens, nil
}

// removeLeftovers deletes what an interrupted build left behind: gen-N.tmp
// folders and a current.tmp link.
func removeLeftovers(path string) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, tmp, ok := parseGen(e.Name()); (ok && tmp) || e.Name() == currentLink+tmpSuffix {
			if err := os.RemoveAll(filepath.Join(path, e.Name())); err != nil {
				return fmt.Errorf("remove leftover of an interrupted build: %w", err)
			}
		}
	}
	return nil
}

// pruneGenerations removes every generation folder except keep.
func pruneGenerations(path string, keep ...int) error {
	gens, err := generations(path)
	if err != nil {
		return err
	}
	var errs []error
	for _, g := range gens {
		kept := false
		for _, k := range keep {
			kept = kept || g == k
		}
		if !kept {
			errs = append(errs, os.RemoveAll(filepath.Join(path, genName(g))))
		}
	}
	return errors.Join(errs...)
}

// readManifest reads dir/manifest.json.
func readManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, &CorruptError{Dir: dir, File: manifestFile, Problem: "missing"}
	}
	if err != nil {
		return m, &CorruptError{Dir: dir, File: manifestFile, Problem: err.Error()}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, &CorruptError{Dir: dir, File: manifestFile, Problem: "not a valid manifest: " + err.Error()}
	}
	if m.Checksum != "" {
		if sum, err := manifestChecksum(m); err != nil || sum != m.Checksum {
			return m, &CorruptError{Dir: dir, File: manifestFile, Problem: "checksum mismatch"}
		}
	}
	return m, nil
}

// writeManifest writes dir/manifest.json and syncs it.
func writeManifest(dir string, m Manifest) error {
	sum, err := manifestChecksum(m)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	m.Checksum = sum
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, manifestFile))
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	return f.Close()
}

// syncTree fsyncs every file and folder below dir (and dir itself), so
// that a rename that publishes dir cannot survive a crash its contents do
// not.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		return syncPath(p)
	})
}

// syncPath fsyncs one file or folder.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", p, err)
	}
	return f.Close()
}

// swapCurrent points path/current at generation gen atomically: a new
// symlink is made under a temporary name and renamed over the old one.
func swapCurrent(path string, gen int) error {
	tmp := filepath.Join(path, currentLink+tmpSuffix)
	os.Remove(tmp)
	if err := os.Symlink(genName(gen), tmp); err != nil {
		return fmt.Errorf("swap current generation: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(path, currentLink)); err != nil {
		return fmt.Errorf("swap current generation: %w", err)
	}
	return syncPath(path)
}

// CurrentBytes returns the size on disk of the generation PATH/current
// points to.
func CurrentBytes(path string) (int64, error) {
	gen, err := Current(path)
	if err != nil {
		return 0, err
	}
	return dirSize(filepath.Join(path, genName(gen))), nil
}

// dirSize adds up the sizes of the regular files below dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// copyTree copies the Bleve index folder src to dst for an update. Scorch
// never rewrites a segment file (*.zap) once written, so those are
// hard-linked (copied if linking fails); everything else, the root.bolt
// that scorch updates in place above all, is copied.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("copy index: unexpected file %s", p)
		case strings.HasSuffix(p, ".zap") && os.Link(p, target) == nil:
			return nil
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// readHolds reads dir/inputs.json (nil if there is none).
func readHolds(dir string) (map[string][]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, holdsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", holdsFile, err)
	}
	var h map[string][]string
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, &CorruptError{Dir: dir, File: holdsFile, Problem: "not valid JSON: " + err.Error()}
	}
	return h, nil
}

// writeHolds writes dir/inputs.json (synced with the rest by syncTree).
func writeHolds(dir string, h map[string][]string) error {
	if h == nil {
		h = map[string][]string{}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("write %s: %w", holdsFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, holdsFile), b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", holdsFile, err)
	}
	return nil
}

// HasGeneration reports whether the index folder path holds a complete
// generation. It is false for a missing folder and for one holding only
// what an interrupted first build left (a lock, a gen-N.tmp), which a new
// build cleans up.
func HasGeneration(path string) bool {
	gens, err := generations(path)
	return err == nil && len(gens) > 0
}
