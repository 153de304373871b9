package lucene

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// benchSource is the Java program; Compile writes it into the work directory
// so the harness works from any current directory.
//
//go:embed Bench.java
var benchSource []byte

// ErrNotInstalled is wrapped by Compile's error when java, javac or a Lucene
// jar is missing; callers (tests) branch on it to skip.
var ErrNotInstalled = errors.New("java or lucene jars not installed (apt-get install default-jdk-headless liblucene8-java)")

// DefaultJarDir is where Debian's liblucene8-java puts its jars.
const DefaultJarDir = "/usr/share/java"

// DefaultJVMFlags suit the 2-core, 24 GB benchmark machines: a 4 GB heap is
// ample (the index is memory-mapped and lives in the page cache, outside the
// heap, so a bigger heap would only take memory from the OS cache); the
// parallel collector gives the best throughput on 2 cores, where G1's
// concurrent threads compete with the query threads; UTF-8 everywhere so
// Chinese error messages survive a C locale.
func DefaultJVMFlags() []string {
	return []string{
		"-Xms1g", "-Xmx4g",
		"-XX:+UseParallelGC",
		"-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8",
	}
}

// Harness runs the compiled Bench program.
type Harness struct {
	// Java is the java executable.
	Java string
	// Classpath holds the compiled classes and the Lucene jars.
	Classpath string
	// JVMFlags go before the class name; Compile sets DefaultJVMFlags.
	JVMFlags []string
}

// Compile finds java, javac and the Lucene jars in DefaultJarDir, and
// compiles Bench.java into workDir (created if needed). It skips javac when
// workDir already holds classes built from the same source and jars. The
// error wraps ErrNotInstalled when something is missing.
func Compile(ctx context.Context, workDir string) (*Harness, error) {
	return compile(ctx, workDir, DefaultJarDir)
}

func compile(ctx context.Context, workDir, jarDir string) (*Harness, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("compile lucene bench: java not on PATH: %w", ErrNotInstalled)
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		return nil, fmt.Errorf("compile lucene bench: javac not on PATH: %w", ErrNotInstalled)
	}
	jars, err := findJars(jarDir)
	if err != nil {
		return nil, fmt.Errorf("compile lucene bench: %w", err)
	}
	classDir := filepath.Join(workDir, "classes")
	if err := os.MkdirAll(classDir, 0o755); err != nil {
		return nil, fmt.Errorf("compile lucene bench: %w", err)
	}
	jarPath := strings.Join(jars, string(os.PathListSeparator))
	h := &Harness{
		Java:      java,
		Classpath: classDir + string(os.PathListSeparator) + jarPath,
		JVMFlags:  DefaultJVMFlags(),
	}

	sum := sha256.Sum256(append(append([]byte(nil), benchSource...), jarPath...))
	stamp := hex.EncodeToString(sum[:])
	stampFile := filepath.Join(classDir, "bench.sha256")
	if b, err := os.ReadFile(stampFile); err == nil && string(b) == stamp {
		if _, err := os.Stat(filepath.Join(classDir, "Bench.class")); err == nil {
			return h, nil
		}
	}
	src := filepath.Join(workDir, "Bench.java")
	if err := os.WriteFile(src, benchSource, 0o644); err != nil {
		return nil, fmt.Errorf("compile lucene bench: %w", err)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, javac, "-encoding", "UTF-8", "-nowarn", "-d", classDir, "-cp", jarPath, src)
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("compile lucene bench: javac: %w\n%s", err, tail(stderr.String(), 4000))
	}
	if err := os.WriteFile(stampFile, []byte(stamp), 0o644); err != nil {
		return nil, fmt.Errorf("compile lucene bench: %w", err)
	}
	return h, nil
}

// findJars returns the path of each required Lucene jar in dir: Debian ships
// them versioned (lucene-core-8.7.0.jar) and sometimes with an unversioned
// link (lucene-core.jar). Among several versions the last in lexical order
// wins.
func findJars(dir string) ([]string, error) {
	// The Lucene modules Bench.java needs: analyzers-common for CJKAnalyzer,
	// facet for SortedSetDocValuesFacetField and DrillSideways, highlighter
	// for UnifiedHighlighter, memory for the highlighter's re-analysis of the
	// unigram field, queries because the highlighter links against it,
	// queryparser for the classic QueryParser of typed questions.
	required := []string{"core", "analyzers-common", "facet", "highlighter", "memory", "queries", "queryparser"}
	var out, missing []string
	for _, name := range required {
		p := filepath.Join(dir, "lucene-"+name+".jar")
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
			continue
		}
		// lucene-core-8*.jar must not match lucene-core-extra-...: the glob
		// requires a digit right after the module name.
		m, _ := filepath.Glob(filepath.Join(dir, "lucene-"+name+"-[0-9]*.jar"))
		if len(m) == 0 {
			missing = append(missing, "lucene-"+name)
			continue
		}
		sort.Strings(m)
		out = append(out, m[len(m)-1])
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no %s jar in %s: %w", strings.Join(missing, ", "), dir, ErrNotInstalled)
	}
	return out, nil
}

// tail returns the last n bytes of s, cut at a line start.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "…" + s
}
