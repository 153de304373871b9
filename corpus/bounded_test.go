package corpus_test

import (
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
