// Command mutants measures the mutation score of one Go package, or
// estimates it from a random sample of its mutants when a whole run costs
// too much (internal/search: about 850 mutants, a suite of about 40 s).
//
// It makes gremlins' mutants (github.com/go-gremlins/gremlins v0.6.0, the
// operators it enables by default: ARITHMETIC_BASE, CONDITIONALS_BOUNDARY,
// CONDITIONALS_NEGATION, INCREMENT_DECREMENT, INVERT_NEGATIVES, at the
// same positions) and judges each one as gremlins does, with two changes
// that make a mutant cost seconds instead of minutes:
//
//   - The mutated file is given to the compiler with go build's -overlay:
//     no copy of the tree, and the tree is never written to.
//   - Only the tests that execute the mutated position run. Which those are
//     comes from coverage: the package's test binary is built with -cover
//     and each top-level test is run alone with -test.coverprofile (cached
//     in -cover-cache for the same sources). A test that never reaches the
//     mutated code cannot see the mutant, so the verdict is the same as a
//     whole-suite run's. The fastest covering tests run first, with
//     -test.failfast.
//
// A mutant is KILLED when a covering test fails, TIMED OUT when the tests
// run past the timeout (go test's own timeout would fail them: caught),
// LIVED when they pass, NOT COVERED when no test reaches it and NOT VIABLE
// when it does not compile. The score (efficacy) is
// (killed + timed out) / (killed + timed out + lived), with its Wilson 95%
// interval: with -sample it estimates the package's score from a simple
// random sample of its covered mutants (docs/mutation.md).
//
//	go run ./bench/cmd/mutants -list ./query              # the mutants, no run
//	nice -n 19 go run ./bench/cmd/mutants ./query         # all of them
//	nice -n 19 go run ./bench/cmd/mutants -sample 200 -seed 1 -out search.jsonl ./internal/search
//	go run ./bench/cmd/mutants -mutants survivors.txt ./corpus   # re-run named mutants
//	go run ./bench/cmd/mutants -list -since bd6903b ./internal/search  # the code written since a commit
//
// -out appends one JSON line per judged mutant; with -resume the mutants
// already in it are not run again. Interrupt (^C) prints the summary so far.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

// env is how the command reaches the go tool and the package under test.
type env struct {
	pkg        string // as given: ./internal/search
	dir        string // its folder, absolute
	importPath string
	stderr     io.Writer
}

func (e *env) goCmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "go", args...)
}

// testCmd runs a test binary in the package's folder, as go test does, in
// its own process group so that a timeout kills whatever it started, with
// TMPDIR set to tmp (emptied by the caller: a killed test leaves its
// t.TempDir folders behind).
func (e *env) testCmd(ctx context.Context, tmp, bin string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, bin, args...)
	c.Dir = e.dir
	c.Env = append(os.Environ(), "TMPDIR="+tmp)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = 5 * time.Second
	return c
}

// result is the verdict on one mutant (a line of -out).
type result struct {
	Mutant  string  `json:"mutant"`
	Func    string  `json:"func,omitempty"`
	Status  string  `json:"status"`
	Killer  string  `json:"killer,omitempty"` // the first failing test
	Tests   int     `json:"tests"`            // covering tests
	Seconds float64 `json:"seconds"`
}

