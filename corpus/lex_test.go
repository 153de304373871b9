package corpus

import "testing"

// TestIsDatelineStart: 本报, at most six Han characters of place name and
// 讯 (or the line's end, when the dateline wraps before 讯) may open a
// dateline; anything else in the place name, or a longer one, may not.
func TestIsDatelineStart(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       bool
	}{
		{"dateline", "本报金乡讯（通讯员 孙虎玉）", true},
		{"本报讯", "本报讯 近日", true},
		{"wrapped before 讯", "本报金乡", true},
		{"wrapped after 本报", "本报", true},
		{"six-character place", "本报一二三四五六讯", true},
		{"six characters, wrapped", "本报一二三四五六", true},
		{"seven characters", "本报一二三四五六七", false},
		{"seven characters and 讯", "本报一二三四五六七讯", false},
		{"space in the place name", "本报金乡 讯", false},
		{"Latin in the place name", "本报ab讯", false},
		{"punctuation", "本报，讯", false},
		{"not at the start", "据本报金乡讯", false},
	} {
		if got := isDatelineStart(tc.line); got != tc.want {
			t.Errorf("%s: isDatelineStart(%q) = %v, want %v", tc.name, tc.line, got, tc.want)
		}
	}
}

// TestClip: at most n characters, with … only when something was cut, and
// never half a character.
func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"金乡县", 3, "金乡县"},
		{"金乡县", 4, "金乡县"},
		{"金乡县城", 3, "金乡县…"},
		{"", 0, ""},
	} {
		if got := clip(tc.in, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
