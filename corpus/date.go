package corpus

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"time"
)

// Dates come from metadata when there is any: a page's front matter
// (date: 2021-07-05), a date in its file name (2021-07-05 or 20210705), or
// a JSONL record's "date". Otherwise only the year is known, inferred from
// the latest year written in the text (截至2021年6月), and never later than
// the current year.

var (
	fileDateRE = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?:$|[^0-9A-Za-z])`)
	yearRE     = regexp.MustCompile(`((?:19|20)\d{2})\s*年`)
)

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

// latestYear returns the latest plausible year written in texts (a four
// digit number followed by 年, from 1949 up to maxYear), or 0.
func latestYear(maxYear int, texts ...string) int {
	best := 0
	for _, t := range texts {
		for _, m := range yearRE.FindAllStringSubmatch(t, -1) {
			y, _ := strconv.Atoi(m[1])
			if y >= 1949 && y <= maxYear && y > best {
				best = y
			}
		}
	}
	return best
}
