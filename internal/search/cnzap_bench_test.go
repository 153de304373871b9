package search

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"countynews/internal/search/cnzap"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// segPlugin is what the benchmarks need of zap's and cnzap's plugins.
type segPlugin interface {
	New([]index.Document) (segment.Segment, uint64, error)
	Open(string) (segment.Segment, error)
	Merge([]segment.Segment, []*roaring.Bitmap, string, chan struct{}, segment.StatsReporter) ([][]uint64, uint64, error)
}

// benchSegments writes 12,000 real paragraphs as 6 segments of each
// format into dir.
func benchSegments(b *testing.B, dir string) map[string][]segment.Segment {
	ps := manyParagraphs(b, 12000)
	out := map[string][]segment.Segment{}
	for name, p := range map[string]segPlugin{"zap": &zap.ZapPlugin{}, "cnzap": &cnzap.ZapPlugin{}} {
		sch, err := newSchema()
		if err != nil {
			b.Fatal(err)
		}
		var a indexAnalyzer
		for k := range 6 {
			var docs []index.Document
			for _, q := range ps[k*2000 : (k+1)*2000] {
				d, err := sch.document(q, q.Source.File, true, 0)
				if err != nil {
					b.Fatal(err)
				}
				d.AddIDField()
				analyzeDocument(&a, d)
				docs = append(docs, d)
			}
			s, _, err := p.New(docs)
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%d", name, k))
			if err := s.(segment.UnpersistedSegment).Persist(path); err != nil {
				b.Fatal(err)
			}
			s.Close()
			if s, err = p.Open(path); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			out[name] = append(out[name], s)
		}
	}
	return out
}

// BenchmarkSegmentMerge merges 6 segments of 2,000 paragraphs into one,
// in zap v17's format and in cnzap's (bytes/op: the merged file's size).
func BenchmarkSegmentMerge(b *testing.B) {
	dir := b.TempDir()
	segs := benchSegments(b, dir)
	for _, name := range []string{"zap", "cnzap"} {
		p := map[string]segPlugin{"zap": &zap.ZapPlugin{}, "cnzap": &cnzap.ZapPlugin{}}[name]
		b.Run(name, func(b *testing.B) {
			drops := make([]*roaring.Bitmap, len(segs[name]))
			var size uint64
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				_, n, err := p.Merge(segs[name], drops, filepath.Join(dir, fmt.Sprintf("%s-merged-%d", name, i)), make(chan struct{}), nil)
				if err != nil {
					b.Fatal(err)
				}
				size = n
			}
			b.ReportMetric(float64(size), "file-bytes")
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkPostingsIterate reads every posting of the bigram field with
// its locations through the plugin's PostingsIterator (Bleve's searchers'
// path), zap v17's and cnzap's.
func BenchmarkPostingsIterate(b *testing.B) {
	segs := benchSegments(b, b.TempDir())
	for _, name := range []string{"zap", "cnzap"} {
		b.Run(name, func(b *testing.B) {
			s := segs[name][0]
			d, err := s.Dictionary(fieldText)
			if err != nil {
				b.Fatal(err)
			}
			var terms [][]byte
			it := d.AutomatonIterator(nil, nil, nil)
			for e, err := it.Next(); e != nil && err == nil; e, err = it.Next() {
				terms = append(terms, []byte(e.Term))
			}
			var pl segment.PostingsList
			var pi segment.PostingsIterator
			n := 0
			cpu := cpuTime()
			for b.Loop() {
				for _, term := range terms {
					pl, _ = d.PostingsList(term, nil, pl)
					pi = pl.Iterator(true, true, true, pi)
					for p, _ := pi.Next(); p != nil; p, _ = pi.Next() {
						n += len(p.Locations())
					}
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "locations/op")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkSegmentNew builds a segment of 2,000 real paragraphs, zap
// v17's and cnzap's; cpu-ms/op is the CPU time of New alone (the
// documents are made and analysed outside it).
func BenchmarkSegmentNew(b *testing.B) {
	ps := manyParagraphs(b, 2000)
	sch, err := newSchema()
	if err != nil {
		b.Fatal(err)
	}
	docs := func() []index.Document {
		var a indexAnalyzer
		var out []index.Document
		for _, q := range ps {
			d, err := sch.document(q, q.Source.File, true, 0)
			if err != nil {
				b.Fatal(err)
			}
			d.AddIDField()
			analyzeDocument(&a, d)
			out = append(out, d)
		}
		return out
	}
	for _, name := range []string{"zap", "cnzap"} {
		p := map[string]segPlugin{"zap": &zap.ZapPlugin{}, "cnzap": &cnzap.ZapPlugin{}}[name]
		b.Run(name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				ds := docs() // New changes its documents: fresh ones each time
				b.StartTimer()
				c := cpuTime()
				s, _, err := p.New(ds)
				cpu += cpuTime() - c
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkWriteSegment is the CPU of writing a full build's batch
// segment of 1,000 paragraphs (analysis, postings, the file), both ways:
// from the batch's inverted index (writeSegment, the build's) and from
// Bleve's token frequencies by cnzap's New (writeSegmentBleve, its
// reference).
func BenchmarkWriteSegment(b *testing.B) {
	ps := manyParagraphs(b, 1000)
	sch, err := newSchema()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var a indexAnalyzer
	inv := cnzap.NewInverted()
	for _, name := range []string{"inverted", "bleve"} {
		b.Run(name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				ds := paragraphDocs(b, sch, ps) // analysis changes its documents: fresh ones each time
				path := filepath.Join(dir, name+".zap")
				b.StartTimer()
				c := cpuTime()
				if name == "inverted" {
					err = writeSegment(&a, inv, ds, path)
				} else {
					err = writeSegmentBleve(&a, ds, path)
				}
				cpu += cpuTime() - c
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
