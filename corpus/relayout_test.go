package corpus_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
)

// relayout prints articles again as an OCR'd page would: every paragraph
// wrapped at width characters, and column breaks (blank lines) inserted at
// random line ends that do not end a sentence, so that they fall inside
// sentences, quoted names and reporters' names as on the real page.
// Headlines are printed on one line or split at their space, at random.
func relayout(arts []corpus.Article, width int, rng *rand.Rand) string {
	var b strings.Builder
	for _, a := range arts {
		if strings.HasPrefix(a.Dateline, "■") || (a.Dateline != "" && !strings.HasPrefix(a.Paragraphs[0].Text, a.Dateline)) {
			b.WriteString(a.Dateline + "\n\n")
		}
		for _, p := range a.Paragraphs {
			rs := []rune(p.Text)
			for start := 0; start < len(rs); start += width {
				end := min(start+width, len(rs))
				line := string(rs[start:end])
				b.WriteString(line + "\n")
				if end < len(rs) && rng.IntN(4) == 0 && !endsSentence(string(rs[:end])) && strings.TrimSpace(string(rs[end:])) != "" {
					b.WriteString("\n") // a column break inside the sentence
				}
			}
			b.WriteString("\n")
		}
		if rng.IntN(2) == 0 {
			b.WriteString(strings.ReplaceAll(a.Headline, " ", "\n") + "\n")
		} else {
			b.WriteString(a.Headline + "\n")
		}
		if a.Subtitle != "" {
			b.WriteString("——" + a.Subtitle + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// endsSentence mirrors the parser's rule, independently written: 。！？
// possibly followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " ”’」』）)】》\"'")
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("。！？!?", r)
}

// TestRelayout is the metamorphic test: the sample re-laid at other column
// widths, with column breaks elsewhere, parses to the same articles and
// paragraphs — same IDs, texts, counties, headlines, reporters, topics,
// programs and initiatives. Only line numbers may differ.
func TestRelayout(t *testing.T) {
	orig := parseSample(t).Articles
	for _, width := range []int{12, 17, 20, 23, 27, 30, 45} {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("width%d/seed%d", width, seed), func(t *testing.T) {
				text := relayout(orig, width, rand.New(rand.NewPCG(seed, uint64(width))))
				page, err := newParser(t).ParsePage("default/000_cab5e3eb326b2879.txt", []byte(text))
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Warnings) > 0 {
					t.Errorf("warnings: %v", page.Warnings)
				}
				if len(page.Articles) != len(orig) {
					t.Fatalf("%d articles, want %d\n%s", len(page.Articles), len(orig), text)
				}
				for i, a := range page.Articles {
					o := orig[i]
					if a.ID != o.ID || a.County != o.County || a.Headline != o.Headline || a.Subtitle != o.Subtitle ||
						strings.Join(a.Reporters, " ") != strings.Join(o.Reporters, " ") || a.Year != o.Year {
						t.Errorf("article %d: got %s %s %q %q %q, want %s %s %q %q %q", i,
							a.ID, a.County, a.Headline, a.Subtitle, a.Reporters, o.ID, o.County, o.Headline, o.Subtitle, o.Reporters)
					}
					if len(a.Paragraphs) != len(o.Paragraphs) {
						t.Errorf("article %d: %d paragraphs, want %d", i, len(a.Paragraphs), len(o.Paragraphs))
						continue
					}
					for j, p := range a.Paragraphs {
						q := o.Paragraphs[j]
						if p.Text != q.Text || p.Topic != q.Topic || p.ID != q.ID || p.Kind != q.Kind ||
							strings.Join(p.Programs, "|") != strings.Join(q.Programs, "|") ||
							strings.Join(p.Initiatives, "|") != strings.Join(q.Initiatives, "|") {
							t.Errorf("article %d paragraph %d differs:\n got %q\nwant %q", i, j, p.Text, q.Text)
						}
					}
				}
			})
		}
	}
}
