package corpus_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
)

const jiningJSONL = "../../shared/corpus/real/jining-news-2023.jsonl"

func readJSONL(t *testing.T, text string) ([]corpus.Article, []*corpus.Error) {
	t.Helper()
	var arts []corpus.Article
	probs, err := newParser(t).ReadJSONL(context.Background(), "x.jsonl", strings.NewReader(text), func(a corpus.Article) error {
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arts, probs
}

func TestJSONLRecords(t *testing.T) {
	long := strings.Repeat("金乡县推进工作，", 100) + "。"
	tests := []struct {
		name  string
		line  string
		check func(t *testing.T, a corpus.Article)
	}{
		{"date given", `{"id":"a","date":"2023-08-19","text":"梁山县开展活动。截至2021年好。"}`, func(t *testing.T, a corpus.Article) {
			if a.Date != "2023-08-19" || a.Year != 2023 || a.YearInferred || a.County != "梁山" {
				t.Errorf("%+v", a)
			}
		}},
		{"date null: year inferred", `{"date":null,"text":"截至2021年6月，邹城市好。"}`, func(t *testing.T, a corpus.Article) {
			if a.Date != "" || a.Year != 2021 || !a.YearInferred || a.County != "邹城" {
				t.Errorf("%+v", a)
			}
		}},
		{"county field wins", `{"county":"金乡县","text":"梁山县开展活动。"}`, func(t *testing.T, a corpus.Article) {
			if a.County != "金乡" || a.CountyName != "金乡县" {
				t.Errorf("county %s %s", a.County, a.CountyName)
			}
		}},
		{"title field", `{"title":"标 题","text":"正文。"}`, func(t *testing.T, a corpus.Article) {
			if a.Headline != "标 题" || a.Paragraphs[0].Text != "正文。" {
				t.Errorf("%+v", a)
			}
		}},
		{"original title", `{"text":"原标题：52人落网！山东济宁警方摧毁团伙近日，山东济宁嘉祥警方破案。"}`, func(t *testing.T, a corpus.Article) {
			if a.Headline != "52人落网！" || a.HeadlineDerived || !strings.HasPrefix(a.Paragraphs[0].Text, "山东济宁") || a.County != "嘉祥" {
				t.Errorf("headline %q text %q county %q", a.Headline, a.Paragraphs[0].Text, a.County)
			}
		}},
		{"long sentence is cut, short ones packed", `{"text":"` + long + `短句一。短句二。"}`, func(t *testing.T, a corpus.Article) {
			total := 0
			for _, p := range a.Paragraphs {
				n := utf8.RuneCountInString(p.Text)
				if n > corpus.MaxParagraph {
					t.Errorf("paragraph of %d characters", n)
				}
				total += n
			}
			if total != utf8.RuneCountInString(long)+8 || len(a.Paragraphs) != 2 {
				t.Errorf("%d paragraphs, %d characters", len(a.Paragraphs), total)
			}
		}},
		{"full-width folded", `{"text":"２０２３年ＡＢＣ。"}`, func(t *testing.T, a corpus.Article) {
			if a.Paragraphs[0].Text != "2023年ABC。" {
				t.Errorf("text %q", a.Paragraphs[0].Text)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arts, probs := readJSONL(t, tc.line+"\n")
			if len(probs) > 0 || len(arts) != 1 {
				t.Fatalf("articles %d problems %v", len(arts), probs)
			}
			tc.check(t, arts[0])
		})
	}
}

func TestJSONLBadLines(t *testing.T) {
	in := "{\"text\":\"好。\"}\nnot json\n\n{\"text\":\"\"}\n[1,2]\n{\"text\":\"x\",\"date\":\"yesterday\"}\n{\"text\":\"好\xff\"}\n{\"text\":\"末。\"}"
	arts, probs := readJSONL(t, in)
	if len(arts) != 2 {
		t.Errorf("%d articles, want 2", len(arts))
	}
	want := []string{"x.jsonl:2: not a JSON object", `x.jsonl:4: record has no "text"`, "x.jsonl:5: not a JSON object",
		`x.jsonl:6: date "yesterday" is not YYYY-MM-DD`, "x.jsonl:7: invalid UTF-8"}
	if len(probs) != len(want) {
		t.Fatalf("problems %v", probs)
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i].Error(), w) {
			t.Errorf("problem %q, want %q", probs[i], w)
		}
	}
}

// TestJiningExport loads the 248 real articles: every article gets a
// distinct ID, and a pinned sample of the hand-read labels
// (testdata/jining-counties.tsv) must match exactly: every look-alike and
// passing-mention case issue 12 lists, and clear cases of every county.
func TestJiningExport(t *testing.T) {
	byLine := readJining(t)
	labels := readCountyLabels(t)
	ids := map[string]bool{}
	for _, a := range byLine {
		if ids[a.ID] {
			t.Errorf("duplicate article id %s", a.ID)
		}
		ids[a.ID] = true
	}
	pinned := []int{
		// look-alikes and passing mentions: no county
		13, 95, 224, 246, // 吕梁山, 吕梁
		214, 215, // 重庆梁平, 《题梁山军瑞丰亭》
		177, 196, 113, // 大梁山, 嵩梁山
		8,     // a director named 梁山
		104,   // 梁山书院 in Fujian
		7, 96, // 西钓鱼台
		147, 91, // 东格尔观鱼台, 杀鱼台
		178,             // 平江县木金乡
		24, 36, 87, 148, // 沂沭泗水系
		20, 21, 22, 25, 127, 151, // 汶上 as a birthplace
		29, 219, 192, // 曲阜路, 曲阜师院 and 曲阜师范大学 as alma mater
		62, 128, // 烟台至曲阜东
		10, 102, 189, // a Dezhou earthquake, one photo in 嘉祥
		107, 72, 248, 58, // police elsewhere; suspects also in 泗水/邹城
		28, 16, 159, 229, // lists
		// clear cases, every county
		5, 12, 14, 26, 33, 35, 40, 47, 55, 75, 77, 90, 94, 97, 100, 103, 110,
		129, 134, 156, 160, 162, 172, 191, 204, 210, 212, 235, 238, 242, 244,
	}
	if len(pinned) < 40 {
		t.Fatalf("only %d pinned", len(pinned))
	}
	for _, line := range pinned {
		lab, ok := labels[line]
		if !ok {
			t.Fatalf("line %d has no label", line)
		}
		if got := byLine[line].County; got != lab.county {
			t.Errorf("line %d: county %q, want %q (%s)", line, got, lab.county, lab.why)
		}
	}
}

func clip(s string) string {
	if r := []rune(s); len(r) > 50 {
		return string(r[:50])
	}
	return s
}

// TestJSONLYears: a year is true or absent. Each case is one of issue 12's:
// history, birth and plan years date nothing; datelines and the story's
// own dates do.
func TestJSONLYears(t *testing.T) {
	tests := []struct {
		name, file, line string
		year             int
		inferred         bool
	}{
		{"record date", "x.jsonl", `{"date":"2023-08-19","text":"1971年7月9日，基辛格秘密访华。"}`, 2023, false},
		{"Kissinger history: 1971, 1972", "x.jsonl", `{"text":"左图：1971年7月9日，基辛格秘密访华。基辛格与中方携手促成了1972年尼克松总统对中国进行破冰之旅。"}`, 0, false},
		{"冯振's birth year 1992", "x.jsonl", `{"text":"8月4日，共青团北京市委员会发布决定。冯振，男，汉族，1992年12月生，山东济宁人，中共党员。"}`, 0, false},
		{"plan year 2026", "x.jsonl", `{"text":"实习记者 主余凤7月28日，临沂市人民政府新闻办公室召开新闻发布会。2026年全省第12届残运会将在临沂举办。"}`, 0, false},
		{"retirement 1999, service 2008", "x.jsonl", `{"text":"作者简介：1953年1月生。1999年2月退休。孔战2008年退伍后，墨绿的军装被他珍藏在箱底。"}`, 0, false},
		{"dateline with its year", "x.jsonl", `{"text":"新华社北京2023年8月3日电 国务院召开常务会议。"}`, 2023, true},
		{"opening date and the story's full date", "x.jsonl", `{"text":"8月1日，中国消防通报：2023年7月31日11时49分，海淀区消防救援支队接报警情。"}`, 2023, true},
		{"full date far from the opening date is history", "x.jsonl", `{"text":"8月1日，纪念活动举行。1950年10月8日，毛泽东发布命令。"}`, 0, false},
		{"status as of a month", "x.jsonl", `{"text":"截至2021年6月，累计拨付帮扶资金3500万元。"}`, 2021, true},
		{"a year's total is reported the next year", "x.jsonl", `{"text":"截至2022年，活动共组织30余家媒体百余名记者探访。"}`, 0, false},
		{"no year after today", "x.jsonl", `{"text":"新华社北京2027年8月3日电 会议召开。"}`, 0, false},
		{"year in the file name", "news-2023.jsonl", `{"text":"1971年7月9日，基辛格秘密访华。"}`, 2023, false},
		{"year in a folder name", "2021/export.jsonl", `{"text":"好。"}`, 2021, false},
		{"date in the file name", "news-20230805.jsonl", `{"text":"好。"}`, 2023, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var arts []corpus.Article
			probs, err := newParser(t).ReadJSONL(context.Background(), tc.file, strings.NewReader(tc.line), func(a corpus.Article) error {
				arts = append(arts, a)
				return nil
			})
			if err != nil || len(probs) > 0 || len(arts) != 1 {
				t.Fatalf("err %v problems %v articles %d", err, probs, len(arts))
			}
			a := arts[0]
			if a.Year != tc.year || a.YearInferred != tc.inferred {
				t.Errorf("year %d inferred %v, want %d %v", a.Year, a.YearInferred, tc.year, tc.inferred)
			}
			for _, p := range a.Paragraphs {
				if p.Year != a.Year {
					t.Errorf("paragraph year %d", p.Year)
				}
			}
		})
	}
}
