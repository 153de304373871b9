package corpus

import "testing"

// TestDateFromFileNameOK: a date-shaped name that is not a calendar date
// is not a date.
func TestDateFromFileNameOK(t *testing.T) {
	for _, tc := range []struct {
		name string
		date Date
		year int
		ok   bool
	}{
		{"pages/2021-07-05.txt", "2021-07-05", 2021, true},
		{"pages/2021-13-05.txt", "", 0, false},
		{"pages/2021-02-30.txt", "", 0, false},
		{"pages/notes.txt", "", 0, false},
	} {
		d, y, ok := dateFromFileName(tc.name)
		if d != tc.date || y != tc.year || ok != tc.ok {
			t.Errorf("dateFromFileName(%q) = %q, %d, %v; want %q, %d, %v", tc.name, d, y, ok, tc.date, tc.year, tc.ok)
		}
	}
}

// TestLatestYear: the latest year written with 年 from 1949 up to the
// maximum, both ends included; none is 0.
func TestLatestYear(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		texts []string
		want  int
	}{
		{"1949 is the first", 2025, []string{"1948年和1949年"}, 1949},
		{"before 1949", 2025, []string{"1948年"}, 0},
		{"the maximum itself", 2025, []string{"2019年", "2025年"}, 2025},
		{"after the maximum", 2024, []string{"2019年", "2025年"}, 2019},
		{"across texts", 2030, []string{"2019年", "截至2021 年6月"}, 2021},
		{"a number without 年", 2030, []string{"2021"}, 0},
	} {
		if got := latestYear(tc.max, tc.texts...); got != tc.want {
			t.Errorf("%s: latestYear(%d, %q) = %d, want %d", tc.name, tc.max, tc.texts, got, tc.want)
		}
	}
}
