package corpus_test

import (
	"strings"
	"testing"
)

// TestDatelineAcrossColumnBreaks: a dateline wrapped over one or two
// column breaks before its 讯 (本报 / 嘉祥 / 讯（…）) still starts an
// article, with the county of its place name; a line that only looks like
// the start of one (本报 and a few characters, never followed by 讯 within
// three blocks) does not.
func TestDatelineAcrossColumnBreaks(t *testing.T) {
	first := "本报金乡讯（通讯员 甲乙）金乡县开展工作。\n\n标题一\n\n"
	for _, tc := range []struct {
		name     string
		second   string
		articles int
		county   string // of the second article
	}{
		{"unbroken", "本报嘉祥讯（通讯员 丙丁）嘉祥县推进工作。\n\n标题二\n", 2, "嘉祥"},
		{"broken before 讯", "本报嘉祥\n\n讯（通讯员 丙丁）嘉祥县推进工作。\n\n标题二\n", 2, "嘉祥"},
		{"broken after 本报 and before 讯", "本报\n\n嘉祥\n\n讯（通讯员 丙丁）嘉祥县推进工作。\n\n标题二\n", 2, "嘉祥"},
		{"broken three times", "本报\n\n嘉\n\n祥\n\n讯（通讯员 丙丁）嘉祥县推进工作。\n\n标题二\n", 1, ""},
		{"no 讯", "本报嘉祥\n\n县推进工作。\n\n标题二\n", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := newParser(t).ParsePage("p.txt", []byte(first+tc.second))
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Articles) != tc.articles {
				t.Fatalf("%d articles, want %d: %+v", len(page.Articles), tc.articles, page.Articles)
			}
			if page.Articles[0].County != "金乡" {
				t.Errorf("first article's county %q, want 金乡", page.Articles[0].County)
			}
			if tc.articles < 2 {
				return
			}
			a := page.Articles[1]
			if a.County != tc.county || a.Headline != "标题二" {
				t.Errorf("second article: county %q, headline %q; want %q, 标题二", a.County, a.Headline, tc.county)
			}
			if lead := a.Paragraphs[0].Text; !strings.HasPrefix(lead, "本报嘉祥讯（通讯员 丙丁）") {
				t.Errorf("second article's lead %q: the dateline's pieces are not joined", lead)
			}
		})
	}
}
