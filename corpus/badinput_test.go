package corpus_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
)

// TestBadPages: every malformed page gets a clear error naming file and
// line, or a documented fallback; never a panic.
func TestBadPages(t *testing.T) {
	sample, _ := os.ReadFile(samplePath)
	tests := []struct {
		name    string
		data    string
		wantErr string // substring of the error; "" means it must parse
		check   func(t *testing.T, p *corpus.Page)
	}{
		{name: "empty file", data: "", wantErr: "p.txt: empty page"},
		{name: "only whitespace", data: " \n\u3000\n\r\n", wantErr: "empty page"},
		{name: "binary", data: "本报金乡讯\x00\x01\x02", wantErr: "p.txt:1: NUL byte"},
		{name: "invalid UTF-8 on line 3", data: "本报金乡讯（通讯员 甲）好。\n\n\xff\xfe坏\n", wantErr: "p.txt:3: invalid UTF-8"},
		{name: "unclosed front matter", data: "---\ndate: 2021-07-05\n本报金乡讯", wantErr: "p.txt:3: front matter line \"本报金乡讯\" is not key: value (is the closing --- missing?)"},
		{name: "front matter never closed", data: "---\ndate: 2021-07-05\n", wantErr: "never closed"},
		{name: "bad front matter date", data: "---\ndate: 2021-13-45\n---\n本报金乡讯（通讯员 甲）好。\n\n标题\n", wantErr: "p.txt:2: front matter"},
		{name: "BOM and CRLF", data: "\uFEFF本报金乡讯（通讯员 甲乙）金乡县开展工作。\r\n\r\n标题\r\n", check: func(t *testing.T, p *corpus.Page) {
			a := p.Articles[0]
			if a.County != "金乡" || a.Headline != "标题" || a.Paragraphs[0].Text != "本报金乡讯（通讯员 甲乙）金乡县开展工作。" {
				t.Errorf("got %+v", a)
			}
		}},
		{name: "lone CR line ends", data: "本报金乡讯（通讯员 甲）好。\r\r标题\r", check: func(t *testing.T, p *corpus.Page) {
			if p.Articles[0].Headline != "标题" {
				t.Errorf("headline %q", p.Articles[0].Headline)
			}
		}},
		{name: "full-width digits, letters and spaces", data: "本报金乡讯（通讯员　甲乙）截至２０２１年６月，建成ＡＢＣ站　５个。\n\n标题\n", check: func(t *testing.T, p *corpus.Page) {
			a := p.Articles[0]
			if got := a.Paragraphs[0].Text; got != "本报金乡讯（通讯员 甲乙）截至2021年6月，建成ABC站5个。" {
				t.Errorf("text %q", got)
			}
			if a.Year != 2021 || !a.YearInferred {
				t.Errorf("year %d %v", a.Year, a.YearInferred)
			}
		}},
		{name: "no dateline or headline: one article", data: "金乡县召开会议。会议要求抓好落实。\n", check: func(t *testing.T, p *corpus.Page) {
			if len(p.Articles) != 1 || p.Articles[0].County != "金乡" || len(p.Warnings) != 2 {
				t.Errorf("articles %+v warnings %v", p.Articles, p.Warnings)
			}
			if !strings.Contains(p.Warnings[0].Error(), "p.txt:1: no dateline") {
				t.Errorf("warning %v", p.Warnings[0])
			}
		}},
		{name: "1 MB line", data: "本报金乡讯（通讯员 甲）" + strings.Repeat("好", 1<<20/3) + "。\n\n标题\n", check: func(t *testing.T, p *corpus.Page) {
			n := 0
			for _, para := range p.Articles[0].Paragraphs {
				n += len(para.Text)
				if utf8.RuneCountInString(para.Text) > corpus.MaxPageParagraph {
					t.Errorf("a paragraph of %d characters", utf8.RuneCountInString(para.Text))
				}
			}
			if n < 1<<20-10 {
				t.Error("long line lost")
			}
		}},
		{name: "headline only", data: "标题\n", wantErr: "p.txt:1: no article text"},
		{name: "front matter date", data: "---\ndate: 2021-07-05\n---\n本报金乡讯（通讯员 甲）截至2020年好。\n\n标题\n", check: func(t *testing.T, p *corpus.Page) {
			a := p.Articles[0]
			if a.Date != "2021-07-05" || a.Year != 2021 || a.YearInferred {
				t.Errorf("date %q year %d inferred %v", a.Date, a.Year, a.YearInferred)
			}
		}},
		{name: "plan year and later than today: not believed", data: "本报金乡讯（通讯员 甲）规划到2035年，截至2021年3月好。\n\n标题\n", check: func(t *testing.T, p *corpus.Page) {
			if p.Articles[0].Year != 2021 {
				t.Errorf("year %d", p.Articles[0].Year)
			}
		}},
		{name: "dateline outside the gazetteer", data: "本报济宁讯（记者 王五）梁山县开展工作。\n\n标题\n", check: func(t *testing.T, p *corpus.Page) {
			if a := p.Articles[0]; a.County != "梁山" || a.Reporters[0] != "王五" {
				t.Errorf("county %q reporters %q", a.County, a.Reporters)
			}
		}},
		{name: "look-alike lake is no evidence", data: "■本报通讯员 张三\n\n微山湖上开展活动，梁山县派人参加。\n\n微山湖畔好风光\n", check: func(t *testing.T, p *corpus.Page) {
			if a := p.Articles[0]; a.County != "梁山" {
				t.Errorf("county %q, want 梁山 (微山湖 is a lake)", a.County)
			}
		}},
		{name: "headline ending in an exclamation", data: "本报金乡讯（通讯员 甲）好。\n\n第二段。\n\n金乡加油！\n", check: func(t *testing.T, p *corpus.Page) {
			if a := p.Articles[0]; a.Headline != "金乡加油！" || len(a.Paragraphs) != 2 {
				t.Errorf("headline %q, %d paragraphs", a.Headline, len(a.Paragraphs))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newParser(t).ParsePage("p.txt", []byte(tc.data))
			if tc.wantErr != "" {
				var ce *corpus.Error
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &ce) {
					t.Fatalf("err = %v, want *corpus.Error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, p)
		})
	}
	_ = sample
}

// TestDefaultPages: the embedded corpus is the sample page as on disk.
func TestDefaultPages(t *testing.T) {
	b, err := fs.ReadFile(corpus.DefaultPages(), "000_cab5e3eb326b2879.txt")
	if err != nil {
		t.Fatal(err)
	}
	disk, _ := os.ReadFile(samplePath)
	if !bytes.Equal(b, disk) {
		t.Error("embedded page differs from the file")
	}
}

// TestDateFromFileName: a date, or a year, in a file's or folder's name
// dates its undated articles; otherwise the year comes from the text's
// dating phrase (截至2019年), flagged as inferred.
func TestDateFromFileName(t *testing.T) {
	tests := []struct {
		name, date string
		year       int
		inferred   bool
	}{
		{"pages/2021-07-05.txt", "2021-07-05", 2021, false},
		{"pages/jnrb_20210705_06.txt", "2021-07-05", 2021, false},
		{"pages/000_cab5e3eb326b2879.txt", "", 2019, true},
		{"pages/ab20210705cd.txt", "", 2019, true},
		{"pages/2021-13-05.txt", "", 2021, false},
		{"pages/news-2023.txt", "", 2023, false},
		{"2021/0705.txt", "2021-07-05", 2021, false},
		{"archive/2020/page3.txt", "", 2020, false},
		{"archive/x2020/page3.txt", "", 2019, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newParser(t).ParsePage(tc.name, []byte("本报金乡讯（通讯员 甲）截至2019年5月好。\n\n标题\n"))
			if err != nil {
				t.Fatal(err)
			}
			a := p.Articles[0]
			if string(a.Date) != tc.date || a.Year != tc.year || a.YearInferred != tc.inferred {
				t.Errorf("date %q year %d inferred %v, want %q %d %v", a.Date, a.Year, a.YearInferred, tc.date, tc.year, tc.inferred)
			}
		})
	}
}
