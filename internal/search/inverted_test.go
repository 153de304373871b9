package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/search/cnzap"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// The reference comparison of a full build's batch segments written from
// the batch's inverted index (writeSegment: the one-pass analysis's
// tokens put straight into cnzap's Inverted, then NewFromInverted)
// against the same documents analysed as Bleve fields and written by
// cnzap's New from their token frequencies (writeSegmentBleve, scorch's
// way): the segment files must be the same bytes (dictionaries, postings
// with frequencies and locations, length tables, doc values, stored
// fields).

// paragraphDocs makes the (unanalysed) documents of ps, as a build does.
func paragraphDocs(t testing.TB, sch *schema, ps []corpus.Paragraph) []index.Document {
	t.Helper()
	out := make([]index.Document, 0, len(ps))
	for _, p := range ps {
		d, err := sch.document(p, p.Source.File, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// checkInverted writes ps in batches of n both ways, one Inverted and one
// analyzer reused for every batch (as a worker does), and fails unless
// every batch's segment files are the same bytes (with the postings that
// differ, for a failure's reading).
func checkInverted(t *testing.T, sch *schema, ps []corpus.Paragraph, n int) {
	t.Helper()
	dir := t.TempDir()
	var a, ra indexAnalyzer
	inv := cnzap.NewInverted()
	for b, batch := range slices.Collect(slices.Chunk(ps, n)) {
		got := filepath.Join(dir, fmt.Sprintf("inv-%d.zap", b))
		want := filepath.Join(dir, fmt.Sprintf("ref-%d.zap", b))
		if err := writeSegment(&a, inv, paragraphDocs(t, sch, batch), got); err != nil {
			t.Fatal(err)
		}
		if err := writeSegmentBleve(&ra, paragraphDocs(t, sch, batch), want); err != nil {
			t.Fatal(err)
		}
		sameSegmentFiles(t, fmt.Sprintf("batch %d of %d documents", b, len(batch)), got, want)
	}
}

// invertedEdgeParagraphs are made-up paragraphs at the analysis's edges,
// on a real paragraph's metadata: empty and missing fields, lone
// characters, traditional characters, forms the one-pass analysis leaves
// to Bleve's chains (invalid UTF-8, half-width katakana), upper-case
// Latin and Greek (lowered copies), repeated keywords (frequency 2), no
// year, a long paragraph.
func invertedEdgeParagraphs(t testing.TB) []corpus.Paragraph {
	base := defaultParagraphs(t)[0]
	edge := []func(p *corpus.Paragraph){
		func(p *corpus.Paragraph) { p.Text, p.Topic, p.Headline = "", "", "" },
		func(p *corpus.Paragraph) { p.Text, p.Topic, p.Headline, p.HeadlineDerived = "金", "金", "乡", false },
		func(p *corpus.Paragraph) { p.Text, p.Topic = "紅色物業發展，鄉村振興。", "紅色物業" },
		func(p *corpus.Paragraph) { p.Text, p.Topic = "梁山\xff县\xe4\xb8红色物业", "\xff" },
		func(p *corpus.Paragraph) { p.Text = "ｶﾀｶﾅ梁山县ﾊﾝｶｸ2023年" },
		func(p *corpus.Paragraph) {
			p.Text, p.Headline = "ΣΑΣ ABC Ⱥ Straße 5G基站CPU", "GDP增长ΟΔΟΣ"
		},
		func(p *corpus.Paragraph) {
			p.Programs = []string{"乡村振兴", "乡村振兴", "红色物业"}
			p.Initiatives = []string{"网格", "网格"}
			p.Reporters = []string{"孙虎玉", "孙虎玉"}
		},
		func(p *corpus.Paragraph) { p.Year, p.Date = 0, "" },
		func(p *corpus.Paragraph) { p.Text = strings.Repeat("乡村振兴工作2023年度，", 400) },
		func(p *corpus.Paragraph) { p.Text = "。，、" },
	}
	var out []corpus.Paragraph
	for i, f := range edge {
		p := base
		p.ID = fmt.Sprintf("inv-edge-%d", i)
		p.Programs = slices.Clone(p.Programs)
		f(&p)
		out = append(out, p)
	}
	return out
}

// TestInvertedSegmentsMatchBleve compares the two ways of writing a
// batch segment on the sample page, synthetic pages, real news and the
// edge cases, in batches of 40 (the Inverted reused batch after batch)
// and in one batch.
func TestInvertedSegmentsMatchBleve(t *testing.T) {
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	ps := append(refParagraphs(t), invertedEdgeParagraphs(t)...)
	edges := invertedEdgeParagraphs(t)
	for _, tc := range []struct {
		name string
		ps   []corpus.Paragraph
		n    int
	}{
		{"all, batches of 40", ps, 40},
		{"all, one batch", ps, len(ps)},
		{"edge cases, one a batch", edges, 1},
		{"edge cases, one batch", edges, len(edges)},
		{"real news, batches of 50", realParagraphs(t), 50},
	} {
		t.Run(tc.name, func(t *testing.T) { checkInverted(t, sch, tc.ps, tc.n) })
	}
}

// TestInvertedBuildMatchesBleve compares full builds with replacements and
// a removed input (segmentBuildOps: deletes dropped at the first merge)
// whose batches are written each way: the merged segments must index the
// same (dumpSegment: every posting, every stored field but the compressed
// paragraph) and store the same paragraphs (decoded: the stored
// dictionary is trained anew each build, not always to the same bytes).
func TestInvertedBuildMatchesBleve(t *testing.T) {
	ps := spreadParagraphs(t, 400)
	seg := func(opt BuildOptions) []string {
		dir := t.TempDir()
		segmentBuildOps(t, dir, opt, ps)
		files, err := filepath.Glob(filepath.Join(dir, "gen-*", "*", "store", offlineSegmentFile))
		if err != nil || len(files) != 1 {
			t.Fatalf("segment files %q (%v)", files, err)
		}
		out := dumpSegment(t, files[0])
		codec, err := readStoredCodec(filepath.Dir(filepath.Dir(filepath.Dir(files[0]))))
		if err != nil {
			t.Fatal(err)
		}
		s, err := segmentPlugin.Open(files[0])
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for doc := range s.Count() {
			err := s.VisitStoredFields(doc, func(field string, _ byte, value []byte, _ []uint64) bool {
				if field == fieldDoc {
					p, err := codec.decode(value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, fmt.Sprintf("doc %d paragraph %+v", doc, p))
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	got := seg(BuildOptions{BatchSize: 40})
	want := seg(BuildOptions{BatchSize: 40, bleveSegments: true})
	if len(got) < 1000 {
		t.Fatalf("full build: %d postings and stored fields", len(got))
	}
	sameDump(t, "full build with deletes", got, want)
}

// FuzzInvertedSegment compares the two ways on paragraphs cut from the
// input: texts, topics and headlines (any bytes), and keywords.
func FuzzInvertedSegment(f *testing.F) {
	for _, s := range []string{"梁山县红色物业|网格|2023年|乡村振兴", "金||ＡＢＣ|\xff", "紅色|ΣΑΣ|5G基站|a|a", ""} {
		f.Add(s)
	}
	sch, err := newSchema()
	if err != nil {
		f.Fatal(err)
	}
	base := defaultParagraphs(f)[0]
	f.Fuzz(func(t *testing.T, s string) {
		parts := strings.Split(s, "|")
		var ps []corpus.Paragraph
		for i := 0; i < len(parts); i += 3 {
			p := base
			p.ID = fmt.Sprintf("fz-%d", i)
			p.Text = parts[i]
			if i+1 < len(parts) {
				p.Topic = parts[i+1]
			}
			if i+2 < len(parts) {
				p.Headline, p.HeadlineDerived = parts[i+2], false
				p.Programs = []string{parts[i+2], parts[i]}
			}
			ps = append(ps, p)
		}
		checkInverted(t, sch, ps, 2)
	})
}

// TestInvertedOtherFields compares the two ways on documents our
// analyzers never make, through the Inverted's generic path (fields
// analysed by Bleve, added from their token frequencies): byte offsets
// (the standard analyzer's, so cnzap's exact locations), a field of one
// name given twice in a document (frequencies and lengths summed, as
// scorch merges them), a field without term vectors, a numeric field,
// stored fields with doc values; and, taken by Bleve's path
// (invertible), documents with array positions or a composite field.
func TestInvertedOtherFields(t *testing.T) {
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	std := sch.mapping.AnalyzerNamed(standard.Name)
	words := []string{"alpha", "beta", "Gamma", "delta", "county", "news", "梁山", "金乡"}
	rng := rand.New(rand.NewPCG(13, 14))
	text := func(k int) []byte {
		var b []byte
		for j := range k {
			if j > 0 {
				b = append(b, ' ')
			}
			b = append(b, words[rng.IntN(len(words))]...)
		}
		return b
	}
	docs := func(seed uint64, arrays, composite bool) func() []index.Document {
		return func() []index.Document {
			rng = rand.New(rand.NewPCG(seed, 14))
			var out []index.Document
			for i := range 60 {
				d := document.NewDocument(fmt.Sprintf("o-%03d", i))
				opts := index.IndexField | index.StoreField | index.IncludeTermVectors | index.DocValues
				d.AddField(document.NewTextFieldCustom("body", nil, text(1+rng.IntN(12)), opts, std))
				var ap []uint64
				if arrays && i%4 == 0 {
					ap = []uint64{uint64(i % 3)}
				}
				d.AddField(document.NewTextFieldCustom("tags", ap, text(1+rng.IntN(3)), opts, std))
				d.AddField(document.NewTextFieldCustom("tags", nil, text(2), opts, std))
				d.AddField(document.NewTextFieldCustom("plain", nil, text(3), index.IndexField, std))
				d.AddField(document.NewNumericFieldWithIndexingOptions("n", nil, float64(rng.IntN(50)), index.IndexField|index.DocValues))
				if composite {
					d.AddField(document.NewCompositeField("_all", true, nil, nil))
				}
				out = append(out, d)
			}
			return out
		}
	}
	for _, tc := range []struct {
		name       string
		docs       func() []index.Document
		invertible bool
	}{
		{"offsets, repeated fields, numbers", docs(1, false, false), true},
		{"array positions", docs(2, true, false), false},
		{"composite", docs(3, false, true), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := tc.docs()
			if got := !slices.ContainsFunc(ds, func(d index.Document) bool { return !invertible(d) }); got != tc.invertible {
				t.Fatalf("invertible %v, want %v", got, tc.invertible)
			}
			dir := t.TempDir()
			var a indexAnalyzer
			got, want := filepath.Join(dir, "inv.zap"), filepath.Join(dir, "ref.zap")
			if err := writeSegment(&a, cnzap.NewInverted(), ds, got); err != nil {
				t.Fatal(err)
			}
			if err := writeSegmentBleve(&a, tc.docs(), want); err != nil {
				t.Fatal(err)
			}
			sameSegmentFiles(t, tc.name, got, want)
		})
	}
}

// sameSegmentFiles fails unless the segment files got and want are the
// same bytes, with the postings that differ for a failure's reading.
func sameSegmentFiles(t *testing.T, label, got, want string) {
	t.Helper()
	gb, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gb, wb) {
		sameDump(t, label, dumpSegment(t, got), dumpSegment(t, want))
		t.Fatalf("%s: segment of %d bytes, Bleve's %d, not the same", label, len(gb), len(wb))
	}
}
