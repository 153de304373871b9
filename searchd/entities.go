package main

import (
	"fmt"
	"slices"

	"countynews/corpus"
	"countynews/internal/search"
	"countynews/query"
)

// names knows the counties and programs a query may name: the gazetteer
// and the program taxonomy that the corpus is tagged with. Chinese users
// type a county into the query (微山乡村振兴) rather than pick it from a
// facet; recognising it lets the page offer the filter, and lets a filter
// value be the official name (微山县) that the API itself returns as
// county_name as well as the short name (微山) the index files it under.
type names struct {
	gaz *corpus.Gazetteer
	tax *corpus.Taxonomy
}

// newNames loads the embedded gazetteer and taxonomy.
func newNames() (*names, error) {
	gaz, err := corpus.DefaultGazetteer()
	if err != nil {
		return nil, fmt.Errorf("names: %w", err)
	}
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		return nil, fmt.Errorf("names: %w", err)
	}
	return &names{gaz: gaz, tax: tax}, nil
}

// builtinNames are the embedded gazetteer and taxonomy, loaded once and
// only read: bindSearch makes county filters canonical with them.
var builtinNames = mustNames()

// mustNames is newNames for the package's one set of names: the data is
// embedded in the binary and checked by corpus's tests, so an error is a
// build defect.
func mustNames() *names {
	n, err := newNames()
	if err != nil {
		panic(err)
	}
	return n
}

// canonical returns county filter values as the index files them: an
// official name or alias of a county in the gazetteer (微山县, 孔子故里)
// becomes its short name (微山, 曲阜); other values stay as they are, so
// that an index of other counties still filters by its own values.
// Values that become equal are kept once.
func (n *names) canonical(counties []string) []string {
	out := make([]string, 0, len(counties))
	for _, v := range counties {
		if c, ok := n.gaz.Lookup(v); ok {
			v = c.Short
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// filterJSON is a suggested filter: a county or program named in the
// query, with the hits it would keep.
type filterJSON struct {
	Facet string `json:"facet"` // county or program: the parameter to set
	Value string `json:"value"` // the parameter's value
	Label string `json:"label"` // how to show it: the official name of a county
	Count int    `json:"count"` // hits of the same search with this filter (instead of the facet's current values)
}

// suggestFilters returns the counties, then the programs, that the
// positive terms of q name, as filters worth offering: not already the
// only value of their facet, with hits (their count in the facets, which
// are disjunctive: the count of a value is what setting the facet to it
// gives), and fewer than total, so that the filter narrows the results.
// A look-alike (微山湖 is a lake) names no county.
func (n *names) suggestFilters(q query.Query, p searchParams, f search.Facets, total int) []filterJSON {
	out := []filterJSON{}
	var counties, programs []string
	for _, t := range q.Positive() {
		for short := range n.gaz.Mentions(t.Text) {
			if !slices.Contains(counties, short) {
				counties = append(counties, short)
			}
		}
		for _, pr := range n.tax.Match(t.Text) {
			if !slices.Contains(programs, pr) {
				programs = append(programs, pr)
			}
		}
	}
	// Gazetteer order, not the order of a map.
	slices.SortFunc(counties, func(a, b string) int { return n.countyOrder(a) - n.countyOrder(b) })
	add := func(facet, value, label string, active []string, vals []search.FacetValue) {
		if len(active) == 1 && active[0] == value {
			return
		}
		i := slices.IndexFunc(vals, func(v search.FacetValue) bool { return v.Value == value })
		if i < 0 || vals[i].Count == 0 || vals[i].Count >= total && len(active) == 0 {
			return
		}
		out = append(out, filterJSON{Facet: facet, Value: value, Label: label, Count: vals[i].Count})
	}
	for _, short := range counties {
		c, _ := n.gaz.Lookup(short)
		add("county", short, c.Name, p.Counties, f.County)
	}
	for _, pr := range programs {
		add("program", pr, pr, p.Programs, f.Program)
	}
	return out
}

// countyOrder is a county's place in the gazetteer.
func (n *names) countyOrder(short string) int {
	return slices.IndexFunc(n.gaz.Counties, func(c corpus.County) bool { return c.Short == short })
}
