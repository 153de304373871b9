package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"countynews/corpus"
	"countynews/corpus/synth"
	"countynews/internal/search/cnzap"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// The reference comparison of cnzap, our segment format, against zap
// v17, the format it was forked from: the same documents built (and
// merged) by each must read back the same through the segment API, and
// cnzap's Cursor (the direct evaluator's reader) must read what its
// PostingsIterator (Bleve's searchers' reader) reads.

// refParagraphs are the comparison's paragraphs: the sample page, a
// synthetic corpus, real news, and made-up edge cases (a term repeated,
// empty and missing fields, mixed scripts, full-width forms).
func refParagraphs(t *testing.T) []corpus.Paragraph {
	t.Helper()
	ps := defaultParagraphs(t)
	var texts []string
	for _, p := range ps {
		texts = append(texts, p.Text)
	}
	gaz, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	g, err := synth.New(7, synth.NewVocabulary(texts), gaz, tax)
	if err != nil {
		t.Fatal(err)
	}
	parser, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		pg := g.Next(12)
		page, err := parser.ParsePage(pg.Name, pg.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			ps = append(ps, a.Paragraphs...)
		}
	}
	ps = append(ps, realParagraphs(t)[:60]...)
	edge := []struct{ text, topic, headline string }{
		{"红红红红红红红红红红红红红红红红", "红红红", ""},
		{"乡村振兴乡村振兴乡村振兴，乡村振兴。", "", "乡村振兴"},
		{"5G基站 CPU 2023年建成ＡＢＣ１２３个，GDP增长6.5%。", "5G基站", "ＧＤＰ"},
		{"。", "", ""},
		{"金", "金", "金"},
	}
	for i, e := range edge {
		p := ps[i%len(ps)]
		p.ID = fmt.Sprintf("edge-%d", i)
		p.Text, p.Topic, p.Headline, p.HeadlineDerived = e.text, e.topic, e.headline, false
		ps = append(ps, p)
	}
	for i := range ps {
		ps[i].ID = fmt.Sprintf("%s-%d", ps[i].ID, i) // unique
	}
	return ps
}

