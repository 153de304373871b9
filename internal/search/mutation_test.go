package search

// Tests written to kill mutants that lived (docs/mutation.md, run with
// bench/cmd/mutants): each names the mutant it kills.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"countynews/corpus"
)

// TestCheckSpace: a build refuses to go on when its disk is all but full,
// and goes on otherwise. /proc reports no free space at all, which stands
// in for a full disk. Kills disk.go checkSpace's err == nil → !=.
func TestCheckSpace(t *testing.T) {
	if free, err := FreeBytes("/proc"); err != nil || free >= lowSpace {
		t.Skipf("no /proc with no free space here (%d, %v)", free, err)
	}
	err := (&Builder{path: "/proc"}).checkSpace()
	var de *DiskFullError
	if !errors.As(err, &de) || de.Path != "/proc" || !errors.Is(err, ErrNoSpace) {
		t.Errorf("checkSpace on a full disk: %v, want a *DiskFullError for /proc", err)
	}
	if err := (&Builder{path: t.TempDir()}).checkSpace(); err != nil {
		t.Errorf("checkSpace with room: %v", err)
	}
	if err := (&Builder{path: "/no/such/folder"}).checkSpace(); err != nil {
		t.Errorf("checkSpace where free space is unknown: %v, want nil (the build's own error tells)", err)
	}
}

// TestDiskError: which build errors are reported as a full disk.
func TestDiskError(t *testing.T) {
	other := errors.New("bad mapping")
	full := &DiskFullError{Path: "/x", Err: other}
	for _, c := range []struct {
		name     string
		path     string
		err      error
		wantFull bool
		same     bool // the error comes back as it is
	}{
		{"nil", t.TempDir(), nil, false, true},
		{"already one", "/proc", full, true, true},
		{"ENOSPC wrapped", t.TempDir(), fmt.Errorf("write: %w", syscall.ENOSPC), true, false},
		{"EDQUOT", t.TempDir(), syscall.EDQUOT, true, false},
		{"another error with room", t.TempDir(), other, false, true},
		{"another error on a full disk", "/proc", other, true, false},
	} {
		if c.path == "/proc" {
			if free, err := FreeBytes("/proc"); err != nil || free >= lowSpace {
				continue
			}
		}
		got := diskError(c.path, c.err)
		var de *DiskFullError
		if isFull := errors.As(got, &de); isFull != c.wantFull {
			t.Errorf("%s: %v, full %v; want full %v", c.name, got, isFull, c.wantFull)
		}
		if c.same && got != c.err {
			t.Errorf("%s: %v, want the error itself", c.name, got)
		}
		if c.err != nil && !errors.Is(got, c.err) {
			t.Errorf("%s: %v does not wrap %v", c.name, got, c.err)
		}
	}
}

// TestHighlightPointNextToLetters: a point or comma joins a word only when
// digits stand on both sides of it (4.5, 1,000): "GDP.5" and "5.GDP" hold
// the word GDP whole, "第4.章" the number 4. Kills highlight.go joined's
// k-dir → k+dir and k+dir → k-dir.
func TestHighlightPointNextToLetters(t *testing.T) {
	for _, c := range []struct{ text, term, want string }{
		{"GDP.5增长", "gdp", "<mark>GDP</mark>.5增长"},
		{"增长5.GDP", "gdp", "增长5.<mark>GDP</mark>"},
		{"增长4.5%", "4", "增长4.5%"},
		{"共1,000人", "1", "共1,000人"},
		{"GDP,增长", "gdp", "<mark>GDP</mark>,增长"},
		{"第4.章", "4", "第<mark>4</mark>.章"},
		{"章.4", "4", "章.<mark>4</mark>"},
	} {
		if got := highlight(c.text, []string{c.term}, 120); got != c.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", c.text, c.term, got, c.want)
		}
	}
}

// TestBestWindowTie: of windows equal in terms, marks, sentence start and
// the mark's offset, the earliest is shown. Kills highlight.go
// bestWindow's sc.offset < best.offset → <=.
func TestBestWindowTie(t *testing.T) {
	pad := strings.Repeat("好", 60)
	// Both occurrences sit two characters (width/10) into a sentence.
	text := "甲乙红色" + pad + "。丙丁红色" + pad
	rs := []rune(text)
	spans := findSpans(foldRunes(text), []string{"红色"})
	if len(spans) != 2 {
		t.Fatalf("spans %v, want 2", spans)
	}
	st, end := bestWindow(rs, spans, 20)
	if st != 0 || end != 20 {
		t.Errorf("bestWindow = %d, %d; want 0, 20 (the first of two equal windows)", st, end)
	}
}

// TestVocabHasCachedAbsent: a bigram whose document frequency was looked
// up and found 0 is not in the dictionary. Kills didyoumean.go vocab.has's
// df > 0 → >=.
func TestVocabHasCachedAbsent(t *testing.T) {
	v := &vocab{df: map[string]uint64{"红色": 0, "物业": 3}}
	for bigram, want := range map[string]bool{"红色": false, "物业": true} {
		got, err := v.has(bigram)
		if err != nil || got != want {
			t.Errorf("has(%q) = %v, %v; want %v", bigram, got, err, want)
		}
	}
}

