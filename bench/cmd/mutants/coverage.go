package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A block is a counted block of a coverage profile.
type block struct {
	SL, SC, EL, EC int
}

func (b block) contains(line, col int) bool {
	if line < b.SL || line > b.EL {
		return false
	}
	if line == b.SL && col < b.SC {
		return false
	}
	return !(line == b.EL && col > b.EC)
}

// testCover is what one top-level test of the package runs: the blocks of
// each file it executes, and how long it took alone.
type testCover struct {
	Name   string
	Dur    time.Duration
	Failed bool               // fails without a mutant: never used to judge one
	Blocks map[string][]block // by file base name, executed blocks only
	// Pattern (-tests) is a -test.run pattern standing for the tests.
	Pattern string `json:",omitempty"`
}

// coverMap is the coverage of every test of a package, and every block the
// profile knows (executed or not).
type coverMap struct {
	Key   string // hash of the package's Go files, tests included
	Tests []testCover
	All   map[string][]block
	Every bool // -tests: every mutant is judged by all of Tests
}

// sourceKey hashes the package's Go files, so a cached map is used only
// for the tree it was made from.
func sourceKey(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(n), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parseProfile reads a Go coverage profile, keeping the blocks of the
// package's files (importPath/base) by base name: all of them, and those
// executed.
func parseProfile(r io.Reader, importPath string) (all, hit map[string][]block, err error) {
	all, hit = map[string][]block{}, map[string][]block{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode:") || line == "" {
			continue
		}
		// countynews/internal/search/table.go:46.12,48.3 2 1
		colon := strings.LastIndex(line, ".go:")
		if colon < 0 {
			return nil, nil, fmt.Errorf("coverage profile: bad line %q", line)
		}
		file := line[:colon+3]
		if filepath.Dir(file) != importPath {
			continue
		}
		var b block
		var stmts, count int
		if _, err := fmt.Sscanf(line[colon+4:], "%d.%d,%d.%d %d %d", &b.SL, &b.SC, &b.EL, &b.EC, &stmts, &count); err != nil {
			return nil, nil, fmt.Errorf("coverage profile: bad line %q: %w", line, err)
		}
		base := filepath.Base(file)
		all[base] = append(all[base], b)
		if count > 0 {
			hit[base] = append(hit[base], b)
		}
	}
	return all, hit, sc.Err()
}

// measureCoverage builds the package's test binary with coverage and runs
// each top-level test (and fuzz seed corpus, and example) alone to record
// the blocks it executes. Tests that fail are recorded as failed.
func measureCoverage(ctx context.Context, e *env, work string) (*coverMap, error) {
	bin := filepath.Join(work, "cover.test")
	if out, err := e.goCmd(ctx, "test", "-c", "-vet=off", "-cover", "-covermode=count", "-o", bin, e.pkg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build coverage binary: %w\n%s", err, out)
	}
	tmp := filepath.Join(work, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cmd := e.testCmd(ctx, tmp, bin, "-test.list", ".*")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list tests: %w", err)
	}
	var names []string
	for _, n := range strings.Fields(string(out)) {
		if strings.HasPrefix(n, "Test") || strings.HasPrefix(n, "Fuzz") || strings.HasPrefix(n, "Example") {
			names = append(names, n)
		}
	}
	cm := &coverMap{All: map[string][]block{}}
	seen := map[string]map[block]bool{}
	for i, name := range names {
		prof := filepath.Join(work, "cover-"+strconv.Itoa(i)+".out")
		start := time.Now()
		c := e.testCmd(ctx, tmp, bin, "-test.run", "^"+name+"$", "-test.count=1", "-test.timeout=20m", "-test.coverprofile="+prof)
		var buf bytes.Buffer
		c.Stdout, c.Stderr = &buf, &buf
		runErr := c.Run()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := clearDir(tmp); err != nil {
			return nil, err
		}
		tc := testCover{Name: name, Dur: time.Since(start), Failed: runErr != nil}
		f, err := os.Open(prof)
		if err != nil {
			return nil, fmt.Errorf("coverage of %s: %w\n%s", name, err, buf.Bytes())
		}
		all, hit, err := parseProfile(f, e.importPath)
		f.Close()
		if err != nil {
			return nil, err
		}
		tc.Blocks = hit
		for file, bs := range all {
			if seen[file] == nil {
				seen[file] = map[block]bool{}
			}
			for _, b := range bs {
				if !seen[file][b] {
					seen[file][b] = true
					cm.All[file] = append(cm.All[file], b)
				}
			}
		}
		if tc.Failed {
			fmt.Fprintf(e.stderr, "mutants: %s fails without a mutant; it judges none:\n%s\n", name, lastLines(buf.String(), 15))
		}
		fmt.Fprintf(e.stderr, "coverage %d/%d %s %s\n", i+1, len(names), name, tc.Dur.Round(time.Millisecond))
		cm.Tests = append(cm.Tests, tc)
	}
	return cm, nil
}

// loadOrMeasure reuses the cached coverage map when it was made from the
// same sources.
func loadOrMeasure(ctx context.Context, e *env, work, cache string) (*coverMap, error) {
	key, err := sourceKey(e.dir)
	if err != nil {
		return nil, err
	}
	if cache != "" {
		if b, err := os.ReadFile(cache); err == nil {
			var cm coverMap
			if json.Unmarshal(b, &cm) == nil && cm.Key == key {
				return &cm, nil
			}
		}
	}
	cm, err := measureCoverage(ctx, e, work)
	if err != nil {
		return nil, err
	}
	cm.Key = key
	if cache != "" {
		b, err := json.Marshal(cm)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cache, b, 0o644); err != nil {
			return nil, fmt.Errorf("write coverage cache: %w", err)
		}
	}
	return cm, nil
}

// covering returns the passing tests that execute the mutant's position.
// Go's profile has no block for some expressions (the cases of a tagless
// switch, say): a position outside every block is taken as run by the
// tests that run its function; one outside any function (a package-level
// initialiser) by every test.
func (cm *coverMap) covering(m mutant) []testCover {
	if cm.Every {
		return cm.Tests
	}
	inBlock := false
	for _, b := range cm.All[m.File] {
		if b.contains(m.Line, m.Col) {
			inBlock = true
			break
		}
	}
	var out []testCover
	for _, t := range cm.Tests {
		if t.Failed {
			continue
		}
		for _, b := range t.Blocks[m.File] {
			var hit bool
			switch {
			case inBlock:
				hit = b.contains(m.Line, m.Col)
			case m.Func != "":
				hit = b.SL >= m.FuncLines[0] && b.EL <= m.FuncLines[1]
			default:
				hit = true
			}
			if hit {
				out = append(out, t)
				break
			}
		}
		if m.Func == "" && !inBlock && len(t.Blocks[m.File]) == 0 {
			out = append(out, t) // package-level code runs for every test
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// clearDir empties a folder.
func clearDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}
