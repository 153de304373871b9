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
