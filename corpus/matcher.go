package corpus

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// phraseMatcher finds a fixed set of phrases in text in one pass:
// leftmost-longest and non-overlapping, so that a look-alike such as
// 微山湖 or 钓鱼台, which starts earlier or runs longer than the county name
// inside it, is taken whole and the name inside it is not counted. Phrases
// are indexed by their first character, which keeps a scan of Chinese text
// far cheaper than one strings.Contains per phrase.
type phraseMatcher struct {
	byFirst map[rune][]phrase
}

type phrase struct {
	text string
	val  int // caller's value for the phrase
}

func newPhraseMatcher() *phraseMatcher { return &phraseMatcher{byFirst: map[rune][]phrase{}} }

// add registers a phrase; for a phrase added twice the first value stays.
func (m *phraseMatcher) add(text string, val int) {
	if text == "" {
		return
	}
	r, _ := utf8.DecodeRuneInString(text)
	for _, p := range m.byFirst[r] {
		if p.text == text {
			return
		}
	}
	ps := append(m.byFirst[r], phrase{text, val})
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].text) > len(ps[j].text) })
	m.byFirst[r] = ps
}

// scan calls fn with the value of each phrase found in s.
func (m *phraseMatcher) scan(s string, fn func(val int)) {
	m.find(s, func(_, _ int, val int) { fn(val) })
}

// find calls fn with the byte span and value of each phrase found in s.
func (m *phraseMatcher) find(s string, fn func(start, end, val int)) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		adv := size
		for _, p := range m.byFirst[r] {
			if strings.HasPrefix(s[i:], p.text) {
				fn(i, i+len(p.text), p.val)
				adv = len(p.text)
				break
			}
		}
		i += adv
	}
}

// at calls fn with the longest phrase that s opens with, if any.
func (m *phraseMatcher) at(s string, fn func(text string, val int)) {
	r, _ := utf8.DecodeRuneInString(s)
	for _, p := range m.byFirst[r] {
		if strings.HasPrefix(s, p.text) {
			fn(p.text, p.val)
			return
		}
	}
}
