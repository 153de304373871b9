package corpus

import "testing"

// TestOriginalTitle: a leading 原标题：TITLE is split off at the first line
// break or space (ASCII or ideographic), else after the last ！？ (with
// closing quotes) before any 。 within 60 characters; otherwise the text
// is kept whole.
func TestOriginalTitle(t *testing.T) {
	long := "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"
	for _, tc := range []struct {
		name, in, title, rest string
	}{
		{"ended by a space", "原标题：金乡推进改革 近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ended by a newline", "原标题：金乡推进改革\n近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ended by an ideographic space", "原标题：金乡推进改革\u3000近日，金乡县召开会议。", "金乡推进改革", "近日，金乡县召开会议。"},
		{"ASCII colon", "原标题:金乡推进改革 近日开会。", "金乡推进改革", "近日开会。"},
		{"the space wins over a later exclamation", "原标题：金乡 好！正文。", "金乡", "好！正文。"},
		{"after the last exclamation", "原标题：52人落网！警方摧毁团伙近日，嘉祥警方破案。", "52人落网！", "警方摧毁团伙近日，嘉祥警方破案。"},
		{"two marks: the last before the full stop", "原标题：好！真好？正文。后来！", "好！真好？", "正文。后来！"},
		{"closing quote kept with the mark", "原标题：“好！”正文。", "“好！”", "正文。"},
		{"no end before the full stop", "原标题：金乡推进改革。正文！", "", "原标题：金乡推进改革。正文！"},
		{"no end within 60 characters", "原标题：" + long + "！正文。", "", "原标题：" + long + "！正文。"},
		{"no prefix", "金乡推进改革 正文。", "", "金乡推进改革 正文。"},
		{"no end at all", "原标题：金乡", "", "原标题：金乡"},
		{"the mark is the last character", "原标题：金乡好！", "金乡好！", ""},
		{"a space at character 61 still ends it", "原标题：" + long[:60*3] + " 正文。", long[:60*3], "正文。"},
		{"a space at character 62 is too far", "原标题：" + long[:61*3] + " 正文。", "", "原标题：" + long[:61*3] + " 正文。"},
	} {
		title, rest := originalTitle(tc.in)
		if title != tc.title || rest != tc.rest {
			t.Errorf("%s: originalTitle(%q) = %q, %q; want %q, %q", tc.name, tc.in, title, rest, tc.title, tc.rest)
		}
	}
}
