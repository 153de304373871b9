package text_test

import (
	"testing"
	"unicode/utf8"

	"countynews/internal/text"
)

func TestFoldWidth(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"digits", "２０２１年", "2021年"},
		{"letters", "ＡＢＣｘｙｚ", "ABCxyz"},
		{"decimal point between digits", "３．６５万户", "3.65万户"},
		{"decimal point needs a digit on both sides", "３．ａ", "3．a"},
		{"decimal point needs a digit before it", "ａ．５", "a．5"},
		{"decimal point between half-width digits", "3．5", "3.5"},
		{"full stop kept", "句号．", "句号．"},
		{"chinese punctuation kept", "１０％，“红色物业”！（好）", "10%，“红色物业”！（好）"},
		{"ideographic space", "全角　空格", "全角 空格"},
		{"plain", "plain", "plain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := text.FoldWidth(tc.in)
			if got != tc.want {
				t.Errorf("FoldWidth(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if utf8.RuneCountInString(got) != utf8.RuneCountInString(tc.in) {
				t.Errorf("FoldWidth(%q) changed the number of characters", tc.in)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ocr spaces between han dropped", " 党史 学习\u3000教育 in  Jining 县 ", "党史学习教育in Jining县"},
		{"space next to chinese punctuation dropped", "红色物业 ， 网格", "红色物业，网格"},
		{"latin words keep one space", "GDP  growth", "GDP growth"},
		{"invisible separators", "乡村\u200B振兴\uFEFF", "乡村振兴"},
		{"control characters", "乡村\x00振兴", "乡村振兴"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := text.CleanText(tc.in); got != tc.want {
				t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanLine(t *testing.T) {
	if got := text.CleanLine("  孙虎玉\u3000 李婷婷\t"); got != "孙虎玉 李婷婷" {
		t.Errorf("CleanLine = %q", got)
	}
}

func TestClasses(t *testing.T) {
	for _, r := range "县乡𠀀" {
		if !text.IsCJK(r) {
			t.Errorf("IsCJK(%q) = false", r)
		}
	}
	for _, r := range "a1，" {
		if text.IsCJK(r) {
			t.Errorf("IsCJK(%q) = true", r)
		}
	}
	for _, r := range "、。，！？：；“”《》「」…—·" {
		if !text.IsCJKPunct(r) {
			t.Errorf("IsCJKPunct(%q) = false", r)
		}
	}
	for _, r := range " \t\n\u3000\u00a0\u200b\ufeff\x00" {
		if !text.IsSpace(r) {
			t.Errorf("IsSpace(%q) = false", r)
		}
	}
	for _, r := range "a县，" {
		if text.IsSpace(r) {
			t.Errorf("IsSpace(%q) = true", r)
		}
	}
}
