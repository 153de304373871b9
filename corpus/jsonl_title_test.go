package corpus

import (
	"strings"
	"testing"
)

// TestOriginalTitle: a leading 原标题：TITLE is split off (see
// originalTitle): at a line break, where the body's first words begin (近日,
// a date, an outlet), at quoted speech, or after the first sentence mark,
// for a title of at least minTitle characters within titleMaxRunes; the
// prefix never stays in the text.
func TestOriginalTitle(t *testing.T) {
	long := strings.Repeat("很长", 35)
	for _, tc := range []struct {
		name, in, title, rest string
	}{
		{"ended by a space and the body's first word", "原标题：金乡推进改革 近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ended by a newline", "原标题：金乡推进改革\n近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ended by an ideographic space", "原标题：金乡推进改革\u3000近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ASCII colon", "原标题:金乡推进改革 近日开会。", "金乡推进改革", "近日开会。"},
		{"a space inside the title", "原标题：警银联动 反诈同行！邮储银行堵截诈骗。", "警银联动 反诈同行！", "邮储银行堵截诈骗。"},
		{"after the first exclamation", "原标题：52人落网！警方摧毁团伙近日，嘉祥警方破案。", "52人落网！", "警方摧毁团伙近日，嘉祥警方破案。"},
		{"an exclamation too short to be the title", "原标题：痛心！北京消防员牺牲\n据中国消防消息。", "痛心！北京消防员牺牲", "据中国消防消息。"},
		{"closing quote kept with the mark", "原标题：“第一次看趵突泉！”壹点公益夏令营走进济南。", "“第一次看趵突泉！”", "壹点公益夏令营走进济南。"},
		{"a full stop ends it and is dropped", "原标题：金乡推进改革。正文！", "金乡推进改革", "正文！"},
		{"no end within the limit: no title, no prefix", "原标题：" + long + "！正文。", "", long + "！正文。"},
		{"no prefix", "金乡推进改革 正文。", "", "金乡推进改革 正文。"},
		{"a space at character 61 still ends it", "原标题：" + long[:60*3] + " 正文。", long[:60*3], "正文。"},
	} {
		title, rest := originalTitle(tc.in)
		if title != tc.title || rest != tc.rest {
			t.Errorf("%s: originalTitle(%q) = %q, %q; want %q, %q", tc.name, tc.in, title, rest, tc.title, tc.rest)
		}
	}
}
