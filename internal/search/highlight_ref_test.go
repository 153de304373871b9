package search

import (
	"html"
	"strings"
	"testing"
	"unicode"

	"countynews/internal/text"
)

// highlightRef is highlight as first written: the text folded as a
// string (text.Fold) and each piece escaped by html.EscapeString. The
// highlighter folds the runes it already has and escapes as it writes;
// the answers must be the same.
func highlightRef(s string, terms []string, width int) string {
	rs := []rune(s)
	low := []rune(text.Fold(s))
	for i, r := range low {
		low[i] = unicode.ToLower(r)
	}
	spans := findSpans(low, terms)
	st, end := 0, len(rs)
	switch {
	case len(rs) <= width:
	case len(spans) == 0:
		end = width
	default:
		st, end = bestWindow(rs, spans, width)
	}
	var b strings.Builder
	if st > 0 {
		b.WriteString("…")
	}
	at := st
	for _, sp := range spans {
		if sp.e <= st || sp.s >= end {
			continue
		}
		s, e := max(sp.s, st), min(sp.e, end)
		b.WriteString(html.EscapeString(string(rs[at:s])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(rs[s:e])))
		b.WriteString("</mark>")
		at = e
	}
	b.WriteString(html.EscapeString(string(rs[at:end])))
	if end < len(rs) {
		b.WriteString("…")
	}
	return b.String()
}

var highlightRefCases = []struct{ text, a, b string }{
	{"建立“红色物业”联席会议，打造“红色物业”品牌。", "红色物业", ""},
	{"<script>红色</mark>{{.}}&amp;'\"", "<", "红色"},
	{"２０２１年 GDP 4.5级，增长６．３％", "2021年", "gdp"},
	{"紅色物業　網格化管理，鄉村振興", "红色物业", "乡村振兴"},
	{strings.Repeat("长文本。", 100) + "关键词<b>", "关键词", "文本"},
	{"ＡＢＣ abc Ａbc", "abc", ""},
}

// TestHighlightMatchesReference compares highlight with highlightRef.
func TestHighlightMatchesReference(t *testing.T) {
	for _, c := range highlightRefCases {
		for _, w := range []int{10, 40, fragmentRunes} {
			if got, want := highlight(c.text, []string{c.a, c.b}, w), highlightRef(c.text, []string{c.a, c.b}, w); got != want {
				t.Errorf("highlight(%q, %q, %q, %d)\n= %q\nreference %q", c.text, c.a, c.b, w, got, want)
			}
		}
	}
}

// FuzzHighlightMatchesReference compares them on any text and terms.
func FuzzHighlightMatchesReference(f *testing.F) {
	for _, c := range highlightRefCases {
		f.Add(c.text, c.a, c.b)
	}
	f.Fuzz(func(t *testing.T, s, a, b string) {
		if got, want := highlight(s, []string{a, b}, 40), highlightRef(s, []string{a, b}, 40); got != want {
			t.Fatalf("highlight(%q, %q, %q)\n= %q\nreference %q", s, a, b, got, want)
		}
	})
}

// TestNoCaseBlock: the runes foldRuneSlice does not look up have no
// lower case, and it lower-cases like unicode.ToLower everywhere.
func TestNoCaseBlock(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= noCaseFirst && r <= noCaseLast && unicode.ToLower(r) != r {
			t.Fatalf("%U has a lower case", r)
		}
	}
	for _, s := range []string{"ABC abc ÀÉÎ ΣΑΣ Ǆ", "红色物业ＡＢＣ", "İstanbul"} {
		got := string(foldRunes(s))
		want := []rune(text.Fold(s))
		for i, r := range want {
			want[i] = unicode.ToLower(r)
		}
		if got != string(want) {
			t.Errorf("foldRunes(%q) = %q, want %q", s, got, string(want))
		}
	}
}
