package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const sample = `package p

var k = 3 - 1

func f(a, b int, s, t string) (int, bool) {
	x := -a
	for i := 0; i < b; i++ {
		x = x + a%b
	}
	return x * b, s == t
}
`

func TestFileMutants(t *testing.T) {
	ms, err := fileMutants("p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.String()+" "+m.Func)
	}
	want := []string{
		"p.go:3:11 ARITHMETIC_BASE -→+ ",
		"p.go:6:7 INVERT_NEGATIVES -→+ f",
		"p.go:7:16 CONDITIONALS_BOUNDARY <→<= f",
		"p.go:7:16 CONDITIONALS_NEGATION <→>= f",
		"p.go:7:22 INCREMENT_DECREMENT ++→-- f",
		"p.go:8:9 ARITHMETIC_BASE +→- f",
		"p.go:8:12 ARITHMETIC_BASE %→* f",
		"p.go:10:11 ARITHMETIC_BASE *→/ f",
		"p.go:10:18 CONDITIONALS_NEGATION ==→!= f",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mutants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range ms {
		if m.Func == "f" && m.FuncLines != [2]int{5, 11} {
			t.Errorf("%s: function lines %v, want [5 11]", m, m.FuncLines)
		}
	}
}

func TestApply(t *testing.T) {
	ms, err := fileMutants("p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	out, err := apply([]byte(sample), ms[3]) // < → >=
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(sample, "i < b", "i >= b", 1); string(out) != want {
		t.Errorf("applied:\n%s", out)
	}
	if _, err := apply([]byte(strings.Replace(sample, "i < b", "i ! b", 1)), ms[3]); err == nil {
		t.Error("a changed file: no error")
	}
}

func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		{50, 100, 0.4038, 0.5962},
		{170, 200, 0.7939, 0.8929},
	} {
		lo, hi := wilson(c.k, c.n)
		if math.Abs(lo-c.lo) > 5e-4 || math.Abs(hi-c.hi) > 5e-4 {
			t.Errorf("wilson(%d, %d) = %.4f, %.4f; want %.4f, %.4f", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
}

func TestParseProfile(t *testing.T) {
	prof := `mode: count
m/p/p.go:5.40,7.26 2 1
m/p/p.go:7.26,9.3 1 0
m/p/sub/q.go:1.1,2.2 1 4
m/other/p.go:1.1,2.2 1 4
`
	all, hit, err := parseProfile(strings.NewReader(prof), "m/p")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(all["p.go"]) != 2 || len(hit["p.go"]) != 1 || hit["p.go"][0] != (block{5, 40, 7, 26}) {
		t.Errorf("all %v, hit %v", all, hit)
	}
	if _, _, err := parseProfile(strings.NewReader("m/p/p.go 1 2\n"), "m/p"); err == nil {
		t.Error("a bad line: no error")
	}
}

func TestCovering(t *testing.T) {
	cm := &coverMap{
		All: map[string][]block{"p.go": {{5, 40, 7, 26}, {7, 26, 9, 3}}},
		Tests: []testCover{
			{Name: "TestA", Blocks: map[string][]block{"p.go": {{5, 40, 7, 26}}}},
			{Name: "TestB", Blocks: map[string][]block{"p.go": {{5, 40, 7, 26}, {7, 26, 9, 3}}}},
			{Name: "TestBroken", Failed: true, Blocks: map[string][]block{"p.go": {{5, 40, 7, 26}, {7, 26, 9, 3}}}},
			{Name: "TestNone", Blocks: map[string][]block{}},
		},
	}
	names := func(ts []testCover) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.Name)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		name string
		m    mutant
		want string
	}{
		{"in a block both run", mutant{File: "p.go", Line: 6, Col: 3, Func: "f", FuncLines: [2]int{5, 11}}, "TestA,TestB"},
		{"in a block one runs", mutant{File: "p.go", Line: 8, Col: 1, Func: "f", FuncLines: [2]int{5, 11}}, "TestB"},
		{"outside the blocks: the function's tests", mutant{File: "p.go", Line: 10, Col: 1, Func: "f", FuncLines: [2]int{5, 11}}, "TestA,TestB"},
		{"package level: every test", mutant{File: "p.go", Line: 3, Col: 11}, "TestA,TestB,TestNone"},
		{"a function no test runs", mutant{File: "p.go", Line: 20, Col: 1, Func: "g", FuncLines: [2]int{18, 22}}, ""},
	} {
		if got := names(cm.covering(c.m)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSelectListed(t *testing.T) {
	ms, err := fileMutants("p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	list := "      LIVED CONDITIONALS_NEGATION at internal/p/p.go:7:16\n" +
		"[3/9] LIVED       p.go:8:9 ARITHMETIC_BASE +→- (f) 2 tests  3s\n" +
		"p.go:10:18\n"
	var got []string
	for _, m := range selectListed(ms, []byte(list)) {
		got = append(got, m.String())
	}
	want := "p.go:7:16 CONDITIONALS_NEGATION <→>=|p.go:8:9 ARITHMETIC_BASE +→-|p.go:10:18 CONDITIONALS_NEGATION ==→!="
	if strings.Join(got, "|") != want {
		t.Errorf("selected %q, want %q", strings.Join(got, "|"), want)
	}
}

// TestRun judges the mutants of a small module end to end: the tests see
// the negated comparison and the wrong sum, not the boundary (a > b and
// a >= b give the same maximum), and never reach g.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds test binaries")
	}
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module m\n\ngo 1.22\n")
	write("m.go", "package m\n\nfunc Max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n\nfunc Sum(a, b int) int { return a + b }\n\nfunc g(a int) bool { return a == 1 }\n")
	write("m_test.go", "package m\n\nimport \"testing\"\n\nfunc TestMax(t *testing.T) {\n\tif Max(2, 1) != 2 || Max(1, 2) != 2 || Max(2, 2) != 2 {\n\t\tt.Fatal(\"max\")\n\t}\n}\n\nfunc TestSum(t *testing.T) {\n\tif Sum(2, 3) != 5 {\n\t\tt.Fatal(\"sum\")\n\t}\n}\n")
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	results := filepath.Join(dir, "results.jsonl")
	if err := run(context.Background(), []string{"-out", results, "."}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{
		`KILLED\s+m.go:4:7 CONDITIONALS_NEGATION >→<= \(Max\) 1 tests TestMax`,
		`LIVED\s+m.go:4:7 CONDITIONALS_BOUNDARY >→>= \(Max\)`,
		`KILLED\s+m.go:10:35 ARITHMETIC_BASE \+→- \(Sum\) 1 tests TestSum`,
		`NOT COVERED m.go:12:31 CONDITIONALS_NEGATION ==→!= \(g\)`,
		`killed 2, lived 1, timed out 0, not covered 1, not viable 0`,
		`efficacy 66.7% \(2/3, timed out counted as killed\), 95% Wilson interval 20.8%–93.9%`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	b, err := os.ReadFile(results)
	if err != nil || bytes.Count(b, []byte("\n")) != 3 {
		t.Errorf("results file: %v\n%s", err, b)
	}
	// -resume judges nothing again.
	out.Reset()
	if err := run(context.Background(), []string{"-out", results, "-resume", "."}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "killed 0, lived 0, timed out 0, not covered 1") {
		t.Errorf("resumed run:\n%s", out.String())
	}
}

func TestFileFilter(t *testing.T) {
	for _, c := range []struct {
		name, files, exclude string
		keep, drop           []string
	}{
		{"none", "", "", []string{"a.go", "b.go"}, nil},
		{"files", "a.go, c.go", "", []string{"a.go", "c.go"}, []string{"b.go", "aa.go"}},
		{"exclude", "", `^b`, []string{"a.go"}, []string{"b.go", "bm25.go"}},
		{"both", "a.go,b.go", `^b`, []string{"a.go"}, []string{"b.go", "c.go"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			keep, err := fileFilter(c.files, c.exclude)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range c.keep {
				if !keep(f) {
					t.Errorf("%s dropped", f)
				}
			}
			for _, f := range c.drop {
				if keep(f) {
					t.Errorf("%s kept", f)
				}
			}
		})
	}
	if _, err := fileFilter("", "("); err == nil || !strings.Contains(err.Error(), "-exclude") {
		t.Errorf("bad -exclude: %v", err)
	}
}

func TestAddedLines(t *testing.T) {
	diff := "diff --git a/p.go b/p.go\n--- a/p.go\n+++ b/p.go\n" +
		"@@ -3 +3 @@ func f() {\n-\tx := 1\n+\tx := 2\n" +
		"@@ -7,0 +8,2 @@\n+\ty := 3\n+\tz := 4\n" +
		"@@ -20,2 +22,0 @@\n-\ta\n-\tb\n" +
		"@@ -0,0 +30,3 @@\n+a\n+b\n+c\n"
	got, err := addedLines([]byte(diff))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{3, 8, 9, 30, 31, 32}
	var lines []int
	for l := range got {
		lines = append(lines, l)
	}
	slices.Sort(lines)
	if !slices.Equal(lines, want) {
		t.Errorf("added lines %v, want %v", lines, want)
	}
}

// TestSince lists the mutants of a git repository's package changed since
// its first commit: the new line and the new file, not the old line.
func TestSince(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		c := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	write("go.mod", "module m\n\ngo 1.22\n")
	write("m.go", "package m\n\nfunc A(a int) bool { return a > 1 }\n\nfunc B(a int) bool { return a < 1 }\n")
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "one")
	write("m.go", "package m\n\nfunc A(a int) bool { return a > 1 }\n\nfunc B(a int) bool { return a <= 2 }\n")
	write("n.go", "package m\n\nfunc C(a int) int { return a + 1 }\n")
	git("add", "n.go")
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-list", "-since", "HEAD", "-tests", "X", "."}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		got = append(got, strings.Split(line, "\t")[0])
	}
	want := []string{
		"m.go:5:31 CONDITIONALS_BOUNDARY <=→<",
		"m.go:5:31 CONDITIONALS_NEGATION <=→>",
		"n.go:3:30 ARITHMETIC_BASE +→-",
	}
	if !slices.Equal(got, want) {
		t.Errorf("mutants since HEAD:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := run(context.Background(), []string{"-list", "-since", "nosuchrev", "-tests", "X", "."}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "-since nosuchrev") {
		t.Errorf("unknown revision: %v", err)
	}
}
