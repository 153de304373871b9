package corpus

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"countynews/internal/text"
)

// Headlines of exports. Reposted Chinese news often opens with the
// original outlet's headline, 原标题：TITLE, glued to the body: ended by a
// line break, a space, a sentence mark, or nothing at all (the body's first
// words follow: a date 8月4日, 近日, 记者…, an outlet's name 央广网…), and
// not rarely printed twice (TITLETITLE). originalTitle cuts it off; an
// article that still has no headline gets one made from its first sentence
// (derivedHeadline), flagged as derived.

const (
	// titleMaxRunes bounds an original title: where no end is found within
	// it, the text keeps no title.
	titleMaxRunes = 64
	// derivedMax bounds a derived headline, in characters.
	derivedMax = 30
)

var (
	// bodyStartRE matches words that open a news body, not a headline.
	bodyStartRE = regexp.MustCompile(`\d{1,2}月\d{1,2}日|20\d{2}年\d{1,2}月|(?:^|[^\d月])\d{1,2}日[，,]|近日|日前|近年来|今年以来|据悉|据了解|据报道|记者|通讯员|本报讯|本文转自|来源[：:]|编者按|` +
		`为(?:进一步|深入|推动|充分|切实|全面|加快|持续|更好|积极|贯彻|激励|扎实)|` +
		`央广网|中新网|人民网|新华网|新华社|央视网|环球网|千龙网|大众网|海报新闻|新京报|南都讯|中国山东网|中国台湾网|中国教育报|光明日报|中国青年报|智通财经|齐鲁壹点|济宁新闻网`)
	// leadNoiseRE matches what opens a body without being its news: a
	// photo caption's byline (…大众网记者 某某 济宁报道), an outlet's
	// dateline (中新网北京8月15日电(高楠) ), a repost note, the date.
	leadNoiseRE = []*regexp.Regexp{
		regexp.MustCompile(`^广告.{0,60}?×`),
		regexp.MustCompile(`^本文转自【[^】]{0,20}】[；;]?`),
		regexp.MustCompile(`^【[^】]{0,20}】`),
		regexp.MustCompile(`^[（(][^）)]{0,40}(?:记者|通讯员)[^）)]{0,30}[）)]`),
		regexp.MustCompile(`^.{0,40}?(?:记者|通讯员)[^，。！？]{0,40}?报道`),
		regexp.MustCompile(`^\p{Han}{2,12}(?:\d{1,2}月\d{1,2}日)?(?:电|讯|消息[：:]?)\s*(?:[（(][^）)]{0,40}[）)])?`),
		regexp.MustCompile(`^(?:20\d{2}年)?\d{1,2}月份?(?:\d{1,2}日)?(?:(?:以来|上午|下午|晚上|早上|凌晨|中午)[，,]?|[，,])`),
		regexp.MustCompile(`^(?:近日|日前|近年来|今年以来|目前)[，,]`),
	}
)

// minTitle is the shortest original title, in characters: 痛心！ is an
// exclamation before the title, not the title.
const minTitle = 6

