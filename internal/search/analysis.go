package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Run-edge markers. The cjk analyzer turns a run of Han characters into
// overlapping bigrams (年度工作 → 年度 度工 工作) and keeps a lone
// character only when the run is one character long. A query term mixing
// scripts, such as 2023年 (2023 年) or 区7 (区 7), then ends in a lone
// character that the text may hold inside a longer run (2023年度 is
// indexed 2023 年度), and a phrase of the lone character would miss it.
//
// So the text fields also index, at the position of a run's first bigram,
// a marker for the character that starts the run (年> for 年度工作), and at
// the position of its last bigram a marker for the character that ends it
// (<作); a one-character run gets both next to its lone token. A query's
// lone Han character at the end of a mixed term becomes the start marker
// (2023年 → 2023 年>: 2023 followed by a run starting with 年), at the
// start the end marker (区7 → <区 7), and a lone character between two
// non-Han tokens stays the plain lone token, which only one-character runs
// have. Phrases stay exact, and no query needs to expand a character into
// the dictionary's thousands of bigrams. The markers cannot collide with
// real tokens: the tokenizer never keeps < or >.
func runStart(r rune) string { return string(r) + ">" }
func runEnd(r rune) string   { return "<" + string(r) }

// runEdges is the analyzer of the cjk fields at indexing time: cjk's
// tokens plus the run-edge markers, with byte offsets zeroed. Bleve stores
// offsets with every position when term vectors are on; phrase queries use
// positions only, and highlighting finds its own offsets in the stored
// paragraph (highlight.go), so dropping them saves about 6% of the index
// (BenchmarkIndex, offsets variant). Queries analyse with plain cjk and
// compile lone edge characters to markers (termQuery).
type runEdges struct{ analysis.Analyzer }

func (a runEdges) Analyze(text []byte) analysis.TokenStream {
	toks := a.Analyzer.Analyze(text)
	out := make(analysis.TokenStream, 0, len(toks)+len(toks)/4)
	marker := func(term string, at *analysis.Token) {
		out = append(out, &analysis.Token{Term: []byte(term), Position: at.Position, Type: at.Type})
	}
	for i, t := range toks {
		out = append(out, t)
		switch t.Type {
		case analysis.Single:
			if r, ok := loneHan(t.Term); ok {
				marker(runStart(r), t)
				marker(runEnd(r), t)
			}
		case analysis.Double:
			// Bigrams of one run overlap by a character; a bigram that
			// overlaps no previous (next) bigram starts (ends) a run.
			if i == 0 || toks[i-1].Type != analysis.Double || toks[i-1].End <= t.Start {
				r, _ := utf8.DecodeRune(t.Term)
				marker(runStart(r), t)
			}
			if i == len(toks)-1 || toks[i+1].Type != analysis.Double || toks[i+1].Start >= t.End {
				r, _ := utf8.DecodeLastRune(t.Term)
				marker(runEnd(r), t)
			}
		}
	}
	for _, t := range out {
		t.Start, t.End = 0, 0
	}
	return out
}
