package search

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"countynews/corpus"
)

// searchCase is one line of a testdata/<case>/searches.json file: a
// request in the query language with its filters, and what it must
// return.
type searchCase struct {
	Name      string   `json:"name"`
	Q         string   `json:"q"`
	Counties  []string `json:"counties"`
	Programs  []string `json:"programs"`
	Years     []int    `json:"years"`
	YearFrom  int      `json:"year_from"`
	YearTo    int      `json:"year_to"`
	Sort      string   `json:"sort"` // relevance (default), newest, oldest
	From      int      `json:"from"`
	Size      *int     `json:"size"` // default 10
	Facets    bool     `json:"facets"`
	Highlight bool     `json:"highlight"`
	Want      struct {
		Total      int               `json:"total"`
		IDs        []string          `json:"ids"`    // in order
		IDSet      []string          `json:"id_set"` // in any order
		Facets     *Facets           `json:"facets"`
		Highlights map[string]string `json:"highlights"` // by hit ID
	} `json:"want"`
}

func (c searchCase) request(t *testing.T) Request {
	r := Request{
		Query: mustParse(t, c.Q), Counties: c.Counties, Programs: c.Programs, Years: c.Years,
		YearFrom: c.YearFrom, YearTo: c.YearTo, From: c.From, Size: 10, Facets: c.Facets, Highlight: c.Highlight,
	}
	if c.Size != nil {
		r.Size = *c.Size
	}
	switch c.Sort {
	case "", "relevance":
	case "newest":
		r.Sort = SortNewest
	case "oldest":
		r.Sort = SortOldest
	default:
		t.Fatalf("%s: unknown sort %q", c.Name, c.Sort)
	}
	return r
}

// TestSearches runs every testdata/<case>/searches.json against an index
// of testdata/<case>/data.json (Bleve's house style of integration tests
// as data).
func TestSearches(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/searches.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no testdata/*/searches.json: %v", err)
	}
	for _, sf := range dirs {
		dir := filepath.Dir(sf)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var ps []corpus.Paragraph
			readJSON(t, filepath.Join(dir, "data.json"), &ps)
			var cases []searchCase
			readJSON(t, sf, &cases)
			ix := build(t, ps)
			for _, c := range cases {
				t.Run(c.Name, func(t *testing.T) {
					res, err := ix.Search(context.Background(), c.request(t))
					if err != nil {
						t.Fatal(err)
					}
					got := ids(res.Hits)
					if res.Total != c.Want.Total {
						t.Errorf("total %d, want %d (hits %v)", res.Total, c.Want.Total, got)
					}
					if c.Want.IDs != nil && !slices.Equal(got, c.Want.IDs) {
						t.Errorf("hits %v, want %v", got, c.Want.IDs)
					}
					if c.Want.IDSet != nil {
						slices.Sort(got)
						want := slices.Sorted(slices.Values(c.Want.IDSet))
						if !slices.Equal(got, want) {
							t.Errorf("hits %v, want %v in any order", got, want)
						}
					}
					if c.Want.Facets != nil {
						checkFacets(t, res.Facets, *c.Want.Facets)
					}
					for _, h := range res.Hits {
						if want, ok := c.Want.Highlights[h.ID]; ok && h.Highlight != want {
							t.Errorf("highlight of %s:\n got %s\nwant %s", h.ID, h.Highlight, want)
						}
					}
				})
			}
		})
	}
}

func checkFacets(t *testing.T, got, want Facets) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want []FacetValue
	}{{"county", got.County, want.County}, {"year", got.Year, want.Year}, {"program", got.Program, want.Program}} {
		if !slices.Equal(f.got, f.want) {
			t.Errorf("%s facet %v, want %v", f.name, f.got, f.want)
		}
	}
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
