package corpus_test

import (
	"strings"
	"testing"
	"time"

	"countynews/corpus"
)

// TestHeadlineEdges: the headline is the unfinished tail of at most three
// title lines of at most 40 characters (a —— subtitle line not counted);
// one ending in ！ (at most three lines of at most 30 characters) is a
// headline even after a single paragraph. A page whose unfinished tail is
// all headline parses without a warning, one whose unfinished tail is a
// long paragraph and then a headline warns once, and so does one with no
// headline at all (it gets one derived from its lead).
func TestHeadlineEdges(t *testing.T) {
	const lead = "本报金乡讯（通讯员 甲乙）金乡县开展工作。\n\n"
	line40 := strings.Repeat("金乡推进", 10)    // 40 characters: a title line
	line41 := line40 + "改"                  // 41: a paragraph's line
	line30 := strings.Repeat("好", 29) + "！" // 30 characters ending in ！: a title line
	const derived = "金乡县开展工作"               // no headline printed: the lead's first sentence, flagged
	for _, tc := range []struct {
		name, page, headline, subtitle string
		paragraphs, warnings           int
	}{
		{"exclaimed headline after the lead alone", lead + "金乡好！\n", "金乡好！", "", 1, 0},
		{"exclaimed headline after two paragraphs", lead + "推进第一项工作。\n\n金乡好！\n", "金乡好！", "", 2, 0},
		{"exclaimed headline on three lines", lead + "金乡\n真\n好！\n", "金乡 真 好！", "", 1, 0},
		{"exclaimed headline line of 30 characters", lead + line30 + "\n", line30, "", 1, 0},
		{"exclaimed line of 31 characters is a paragraph", lead + "好" + line30 + "\n", derived, "", 2, 1},
		{"plain headline", lead + "金乡推进改革\n", "金乡推进改革", "", 1, 0},
		{"headline on three lines", lead + "金乡\n推进\n改革\n", "金乡 推进 改革", "", 1, 0},
		{"headline and subtitle", lead + "金乡\n推进\n改革\n——县里的新举措\n", "金乡 推进 改革", "县里的新举措", 1, 0},
		{"four short lines are a paragraph", lead + "金乡\n推进\n改革\n工作\n", derived, "", 2, 1},
		{"title line of 40 characters", lead + line40 + "\n", line40, "", 1, 0},
		{"line of 41 characters is a paragraph", lead + line41 + "\n", derived, "", 2, 1},
		{"unfinished paragraph before the headline", lead + strings.Repeat("推进工作", 12) + "\n\n金乡推进改革\n", "金乡推进改革", "", 2, 1},
		// One warning, that there is no headline: not also one about a
		// paragraph before a headline that is not there.
		{"no headline after an unfinished paragraph", lead + strings.Repeat("推进工作", 12) + "\n", derived, "", 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := newParser(t).ParsePage("p.txt", []byte(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Articles) != 1 {
				t.Fatalf("%d articles", len(page.Articles))
			}
			a := page.Articles[0]
			if a.HeadlineDerived != (tc.headline == derived) {
				t.Errorf("headline %q derived %v", a.Headline, a.HeadlineDerived)
			}
			if a.Headline != tc.headline || a.Subtitle != tc.subtitle || len(a.Paragraphs) != tc.paragraphs {
				t.Errorf("headline %q, subtitle %q, %d paragraphs; want %q, %q, %d", a.Headline, a.Subtitle, len(a.Paragraphs), tc.headline, tc.subtitle, tc.paragraphs)
			}
			if len(page.Warnings) != tc.warnings {
				t.Errorf("%d warnings, want %d: %v", len(page.Warnings), tc.warnings, page.Warnings)
			}
		})
	}
}

// TestParserNow: the year of an undated page is the latest its dating
// phrases give up to Options.Now's, so a parser made with a Now in the
// past does not take a later year.
func TestParserNow(t *testing.T) {
	page := "本报金乡讯（通讯员 甲乙）截至2018年5月，金乡县推进工作；截至2021年3月全部完成。\n\n标题\n"
	for _, tc := range []struct {
		now  int
		want int
	}{{2019, 2018}, {2025, 2021}} {
		p, err := corpus.NewParser(corpus.Options{Now: func() time.Time { return time.Date(tc.now, 6, 1, 0, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := p.ParsePage("p.txt", []byte(page))
		if err != nil {
			t.Fatal(err)
		}
		if got := pg.Articles[0].Year; got != tc.want {
			t.Errorf("now %d: year %d, want %d", tc.now, got, tc.want)
		}
	}
}

// TestDatelineFields: the dateline gives the county as printed when the
// gazetteer does not know it, and the reporters; an article without
// reporters has an empty list, not none.
func TestDatelineFields(t *testing.T) {
	page, err := newParser(t).ParsePage("p.txt", []byte("本报青山讯（通讯员 丙丁 戊己）推进工作。\n\n标题一\n\n本报讯 推进工作。\n\n标题二\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Articles) != 2 {
		t.Fatalf("%d articles", len(page.Articles))
	}
	a, b := page.Articles[0], page.Articles[1]
	if a.County != "青山" || a.CountyName != "青山" || strings.Join(a.Reporters, ",") != "丙丁,戊己" {
		t.Errorf("first: county %q (%q), reporters %q; want 青山 (青山), [丙丁 戊己]", a.County, a.CountyName, a.Reporters)
	}
	if b.Reporters == nil || len(b.Reporters) != 0 || b.County != "" {
		t.Errorf("second: reporters %#v, county %q; want an empty list and no county", b.Reporters, b.County)
	}
}
