package synth_test

import (
	"bytes"
	"io/fs"
	"testing"
	"time"

	"countynews/corpus"
	"countynews/corpus/synth"
)

func sampleVocabulary(t *testing.T) synth.Vocabulary {
	t.Helper()
	data, err := fs.ReadFile(corpus.DefaultPages(), "000_cab5e3eb326b2879.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := corpus.NewParser(corpus.Options{})
	page, err := p.ParsePage("s.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, a := range page.Articles {
		for _, para := range a.Paragraphs {
			texts = append(texts, para.Text)
		}
	}
	return synth.NewVocabulary(texts)
}

func generator(t *testing.T, seed uint64) *synth.Generator {
	t.Helper()
	gaz, _ := corpus.DefaultGazetteer()
	tax, _ := corpus.DefaultTaxonomy()
	g, err := synth.New(seed, sampleVocabulary(t), gaz, tax)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGeneratedPagesParse: generated pages parse back to exactly the
// articles and paragraphs generated, with dates, counties and headlines,
// without warnings — the generator speaks the real layout.
func TestGeneratedPagesParse(t *testing.T) {
	g := generator(t, 42)
	p, err := corpus.NewParser(corpus.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	counties := map[string]int{}
	for i := range 60 {
		pg := g.Next(20)
		page, err := p.ParsePage(pg.Name, pg.Data)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(page.Warnings) > 0 {
			t.Fatalf("page %d (%s): warnings %v\n%s", i, pg.Name, page.Warnings, pg.Data)
		}
		n := 0
		for _, a := range page.Articles {
			n += len(a.Paragraphs)
			if a.County == "" || a.Headline == "" || a.Date == "" || a.YearInferred || len(a.Reporters) == 0 {
				t.Fatalf("page %d: article %+v lacks metadata", i, a)
			}
			counties[a.County]++
		}
		if len(page.Articles) != pg.Articles || n != pg.Paragraphs {
			t.Fatalf("page %d: parsed %d articles / %d paragraphs, generated %d / %d", i, len(page.Articles), n, pg.Articles, pg.Paragraphs)
		}
	}
	if len(counties) != 11 {
		t.Errorf("articles cover %d counties, want all 11: %v", len(counties), counties)
	}
}

func TestDeterministic(t *testing.T) {
	a, b, c := generator(t, 7), generator(t, 7), generator(t, 8)
	pa, pb, pc := a.Next(30), b.Next(30), c.Next(30)
	if !bytes.Equal(pa.Data, pb.Data) || pa.Name != pb.Name {
		t.Error("same seed gave different pages")
	}
	if bytes.Equal(pa.Data, pc.Data) {
		t.Error("different seeds gave the same page")
	}
}
