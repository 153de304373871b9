package search

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlight(t *testing.T) {
	long := strings.Repeat("这是一段没有关键词的文字。", 20) // 260 characters
	tests := []struct {
		name  string
		text  string
		terms []string
		width int
		want  string
	}{
		{"phrase is one mark at every occurrence",
			"建立“红色物业”联席会议，打造“红色物业”品牌，红色物业示范点。", []string{"红色物业"}, 120,
			"建立“<mark>红色物业</mark>”联席会议，打造“<mark>红色物业</mark>”品牌，<mark>红色物业</mark>示范点。"},
		{"repeated odd-length term keeps its last character",
			"金乡县召开会议。金乡县部署工作。金乡县", []string{"金乡县"}, 120,
			"<mark>金乡县</mark>召开会议。<mark>金乡县</mark>部署工作。<mark>金乡县</mark>"},
		{"adjacent occurrences merge into one mark",
			"金乡金乡金乡。", []string{"金乡"}, 120,
			"<mark>金乡金乡金乡</mark>。"},
		{"overlapping terms merge",
			"推进红色物业示范小区建设。", []string{"红色物业", "物业示范", "小区"}, 120,
			"推进<mark>红色物业示范小区</mark>建设。"},
		{"touching terms merge",
			"小区党支部。", []string{"小区", "党支部"}, 120,
			"<mark>小区党支部</mark>。"},
		{"single character",
			"县委县政府在县城。", []string{"县"}, 120,
			"<mark>县</mark>委<mark>县</mark>政府在<mark>县</mark>城。"},
		{"markup in the text is escaped",
			"<script>alert(1)</script>红色物业</mark>{{.}}&amp;", []string{"红色物业"}, 120,
			"&lt;script&gt;alert(1)&lt;/script&gt;<mark>红色物业</mark>&lt;/mark&gt;{{.}}&amp;amp;"},
		{"markup in a term is escaped",
			"a<b>c 与 <b>", []string{"<b>"}, 120,
			"a<mark>&lt;b&gt;</mark>c 与 <mark>&lt;b&gt;</mark>"},
		{"Latin case-insensitively, whole words",
			"GDP增长，gdp总量，GDPR不算。", []string{"gdp"}, 120,
			"<mark>GDP</mark>增长，<mark>gdp</mark>总量，GDPR不算。"},
		{"numbers whole, decimals included",
			"增长5.5%，第5级，4.5级，15级。", []string{"5级"}, 120,
			"增长5.5%，第<mark>5级</mark>，4.5级，15级。"},
		{"full-width forms in the text match folded terms",
			"２０２１年６月", []string{"2021年"}, 120,
			"<mark>２０２１年</mark>６月"},
		{"nothing matches: the start of the text",
			long, []string{"不存在"}, 120,
			html.EscapeString(string([]rune(long)[:120])) + "…"},
		{"no terms (negation-only query)",
			"短文本<b>。", nil, 120,
			"短文本&lt;b&gt;。"},
		{"fragment around the only match, starting at a sentence",
			long + "推进红色物业建设。" + long, []string{"红色物业"}, 30,
			"…推进<mark>红色物业</mark>建设。这是一段没有关键词的文字。这是一段没有关键…"},
		{"fragment prefers more distinct terms",
			"甲乙。" + strings.Repeat("填", 40) + "红色物业很多红色物业。" + strings.Repeat("填", 40) + "红色物业和网格都有。" + strings.Repeat("填", 40),
			[]string{"红色物业", "网格"}, 20,
			"…填填<mark>红色物业</mark>和<mark>网格</mark>都有。填填填填填填填填…"},
		{"a mark is never cut at the fragment end",
			strings.Repeat("填", 25) + "红色物业" + strings.Repeat("填", 100), []string{"红色物业"}, 27,
			strings.Repeat("填", 25) + "<mark>红色物业</mark>…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := highlight(tt.text, tt.terms, tt.width)
			if got != tt.want {
				t.Errorf("highlight(%q, %q)\n got %s\nwant %s", tt.text, tt.terms, got, tt.want)
			}
		})
	}
}

// FuzzHighlight checks the invariants of any fragment: valid UTF-8, marks
// balanced and never nested or empty, and the fragment without marks,
// unescaped and without its ellipses, is a substring of the text.
func FuzzHighlight(f *testing.F) {
	f.Add("建立“红色物业”联席会议，打造“红色物业”品牌。", "红色物业", "")
	f.Add("金乡县召开会议。金乡县部署工作。金乡县", "金乡县", "县")
	f.Add("<script>红色</mark>{{.}}&amp;", "<", "红色")
	f.Add("２０２１年 GDP 4.5级", "2021年", "gdp")
	f.Add(strings.Repeat("长文本。", 100)+"关键词", "关键词", "文本")
	f.Fuzz(func(t *testing.T, text, a, b string) {
		if !utf8.ValidString(text) || !utf8.ValidString(a) || !utf8.ValidString(b) {
			t.Skip()
		}
		got := highlight(text, []string{a, b}, 40)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		depth := 0
		rest := got
		var plain strings.Builder
		for rest != "" {
			switch {
			case strings.HasPrefix(rest, "<mark>"):
				if depth != 0 || strings.HasPrefix(rest, "<mark></mark>") {
					t.Fatalf("nested or empty mark: %q", got)
				}
				depth, rest = 1, rest[len("<mark>"):]
			case strings.HasPrefix(rest, "</mark>"):
				if depth != 1 {
					t.Fatalf("unbalanced mark: %q", got)
				}
				depth, rest = 0, rest[len("</mark>"):]
			default:
				if rest[0] == '<' || rest[0] == '>' {
					t.Fatalf("unescaped markup: %q", got)
				}
				plain.WriteByte(rest[0])
				rest = rest[1:]
			}
		}
		if depth != 0 {
			t.Fatalf("unclosed mark: %q", got)
		}
		frag := html.UnescapeString(plain.String())
		frag = strings.TrimSuffix(strings.TrimPrefix(frag, "…"), "…")
		if !strings.Contains(text, frag) {
			t.Fatalf("fragment %q is not part of the text %q", frag, text)
		}
	})
}
