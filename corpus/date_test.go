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

// TestTextYearBounds: textYear believes dating phrases only for years from
// 1949 up to the maximum, both ends included; nothing else dates a text.
func TestTextYearBounds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		texts []string
		want  int
	}{
		{"1949 is the first", 2025, []string{"新华社北京1949年10月1日电"}, 1949},
		{"before 1949", 2025, []string{"新华社北京1948年10月1日电"}, 0},
		{"the maximum itself", 2025, []string{"截至2025年6月"}, 2025},
		{"after the maximum", 2024, []string{"截至2019年5月，截至2025年6月"}, 2019},
		{"the latest status across texts", 2030, []string{"截至2019年5月", "截至2021 年6月"}, 2021},
		{"a dated dateline wins", 2030, []string{"新华社北京2020年8月3日电", "截至2021年6月"}, 2020},
		{"opening date within two days", 2030, []string{"8月1日，消息称", "2023年7月31日发生"}, 2023},
		{"opening date three days away", 2030, []string{"8月3日，消息称", "2023年7月31日发生"}, 0},
		{"a year-end status", 2030, []string{"截至2022年12月底，累计完成"}, 0},
		{"a full date with no opening date", 2030, []string{"据报道，2023年8月1日发生"}, 0},
		{"a number without 年", 2030, []string{"2021"}, 0},
		{"a bare year", 2030, []string{"2021年"}, 0},
	} {
		if got := textYear(tc.max, tc.texts...); got != tc.want {
			t.Errorf("%s: textYear(%d, %q) = %d, want %d", tc.name, tc.max, tc.texts, got, tc.want)
		}
	}
}

// TestDateFromPath: a year standing apart in a file's or folder's name
// dates it; a month-day name under a year folder is a whole date.
func TestDateFromPath(t *testing.T) {
	for _, tc := range []struct {
		name string
		date Date
		year int
	}{
		{"news-2023.jsonl", "", 2023},
		{"2021/0705.txt", "2021-07-05", 2021},
		{"2021/1305.txt", "", 2021},
		{"a/2020/b/page.txt", "", 2020},
		{"a\\2019\\p.txt", "", 2019},
		{"x2020/page.txt", "", 0},
		{"000_cab5e3eb326b2879.txt", "", 0},
		{"news-20230805.jsonl", "2023-08-05", 2023},
		{"1899/p.txt", "", 0},
	} {
		if d, y := dateFromPath(tc.name); d != tc.date || y != tc.year {
			t.Errorf("dateFromPath(%q) = %q, %d; want %q, %d", tc.name, d, y, tc.date, tc.year)
		}
	}
}
