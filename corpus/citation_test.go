package corpus_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"countynews/corpus"
)

// TestCitationGolden pins the citations of every paragraph and article of
// the sample page (given paper:, page: and date: front matter) and of
// JSONL records with and without an outlet, title and date. Regenerate
// with UPDATE_GOLDEN=1 go test ./corpus -run CitationGolden, and read the
// diff.
func TestCitationGolden(t *testing.T) {
	data, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	front := "---\ndate: 2021-07-05\npaper: 济宁日报\npage: 6\n---\n"
	p := newParser(t)
	page, err := p.ParsePage("jnrb/20210705_06.txt", append([]byte(front), data...))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Warnings) > 0 {
		t.Fatalf("front matter paper: and page: gave warnings: %v", page.Warnings)
	}
	// The same page without front matter: no outlet, no page, an inferred year.
	bare, err := p.ParsePage("pages/000.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	jsonl := strings.Join([]string{
		`{"id":"a1","title":"追授冯振同志“全国五一劳动奖章”","date":"2023-08-08","source":"大众日报","text":"记者从省总工会获悉，追授冯振同志全国五一劳动奖章。他生前是一名基层干部。"}`,
		`{"id":"a2","date":null,"text":"原标题：济宁发布暴雨预警 济宁市气象台发布暴雨蓝色预警。请注意防范。"}`,
		`{"id":"a3","date":"2023-07-01","source":"  新华社 ","text":"新华社北京7月1日电 一则没有标题的消息。"}`,
	}, "\n")
	var arts []corpus.Article
	probs, err := p.ReadJSONL(context.Background(), "real/news-2023.jsonl", strings.NewReader(jsonl), func(a corpus.Article) error {
		arts = append(arts, a)
		return nil
	})
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	arts = append(append(page.Articles, bare.Articles[:2]...), arts...)

	var got bytes.Buffer
	for _, a := range arts {
		fmt.Fprintf(&got, "article %s\n  %s\n", a.ID, a.Citation())
		for _, para := range a.Paragraphs {
			fmt.Fprintf(&got, "  %s\n", para.Citation())
		}
	}
	golden := filepath.Join("testdata", "citations.golden.txt")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("citations differ from %s; run with UPDATE_GOLDEN=1 and review the diff:\n%s", golden, got.String())
	}
}

// TestCitationParts checks each part of a citation on its own, so that a
// golden update cannot drop one unnoticed.
func TestCitationParts(t *testing.T) {
	base := corpus.Paragraph{Headline: "标题", Year: 2021, Source: corpus.Provenance{File: "pages/a.txt", Lines: [2]int{5, 13}}}
	tests := []struct {
		name string
		edit func(*corpus.Paragraph)
		want string
	}{
		{"minimal", func(*corpus.Paragraph) {}, "《标题》，2021年。来源：pages/a.txt 第5–13行"},
		{"reporters", func(p *corpus.Paragraph) { p.Reporters = []string{"孙虎玉", "李婷婷"} }, "孙虎玉、李婷婷：《标题》，2021年。来源：pages/a.txt 第5–13行"},
		{"outlet and page", func(p *corpus.Paragraph) { p.Outlet, p.Page = "济宁日报", "6" }, "《标题》，济宁日报，2021年，第6版。来源：pages/a.txt 第5–13行"},
		{"page written 第A3版", func(p *corpus.Paragraph) { p.Page = "第A3版" }, "《标题》，2021年，第A3版。来源：pages/a.txt 第5–13行"},
		{"date", func(p *corpus.Paragraph) { p.Date = "2021-07-05" }, "《标题》，2021年7月5日。来源：pages/a.txt 第5–13行"},
		{"inferred year", func(p *corpus.Paragraph) { p.YearInferred = true }, "《标题》，2021年（推断）。来源：pages/a.txt 第5–13行"},
		{"no date", func(p *corpus.Paragraph) { p.Year = 0 }, "《标题》，日期不详。来源：pages/a.txt 第5–13行"},
		{"no headline", func(p *corpus.Paragraph) { p.Headline = "" }, "2021年。来源：pages/a.txt 第5–13行"},
		{"a derived headline is not cited", func(p *corpus.Paragraph) { p.HeadlineDerived, p.Outlet = true, "人民网" }, "人民网，2021年。来源：pages/a.txt 第5–13行"},
		{"no headline, with reporters", func(p *corpus.Paragraph) { p.Headline, p.Reporters = "", []string{"孙虎玉"} }, "孙虎玉：2021年。来源：pages/a.txt 第5–13行"},
		{"one line", func(p *corpus.Paragraph) { p.Source.Lines = [2]int{7, 7} }, "《标题》，2021年。来源：pages/a.txt 第7行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.edit(&p)
			if got := p.Citation(); got != tt.want {
				t.Errorf("Citation() = %q, want %q", got, tt.want)
			}
		})
	}
}
