package corpus_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countynews/corpus"
)

const samplePath = "pages/000_cab5e3eb326b2879.txt"

// fixedNow pins "today" so that year inference is reproducible.
func fixedNow() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }

func newParser(t testing.TB) *corpus.Parser {
	t.Helper()
	p, err := corpus.NewParser(corpus.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func parseSample(t testing.TB) *corpus.Page {
	t.Helper()
	data, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	page, err := newParser(t).ParsePage(corpus.DefaultPrefix+filepath.Base(samplePath), data)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// TestSampleGolden pins the full parse of the sample page. Regenerate with
// UPDATE_GOLDEN=1 go test ./corpus -run Golden, and read the diff.
func TestSampleGolden(t *testing.T) {
	page := parseSample(t)
	got, err := json.MarshalIndent(page.Articles, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("parse of the sample differs from %s; run with UPDATE_GOLDEN=1 and review the diff", golden)
	}
	if len(page.Warnings) != 0 {
		t.Errorf("sample page gave warnings: %v", page.Warnings)
	}
}

// TestSampleFacts checks the facts the product depends on one by one, so a
// golden update cannot silently accept a regression in them.
func TestSampleFacts(t *testing.T) {
	page := parseSample(t)
	type want struct {
		county, name, headline, subtitle string
		reporters                        []string
		paragraphs                       int
	}
	wants := []want{
		{"金乡", "金乡县", "金乡打造“五大课堂”推动党史学习教育走深入实", "", []string{"孙虎玉"}, 6},
		{"嘉祥", "嘉祥县", "嘉祥实施农村党组织“四力”工程 夯实乡村振兴组织基础", "", []string{"潘笛欢", "孙畅畅"}, 5},
		{"梁山", "梁山县", "梁山依托三方力量 推进城市基层党建提档升级", "", []string{"许鑫", "段伟伟"}, 4},
		{"泗水", "泗水县", "泗水建立“三全”工作体系 打造过硬党员队伍", "", []string{"常琦", "欧阳莉平"}, 4},
		{"邹城", "邹城市", "邹城放权赋能多元共治 激发基层治理活力", "", []string{"孟令浩"}, 4},
		{"汶上", "汶上县", "汶上构建“四个体系” 提升城市基层党建工作水平", "", []string{"陈秀同", "程广谦"}, 5},
		{"微山", "微山县", "微山湖畔谱绘乡村振兴新画卷", "微山县下派工作纪实", []string{"刘儒静", "李婷婷", "韩凤丹"}, 6},
	}
	if len(page.Articles) != len(wants) {
		t.Fatalf("got %d articles, want %d", len(page.Articles), len(wants))
	}
	total, leads, ids := 0, 0, map[string]bool{}
	for i, w := range wants {
		a := page.Articles[i]
		t.Run(w.county, func(t *testing.T) {
			if a.County != w.county || a.CountyName != w.name {
				t.Errorf("county = %s/%s, want %s/%s", a.County, a.CountyName, w.county, w.name)
			}
			if a.Headline != w.headline || a.Subtitle != w.subtitle {
				t.Errorf("headline = %q / %q, want %q / %q", a.Headline, a.Subtitle, w.headline, w.subtitle)
			}
			if strings.Join(a.Reporters, " ") != strings.Join(w.reporters, " ") {
				t.Errorf("reporters = %q, want %q", a.Reporters, w.reporters)
			}
			if len(a.Paragraphs) != w.paragraphs {
				t.Errorf("%d paragraphs, want %d", len(a.Paragraphs), w.paragraphs)
			}
			if a.Year != 2021 || !a.YearInferred || a.Date != "" {
				t.Errorf("year = %d inferred=%v date=%q, want 2021 inferred, no date", a.Year, a.YearInferred, a.Date)
			}
			for j, p := range a.Paragraphs {
				if strings.ContainsAny(p.Text, "\r\n") {
					t.Errorf("paragraph %d contains a line break", j)
				}
				if strings.Contains(p.Text, a.Headline) || strings.Contains(p.Text, strings.Fields(a.Headline)[0]) {
					t.Errorf("paragraph %d contains the headline", j)
				}
				if (j == 0) != (p.Kind == corpus.KindLead) {
					t.Errorf("paragraph %d kind = %s", j, p.Kind)
				}
				if p.Kind == corpus.KindInitiative && (p.Topic == "" || !strings.HasPrefix(p.Text, p.Topic+"。")) {
					t.Errorf("paragraph %d topic %q is not its first sentence", j, p.Topic)
				}
				if p.Kind == corpus.KindInitiative && len(p.Programs) == 0 {
					t.Errorf("initiative %d (%s) has no program", j, p.Topic)
				}
				if ids[p.ID] {
					t.Errorf("duplicate paragraph id %s", p.ID)
				}
				ids[p.ID] = true
				if p.Source.Lines[0] < a.Source.Lines[0] || p.Source.Lines[1] > a.Source.Lines[1] || p.Source.Lines[0] > p.Source.Lines[1] {
					t.Errorf("paragraph %d lines %v outside article %v", j, p.Source.Lines, a.Source.Lines)
				}
				if j == 0 {
					leads++
				}
			}
		})
		total += len(a.Paragraphs)
	}
	if total != 34 || leads != 7 {
		t.Errorf("%d paragraphs with %d leads, want 34 with 7", total, leads)
	}
}

// TestSampleDetails pins individual decisions of the parser, each the
// resolution of a trap in the sample's layout.
func TestSampleDetails(t *testing.T) {
	page := parseSample(t)
	find := func(sub string) corpus.Paragraph {
		t.Helper()
		for _, a := range page.Articles {
			for _, p := range a.Paragraphs {
				if strings.Contains(p.Text, sub) {
					return p
				}
			}
		}
		t.Fatalf("no paragraph contains %q", sub)
		return corpus.Paragraph{}
	}
	tests := []struct {
		name  string
		sub   string
		check func(p corpus.Paragraph) bool
	}{
		{"column break inside a quoted name", "以“办实事、解难题”为主题", func(p corpus.Paragraph) bool {
			return p.Source.Lines == [2]int{45, 59}
		}},
		{"closing quote alone does not end a sentence", "微山县将“第一书记”“万名干部下基层”工作纳入", func(p corpus.Paragraph) bool {
			return p.Topic == "涵养内生动力，实现“人才振兴”"
		}},
		{"reporter name broken by a column break", "本报嘉祥讯（通讯员 潘笛欢 孙畅畅）近年来", func(p corpus.Paragraph) bool {
			return p.Kind == corpus.KindLead
		}},
		{"lead after a byline has no dateline", "十里稻花香，莲动下渔舟。", func(p corpus.Paragraph) bool {
			return p.Kind == corpus.KindLead && p.County == "微山"
		}},
		{"topic sentence", "深挖王杰精神，办好“红色课堂”。依托", func(p corpus.Paragraph) bool {
			return p.Topic == "深挖王杰精神，办好“红色课堂”"
		}},
		{"named initiatives as printed", "依托干部下沉凝聚力量共治。", func(p corpus.Paragraph) bool {
			return strings.Contains(strings.Join(p.Initiatives, "|"), "|街呼县应、接诉即办|")
		}},
		{"red property initiative", "依托组织覆盖推进小区共建。", func(p corpus.Paragraph) bool {
			return contains(p.Initiatives, "红色物业") && contains(p.Programs, "红色物业") && contains(p.Programs, "城市基层党建")
		}},
		{"programs from the headline", "建立全域培源机制", func(p corpus.Paragraph) bool {
			return contains(p.Programs, "发展党员")
		}},
		{"line span across a column break", "实施村集体经济发展行动", func(p corpus.Paragraph) bool {
			return p.Source.Lines == [2]int{85, 103}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := find(tc.sub)
			if !tc.check(p) {
				b, _ := json.Marshal(p)
				t.Errorf("unexpected parse: %s", b)
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestStableIDs: the same input gives the same IDs, and an edit changes
// only the edited article's IDs.
func TestStableIDs(t *testing.T) {
	a := parseSample(t)
	data, _ := os.ReadFile(samplePath)
	edited := bytes.Replace(data, []byte("孟令浩）近年来"), []byte("孟令浩）近几年"), 1)
	b, err := newParser(t).ParsePage(corpus.DefaultPrefix+filepath.Base(samplePath), edited)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Articles {
		same := a.Articles[i].ID == b.Articles[i].ID
		if (a.Articles[i].County == "邹城") == same {
			t.Errorf("article %s: id same=%v after editing only 邹城", a.Articles[i].County, same)
		}
	}
	if again := parseSample(t); again.Articles[3].Paragraphs[2].ID != a.Articles[3].Paragraphs[2].ID {
		t.Error("ids differ between two parses of the same page")
	}
}
