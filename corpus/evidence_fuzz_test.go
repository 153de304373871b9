package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzOriginalTitle: splitting off 原标题 never panics, loses nothing but
// the prefix, separators and repeats of the title, never keeps the prefix,
// and returns valid UTF-8 within the limits.
func FuzzOriginalTitle(f *testing.F) {
	for _, s := range []string{
		"原标题：坐标→邹城！这才是带娃的正确打开方式！坐标→邹城！这才是带娃的正确打开方式！ 济宁新闻网讯 邹城市",
		"原标题：痛心！北京消防员冯振牺牲\n据消息",
		"原标题：山东平原地震前后多地天空现诡异红光，济南地震监测中心回应6日，山东德州市平原县发生5.5级地震。",
		"原标题：济宁市任城区“信用+健康义诊”进社区 服务群众“零距离” “听说小区有义诊活动，我们早早就过来了！”",
		"原标题：很长很长很长很长很长很长很长很长",
		"原标题:。。。",
		"原标题：\xe4\xb8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return // exports are checked for UTF-8 before
		}
		title, rest := originalTitle(body)
		if !utf8.ValidString(title) || !utf8.ValidString(rest) {
			t.Fatalf("invalid UTF-8: %q %q", title, rest)
		}
		if !strings.HasPrefix(body, "原标题") {
			if title != "" || rest != body {
				t.Fatalf("no prefix, but %q %q", title, rest)
			}
			return
		}
		if strings.HasPrefix(rest, "原标题：") && title != "" {
			t.Fatalf("prefix kept: %q", rest)
		}
		if utf8.RuneCountInString(title) > titleMaxRunes {
			t.Fatalf("title of %d characters", utf8.RuneCountInString(title))
		}
		if title != "" && strings.HasPrefix(rest, title) {
			t.Fatalf("rest %q still opens with the title %q", rest, title)
		}
	})
}

// FuzzDerivedHeadline: a derived headline never panics, is valid UTF-8,
// holds no sentence mark or line break and is at most derivedMax
// characters and an ellipsis.
func FuzzDerivedHeadline(f *testing.F) {
	for _, s := range []string{
		"发布会现场大众网见习记者 刘兆鑫 济宁报道8月8日，济宁市政府新闻办召开新闻发布会。",
		"（人民日报健康客户端记者 孔天骄）8月11日，河南巩义的林周在医院就诊。",
		"广告 找工作 × 整治现场大众网记者 尹荣耀 济宁报道7月24日，",
		"8月15日是首个全国生态日。",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lead string) {
		if !utf8.ValidString(lead) {
			return
		}
		h := derivedHeadline(lead)
		if !utf8.ValidString(h) || strings.ContainsAny(h, "。！？!?\n\r") {
			t.Fatalf("derived headline %q", h)
		}
		if n := utf8.RuneCountInString(strings.TrimSuffix(h, "…")); n > derivedMax {
			t.Fatalf("derived headline of %d characters: %q", n, h)
		}
	})
}

// FuzzLocate: filing by evidence never panics, and files under a county
// of the gazetteer only; whatever comes before a text cannot make a
// look-alike evidence (the leftmost-longest scan starts over at each
// mention).
func FuzzLocate(f *testing.F) {
	g, err := DefaultGazetteer()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][3]string{
		{"原标题", "中阳位于吕梁山腹地。", "吕梁山区"},
		{"", "近日，山东济宁嘉祥警方破案。", "济宁市嘉祥县警方"},
		{"流窜作案，被济南警方抓了", "济南市钢城区发生盗窃案。", "济宁市泗水县有多起案件，窜至泗水盗窃"},
		{"", "烟台至曲阜东的列车", "曲阜路、曲阜市、泰安市和青岛市"},
		{"《题梁山军瑞丰亭》", "导演梁山", "汶上县人，"},
		{"\xff", "至", "—"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, headline, lead, rest string) {
		c, ok := g.Locate(headline, lead, rest)
		if ok {
			if _, known := g.Lookup(c.Short); !known {
				t.Fatalf("filed under %+v, not in the gazetteer", c)
			}
		} else if c.Name != "" {
			t.Fatalf("no county but %+v", c)
		}
		for _, alike := range []string{"吕梁山", "钓鱼台", "沂沭泗水系"} {
			if c2, ok2 := g.Locate("", "", strings.Repeat(alike, 5)); ok2 {
				t.Fatalf("look-alike %s files %s", alike, c2.Short)
			}
		}
	})
}

// FuzzTextYear: a year from the text never panics and is 0 or within
// 1949 and the maximum; dateFromPath gives a date only with its year.
func FuzzTextYear(f *testing.F) {
	for _, s := range []string{
		"新华社北京2023年8月3日电", "8月1日，2023年7月31日11时", "截至2021年6月", "1971年7月9日，基辛格", "2026年将举办", "截至 ２０２１ 年 ６ 月",
	} {
		f.Add(s, "news-2023.jsonl")
	}
	f.Add("", "2021/0705.txt")
	f.Fuzz(func(t *testing.T, text, name string) {
		if y := textYear(2026, text); y != 0 && (y < 1949 || y > 2026) {
			t.Fatalf("textYear(%q) = %d", text, y)
		}
		d, y := dateFromPath(name)
		if d != "" {
			if _, dy, err := ParseDate(string(d)); err != nil || dy != y {
				t.Fatalf("dateFromPath(%q) = %q, %d", name, d, y)
			}
		}
		if y != 0 && (y < 1900 || y > 2099) {
			t.Fatalf("dateFromPath(%q) year %d", name, y)
		}
	})
}

// FuzzInitiatives: named initiatives never panic and obey their rules:
// 2 to maxInitiative characters, no sentence mark, at most one comma.
func FuzzInitiatives(f *testing.F) {
	for _, s := range []string{
		"打造“五大课堂”，开展“我为群众办实事”", "他说：“博士，你会很快地了解到。”", "说到“我很荣幸来到这片神秘国土”时", "“”“", "“a”b”",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, n := range initiativesOf(text) {
			if !isInitiativeName(n) || !utf8.ValidString(n) && utf8.ValidString(text) {
				t.Fatalf("initiative %q from %q", n, text)
			}
		}
	})
}