const (
	killed     = "KILLED"
	lived      = "LIVED"
	timedOut   = "TIMED OUT"
	notCovered = "NOT COVERED"
	notViable  = "NOT VIABLE"
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	list := fs.Bool("list", false, "list the mutants and their covering tests; run none")
	sample := fs.Int("sample", 0, "judge a random sample of this many covered, viable mutants (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the sample")
	files := fs.String("files", "", "comma-separated file names: mutate only these")
	exclude := fs.String("exclude", "", "regexp of file names not to mutate")
	since := fs.String("since", "", "git revision: mutate only the lines added or changed since it (the new code's stratum)")
	listed := fs.String("mutants", "", "file naming the mutants to judge (gremlins' or this command's output lines)")
	out := fs.String("out", "", "append one JSON line per judged mutant to this file")
	resume := fs.Bool("resume", false, "skip the mutants already in -out")
	cache := fs.String("cover-cache", "", "coverage map cache (JSON), reused while the package's sources are unchanged")
	factor := fs.Float64("timeout-factor", 10, "a test run may take this many times its time without the mutant ...")
	grace := fs.Duration("timeout-grace", 30*time.Second, "... plus this")
	workers := fs.Int("workers", 1, "mutants judged at once")
	tests := fs.String("tests", "", "judge every mutant with the tests this -test.run pattern selects, not with coverage (to check that a new test kills a mutant)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: mutants [flags] ./package")
	}
	e := &env{pkg: fs.Arg(0), stderr: stderr}
	pl, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}\n{{.ImportPath}}", e.pkg).Output()
	if err != nil {
		return fmt.Errorf("go list %s: %w", e.pkg, err)
	}
	parts := strings.Split(strings.TrimSpace(string(pl)), "\n")
	if len(parts) != 2 {
		return fmt.Errorf("go list %s: one package expected", e.pkg)
	}
	e.dir, e.importPath = parts[0], parts[1]

	only, err := fileFilter(*files, *exclude)
	if err != nil {
		return err
	}
	ms, err := enumerate(e.dir, only)
	if err != nil {
		return err
	}
	if *since != "" {
		if ms, err = changedSince(ctx, e.dir, *since, ms); err != nil {
			return err
		}
	}
	if *listed != "" {
		b, err := os.ReadFile(*listed)
		if err != nil {
			return err
		}
		ms = selectListed(ms, b)
	}
	work, err := os.MkdirTemp("", "mutants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var cm *coverMap
	if *tests != "" {
		cm = &coverMap{Every: true, Tests: []testCover{{Name: *tests, Pattern: *tests, Dur: time.Minute}}}
	} else if cm, err = loadOrMeasure(ctx, e, work, *cache); err != nil {
		return err
	}
	if *list {
		for _, m := range ms {
			cov := cm.covering(m)
			names := make([]string, len(cov))
			for i, t := range cov {
				names[i] = t.Name
			}
			fmt.Fprintf(stdout, "%s\t%s\t%d tests\t%s\n", m, m.Func, len(cov), strings.Join(names, ","))
		}
		return nil
	}

	done := map[string]bool{}
	if *out != "" && *resume {
		if b, err := os.ReadFile(*out); err == nil {
			for _, line := range bytes.Split(b, []byte("\n")) {
				var r result
				if json.Unmarshal(line, &r) == nil {
					done[r.Mutant] = true
				}
			}
		}
	}
	order := slices.Clone(ms)
	if *sample > 0 {
		r := rand.New(rand.NewPCG(*seed, 0x6d7574616e7473))
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	var outFile *os.File
	if *out != "" {
		if outFile, err = os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err != nil {
			return err
		}
		defer outFile.Close()
	}

	var (
		mu       sync.Mutex
		next     int
		decided  int // killed, lived or timed out
		counts   = map[string]int{}
		survived []string
	)
	total := len(order)
	if *sample > 0 {
		total = *sample
	}
	take := func() (mutant, []testCover, bool) {
		mu.Lock()
		defer mu.Unlock()
		for next < len(order) && ctx.Err() == nil {
			if *sample > 0 && decided >= *sample {
				return mutant{}, nil, false
			}
			m := order[next]
			next++
			if done[m.key()] {
				continue
			}
			cov := cm.covering(m)
			if len(cov) == 0 {
				if *sample > 0 {
					continue // the sample is of covered mutants
				}
				counts[notCovered]++
				fmt.Fprintf(stdout, "%-11s %s (%s)\n", notCovered, m, m.where())
				continue
			}
			return m, cov, true
		}
		return mutant{}, nil, false
	}
	var wg sync.WaitGroup
	for w := 0; w < max(1, *workers); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				m, cov, ok := take()
				if !ok {
					return
				}
				start := time.Now()
				status, killer, err := judge(ctx, e, filepath.Join(work, fmt.Sprint("w", w)), m, cov, *factor, *grace)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					fmt.Fprintf(stderr, "mutants: %s: %v\n", m, err)
					continue
				}
				r := result{Mutant: m.key(), Func: m.Func, Status: status, Killer: killer, Tests: len(cov), Seconds: time.Since(start).Seconds()}
				mu.Lock()
				counts[status]++
				if status != notViable {
					decided++
				}
				if status == lived {
					survived = append(survived, m.String()+" ("+m.where()+")")
				}
				fmt.Fprintf(stdout, "[%d/%d] %-11s %s (%s) %d tests %s %.0fs\n", decided, total, status, m, m.where(), len(cov), killer, r.Seconds)
				if outFile != nil {
					b, _ := json.Marshal(r)
					outFile.Write(append(b, '\n'))
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	summarize(stdout, counts, survived)
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "(interrupted)")
	}
	return nil
}

func fileFilter(files, exclude string) (func(string) bool, error) {
	var re *regexp.Regexp
	if exclude != "" {
		var err error
		if re, err = regexp.Compile(exclude); err != nil {
			return nil, fmt.Errorf("-exclude: %w", err)
		}
	}
	var keep map[string]bool
	if files != "" {
		keep = map[string]bool{}
		for _, f := range strings.Split(files, ",") {
			keep[strings.TrimSpace(f)] = true
		}
	}
	return func(base string) bool {
		return (keep == nil || keep[base]) && (re == nil || !re.MatchString(base))
	}, nil
}

// changedSince keeps the mutants on lines that git diff (against the
// working tree) reports added or changed since rev; a file that did not
// exist at rev is new in every line.
func changedSince(ctx context.Context, dir, rev string, ms []mutant) ([]mutant, error) {
	lines := map[string]map[int]bool{}
	var out []mutant
	for _, m := range ms {
		set, ok := lines[m.File]
		if !ok {
			c := exec.CommandContext(ctx, "git", "-C", dir, "diff", "--no-color", "--no-ext-diff", "-U0", rev, "--", m.File)
			var errb bytes.Buffer
			c.Stderr = &errb
			b, err := c.Output()
			if err != nil {
				return nil, fmt.Errorf("-since %s: git diff %s: %w: %s", rev, m.File, err, strings.TrimSpace(errb.String()))
			}
			if set, err = addedLines(b); err != nil {
				return nil, fmt.Errorf("-since %s: %s: %w", rev, m.File, err)
			}
			lines[m.File] = set
		}
		if set[m.Line] {
			out = append(out, m)
		}
	}
	return out, nil
}

