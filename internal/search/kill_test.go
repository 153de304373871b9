package search

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"countynews/corpus"
)

// killChildEnv names the index folder a child process builds into.
const killChildEnv = "COUNTYNEWS_SEARCH_KILL_CHILD"

// TestKillChild is the child of TestKilledBuild: it builds a large-ish
// index into the folder named by the environment, saying on stdout when
// it starts adding and when it commits. Run on its own, it does nothing.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("child of TestKilledBuild only")
	}
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: os.Getenv(killChildEnv+"_UPDATE") != "", BatchSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("adding")
	for i, p := range manyParagraphs(t, 3000) {
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			b.SetFile(p.Source.File, "hash", 1000)
		}
	}
	fmt.Println("committing")
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Println("committed")
}

// manyParagraphs repeats the real paragraphs under new IDs and files up to
// n paragraphs.
func manyParagraphs(t testing.TB, n int) []corpus.Paragraph {
	base := realParagraphs(t)
	out := make([]corpus.Paragraph, 0, n)
	for i := range n {
		p := base[i%len(base)]
		p.ID = fmt.Sprintf("%s-r%d", p.ID, i/len(base))
		p.Source.File = fmt.Sprintf("file-%d.jsonl", i/1000)
		out = append(out, p)
	}
	return out
}

// TestKilledBuild re-executes the test binary as a child that builds into
// an index folder and SIGKILLs it at random moments: while it adds
// paragraphs, and just as it commits (fsync, rename, swap, clean-up).
// After every kill the folder must still open and answer, on the previous
// generation or, if the kill came after the swap, on the complete new one;
// the next build must clear the leftovers.
func TestKilledBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in the child")
	}
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, []corpus.Paragraph{para("x1", "f.txt", "梁山县红色物业"), para("x2", "f.txt", "金乡县大蒜")})
	rng := rand.New(rand.NewPCG(5, 6))
	kills := map[string]int{}
	for i := range 6 {
		phase := "adding"
		if i%2 == 1 {
			phase = "committing"
		}
		before, err := Current(dir)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		if i%3 == 2 {
			cmd.Env = append(cmd.Env, killChildEnv+"_UPDATE=1")
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		reached := false
		for lines.Scan() {
			if strings.TrimSpace(lines.Text()) == phase {
				reached = true
				break
			}
		}
		if !reached {
			cmd.Wait()
			t.Fatalf("child never reached %q", phase)
		}
		delay := time.Duration(rng.IntN(800)) * time.Millisecond
		if phase == "committing" {
			delay = time.Duration(rng.IntN(40)) * time.Millisecond
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		go func() {
			for lines.Scan() { // drain
			}
		}()
		err = cmd.Wait()
		killed := err != nil && strings.Contains(err.Error(), "killed")
		kills[fmt.Sprintf("%s killed=%v", phase, killed)]++

		after, err := Current(dir)
		if err != nil {
			t.Fatalf("kill %d (%s +%v): no current generation: %v", i, phase, delay, err)
		}
		if after != before && killed && phase == "adding" {
			t.Errorf("kill %d while adding: current moved from %d to %d", i, before, after)
		}
		ix, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("kill %d (%s +%v): the index no longer opens: %v", i, phase, delay, err)
		}
		m := ix.Manifest()
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, "县"), Size: 1})
		if err != nil {
			t.Fatalf("kill %d: search: %v", i, err)
		}
		if ix.DocCount() != m.Paragraphs || res.Total == 0 {
			t.Errorf("kill %d (%s +%v): generation %d holds %d documents, manifest says %d, 县 finds %d",
				i, phase, delay, ix.Generation(), ix.DocCount(), m.Paragraphs, res.Total)
		}
		ix.Close()
	}
	t.Logf("kills: %v", kills)

	b, err := NewBuilder(context.Background(), dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range folder(t, dir) {
		if strings.HasSuffix(name, ".tmp") && name != fmt.Sprintf("gen-%d.tmp", b.gen) {
			t.Errorf("leftover %s survived the next build's start", name)
		}
	}
	if _, err := b.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	gens, _ := generations(dir)
	if len(gens) > 2 {
		t.Errorf("after a complete build %d generations remain: %v", len(gens), gens)
	}
}
