package corpus

import (
	"fmt"
	"strings"
	"time"
)

// Citation is the paragraph's reference as a journalist pastes it: the
// reporters, the headline, the outlet, the date (or the year, marked
// 推断 when inferred from the text), the printed page (版次) and the source
// file with the lines the paragraph spans, e.g.
//
//	孙虎玉：《金乡打造“五大课堂”》，济宁日报，2021年7月5日，第6版。来源：jnrb/20210705_06.txt 第5–13行
//
// Parts that are unknown are left out, the headline too when none was
// printed (a derived one, HeadlineDerived, is no title to cite).
// The source is the file as the index names it: relative to the corpus
// root the indexer was given, never an absolute path of the server.
// The search page's copy button and the API's "citation" field are this
// string.
func (p Paragraph) Citation() string {
	return citation(p.Reporters, printed(p.Headline, p.HeadlineDerived), p.Outlet, p.Date, p.Year, p.YearInferred, p.Page, p.Source)
}

// Citation is the article's reference: as Paragraph.Citation, with the
// lines of the whole article.
func (a Article) Citation() string {
	return citation(a.Reporters, printed(a.Headline, a.HeadlineDerived), a.Outlet, a.Date, a.Year, a.YearInferred, a.Page, a.Source)
}

// printed is the headline as printed: "" for a derived one.
func printed(headline string, derived bool) string {
	if derived {
		return ""
	}
	return headline
}

func citation(reporters []string, headline, outlet string, d Date, year int, inferred bool, page string, src Provenance) string {
	var b strings.Builder
	if len(reporters) > 0 {
		b.WriteString(strings.Join(reporters, "、"))
		b.WriteString("：")
	}
	var parts []string
	if headline != "" {
		parts = append(parts, "《"+headline+"》")
	}
	if outlet != "" {
		parts = append(parts, outlet)
	}
	parts = append(parts, DateText(d, year, inferred))
	if page != "" {
		parts = append(parts, "第"+strings.TrimSuffix(strings.TrimPrefix(page, "第"), "版")+"版")
	}
	b.WriteString(strings.Join(parts, "，"))
	if src.File != "" {
		b.WriteString("。来源：" + src.File)
		if src.Lines[0] > 0 {
			b.WriteString(" " + LineSpan(src.Lines))
		}
	}
	return b.String()
}

// DateText is a date in Chinese (2021年7月5日), else the year (2021年, or
// 2021年（推断） when inferred), else 日期不详.
func DateText(d Date, year int, inferred bool) string {
	if d != "" {
		if t, err := time.Parse(time.DateOnly, string(d)); err == nil {
			return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
		}
		return string(d)
	}
	switch {
	case year > 0 && inferred:
		return fmt.Sprintf("%d年（推断）", year)
	case year > 0:
		return fmt.Sprintf("%d年", year)
	}
	return "日期不详"
}

// LineSpan is a span of 1-based lines in Chinese: 第5行 or 第5–13行.
func LineSpan(lines [2]int) string {
	if lines[0] == lines[1] {
		return fmt.Sprintf("第%d行", lines[0])
	}
	return fmt.Sprintf("第%d–%d行", lines[0], lines[1])
}