var hunkHeader = regexp.MustCompile(`(?m)^@@ -\S+ \+(\d+)(?:,(\d+))? @@`)

// addedLines reads a unified diff of one file made with -U0: the new
// file's line numbers that its hunks add (a hunk "+12,3" adds 12 to 14,
// "+12" line 12 alone, "+12,0" none).
func addedLines(diff []byte) (map[int]bool, error) {
	set := map[int]bool{}
	for _, h := range hunkHeader.FindAllSubmatch(diff, -1) {
		start, err := strconv.Atoi(string(h[1]))
		if err != nil {
			return nil, err
		}
		n := 1
		if len(h[2]) > 0 {
			if n, err = strconv.Atoi(string(h[2])); err != nil {
				return nil, err
			}
		}
		for i := start; i < start+n; i++ {
			set[i] = true
		}
	}
	return set, nil
}

// judge compiles the mutant with an overlay and runs its covering tests,
// fastest first: those taking up to 10 s in all, then the rest.
func judge(ctx context.Context, e *env, dir string, m mutant, cov []testCover, factor float64, grace time.Duration) (status, killer string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	orig := filepath.Join(e.dir, m.File)
	src, err := os.ReadFile(orig)
	if err != nil {
		return "", "", err
	}
	mutated, err := apply(src, m)
	if err != nil {
		return "", "", err
	}
	mfile := filepath.Join(dir, m.File)
	if err := os.WriteFile(mfile, mutated, 0o644); err != nil {
		return "", "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {orig: mfile}})
	ofile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ofile, overlay, 0o644); err != nil {
		return "", "", err
	}
	bin := filepath.Join(dir, "mutant.test")
	os.Remove(bin)
	c := e.goCmd(ctx, "test", "-c", "-vet=off", "-overlay", ofile, "-o", bin, e.pkg)
	var buf bytes.Buffer
	c.Stdout, c.Stderr = &buf, &buf
	if err := c.Run(); err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return notViable, "", nil
	}
	cov = slices.Clone(cov)
	slices.SortStableFunc(cov, func(a, b testCover) int { return int(a.Dur - b.Dur) })
	var chunks [][]testCover
	var sum time.Duration
	cut := 0
	for i, t := range cov {
		sum += t.Dur
		if sum > 10*time.Second && i > 0 {
			break
		}
		cut = i + 1
	}
	chunks = append(chunks, cov[:cut])
	if cut < len(cov) {
		chunks = append(chunks, cov[cut:])
	}
	for _, ch := range chunks {
		var names []string
		var d time.Duration
		for _, t := range ch {
			names = append(names, "^"+regexp.QuoteMeta(t.Name)+"$")
			if t.Pattern != "" {
				names[len(names)-1] = t.Pattern
			}
			d += t.Dur
		}
		limit := time.Duration(float64(d)*factor) + grace
		tctx, cancel := context.WithTimeout(ctx, limit)
		tmp := filepath.Join(dir, "tmp")
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			cancel()
			return "", "", err
		}
		c := e.testCmd(tctx, tmp, bin, "-test.run", strings.Join(names, "|"), "-test.failfast", "-test.count=1")
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		runErr := c.Run()
		expired := tctx.Err() != nil
		cancel()
		os.RemoveAll(tmp)
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		if expired {
			return timedOut, "", nil
		}
		if runErr != nil {
			return killed, firstFailure(out.Bytes()), nil
		}
	}
	return lived, "", nil
}

var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

func firstFailure(out []byte) string {
	if m := failLine.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	if bytes.Contains(out, []byte("panic:")) {
		return "(panic)"
	}
	return "(exit status)"
}

// wilson is the Wilson score interval for k successes in n trials at 95%
// confidence.
func wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	centre := (p + z*z/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(0, centre-half), min(1, centre+half)
}

func summarize(w io.Writer, counts map[string]int, survived []string) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	k, l, t := counts[killed], counts[lived], counts[timedOut]
	fmt.Fprintf(bw, "\nkilled %d, lived %d, timed out %d, not covered %d, not viable %d\n", k, l, t, counts[notCovered], counts[notViable])
	if n := k + l + t; n > 0 {
		lo, hi := wilson(k+t, n)
		fmt.Fprintf(bw, "efficacy %.1f%% (%d/%d, timed out counted as killed), 95%% Wilson interval %.1f%%–%.1f%%\n",
			100*float64(k+t)/float64(n), k+t, n, 100*lo, 100*hi)
	}
	for _, s := range survived {
		fmt.Fprintln(bw, "LIVED", s)
	}
}
