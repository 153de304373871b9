package corpus_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
)

// TestPageParagraphBounded: a page whose text has no paragraph breaks (one
// 50,000-character line, as a runaway OCR or a pasted export gives) is cut
// at sentence ends into paragraphs of at most MaxPageParagraph characters,
// in order, losing nothing; a sentence longer than the bound is cut too.
func TestPageParagraphBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("本报梁山讯（通讯员 王五）")
	sentences := []string{"梁山县推行红色物业服务，小区治理见实效。", "网格员上门走访群众，收集意见建议。", "全县开展乡村振兴示范村建设！"}
	for i := 0; utf8.RuneCountInString(b.String()) < 50000; i++ {
		b.WriteString(sentences[i%len(sentences)])
	}
	b.WriteString(strings.Repeat("长句没有句号，", 500)) // 3,500 characters without a sentence end
	b.WriteString("结束。\n\n梁山红色物业见成效\n")
	page, err := newParser(t).ParsePage("long.txt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Articles) != 1 {
		t.Fatalf("%d articles", len(page.Articles))
	}
	a := page.Articles[0]
	var joined strings.Builder
	for i, p := range a.Paragraphs {
		if n := utf8.RuneCountInString(p.Text); n > corpus.MaxPageParagraph {
			t.Errorf("paragraph %d has %d characters, over %d", i, n, corpus.MaxPageParagraph)
		}
		if p.Position != i {
			t.Errorf("paragraph %d at position %d", i, p.Position)
		}
		joined.WriteString(p.Text)
	}
	if len(a.Paragraphs) < 25 {
		t.Errorf("%d paragraphs from 53,500 characters", len(a.Paragraphs))
	}
	want := strings.TrimSuffix(b.String(), "\n\n梁山红色物业见成效\n")
	if joined.String() != want {
		t.Errorf("the pieces do not add up to the text: %d vs %d bytes", joined.Len(), len(want))
	}
	// A paragraph under the bound is left whole.
	short, err := newParser(t).ParsePage("short.txt", []byte("本报梁山讯（通讯员 王五）"+strings.Repeat(sentences[0], 50)+"\n\n标题\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(short.Articles[0].Paragraphs); n != 1 {
		t.Errorf("a 1,050-character paragraph became %d", n)
	}
}

// TestJSONLCountyNotAPlace: a county that is not a place name (markup, a
// sentence) is not taken: the problem names file, line and value, the
// article is kept and its county found as for one without.
func TestJSONLCountyNotAPlace(t *testing.T) {
	for _, tc := range []struct{ county, want string }{
		{"<script>alert(1)</script>", ""},
		{"梁山 OR 1=1", ""},
		{"梁山", "梁山"},
		{"梁山县", "梁山"},
		{"某某县", "某某县"}, // a place outside the gazetteer, kept as printed
	} {
		rec := `{"id":"x","date":"2023-01-02","county":` + strconv.Quote(tc.county) + `,"text":"推进红色物业建设。"}`
		var got []corpus.Article
		probs, err := newParser(t).ReadJSONL(context.Background(), "e.jsonl", strings.NewReader(rec+"\n"), func(a corpus.Article) error {
			got = append(got, a)
			return nil
		})
		if err != nil || len(got) != 1 {
			t.Fatalf("%q: %v, %d articles", tc.county, err, len(got))
		}
		if got[0].County != tc.want {
			t.Errorf("county %q read as %q, want %q", tc.county, got[0].County, tc.want)
		}
		warned := len(probs) == 1 && strings.Contains(probs[0].Error(), "e.jsonl:1") && strings.Contains(probs[0].Error(), "is not a place name")
		if warned != (tc.want == "") {
			t.Errorf("county %q: problems %v", tc.county, probs)
		}
	}
}