// refDocs makes the analysed documents of ps, as a build does.
func refDocs(t *testing.T, ps []corpus.Paragraph) []index.Document {
	t.Helper()
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	var out []index.Document
	for _, p := range ps {
		d, err := sch.document(p, p.Source.File, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	var a indexAnalyzer
	for _, d := range out {
		d.AddIDField()
		analyzeDocument(&a, d)
	}
	return out
}

// fallbackDocs are documents our analyzers never make, for cnzap's exact
// locations: byte offsets (the standard analyzer's), array positions, a
// composite field (locations of other fields), and a field without term
// vectors.
func fallbackDocs(t *testing.T, n int) []index.Document {
	t.Helper()
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	std := sch.mapping.AnalyzerNamed(standard.Name)
	if std == nil {
		t.Fatal("no standard analyzer")
	}
	words := []string{"alpha", "beta", "gamma", "delta", "county", "news", "梁山", "金乡"}
	rng := rand.New(rand.NewPCG(11, 12))
	var out []index.Document
	for i := range n {
		d := document.NewDocument(fmt.Sprintf("fb-%03d", i))
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
		opts := index.IndexField | index.StoreField | index.IncludeTermVectors | index.DocValues
		d.AddField(document.NewTextFieldCustom("body", nil, text(1+rng.IntN(12)), opts, std))
		d.AddField(document.NewTextFieldCustom("tags", []uint64{uint64(i % 3), 7}, text(1+rng.IntN(3)), opts, std))
		d.AddField(document.NewTextFieldCustom("tags", []uint64{uint64(i%3) + 1}, text(2), opts, std))
		d.AddField(document.NewTextFieldCustom("plain", nil, text(3), index.IndexField, std))
		d.AddField(document.NewCompositeField("_all", true, nil, nil))
		out = append(out, d)
	}
	var a indexAnalyzer
	for _, d := range out {
		d.AddIDField()
		analyzeDocument(&a, d)
	}
	return out
}

// newSeg builds docs with a plugin and writes the segment to dir/name,
// then opens it.
func newSeg(t *testing.T, p interface {
	New([]index.Document) (segment.Segment, uint64, error)
	Open(string) (segment.Segment, error)
}, docs []index.Document, path string) segment.Segment {
	t.Helper()
	s, _, err := p.New(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.(segment.UnpersistedSegment).Persist(path); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = p.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// segDump is everything a segment gives through the segment API, as
// comparable text: per field and term, the documents, frequencies, norms'
// bits and locations, with and without a deleted bitmap; per document the
// stored fields and doc values.
func segDump(t *testing.T, s segment.Segment, except *roaring.Bitmap) []string {
	t.Helper()
	var out []string
	out = append(out, fmt.Sprintf("count %d fields %v", s.Count(), s.Fields()))
	for _, field := range s.Fields() {
		d, err := s.Dictionary(field)
		if err != nil {
			t.Fatal(err)
		}
		it := d.AutomatonIterator(nil, nil, nil)
		for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
			if err != nil {
				t.Fatal(err)
			}
			for _, ex := range []*roaring.Bitmap{nil, except} {
				pl, err := d.PostingsList([]byte(e.Term), ex, nil)
				if err != nil {
					t.Fatal(err)
				}
				line := fmt.Sprintf("%s:%q except=%v count=%d:", field, e.Term, ex != nil, pl.Count())
				pi := pl.Iterator(true, true, true, nil)
				for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
					if err != nil {
						t.Fatalf("%s: %v", line, err)
					}
					line += fmt.Sprintf(" %d/%d/%x", p.Number(), p.Frequency(), math.Float64bits(p.Norm()))
					for _, l := range p.Locations() {
						line += fmt.Sprintf("[%s %d %d %d %v]", l.Field(), l.Pos(), l.Start(), l.End(), l.ArrayPositions())
					}
				}
				out = append(out, line)
			}
		}
	}
	dvs, _ := s.(segment.DocValueVisitable)
	var dvFields []string
	if dvs != nil {
		dvFields, _ = dvs.VisitableDocValueFields()
	}
	out = append(out, fmt.Sprintf("doc value fields %v", dvFields))
	for n := range s.Count() {
		line := fmt.Sprintf("doc %d:", n)
		err := s.VisitStoredFields(n, func(field string, typ byte, value []byte, pos []uint64) bool {
			line += fmt.Sprintf(" %s/%c/%x/%v", field, typ, value, pos)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if dvs != nil {
			_, err = dvs.VisitDocValues(n, dvFields, func(field string, term []byte) {
				line += fmt.Sprintf(" dv:%s=%q", field, term)
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, line)
	}
	return out
}

// sameDump requires two dumps to be equal, naming the first difference.
func sameDump(t *testing.T, name string, got, want []string) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s: line %d:\ncnzap %s\nzap   %s", name, i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d", name, len(got), len(want))
	}
	if len(got) < 10 {
		t.Fatalf("%s: only %d lines compared", name, len(got))
	}
}

// compareCnzapCursor walks every list of s (a cnzap segment) with a
// Cursor and with the PostingsIterator and requires the same documents,
// frequencies, norms and positions; it returns the postings compared.
func compareCnzapCursor(t *testing.T, s segment.Segment) int {
	t.Helper()
	n := 0
	for _, field := range s.Fields() {
		d, err := s.Dictionary(field)
		if err != nil {
			t.Fatal(err)
		}
		it := d.AutomatonIterator(nil, nil, nil)
		for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
			if err != nil {
				t.Fatal(err)
			}
			pl, err := d.PostingsList([]byte(e.Term), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			l := pl.(*cnzap.PostingsList).List()
			if l == nil {
				if pl.Count() > 1 {
					t.Fatalf("%s:%q: no List of %d postings", field, e.Term, pl.Count())
				}
				continue
			}
			var c cnzap.Cursor
			c.Reset(l, true)
			pi := pl.Iterator(true, true, true, nil)
			for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
				if err != nil {
					t.Fatal(err)
				}
				if !c.Next() || c.Doc() != p.Number() {
					t.Fatalf("%s:%q: cursor at %d (%v), iterator at %d", field, e.Term, c.Doc(), c.Err(), p.Number())
				}
				f, nb, ok := c.FreqNorm()
				var want []uint64
				for _, l := range p.Locations() {
					want = append(want, l.Pos())
				}
				got := c.Positions(nil)
				if !ok || f != p.Frequency() || math.Float64bits(zapNorm(nb)) != math.Float64bits(p.Norm()) || !slices.Equal(got, want) {
					t.Fatalf("%s:%q doc %d: cursor %d %d %v, iterator %d %v %v", field, e.Term, p.Number(), f, nb, got, p.Frequency(), p.Norm(), want)
				}
				n++
			}
			if c.Next() || c.Err() != nil {
				t.Fatalf("%s:%q: cursor past the iterator's end (%v)", field, e.Term, c.Err())
			}
		}
	}
	return n
}

// TestCnzapMatchesZap builds the same documents with zap v17 and with
// cnzap and requires the same postings (documents, frequencies, norms bit
// for bit, locations), dictionaries, stored fields and doc values; then
// merges parts of them, with dropped documents, by each, and requires
// cnzap's merge to equal zap's and cnzap's build of the kept documents at
// once. The documents are ours (positions only: cnzap's compact
// locations) and the fallback ones (offsets, array positions, composite
// fields: its exact locations).
func TestCnzapMatchesZap(t *testing.T) {
	dir := t.TempDir()
	ps := refParagraphs(t)
	rng := rand.New(rand.NewPCG(1, 2))
	// A segment's building changes its documents (zap merges the token
	// frequencies of a field's values into the first value's): each build
	// is given documents of its own.
	ours := func() []index.Document { return refDocs(t, ps) }
	for _, tc := range []struct {
		name string
		docs func() []index.Document
	}{
		{"ours", ours},
		{"fallback", func() []index.Document { return fallbackDocs(t, 300) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := tc.docs()
			except := roaring.New()
			for i := range len(docs) {
				if rng.IntN(5) == 0 {
					except.Add(uint32(i))
				}
			}
			z := newSeg(t, &zap.ZapPlugin{}, tc.docs(), filepath.Join(dir, tc.name+"-all.zap"))
			c := newSeg(t, &cnzap.ZapPlugin{}, docs, filepath.Join(dir, tc.name+"-all.cnzap"))
			sameDump(t, "built", segDump(t, c, except), segDump(t, z, except))
			if n := compareCnzapCursor(t, c); n < 1000 {
				t.Fatalf("%d postings compared by cursor", n)
			}

			// Three parts, merged with drops.
			cuts := []int{0, len(docs) / 3, len(docs) * 2 / 3, len(docs)}
			var zs, cs []segment.Segment
			var drops []*roaring.Bitmap
			var kept []index.Document
			zdocs, cdocs, kdocs := tc.docs(), tc.docs(), tc.docs()
			for k := range 3 {
				lo, hi := cuts[k], cuts[k+1]
				zs = append(zs, newSeg(t, &zap.ZapPlugin{}, zdocs[lo:hi], filepath.Join(dir, fmt.Sprintf("%s-%d.zap", tc.name, k))))
				cs = append(cs, newSeg(t, &cnzap.ZapPlugin{}, cdocs[lo:hi], filepath.Join(dir, fmt.Sprintf("%s-%d.cnzap", tc.name, k))))
				drop := roaring.New()
				for i := range hi - lo {
					if rng.IntN(4) == 0 {
						drop.Add(uint32(i))
					} else {
						kept = append(kept, kdocs[lo+i])
					}
				}
				drops = append(drops, drop)
			}
			merge := func(p interface {
				Merge([]segment.Segment, []*roaring.Bitmap, string, chan struct{}, segment.StatsReporter) ([][]uint64, uint64, error)
				Open(string) (segment.Segment, error)
			}, segs []segment.Segment, path string) segment.Segment {
				if _, _, err := p.Merge(segs, drops, path, make(chan struct{}), nil); err != nil {
					t.Fatal(err)
				}
				s, err := p.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			zm := merge(&zap.ZapPlugin{}, zs, filepath.Join(dir, tc.name+"-merged.zap"))
			cm := merge(&cnzap.ZapPlugin{}, cs, filepath.Join(dir, tc.name+"-merged.cnzap"))
			exceptKept := roaring.New()
			for i := range len(kept) {
				if i%3 == 0 {
					exceptKept.Add(uint32(i))
				}
			}
			cmDump := segDump(t, cm, exceptKept)
			sameDump(t, "merged", cmDump, segDump(t, zm, exceptKept))
			ca := newSeg(t, &cnzap.ZapPlugin{}, kept, filepath.Join(dir, tc.name+"-kept.cnzap"))
			sameDump(t, "merged against built at once", cmDump, segDump(t, ca, exceptKept))
			compareCnzapCursor(t, cm)

			// A merge of segments of different field numberings (cnzap
			// re-encodes their postings): ours after the fallback ones.
			if tc.name == "fallback" {
				o := newSeg(t, &cnzap.ZapPlugin{}, ours()[:50], filepath.Join(dir, "ours-head.cnzap"))
				oz := newSeg(t, &zap.ZapPlugin{}, ours()[:50], filepath.Join(dir, "ours-head.zap"))
				drops = []*roaring.Bitmap{drops[0], roaring.BitmapOf(3, 7)}
				zm2 := merge(&zap.ZapPlugin{}, []segment.Segment{zs[0], oz}, filepath.Join(dir, "mixed.zap"))
				cm2 := merge(&cnzap.ZapPlugin{}, []segment.Segment{cs[0], o}, filepath.Join(dir, "mixed.cnzap"))
				sameDump(t, "merged, different fields", segDump(t, cm2, exceptKept), segDump(t, zm2, exceptKept))
				compareCnzapCursor(t, cm2)
			}
		})
	}
}

// TestIndexSegmentsAreCnzap checks that a generation has one format,
// cnzap: a full build's segment, and those an update writes through
// scorch's online path (and its merges), next to the copied ones.
func TestIndexSegmentsAreCnzap(t *testing.T) {
	for name, ix := range map[string]*Index{"full": build(t, defaultParagraphs(t)), "updated": segmentedIndex(t)} {
		rd, err := ix.reader()
		if err != nil {
			t.Fatal(err)
		}
		segs, ok := snapshotSegments(rd)
		if !ok || len(segs) == 0 {
			t.Fatalf("%s: no segments", name)
		}
		for i, s := range segs {
			if _, ok := s.seg.(*cnzap.Segment); !ok {
				t.Errorf("%s: segment %d of %d is a %T", name, i, len(segs), s.seg)
			}
		}
		rd.Close()
		if name == "updated" && len(segs) < 2 {
			t.Errorf("updated: %d segment: no segment of the update", len(segs))
		}
	}
}
