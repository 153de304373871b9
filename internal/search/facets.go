package search

import (
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// FacetValue is one value of a facet and the number of hits that have it.
type FacetValue struct {
	Value string
	Count int
}

// UnknownYear is the year of paragraphs with no known year (package corpus
// leaves a year out rather than guess one): the year facet lists them under
// the value "0", and Request.Years may ask for them; no YearFrom–YearTo
// range holds them. The page shows the value as 未知年份.
const UnknownYear = 0

// Facets are the counts by county, year and program, each sorted by count
// (descending), then value. Every value with a hit is listed.
//
// The counts are disjunctive, for multi-select filters: each facet is
// counted with every filter of the request applied except its own, so the
// county list keeps showing the other counties (and how many hits picking
// them too would add) after one county is picked. The year facet leaves
// out both the year list and the YearFrom–YearTo range. A paragraph naming
// two programs counts once under each.
type Facets struct {
	County, Year, Program []FacetValue
}

// facetSize is the number of values asked of Bleve per facet: more than
// any facet has (counties, years and programs number in the tens), so that
// all are returned.
const facetSize = 10_000

var facetFields = []string{facetCounty, facetYear, facetProgram}

func emptyFacets() Facets {
	return Facets{County: []FacetValue{}, Year: []FacetValue{}, Program: []FacetValue{}}
}

// facetSearches are the searches counting the facets whose own filter is
// active, which must run without that filter; they run concurrently with
// the main search, which counts the others.
type facetSearches struct {
	wg      *sync.WaitGroup
	results map[string]*bleve.SearchResult
	errs    map[string]error
}

// startFacets adds to main the facets it can count and starts one size-0
// search for each of the others.
func (ix *Index) startFacets(ctx context.Context, c compiled, f filters, main *bleve.SearchRequest) facetSearches {
	fs := facetSearches{wg: &sync.WaitGroup{}, results: map[string]*bleve.SearchResult{}, errs: map[string]error{}}
	var mu sync.Mutex
	for _, field := range facetFields {
		if !f.active(field) {
			main.AddFacet(field, bleve.NewFacetRequest(field, facetSize))
			continue
		}
		req := countRequest(c.build(f.query(field)), field)
		fs.wg.Add(1)
		go func() {
			defer fs.wg.Done()
			var sr *bleve.SearchResult
			var err error
			func() {
				defer recoverPanic("facets", &err)
				sr, err = ix.bleve.SearchInContext(ctx, req)
			}()
			mu.Lock()
			fs.results[field], fs.errs[field] = sr, err
			mu.Unlock()
		}()
	}
	return fs
}

// countRequest asks for the counts of facet field over q's hits, without
// hits or scores.
func countRequest(q bq.Query, fields ...string) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	for _, field := range fields {
		req.AddFacet(field, bleve.NewFacetRequest(field, facetSize))
	}
	return req
}

// wait waits for the facet searches (when the main search failed).
func (fs facetSearches) wait() {
	if fs.wg != nil {
		fs.wg.Wait()
	}
}

// finish waits for the facet searches and gathers all counts.
func (fs facetSearches) finish(ctx context.Context, main *bleve.SearchResult) (Facets, error) {
	fs.wait()
	out := emptyFacets()
	for _, field := range facetFields {
		sr := main
		if r, ok := fs.results[field]; ok || fs.errs[field] != nil {
			if err := fs.errs[field]; err != nil {
				return out, searchError(ctx, err)
			}
			sr = r
		}
		out.set(field, facetValues(sr.Facets[field]))
	}
	return out, nil
}

func (f *Facets) set(field string, vals []FacetValue) {
	switch field {
	case facetCounty:
		f.County = vals
	case facetYear:
		f.Year = vals
	case facetProgram:
		f.Program = vals
	}
}

// facetValues converts Bleve's term counts, sorted by count, then value.
func facetValues(fr *search.FacetResult) []FacetValue {
	out := []FacetValue{}
	if fr == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		out = append(out, FacetValue{Value: t.Term, Count: t.Count})
	}
	return sortFacet(out)
}

// sortFacet sorts values by count (descending), then value; nil becomes
// an empty list.
func sortFacet(out []FacetValue) []FacetValue {
	if out == nil {
		return []FacetValue{}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// AllFacets counts counties, years and programs over the whole index.
func (ix *Index) AllFacets(ctx context.Context) (_ Facets, err error) {
	defer recoverPanic("facets", &err)
	if ix.table != nil {
		res, err := ix.searchTable(ctx, Request{Facets: true}, compiled{}, filters{})
		if err != nil {
			return emptyFacets(), err
		}
		return res.Facets, nil
	}
	return ix.allFacetsBleve(ctx)
}

// allFacetsBleve counts the facets with Bleve's doc-value facets.
func (ix *Index) allFacetsBleve(ctx context.Context) (Facets, error) {
	sr, err := ix.bleve.SearchInContext(ctx, countRequest(bq.NewMatchAllQuery(), facetFields...))
	if err != nil {
		return emptyFacets(), searchError(ctx, err)
	}
	out := emptyFacets()
	for _, field := range facetFields {
		out.set(field, facetValues(sr.Facets[field]))
	}
	return out, nil
}