// originalTitle splits a leading 原标题：TITLE off an export's text (see
// above): the title ends at the first line break, a repeat of itself, the
// first word that opens a body, quoted speech (a space or a closing quote
// before “…，…”), or just after the first sentence mark, whichever comes first, within
// titleMaxRunes characters. The title is removed from the rest, repeats
// included. Without a 原标题 the text is returned whole.
func originalTitle(body string) (title, rest string) {
	after, ok := strings.CutPrefix(body, "原标题：")
	if !ok {
		after, ok = strings.CutPrefix(body, "原标题:")
	}
	if !ok {
		return "", body
	}
	after = strings.TrimLeft(after, " \u3000")
	rs := []rune(after)
	if t := repeated(rs); t > 0 {
		return finishTitle(string(rs[:t]), string(rs[t:]))
	}
	limit := min(len(rs), titleMaxRunes)
	for i := minTitle; i < limit; i++ { // a line break ends it best
		if rs[i] == '\n' || rs[i] == '\r' {
			return finishTitle(string(rs[:i]), string(rs[i:]))
		}
	}
	end := -1
	for i := 0; i < limit && end < 0; i++ {
		switch r := rs[i]; {
		case (r == ' ' || r == '\u3000' || r == '”') && i+1 < len(rs) && rs[i+1] == '“' && quotesSpeech(rs[i+1:]):
			end = i
			if r == '”' {
				end++
			}
		case strings.ContainsRune(terminators, r):
			end = i + 1
			for end < len(rs) && (strings.ContainsRune(closers, rs[end]) || strings.ContainsRune(terminators, rs[end])) {
				end++
			}
		}
		if end >= 0 && end < minTitle {
			end = -1
		}
	}
	head := string(rs[:limit])
	for _, loc := range bodyStartRE.FindAllStringIndex(head, -1) {
		if m := head[loc[0]:loc[1]]; (strings.HasSuffix(m, "日，") || strings.HasSuffix(m, "日,")) && (m[0] < '0' || m[0] > '9') {
			_, size := utf8.DecodeRuneInString(m)
			loc[0] += size // the day alternative matched the character before the day
		}
		if at := utf8.RuneCountInString(head[:loc[0]]); at >= minTitle {
			if end < 0 || at < end {
				end = at
			}
			break
		}
	}
	if end > 0 && rs[end-1] == '。' { // headlines end in no full stop: a space before it ends the title
		for i := end - 2; i >= minTitle; i-- {
			if rs[i] == ' ' || rs[i] == '\u3000' {
				end = i
				break
			}
		}
	}
	if end < 0 { // no end: the last space within the limit, if any
		for i := limit - 1; i >= minTitle; i-- {
			if rs[i] == ' ' || rs[i] == '\u3000' {
				end = i
				break
			}
		}
	}
	if end < 0 {
		return "", after
	}
	return finishTitle(string(rs[:end]), string(rs[end:]))
}

// quotesSpeech reports whether rs opens with a quote that is speech (it
// holds a comma or a sentence mark), not a quoted name inside a title.
func quotesSpeech(rs []rune) bool {
	for i := 1; i < len(rs) && i < titleMaxRunes; i++ {
		switch {
		case rs[i] == '”':
			return false
		case strings.ContainsRune("，,。！？!?", rs[i]):
			return true
		}
	}
	return false
}

// finishTitle cleans a title and removes its repeats from the start of the
// rest (some exports print it two or three times).
func finishTitle(title, rest string) (string, string) {
	title = strings.TrimRight(text.CleanLine(title), "。.")
	rest = strings.TrimSpace(rest)
	for title != "" && strings.HasPrefix(rest, title) {
		rest = strings.TrimSpace(rest[len(title):])
	}
	return title, rest
}

// repeated returns k when rs opens with a title of k characters printed
// twice in a row (6 <= k <= titleMaxRunes), else 0.
func repeated(rs []rune) int {
	for k := 6; k <= titleMaxRunes && 2*k <= len(rs); k++ {
		if string(rs[:k]) == string(rs[k:2*k]) && !periodic(rs[:k]) {
			return k
		}
	}
	return 0
}

// periodic reports whether t is a shorter run repeated (很长很长很长): such
// text is no title printed twice.
func periodic(t []rune) bool {
	for p := 1; p <= len(t)/2; p++ {
		if len(t)%p == 0 && string(t[p:]) == string(t[:len(t)-p]) {
			return true
		}
	}
	return false
}

// derivedHeadline makes a display title for an article that printed none:
// its first sentence, without what opens a body without being its news (a
// byline, an outlet's dateline, the date), cut at a clause mark or at
// derivedMax characters with an ellipsis.
func derivedHeadline(lead string) string {
	s := strings.TrimSpace(lead)
	for _, re := range leadNoiseRE {
		if loc := re.FindStringIndex(s); loc != nil && loc[1] < len(s) {
			s = strings.TrimSpace(s[loc[1]:])
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if strings.ContainsRune(terminators, r) {
			rs = rs[:i]
			break
		}
	}
	if len(rs) <= derivedMax {
		return strings.TrimRight(string(rs), "，,、；;：:")
	}
	cut := derivedMax
	for k := derivedMax - 1; k >= derivedMax/2; k-- {
		if strings.ContainsRune("，,；;：:", rs[k]) {
			return string(rs[:k])
		}
	}
	return string(rs[:cut]) + "…"
}
