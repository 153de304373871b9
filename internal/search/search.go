package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
	"countynews/query"
)

// Sort orders the hits of a search.
type Sort int

const (
	// SortRelevance ranks by BM25 score (ties by ID). A query with no
	// positive term has nothing to rank by and sorts as SortNewest.
	SortRelevance Sort = iota
	// SortNewest orders by year, then date, newest first (ties by ID);
	// paragraphs without a date come after the dated ones of their year.
	SortNewest
	// SortOldest orders by year, then date, oldest first (ties by ID).
	SortOldest
)

// Request is one search.
type Request struct {
	Query query.Query
	// Filters: the values of one list are ORed, the lists are ANDed, and
	// YearFrom and YearTo (inclusive, 0 for open) AND with the year list.
	Counties, Programs []string
	Years              []int
	YearFrom, YearTo   int
	// DateFrom and DateTo (YYYY-MM-DD, inclusive, "" for open) keep the
	// paragraphs dated within the range; a paragraph without a date (only
	// its year known, or nothing) is outside every range. The range ANDs
	// with the other filters and, not being the year facet's own filter,
	// also restricts the year counts.
	DateFrom, DateTo corpus.Date
	// In is the field the terms must occur in: the paragraph's text (the
	// zero value) or its article's headline.
	In   Field
	Sort Sort
	// From and Size page through the hits. Size 0 returns no hits, only
	// Total and Facets.
	From, Size int
	// Highlight fills Hit.Highlight with the best fragment of the text.
	Highlight bool
	// Facets fills Result.Facets (disjunctive counts, see Facets).
	Facets bool
}

// Field is where a request's terms are searched.
type Field int

const (
	// InText searches the paragraph's text.
	InText Field = iota
	// InHeadline searches the headline of the paragraph's article: every
	// paragraph of an article whose headline contains the terms matches.
	InHeadline
)

// Hit is one paragraph found.
type Hit struct {
	corpus.Paragraph
	// Highlight is an HTML fragment of the text: escaped, with each
	// occurrence of a query term in <mark>…</mark>, cut with … ("" unless
	// asked for).
	Highlight string
	Score     float64
}

// Result is the answer to a Request.
type Result struct {
	Total  int
	Hits   []Hit
	Facets Facets
}

// maxWindow bounds From+Size, as Bleve's collector holds that many hits.
const maxWindow = 100_000

// Search runs r. It honours ctx: a cancelled or expired context stops the
// search and its error is returned.
func (ix *Index) Search(ctx context.Context, r Request) (_ *Result, err error) {
	defer recoverPanic("search", &err)
	if r.From < 0 || r.Size < 0 || r.From+r.Size > maxWindow {
		return nil, fmt.Errorf("search: bad window from %d size %d", r.From, r.Size)
	}
	f, err := newFilters(r)
	if err != nil {
		return nil, err
	}
	c := ix.compileIn(r.Query, r.In)
	res := &Result{Hits: []Hit{}}
	if c.none {
		res.Facets = emptyFacets()
		return res, nil
	}
	if ix.table != nil {
		return ix.searchTable(ctx, r, c, f)
	}
	return ix.searchBleve(ctx, r, c, f)
}

// searchBleve runs r with Bleve's own collector, sorts and facets: the
// way for an index whose facets do not fit a document table, and the
// reference the table's results are tested against.
func (ix *Index) searchBleve(ctx context.Context, r Request, c compiled, f filters) (*Result, error) {
	res := &Result{Hits: []Hit{}}
	req := bleve.NewSearchRequestOptions(c.build(f.query("")), r.Size, r.From, false)
	req.Sort = sortOrder(r.Sort, r.Query.HasPositive())
	if r.Size > 0 {
		req.Fields = []string{fieldDoc}
	}

	var extra facetSearches
	if r.Facets {
		extra = ix.startFacets(ctx, c, f, req)
	}
	sr, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		extra.wait()
		return nil, searchError(ctx, err)
	}
	res.Total = int(sr.Total)
	for _, h := range sr.Hits {
		p, err := decodeDoc(h)
		if err != nil {
			extra.wait()
			return nil, err
		}
		hit := Hit{Paragraph: p, Score: h.Score}
		if len(c.must) == 0 {
			// Nothing to rank by (Bleve scores its match-all 1 or 0
			// depending on the exclusions); the table path reports 0.
			hit.Score = 0
		}
		if r.Highlight {
			hit.Highlight = highlight(p.Text, c.marks, fragmentRunes)
		}
		res.Hits = append(res.Hits, hit)
	}
	if r.Facets {
		if res.Facets, err = extra.finish(ctx, sr); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// sortOrder returns Bleve's sort for s. Every order ends with the ID, so
// that equal keys come in the same order in every generation (Bleve's own
// tie-break, the internal document number, depends on batch order).
func sortOrder(s Sort, ranked bool) search.SortOrder {
	if s == SortRelevance && !ranked {
		s = SortNewest
	}
	id := &search.SortDocID{}
	switch s {
	case SortNewest, SortOldest:
		desc := s == SortNewest
		return search.SortOrder{
			&search.SortField{Field: fieldYearNum, Type: search.SortFieldAsNumber, Desc: desc, Missing: search.SortFieldMissingLast},
			&search.SortField{Field: fieldDate, Type: search.SortFieldAsString, Desc: desc, Missing: search.SortFieldMissingLast},
			id,
		}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, id}
}

// decodeDoc decodes the stored paragraph of a hit.
func decodeDoc(h *search.DocumentMatch) (corpus.Paragraph, error) {
	var p corpus.Paragraph
	raw, ok := h.Fields[fieldDoc].(string)
	if !ok {
		return p, fmt.Errorf("search: hit %s has no stored paragraph", h.ID)
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("search: hit %s: %w", h.ID, err)
	}
	return p, nil
}

// searchError prefers the context's error, so that callers can tell a
// timeout from a failure with errors.Is.
func searchError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("search: %w (%v)", cerr, err)
	}
	return fmt.Errorf("search: %w", err)
}

// reader opens a reader of the index, for dictionary and frequency
// lookups.
func (ix *Index) reader() (index.IndexReader, error) {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, err
	}
	rd, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	// A closed index hands out a nil snapshot (scorch.go): report the
	// index closed rather than panic on it.
	if closedSnapshot(rd) {
		return nil, bleve.ErrorIndexClosed
	}
	return rd, nil
}
