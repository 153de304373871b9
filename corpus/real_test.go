package corpus_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"countynews/corpus"
)

// countyLabel is one hand-read line of testdata/jining-counties.tsv.
type countyLabel struct {
	line            int
	id, county, why string
}

func readCountyLabels(t *testing.T) map[int]countyLabel {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "jining-counties.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]countyLabel{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fs := strings.SplitN(sc.Text(), "\t", 4)
		if len(fs) != 4 {
			t.Fatalf("bad label line %q", sc.Text())
		}
		n, err := strconv.Atoi(fs[0])
		if err != nil {
			t.Fatal(err)
		}
		c := fs[2]
		if c == "-" {
			c = ""
		}
		out[n] = countyLabel{n, fs[1], c, fs[3]}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readJining parses the real export under its own base name (so that the
// year in the file name applies), keyed by line.
func readJining(t *testing.T) map[int]corpus.Article {
	t.Helper()
	f, err := os.Open(jiningJSONL)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("real corpus missing under CI: %v", err)
		}
		t.Skipf("real corpus not beside the repo: %v", err)
	}
	defer f.Close()
	byLine := map[int]corpus.Article{}
	probs, err := newParser(t).ReadJSONL(context.Background(), filepath.Base(jiningJSONL), f, func(a corpus.Article) error {
		byLine[a.Source.Lines[0]] = a
		return nil
	})
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v problems %v", err, probs)
	}
	if len(byLine) != 248 {
		t.Fatalf("%d articles, want 248", len(byLine))
	}
	return byLine
}

// TestJiningCountiesMeasured compares the parser's county with the
// hand-read label of every one of the 248 real articles: precision and
// recall must both be at least 0.95.
func TestJiningCountiesMeasured(t *testing.T) {
	arts := readJining(t)
	labels := readCountyLabels(t)
	if len(labels) != len(arts) {
		t.Fatalf("%d labels for %d articles", len(labels), len(arts))
	}
	predicted, labelled, right := 0, 0, 0
	for line, lab := range labels {
		a := arts[line]
		if !strings.HasSuffix(lab.id, "") || a.ID == "" {
			t.Fatalf("line %d: no article", line)
		}
		got := a.County
		if got != "" {
			predicted++
		}
		if lab.county != "" {
			labelled++
		}
		if got != "" && got == lab.county {
			right++
		}
		if got != lab.county {
			t.Logf("line %d: county %q, label %q (%s)", line, got, lab.county, lab.why)
		}
	}
	precision := float64(right) / float64(predicted)
	recall := float64(right) / float64(labelled)
	t.Logf("counties: %d predicted, %d labelled, %d right: precision %.3f recall %.3f", predicted, labelled, right, precision, recall)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.3f recall %.3f, want both >= 0.95", precision, recall)
	}
}
