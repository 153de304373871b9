package text_test

import (
	"testing"
	"unicode/utf8"

	"countynews/internal/text"
	"countynews/internal/text/internal/tradtable"
)

func TestFoldTrad(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"red property", "紅色物業", "红色物业"},
		{"rural revitalisation", "鄉村振興", "乡村振兴"},
		{"simplified unchanged", "红色物业、乡村振兴", "红色物业、乡村振兴"},
		{"mixed with latin and digits", "2023年GDP增長6.3%", "2023年GDP增长6.3%"},
		{"simplified forms that have traditional counterparts stay", "台后里面干", "台后里面干"},
		{"punctuation kept", "「鄉村振興」！", "「乡村振兴」！"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := text.FoldTrad(tc.in)
			if got != tc.want {
				t.Errorf("FoldTrad(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if utf8.RuneCountInString(got) != utf8.RuneCountInString(tc.in) {
				t.Errorf("FoldTrad(%q) changed the number of characters", tc.in)
			}
		})
	}
}

func TestFold(t *testing.T) {
	if got := text.Fold("２０２３年鄉村振興"); got != "2023年乡村振兴" {
		t.Errorf("Fold = %q", got)
	}
}

// TestTradTableMatchesOpenCC regenerates the table from OpenCC and
// compares it with the one compiled in: it fails when the opencc module is
// updated without running go generate, or when the table is edited by hand.
func TestTradTableMatchesOpenCC(t *testing.T) {
	pairs, err := tradtable.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) < 2000 {
		t.Fatalf("only %d pairs from OpenCC", len(pairs))
	}
	want := map[rune]rune{}
	for _, p := range pairs {
		want[p[0]] = p[1]
	}
	for r := rune(0x3400); r <= 0x9FFF; r++ {
		w, ok := want[r]
		if !ok {
			w = r
		}
		if got := text.SimplifiedRune(r); got != w {
			t.Errorf("SimplifiedRune(%q) = %q, OpenCC says %q (run go generate in internal/text)", r, got, w)
		}
	}
}

func BenchmarkFoldTrad(b *testing.B) {
	s := "今年以來，鄒城市深化黨建引領基層治理，探索微治理模式，打造網格化服務體系。今年以来，邹城市深化党建引领基层治理。"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		text.FoldTrad(s)
	}
}
