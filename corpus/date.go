package corpus

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates and years are true or absent. They come from metadata first: a
// page's front matter (date: 2021-07-05), a JSONL record's "date", a date
// in the file's name (2021-07-05 or 20210705). A year in the file's name or
// a folder's (news-2023.jsonl, 2021/0705.txt) dates the undated records in
// it (and 2021/0705.txt is 2021-07-05). Otherwise the year comes only from
// the text's own dating phrases (see textYear), flagged as inferred; never
// from the years a story mentions (history: 1971年基辛格访华, a birth:
// 1992年12月出生, a plan: 2026年将举办), and never after the current year.
// With nothing to date it, an article has no year (the search facet shows
// it under 未知年份).

var (
	fileDateRE = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?:$|[^0-9A-Za-z])`)
	// pathYearRE finds a year standing apart in a file or folder name.
	pathYearRE = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:19|20)\d{2})(?:$|[^0-9A-Za-z])`)
	// monthDayRE is a file name that is only a month and day: 0705.txt.
	monthDayRE = regexp.MustCompile(`^(\d{2})(\d{2})(?:\.|$)`)

	// asOfRE: 截至2021年6月 reports a status as of a month: the text was
	// written then. 截至2022年 alone or 截至2022年12月 (a year's total) is
	// reported the next year, and does not count.
	asOfRE = regexp.MustCompile(`截至\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月`)
	// datedLineRE: a dateline that carries its year, 2023年8月3日电.
	datedLineRE = regexp.MustCompile(`((?:19|20)\d{2})年\d{1,2}月\d{1,2}日(?:电|讯|消息)`)
	// fullDateRE: 2023年7月31日.
	fullDateRE = regexp.MustCompile(`((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	// bareDateRE: 8月5日 with no year before it.
	bareDateRE = regexp.MustCompile(`(?:^|[^0-9年])(\d{1,2})月(\d{1,2})日`)
)

// openingRunes is how far into a text a news opening's date (8月5日上午，…)
// is looked for.
const openingRunes = 80

// ParseDate accepts YYYY-MM-DD (and YYYYMMDD), checks the calendar and
// returns the date and its year.
func ParseDate(s string) (Date, int, error) {
	for _, layout := range []string{"2006-01-02", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date(t.Format("2006-01-02")), t.Year(), nil
		}
	}
	return "", 0, fmt.Errorf("date %q is not YYYY-MM-DD", clip(s, 20))
}

// dateFromFileName finds a date such as 2021-07-05 or 20210705 in a file's
// base name, standing apart from other letters and digits (so that a hex
// hash does not pass for a date).
func dateFromFileName(name string) (Date, int, bool) {
	m := fileDateRE.FindStringSubmatch(path.Base(name))
	if m == nil {
		return "", 0, false
	}
	d, y, err := ParseDate(m[1] + "-" + m[2] + "-" + m[3])
	return d, y, err == nil
}

// dateFromPath dates a file by its path: a date in its name, else a year
// in its name or the nearest folder's (news-2023.jsonl, 2021/0705.txt);
// with a year from a folder and a name that is a month and day
// (2021/0705.txt) the date is whole. Years must stand apart from letters
// and digits.
func dateFromPath(name string) (Date, int) {
	name = strings.ReplaceAll(name, `\`, "/")
	if d, y, ok := dateFromFileName(name); ok {
		return d, y
	}
	base := path.Base(name)
	if m := pathYearRE.FindStringSubmatch(base); m != nil {
		y, _ := strconv.Atoi(m[1])
		return "", y
	}
	for dir := path.Dir(name); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		m := pathYearRE.FindStringSubmatch(path.Base(dir))
		if m == nil {
			continue
		}
		if md := monthDayRE.FindStringSubmatch(base); md != nil {
			if d, y, err := ParseDate(m[1] + "-" + md[1] + "-" + md[2]); err == nil {
				return d, y
			}
		}
		y, _ := strconv.Atoi(m[1])
		return "", y
	}
	return "", 0
}

// textYear returns the year a text dates itself with, or 0. Only dating
// phrases count:
//
//   - a dateline carrying its year: 2023年8月3日电;
//   - a full date (2023年7月31日) within dayWindow days of the date a news
//     opening gives without a year (8月1日，…, 新华社北京8月3日电): the
//     story's own days; an anniversary's date (1953年7月27日 in a story of
//     7月27日) is no sign of the year, nor is history's;
//   - a status as of a month other than December: 截至2021年6月.
//
// Measured on the 7,957 undated articles of news-2023 (all 2023) read
// without their file's year: the opening-date rule dates 157, 149 of them
// right (a month's window: 237, 200 right); the status rule 78, 70 right.
//
// Years later than maxYear are not believed. texts are in reading order;
// the first is the opening.
func textYear(maxYear int, texts ...string) int {
	all := strings.Join(texts, "\n")
	ok := func(y int) bool { return y >= 1949 && y <= maxYear }
	for _, m := range datedLineRE.FindAllStringSubmatch(all, -1) {
		if y, _ := strconv.Atoi(m[1]); ok(y) {
			return y
		}
	}
	opening := all
	if rs := []rune(all); len(rs) > openingRunes {
		opening = string(rs[:openingRunes])
	}
	if om := bareDateRE.FindStringSubmatch(opening); om != nil {
		month, _ := strconv.Atoi(om[1])
		day, _ := strconv.Atoi(om[2])
		for _, m := range fullDateRE.FindAllStringSubmatch(all, -1) {
			y, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			if ok(y) && withinDays(month, day, mo, d) {
				return y
			}
		}
	}
	best := 0
	for _, m := range asOfRE.FindAllStringSubmatch(all, -1) {
		if mo, _ := strconv.Atoi(m[2]); mo == 12 {
			continue
		}
		if y, _ := strconv.Atoi(m[1]); ok(y) && y > best {
			best = y
		}
	}
	return best
}

// dayWindow is how many days a story's full date may lie from its
// opening's date (reported the next day, or two).
const dayWindow = 2

// withinDays reports whether two month-days are at most dayWindow days
// apart (months counted as 31 days; the year's turn is not bridged).
func withinDays(m1, d1, m2, d2 int) bool {
	if m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12 {
		return false
	}
	diff := (m1*31 + d1) - (m2*31 + d2)
	return diff >= -dayWindow && diff <= dayWindow
}

// pathDate is dateFromPath for the parser's input names.
func (p *Parser) pathDate(file string) (Date, int) { return dateFromPath(file) }
