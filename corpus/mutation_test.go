package corpus

// Tests written to kill mutants that lived (docs/mutation.md, run with
// bench/cmd/mutants): each names the mutants it kills.

import (
	"slices"
	"strings"
	"testing"
)

// TestTextYearDates: an opening's date finds its year in any full date of
// the text within two days, not only the first (and a dated dateline past
// the bounds gives way to the next); months at both ends of the year
// count. Kills date.go textYear's FindAllStringSubmatch(all, -1) → +1 (both)
// and withinDays's month bounds (m1 < 1, m2 < 1, m1 > 12, m2 > 12 → <=, >=).
func TestTextYearDates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		texts []string
		want  int
	}{
		{"the second dated dateline", []string{"新华社北京1948年10月1日电", "新华社北京2020年8月3日电"}, 2020},
		{"the second full date is the near one", []string{"8月1日，消息称", "2019年3月5日开工，2023年7月31日发生"}, 2023},
		{"January", []string{"1月5日，消息称", "2023年1月4日发生"}, 2023},
		{"January opening, January date", []string{"1月1日，消息称", "2024年1月2日发生"}, 2024},
		{"December", []string{"12月30日，消息称", "2022年12月31日发生"}, 2022},
		{"month 13 is no month", []string{"13月1日，消息称", "2022年13月1日发生"}, 0},
		{"month 0 is no month", []string{"0月1日，消息称", "2022年0月1日发生"}, 0},
	} {
		if got := textYear(2030, tc.texts...); got != tc.want {
			t.Errorf("%s: textYear(%q) = %d, want %d", tc.name, tc.texts, got, tc.want)
		}
	}
}

