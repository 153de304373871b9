package search

import (
	"strconv"
	"strings"

	"countynews/internal/text"
)

// writePartKey writes to key what the query of the exact phrase p in the
// field in is made of: its tokens as analysed, each with its type
// (termQuery and headlineQuery build their queries from these alone).
// Two parts with the same key match the same paragraphs and score them
// alike: 乡村振兴！ and 乡村振兴 (the analyser drops punctuation), so that
// MatchAuto's pieces step, which would search a question ending in ？
// exactly as the exact step just did, is skipped (Search). The marks to
// highlight may differ; they are those of the step that answers.
func (ix *Index) writePartKey(key *strings.Builder, p string, in Field) {
	key.WriteByte('(')
	key.WriteByte(byte('0' + in))
	for _, tk := range ix.sch.cjk.Analyze([]byte(text.Fold(p))) {
		key.WriteByte(' ')
		key.WriteByte(byte('0' + tk.Type))
		key.WriteString(strconv.Itoa(len(tk.Term)))
		key.WriteByte(':')
		key.Write(tk.Term)
	}
	key.WriteByte(')')
}
