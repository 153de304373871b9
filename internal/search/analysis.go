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
// So where a run of Han characters is next to a number or a Latin word
// (the next token, punctuation between them ignored), the text fields also
// index a marker of the character at that edge, at the position of the
// edge's bigram: 年> (a run starting with 年) for 2023年度, <区 (a run
// ending with 区) for 小区7; a one-character run next to one gets both.
// A query's lone Han character next to a number or word becomes the
// matching marker (2023年 → 2023 年>, 区7 → <区 7); one between two
// numbers or words stays the plain lone token, which only one-character
// runs have. Phrases stay exact, and no query has to expand a character
// into the thousands of bigrams starting with it (which made 2023年 take
// 100 ms). Marking only the edges next to numbers and words, not every
// run's, costs 3% of the index instead of 12% (BenchmarkIndex, no-markers
// variant). The one case left inexact is a term with a lone character at
// an edge next to punctuation (应、接诉): that character only matches
// standing alone. The markers cannot collide with real
// tokens: the tokenizer never keeps < or >.
func runStart(r rune) string { return string(r) + ">" }
func runEnd(r rune) string   { return "<" + string(r) }

// runEdges is the analyzer of the cjk fields at indexing time: cjk's
// tokens plus the run-edge markers, with byte offsets zeroed. Bleve stores
// offsets with every position when term vectors are on; phrase queries use
// positions only, and highlighting finds its own offsets in the stored
// paragraph (highlight.go), so dropping them saves about 6% of the index
// (BenchmarkIndex, offsets-no-markers versus no-markers). Queries analyse with plain cjk and
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
			if r, ok := loneHan(t.Term); ok && (i > 0 && word(toks[i-1]) || i < len(toks)-1 && word(toks[i+1])) {
				marker(runStart(r), t)
				marker(runEnd(r), t)
			}
		case analysis.Double:
			// A bigram next to a word token is a run's edge.
			if i > 0 && word(toks[i-1]) {
				r, _ := utf8.DecodeRune(t.Term)
				marker(runStart(r), t)
			}
			if i < len(toks)-1 && word(toks[i+1]) {
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

// word reports whether t is a number or a Latin word (not Han).
func word(t *analysis.Token) bool { return t.Type != analysis.Double && t.Type != analysis.Single }
