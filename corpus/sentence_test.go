package corpus

import (
	"fmt"
	"testing"
)

// TestEndsSentence: a sentence ends at 。！？ (or !?), possibly followed by
// closing quotes or brackets and trailing spaces; a closing quote alone,
// or any other last character, is a column break inside a sentence.
func TestEndsSentence(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"full stop", "推进工作。", true},
		{"full stop then closing quote", "他说：“要把好事办好。”", true},
		{"full stop then two closers", "（见“通知。”）", true},
		{"question mark then bracket", "怎么办？）", true},
		{"exclamation then book title mark", "《好！》", true},
		{"ASCII terminators", "ok!", true},
		{"trailing spaces ignored", "推进工作。” \u3000", true},
		{"closing quote alone", "微山县将“第一书记”", false},
		{"comma", "推进工作，", false},
		{"no punctuation", "推进工作", false},
		{"only closers", "”）", false},
		{"empty", "", false},
	} {
		if got := endsSentence(tc.in); got != tc.want {
			t.Errorf("%s: endsSentence(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestSplitSentences: each sentence keeps its terminator and closers; a
// line break ends a sentence too.
func TestSplitSentences(t *testing.T) {
	got := splitSentences("他说：“好。”再说！？然后\n标题行，没有句号")
	want := []string{"他说：“好。”", "再说！？", "然后", "标题行，没有句号"}
	if len(got) != len(want) {
		t.Fatalf("splitSentences = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sentence %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestTopicOf: the text before the first 。, or before the first ！？ when
// there is none; a terminator at the very start gives an empty topic.
func TestTopicOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"推进改革。成效明显！", "推进改革"},
		{"成效明显！推进改革", "成效明显"},
		{"怎么办?再说", "怎么办"},
		{"没有句号", "没有句号"},
		{"。开头就是句号", ""},
		{"！开头就是叹号", ""},
	} {
		if got := topicOf(tc.in); got != tc.want {
			t.Errorf("topicOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPackParagraphs: sentences are packed into paragraphs of at most max
// characters, exactly max included; a sentence longer than max is cut at
// the last clause mark (，；、) in the second half of the limit, else at the
// limit, and what is left of it starts the next paragraph.
func TestPackParagraphs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		sentences []string
		max       int
		want      []string
	}{
		{"exactly max", []string{"一二三。", "四五六七八九。"}, 11, []string{"一二三。四五六七八九。"}},
		{"one over", []string{"一二三。", "四五六七八九十。"}, 11, []string{"一二三。", "四五六七八九十。"}},
		{"a sentence of exactly max", []string{"一二三四五六七八九十。"}, 11, []string{"一二三四五六七八九十。"}},
		{"cut at the last clause mark", []string{"一二三四五，六七八；九十一二三四五六。"}, 10, []string{"一二三四五，六七八；", "九十一二三四五六。"}},
		{"a mark in the first half is not used", []string{"一二，三四五六七八九十一二三四。"}, 10, []string{"一二，三四五六七八九", "十一二三四。"}},
		{"a mark just past the half is", []string{"一二三四五六，七八九十一二三。"}, 10, []string{"一二三四五六，", "七八九十一二三。"}},
		{"a mark at the half is not", []string{"一二三四五，六七八九十一二三。"}, 10, []string{"一二三四五，六七八九", "十一二三。"}},
		{"a mark just after the limit is not", []string{"一二三四五六七八九十，一二。"}, 10, []string{"一二三四五六七八九十", "，一二。"}},
		{"a mark at the limit's last character", []string{"一二三四五六七八九，十一二。"}, 10, []string{"一二三四五六七八九，", "十一二。"}},
		{"no mark: cut at the limit, twice", []string{"一二三四五六七八九十一二三四五六七八九十一二。"}, 10, []string{"一二三四五六七八九十", "一二三四五六七八九十", "一二。"}},
		{"the rest of a cut sentence starts the next paragraph", []string{"一二三四五六七八九十一二。", "三四。"}, 10, []string{"一二三四五六七八九十", "一二。三四。"}},
		{"the rest and the next sentence fill exactly max", []string{"一二三四五六七八九十一二三四五六。", "七八。"}, 10, []string{"一二三四五六七八九十", "一二三四五六。七八。"}},
		{"nothing", nil, 10, nil},
	} {
		got := packParagraphs(tc.sentences, tc.max)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("%s: packParagraphs(%q, %d) = %q, want %q", tc.name, tc.sentences, tc.max, got, tc.want)
		}
	}
}