// memVocab is a vocab over a dictionary held in memory: every bigram of
// the alphabet's characters has its document frequency in df (0 when
// absent), and the neighbour lists follow from it, so that no lookup
// reaches an index.
func memVocab(alphabet string, df map[string]uint64) *vocab {
	v := &vocab{ctx: context.Background(), budget: suggestBudget, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	rs := []rune(alphabet)
	for _, a := range rs {
		v.after[a], v.before[a] = []rune{}, []rune{}
	}
	for _, a := range rs {
		for _, b := range rs {
			bg := string([]rune{a, b})
			v.df[bg] = df[bg]
			if df[bg] > 0 {
				v.after[a] = append(v.after[a], b)
				v.before[b] = append(v.before[b], a)
			}
		}
	}
	return v
}

// TestEditsMade: an edit's made frequency is the least of the bigrams the
// edit creates (for a substitution at i those starting at i-1 and i, for a
// character dropped at i the one at i-1), and its score when it creates
// none (a character dropped at an edge). 物业 is the rarest bigram, so
// made and score differ. Kills didyoumean.go vocab.edits's i-1 → i+1 (a
// substitution's and a drop's) and m == 0 → != 0.
func TestEditsMade(t *testing.T) {
	df := map[string]uint64{"红色": 5, "色物": 50, "物业": 2}
	for _, tc := range []struct {
		name, typo  string
		kind        editKind
		score, made uint64
	}{
		{"substituted", "红包物业", substituted, 2, 5},
		{"dropped inside", "红色包物业", dropped, 2, 50},
		{"dropped at the start", "包红色物业", dropped, 2, 2},
	} {
		v := memVocab("红色包物业", df)
		edits, err := v.edits([]rune(tc.typo))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range edits {
			if e.text == "红色物业" && e.kind == tc.kind {
				found = true
				if e.score != tc.score || e.made != tc.made {
					t.Errorf("%s: %s → 红色物业 scored %d, made %d; want %d, %d", tc.name, tc.typo, e.score, e.made, tc.score, tc.made)
				}
			}
		}
		if !found {
			t.Errorf("%s: edits of %s lack 红色物业 (kind %d): %+v", tc.name, tc.typo, tc.kind, edits)
		}
	}
}

// TestWholeFound: a split of a term is dropped only when a correction of
// the whole term (of the same clause and term) has hits. Kills
// didyoumean.go wholeFound's d.total > 0 → <= 0.
func TestWholeFound(t *testing.T) {
	c := candidate{clause: 1, term: 2, kind: split}
	for _, tc := range []struct {
		name string
		d    candidate
		want bool
	}{
		{"whole with hits", candidate{clause: 1, term: 2, kind: substituted, total: 3}, true},
		{"whole without hits", candidate{clause: 1, term: 2, kind: substituted, total: 0}, false},
		{"another split", candidate{clause: 1, term: 2, kind: split, total: 3}, false},
		{"another term", candidate{clause: 1, term: 1, kind: substituted, total: 3}, false},
		{"another clause", candidate{clause: 0, term: 2, kind: substituted, total: 3}, false},
	} {
		if got := wholeFound([]candidate{c, tc.d}, c); got != tc.want {
			t.Errorf("%s: wholeFound = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestNeighboursKeepFrequencies: the prefix scan that lists a character's
// followers also records each bigram's document frequency, so that scoring
// a candidate costs no second lookup (and no budget). Kills didyoumean.go
// vocab.neighbours's e.Count > 0 → <= 0.
func TestNeighboursKeepFrequencies(t *testing.T) {
	ix := build(t, []corpus.Paragraph{
		para("p1", "f.txt", "红色物业进社区"), para("p2", "f.txt", "红色物业"), para("p3", "f.txt", "红旗飘扬"),
	})
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	v := &vocab{ctx: context.Background(), rd: rd, budget: suggestBudget, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	cs, err := v.neighbours('红', true)
	if err != nil {
		t.Fatal(err)
	}
	if string(cs) != "色旗" && string(cs) != "旗色" {
		t.Fatalf("followers of 红: %q, want 色 and 旗", string(cs))
	}
	if v.df["红色"] != 2 || v.df["红旗"] != 1 {
		t.Errorf("frequencies kept: 红色 %d, 红旗 %d; want 2 and 1", v.df["红色"], v.df["红旗"])
	}
	budget := v.budget
	if df, err := v.freq("红色"); err != nil || df != 2 || v.budget != budget {
		t.Errorf("freq(红色) = %d, %v, budget %d → %d; want 2 from the scan, no lookup", df, err, budget, v.budget)
	}
}

// TestSignificantWordsOrder: a paragraph's significant words come heaviest
// first (tf × idf), so that the cut to similarWords keeps the heaviest.
// Kills similar.go significantWords's weight > → <=.
func TestSignificantWordsOrder(t *testing.T) {
	base := defaultParagraphs(t)[0]
	var ps []corpus.Paragraph
	for i := range 20 {
		p := base
		p.ID, p.ArticleID, p.Position = fmt.Sprintf("w%02d-00", i), fmt.Sprintf("w%02d", i), 0
		switch {
		case i == 0:
			p.Text = "合作社带动群众，合作社联系志愿者，图书馆开放。"
		case i < 4:
			p.Text = "合作社和志愿者走进图书馆。"
		default:
			p.Text = "其他内容。"
		}
		p.Topic, p.Initiatives, p.Programs = p.Text, nil, nil
		ps = append(ps, p)
	}
	ix := build(t, ps)
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	got, err := ix.significantWords(context.Background(), rd, ps[0].Text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0].term != "合作社" {
		t.Fatalf("significantWords = %v, want 合作社 (tf 2) first of several", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].weight > got[i-1].weight {
			t.Errorf("significantWords = %v: not heaviest first", got)
		}
	}
}
