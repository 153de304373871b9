package text_test

import (
	"slices"
	"testing"

	"countynews/internal/text"
)

// foldRunesCases are texts whose fold depends on more than one character
// at a time (the full-width point between digits), on width and on
// traditional forms at once.
var foldRunesCases = []string{
	"", "２０２３年鄉村振興", "增长６．３％", "６．", "．５", "甲．乙", "1．5", "１．５．６",
	"紅色物業　網格", "ＧＤＰ增長", "「鄉村振興」！", "\xff半\xfe", "abc", "．",
}

// TestFoldRunes: FoldRunes on the runes of a text equals the runes of
// Fold of it, on the table's cases.
func TestFoldRunes(t *testing.T) {
	for _, s := range foldRunesCases {
		checkFoldRunes(t, s)
	}
}

// FuzzFoldRunes checks the same on any text.
func FuzzFoldRunes(f *testing.F) {
	for _, s := range foldRunesCases {
		f.Add(s)
	}
	f.Fuzz(checkFoldRunes)
}

func checkFoldRunes(t *testing.T, s string) {
	rs := []rune(s)
	text.FoldRunes(rs)
	if want := []rune(text.Fold(s)); !slices.Equal(rs, want) {
		t.Errorf("FoldRunes(%q) = %q, Fold gives %q", s, string(rs), string(want))
	}
}