// TestStartsWithDate: a month or day number opens a dateline's date; digits
// alone do not (and are read to their end, not past it). Kills
// evidence.go startsWithDate's i < len(s) → <= (a panic on "15"), → >=,
// and s[i] <= '9' → <.
func TestStartsWithDate(t *testing.T) {
	for s, want := range map[string]bool{
		"8月15日电": true, "15日": true, "9月": true, "10日": true, "15": false, "": false, "月": false, "8年": false, "１５日": false,
	} {
		if got := startsWithDate(s); got != want {
			t.Errorf("startsWithDate(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestSortLongestFirst: qualifiers and the words that void a mention are
// tried longest first (山东省济宁市 before 济宁市), equal lengths in their
// order. Kills evidence.go sortLongestFirst's > → <=.
func TestSortLongestFirst(t *testing.T) {
	list := []string{"市", "济宁市", "山东省济宁市", "本市", "全市"}
	sortLongestFirst(list)
	if want := []string{"山东省济宁市", "济宁市", "本市", "全市", "市"}; !slices.Equal(list, want) {
		t.Errorf("sorted %q, want %q", list, want)
	}
}

// TestOriginalTitleEdges: an exclamation shorter than minTitle before the
// title does not end it; a title ending in a closing quote at the very end
// of the text is read without running past it; one before quoted speech
// ends the title, and is kept in it. Kills headline.go originalTitle's
// end = -1 → +1, i+1 < len(rs) → <=, quotesSpeech(rs[i+1:]) → rs[i-1:]
// and end++ → end--.
func TestOriginalTitleEdges(t *testing.T) {
	for _, tc := range []struct{ name, body, title, rest string }{
		{"short exclamation first", "原标题：痛心！红色物业走进千家万户。本报讯 正文内容。", "痛心！红色物业走进千家万户", "本报讯 正文内容。"},
		{"closing quote last", "原标题：关于推进“红色物业”", "", "关于推进“红色物业”"},
		{"closing quote before speech", "原标题：关于推进“红色物业”“我们要做好，”他说。", "关于推进“红色物业”", "“我们要做好，”他说。"},
	} {
		title, rest := originalTitle(tc.body)
		if title != tc.title || rest != tc.rest {
			t.Errorf("%s: originalTitle(%q) = %q, %q; want %q, %q", tc.name, tc.body, title, rest, tc.title, tc.rest)
		}
	}
}

// TestQuotesSpeechLimit: a quote is speech when a comma or sentence mark
// comes before its closing quote within titleMaxRunes characters, not
// further, nor past the text's end. Kills headline.go quotesSpeech's
// i < titleMaxRunes → <= and i < len(rs) → <= (a panic).
func TestQuotesSpeechLimit(t *testing.T) {
	in := func(k int) []rune { return []rune("“" + strings.Repeat("好", k-1) + "，下文") }
	if !quotesSpeech(in(titleMaxRunes - 1)) {
		t.Errorf("comma at %d: not speech", titleMaxRunes-1)
	}
	if quotesSpeech(in(titleMaxRunes)) {
		t.Errorf("comma at %d (past the limit): speech", titleMaxRunes)
	}
	if quotesSpeech([]rune("“红色物业”，")) {
		t.Error("a quoted name followed by a comma: speech")
	}
	if quotesSpeech([]rune("“红色物业")) {
		t.Error("a quote never closed, without a comma: speech")
	}
}

// TestRepeatedBounds: a title printed twice is found up to titleMaxRunes
// characters long, also when the text is nothing but the two copies.
// Kills headline.go repeated's k <= titleMaxRunes → < and 2*k <= len(rs)
// → <, and periodic's p <= len(t)/2 → <.
func TestRepeatedBounds(t *testing.T) {
	title := func(k int) string {
		var b strings.Builder
		for i := range k {
			b.WriteRune(rune('一' + i))
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		text string
		want int
	}{
		{"longest title, more text", title(titleMaxRunes) + title(titleMaxRunes) + "正文", titleMaxRunes},
		{"only the two copies", title(8) + title(8), 8},
		{"too long", title(titleMaxRunes+1) + title(titleMaxRunes+1), 0},
		{"a run is no title", strings.Repeat("很长", 8), 0},
		{"a title twice, twice: a run of period half its length", strings.Repeat("红色物业", 4), 0},
	} {
		if got := repeated([]rune(tc.text)); got != tc.want {
			t.Errorf("%s: repeated = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestClipRunesExact: a text of exactly the limit is not cut. Kills
// jsonl.go clipRunes's len(rs) > n → >=.
func TestClipRunesExact(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"红色物业", 4, "红色物业"},
		{"红色物业", 3, "红色物…"},
		{"", 0, ""},
	} {
		if got := clipRunes(tc.s, tc.n); got != tc.want {
			t.Errorf("clipRunes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestLocateRunnerUp: a county is filed only when it has at least twice the
// weight of the next one: two counties named alike file neither. Kills
// evidence.go Locate's runner-up s > second → <=.
func TestLocateRunnerUp(t *testing.T) {
	g, err := DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, headline, lead, want string
	}{
		{"one county", "梁山县开展志愿服务活动", "", "梁山"},
		{"two counties in the headline", "梁山县金乡县联合开展志愿服务活动", "", ""},
		{"headline and lead disagree", "梁山县开展志愿服务活动", "金乡县志愿者参加。", ""},
		{"the lead agrees", "梁山县开展志愿服务活动", "梁山县志愿者参加。", "梁山"},
	} {
		c, ok := g.Locate(tc.headline, tc.lead, "")
		if got := map[bool]string{true: c.Short}[ok]; got != tc.want {
			t.Errorf("%s: Locate = %q, %v; want %q", tc.name, c.Name, ok, tc.want)
		}
	}
}

// TestDerivedHeadlineCut: a long first sentence is cut at its last clause
// mark from derivedMax/2 characters on, else at derivedMax with "…".
// Kills headline.go derivedHeadline's k >= derivedMax/2 → > and
// derivedMax/2 → derivedMax*2.
func TestDerivedHeadlineCut(t *testing.T) {
	han := func(n int) string { return strings.Repeat("好", n) }
	for _, tc := range []struct{ name, lead, want string }{
		{"comma at half", han(derivedMax/2) + "，" + han(derivedMax), han(derivedMax / 2)},
		{"comma at 20", han(20) + "，" + han(derivedMax), han(20)},
		{"comma too early", han(derivedMax/2-1) + "，" + han(derivedMax), han(derivedMax/2-1) + "，" + han(derivedMax-derivedMax/2) + "…"},
		{"short", han(10) + "。后文", han(10)},
	} {
		if got := derivedHeadline(tc.lead); got != tc.want {
			t.Errorf("%s: derivedHeadline = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestIsInitiativeNameCommas: a quoted name holds at most one comma, of
// either width, and maxInitiative characters at most. Kills sentence.go
// isInitiativeName's + → - and n > maxInitiative → >=.
func TestIsInitiativeNameCommas(t *testing.T) {
	for name, want := range map[string]bool{
		"红色物业": true, "党建引领，红色物业": true, strings.Repeat("好", maxInitiative): true, strings.Repeat("好", maxInitiative+1): false, "好": false, "甲,乙,丙": false, "甲，乙,丙": false, "甲，乙，丙": false,
	} {
		if got := isInitiativeName(name); got != want {
			t.Errorf("isInitiativeName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSplitLeadClosers: the lead ends after its sentence mark and the
// quotes or brackets closing right after it. Kills evidence.go
// splitLead's end < len(text) → >=.
func TestSplitLeadClosers(t *testing.T) {
	first := strings.Repeat("好", leadMin) + "。”"
	lead, rest := splitLead(first + "后文。")
	if lead != first || rest != "后文。" {
		t.Errorf("splitLead = %q, %q; want %q, %q", lead, rest, first, "后文。")
	}
}

// TestEndsWithPlace: a text ends with a place when its last characters
// are a whole place name, not only when it is one. Kills evidence.go
// endsWithPlace's len(s)-i → len(s)+i.
func TestEndsWithPlace(t *testing.T) {
	g, err := DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]bool{"在梁山县": true, "梁山县": true, "去金乡": true, "在会议": false, "": false} {
		if got := g.endsWithPlace(s); got != want {
			t.Errorf("endsWithPlace(%q) = %v, want %v", s, got, want)
		}
	}
}
