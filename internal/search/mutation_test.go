package search

// Tests written to kill mutants that lived (docs/mutation.md, run with
// bench/cmd/mutants): each names the mutant it kills.

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
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
