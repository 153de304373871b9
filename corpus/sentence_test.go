package corpus

import "testing"

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
