package main

import (
	"context"

	"countynews/internal/search"
)

// queryHelp is what the search page offers beside the hits: corrected
// queries (did you mean) and the counties and programs the query names,
// as links that keep the rest of the state.
type queryHelp struct {
	DidYouMean []suggestion // Label is the corrected q
	Only       []suggestion // Label is 只看 and the filter's name
}

// queryHelp builds the page's queryHelp from the API's (api.queryHelp).
func (pg *pages) queryHelp(ctx context.Context, ix Index, st pageState, r search.Request, res *search.Result) (queryHelp, error) {
	var h queryHelp
	sugs, filters, err := pg.api.queryHelp(ctx, ix, st.p, r, res)
	if err != nil {
		return h, err
	}
	for _, s := range sugs {
		q := s.Query.String()
		next := st.with(nil)
		if next.p.setQ(q) != nil {
			continue // cannot happen: String's output parses
		}
		h.DidYouMean = append(h.DidYouMean, suggestion{Label: q, URL: next.href("/"), Count: s.Total})
	}
	for _, f := range filters {
		next := st.with(func(p *searchParams) {
			if f.Facet == "county" {
				p.Counties = []string{f.Value}
			} else {
				p.Programs = []string{f.Value}
			}
		})
		h.Only = append(h.Only, suggestion{Label: "只看 " + f.Label, URL: next.href("/"), Count: f.Count})
	}
	return h, nil
}
