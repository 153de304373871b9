package search

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"countynews/corpus"
)

// TestTableFallback builds indexes that do not fit a document table (too
// many counties, years or programs for its one-byte ordinals and 64-bit
// program masks) and requires the fallback to be reported, with its
// reason, and searches to stay complete (Bleve's own facets count every
// value).
func TestTableFallback(t *testing.T) {
	ps := tableParagraphs(t)
	if len(ps) < 256 {
		for len(ps) < 256 {
			ps = append(ps, ps...)
		}
	}
	for _, tc := range []struct {
		name   string
		n      int // distinct values made
		vary   func(i int) (county string, year int, program string)
		reason string
		values func(Facets) int
	}{
		{"fits", 255, func(i int) (string, int, string) {
			return fmt.Sprintf("县%03d", i%255), 1800 + i%255, fmt.Sprintf("项目%02d", i%64)
		},
			"", func(f Facets) int { return len(f.County) }},
		{"256 counties", 256, func(i int) (string, int, string) { return fmt.Sprintf("县%03d", i%256), 2020, "乡村振兴" },
			"more than 255 counties", func(f Facets) int { return len(f.County) }},
		{"256 years", 256, func(i int) (string, int, string) { return "金乡县", 1700 + i%256, "乡村振兴" },
			"more than 255 years", func(f Facets) int { return len(f.Year) }},
		{"65 programs", 65, func(i int) (string, int, string) { return "金乡县", 2020, fmt.Sprintf("项目%02d", i%65) },
			"more than 64 programs", func(f Facets) int { return len(f.Program) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []corpus.Paragraph
			for i := range max(tc.n, 256) {
				p := ps[i%len(ps)]
				p.ID = fmt.Sprintf("p%04d", i)
				var prog string
				p.County, p.Year, prog = tc.vary(i)
				p.CountyName, p.Date, p.Programs = p.County, "", []string{prog}
				in = append(in, p)
			}
			ix := build(t, in)
			st := ix.Table()
			if st.Used != (tc.reason == "") || !strings.Contains(st.Reason, tc.reason) || (tc.reason == "") != (st.Reason == "") {
				t.Fatalf("Table() = %+v, want used %v, reason %q", st, tc.reason == "", tc.reason)
			}
			res, err := ix.Search(context.Background(), Request{Facets: true, Size: 3})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(in) || len(res.Hits) != 3 {
				t.Errorf("browse: total %d, %d hits; want %d, 3", res.Total, len(res.Hits), len(in))
			}
			want := tc.n
			if tc.reason == "" {
				want = 255
			}
			if got := tc.values(res.Facets); got != want {
				t.Errorf("%d facet values, want %d", got, want)
			}
		})
	}
}
