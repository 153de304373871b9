package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chinese sentences end with 。！？ (or their ASCII forms), optionally
// followed by closing quotes or brackets: 。” ends a sentence. A closing
// quote alone does not: 微山县将“第一书记” / blank / “万名干部下基层”… is one
// sentence broken at a column end.

const (
	terminators = "。！？!?"
	closers     = "”’」』）)】》\"'"
)

// endsSentence reports whether s, ignoring trailing spaces, ends a
// sentence.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	s = strings.TrimRight(s, closers)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r != utf8.RuneError && strings.ContainsRune(terminators, r)
}

// topicOf returns an initiative paragraph's topic sentence: the text before
// the first 。 (or ！？ when there is no 。), without the terminator.
func topicOf(text string) string {
	if i := strings.Index(text, "。"); i >= 0 {
		return text[:i]
	}
	if i := strings.IndexAny(text, "！？!?"); i >= 0 {
		return text[:i]
	}
	return text
}

// initiativesOf returns the distinct names quoted “…” in text, in order of
// first appearance, as printed (whitespace removed). A name is short: 2 to
// maxInitiative characters (民意“5”来听's “5” is no name), and it is not
// quoted speech: it has no sentence mark (。！？…；), at most one comma
// (slogans come in two halves: 党员在身边，服务零距离), and is not
// introduced by a colon or a speech verb (他说：“…”, 说到“…”).
func initiativesOf(text string) []string {
	out := []string{}
	seen := map[string]bool{}
	for {
		i := strings.Index(text, "“")
		if i < 0 {
			return out
		}
		speech := introducesSpeech(text[:i])
		text = text[i+len("“"):]
		j := strings.IndexAny(text, "”“")
		if j < 0 {
			return out
		}
		if strings.HasPrefix(text[j:], "“") { // an unclosed quote: start again at the next one
			continue
		}
		name := strings.Join(strings.Fields(text[:j]), "")
		text = text[j+len("”"):]
		if isInitiativeName(name) && !speech && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
}

// speechVerbs, right before a quote (他说“…”, 对他说，“…”), say it is
// speech.
var speechVerbs = []string{"说", "说到", "说道", "写道", "问道", "表示", "回忆", "感慨", "喊道", "答道"}

// introducesSpeech reports whether the text before a quote introduces
// speech: a colon (他说：“…”) or a speech verb, maybe with a comma.
func introducesSpeech(before string) bool {
	before = strings.TrimRightFunc(before, unicode.IsSpace)
	if strings.HasSuffix(before, "：") || strings.HasSuffix(before, ":") {
		return true
	}
	before = strings.TrimSuffix(strings.TrimSuffix(before, "，"), ",")
	for _, v := range speechVerbs {
		if strings.HasSuffix(before, v) {
			return true
		}
	}
	return false
}

// maxInitiative is the longest named initiative, in characters: the
// sample's longest, 街道党工委—社区党委—小区党支部—楼栋党小组—党员中心户,
// has 28.
const maxInitiative = 30

// isInitiativeName reports whether a quoted phrase can be an initiative's
// name rather than speech (see initiativesOf).
func isInitiativeName(name string) bool {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > maxInitiative || strings.ContainsAny(name, "。！？!?…；;") {
		return false
	}
	return strings.Count(name, "，")+strings.Count(name, ",") <= 1
}

// splitSentences cuts running text into sentences, each keeping its
// terminator and closing quotes. Line breaks end sentences too (exports
// sometimes keep them between a title and the body). Empty pieces are
// dropped.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(string(rs[start:end])); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\n' || rs[i] == '\r':
			emit(i + 1)
		case strings.ContainsRune(terminators, rs[i]):
			j := i + 1
			for j < len(rs) && (strings.ContainsRune(terminators, rs[j]) || strings.ContainsRune(closers, rs[j])) {
				j++
			}
			emit(j)
			i = j - 1
		}
	}
	emit(len(rs))
	return out
}

// packParagraphs groups sentences into paragraphs of at most max runes,
// never splitting a sentence unless it alone is longer than max; such a
// sentence is cut at the last clause mark (，；、) before the limit, or at the
// limit itself.
func packParagraphs(sentences []string, max int) []string {
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if curLen > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, s := range sentences {
		n := utf8.RuneCountInString(s)
		if curLen > 0 && curLen+n > max {
			flush()
		}
		if n > max {
			rs := []rune(s)
			for len(rs) > max {
				cut := max
				for k := max - 1; k > max/2; k-- {
					if strings.ContainsRune("，；、,;", rs[k]) {
						cut = k + 1
						break
					}
				}
				out = append(out, string(rs[:cut]))
				rs = rs[cut:]
			}
			s, n = string(rs), len(rs)
		}
		cur.WriteString(s)
		curLen += n
	}
	flush()
	return out
}
