package search

import (
	"context"
	"path/filepath"
	"testing"

	"countynews/query"
)

// BenchmarkLoneCharacter measures one-character queries (a full request:
// ten highlighted hits and the facets) over 20,000 real paragraphs, for
// characters from common to rare, and a two-character word for scale,
// without the leaf cache (every repeat of a query would find its leaves
// there) and with it.
func BenchmarkLoneCharacter(b *testing.B) {
	ps := benchParagraphs(b, 20000)
	dir := filepath.Join(b.TempDir(), "index")
	buildAt(b, dir, BuildOptions{}, ps)
	ix, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	leaves := ix.leaves
	for _, c := range []string{"的", "县", "村", "振", "鑫", "乡村"} {
		req := Request{Query: query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: c}}}}}, Size: 10, Highlight: true, Facets: true}
		b.Run(c+"/uncached", func(b *testing.B) {
			ix.leaves = nil
			defer func() { ix.leaves = leaves }()
			var total int
			for b.Loop() {
				res, err := ix.Search(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
		b.Run(c+"/cached", func(b *testing.B) {
			var total int
			for b.Loop() {
				res, err := ix.Search(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}
