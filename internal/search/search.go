package search

import (
	"context"
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
	// Match says how the query's terms must occur: MatchExact (the zero
	// value, the query language as documented), MatchAll, MatchAny or
	// MatchAuto (see Match).
	Match Match
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
	// Collapse returns one hit per article or per story (syndicated
	// copies): the best paragraph of each, with Hit.Others and
	// Hit.Copies. From and Size then page through the groups; Total and
	// the facets still count paragraphs.
	Collapse Collapse
}

// Collapse says how hits are grouped.
type Collapse int

const (
	// CollapseNone returns every matching paragraph.
	CollapseNone Collapse = iota
	// CollapseArticle returns the best paragraph of each article.
	CollapseArticle
	// CollapseStory returns the best paragraph of each story: of all the
	// copies of a syndicated story, the best paragraph of the best copy.
	CollapseStory
	// CollapseAuto, the API's default, is CollapseNone for an answer of
	// exact matching (MatchExact, and MatchAuto's exact steps) and
	// CollapseStory for one of relaxed matching (MatchAll, MatchAny):
	// exact answers list every paragraph holding the terms, as a
	// journalist checking prior coverage needs; a relaxed answer to a
	// question is a list of stories, where five syndicated copies of one
	// would push four other stories off the first page (the search page
	// shows one card per story for every query). Result.Collapse says
	// which applied. On the relevance benchmark: Recall@10 0.709 → 0.717,
	// MRR@10 0.519 → 0.522 (BENCHMARKS.md).
	CollapseAuto
)

// String is the API's name of the mode: none, article or story.
func (c Collapse) String() string {
	switch c {
	case CollapseArticle:
		return "article"
	case CollapseStory:
		return "story"
	case CollapseAuto:
		return "auto"
	}
	return "none"
}

// ParseCollapse reads the API's name of a mode ("" is none).
func ParseCollapse(s string) (Collapse, error) {
	switch s {
	case "", "none":
		return CollapseNone, nil
	case "article":
		return CollapseArticle, nil
	case "story":
		return CollapseStory, nil
	case "auto":
		return CollapseAuto, nil
	}
	return CollapseNone, fmt.Errorf("collapse must be none, article, story or auto, not %q", s)
}

// maxCopies bounds Hit.Copies.
const maxCopies = 20

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
	// occurrence of a query term (in relaxed modes, of a word used) in
	// <mark>…</mark>, cut with … ("" unless asked for).
	Highlight string
	Score     float64
	// Others counts the group's other matches when collapsing: the
	// article's other matching paragraphs (CollapseArticle) or the
	// story's other copies with a matching paragraph (CollapseStory).
	Others int
	// Copies are those other copies of the story, best first, each by its
	// best matching paragraph (CollapseStory only; at most 20).
	Copies []Copy
}

// Copy is another article of a hit's story, by its best matching
// paragraph.
type Copy struct {
	ID           string // the paragraph
	ArticleID    string
	Headline     string
	Outlet       string
	Date         corpus.Date
	Year         int
	YearInferred bool
	Citation     string
}

func copyOf(p corpus.Paragraph) Copy {
	return Copy{ID: p.ID, ArticleID: p.ArticleID, Headline: p.Headline, Outlet: p.Outlet, Date: p.Date,
		Year: p.Year, YearInferred: p.YearInferred, Citation: p.Citation()}
}

// Result is the answer to a Request.
type Result struct {
	// Total is the number of matching paragraphs, collapsed or not.
	Total int
	// Groups is the number of articles or stories among them when
	// collapsing (Total otherwise): what From and Size page through.
	Groups int
	Hits   []Hit
	Facets Facets
	// Match is the mode that produced the hits: MatchExact, MatchAll or
	// MatchAny (never MatchAuto; under MatchAuto the first mode that found
	// something, or MatchAny if none did).
	Match Match
	// Words are the words or pieces searched for when the query did not
	// run as typed: the exact pieces of terms split at punctuation (Match
	// is then MatchExact), or the words of MatchAll and MatchAny. Nil when
	// the query ran as typed (MatchExact on the terms themselves).
	Words []string
	// Collapse is how the hits are grouped: the request's, or for
	// CollapseAuto the one it stood for (never CollapseAuto).
	Collapse Collapse
}

// maxWindow bounds From+Size, as Bleve's collector holds that many hits.
const maxWindow = 100_000

// Search runs r. It honours ctx: a cancelled or expired context stops the
// search and its error is returned.
//
// Under MatchAuto the steps (exact, pieces, all, any) run one after the
// other until one finds a paragraph passing the filters; a step that would
// search exactly what the one before did is skipped. Total and facets are
// those of the step that answers, and when exact finds something the
// answer is MatchExact's own.
func (ix *Index) Search(ctx context.Context, r Request) (_ *Result, err error) {
	defer recoverPanic("search", &err)
	if r.Collapse < CollapseNone || r.Collapse > CollapseAuto {
		return nil, fmt.Errorf("search: unknown collapse mode %d", r.Collapse)
	}
	if r.From < 0 || r.Size < 0 || r.From+r.Size > maxWindow {
		return nil, fmt.Errorf("search: bad window from %d size %d", r.From, r.Size)
	}
	f, err := newFilters(r)
	if err != nil {
		return nil, err
	}
	if r.Match < MatchExact || r.Match > MatchAuto {
		return nil, fmt.Errorf("search: unknown match mode %d", int(r.Match))
	}
	if cost, err := ix.Cost(ctx, r.Query); err == nil && cost > ix.HeavyCost() {
		// An expensive query keeps to one core: split over both, it
		// would leave nothing to the cheap searches arriving meanwhile
		// (issue 13: 8 clients sending the worst queries).
		ctx = context.WithValue(ctx, heavyKey{}, true)
	}
	steps := []Match{r.Match}
	switch {
	case !r.Query.HasPositive():
		steps = []Match{MatchExact} // nothing to relax
	case r.Match == MatchAuto:
		steps = autoSteps[:]
	}
	seen := map[string]bool{}
	for i, m := range steps {
		last := i == len(steps)-1
		if r.Match == MatchAuto && m == MatchAll && !last {
			phrased, err := ix.phrased(ctx, r.Query)
			if err != nil {
				return nil, err
			}
			if phrased {
				continue // see phrased
			}
		}
		p, err := ix.planFor(ctx, r.Query, r.In, m, 0)
		if err != nil {
			return nil, err
		}
		if seen[p.key] && !last {
			continue
		}
		seen[p.key] = true
		rs := r
		if r.Collapse == CollapseAuto {
			rs.Collapse = CollapseNone
			if p.mode != MatchExact {
				rs.Collapse = CollapseStory
			}
		}
		res, err := ix.run(ctx, rs, p.c, f)
		if err != nil {
			return nil, err
		}
		if res.Total == 0 && p.mode == MatchAny {
			// Fewer words than the minimum in every paragraph: one word
			// is enough.
			if p1, err := ix.planFor(ctx, r.Query, r.In, MatchAny, 1); err != nil {
				return nil, err
			} else if p1.key != p.key {
				p = p1
				if res, err = ix.run(ctx, rs, p.c, f); err != nil {
					return nil, err
				}
			}
		}
		if r.Match == MatchAuto && p.mode == MatchAll && res.Total > 0 && res.Total < allMinHits && len(p.words) >= 3 && !last {
			continue // see allMinHits
		}
		if res.Total > 0 || last {
			res.Match, res.Words, res.Collapse = p.mode, p.words, rs.Collapse
			return res, nil
		}
	}
	panic("unreachable: the last step returns")
}

// run runs the compiled query c with r's filters, window and options.
func (ix *Index) run(ctx context.Context, r Request, c compiled, f filters) (*Result, error) {
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
	ctx = c.scoring(ctx)
	res := &Result{Hits: []Hit{}}
	req := bleve.NewSearchRequestOptions(c.build(f.query("")), r.Size, r.From, false)
	rerank := ix.reranks(r, c, r.Sort)
	if rerank && r.Query.HasPositive() {
		// The reranker's candidates (rerank.go), paged here.
		req.From, req.Size = 0, max(r.From+r.Size, ix.depth())
	}
	if r.Collapse != CollapseNone {
		// Every hit, in order, to be grouped here: the reference for the
		// table's one-pass grouping, and the way for an index without
		// a table.
		req.From, req.Size = 0, maxWindow
	}
	req.Sort = sortOrder(r.Sort, r.Query.HasPositive())
	if req.Size > 0 {
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
	res.Total, res.Groups = int(sr.Total), int(sr.Total)
	if r.Collapse != CollapseNone && res.Total > len(sr.Hits) {
		extra.wait()
		return nil, &LimitError{What: "collapsed search without a document table", Limit: fmt.Sprintf("%d paragraphs", maxWindow), Got: fmt.Sprint(res.Total)}
	}
	var hits []Hit
	for _, h := range sr.Hits {
		p, err := ix.sch.decodeDoc(h)
		if err != nil {
			extra.wait()
			return nil, err
		}
		ix.stories.fill(&p)
		hit := Hit{Paragraph: p, Score: h.Score}
		if len(c.must) == 0 {
			// Nothing to rank by (Bleve scores its match-all 1 or 0
			// depending on the exclusions); the table path reports 0.
			hit.Score = 0
		}
		hits = append(hits, hit)
	}
	if r.Collapse != CollapseNone {
		hits = collapseSorted(hits, r.Collapse)
		res.Groups = len(hits)
	}
	if rerank && r.Query.HasPositive() {
		if err := ix.rerankHits(ctx, c.rerank, hits); err != nil {
			extra.wait()
			return nil, err
		}
	}
	if r.Collapse != CollapseNone || rerank && r.Query.HasPositive() {
		hits = hits[min(r.From, len(hits)):min(r.From+r.Size, len(hits))]
	}
	for _, hit := range hits {
		if r.Highlight {
			hit.Highlight = highlight(hit.Text, c.marks, fragmentRunes)
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

// collapseSorted groups hits sorted best first: the first hit of each
// article (or story) stands for it, with the count of the others and,
// for a story, the first hit of each of its other articles as copies.
func collapseSorted(hits []Hit, mode Collapse) []Hit {
	var out []Hit
	at := map[string]int{}        // group key -> index in out
	seen := map[string]struct{}{} // articles already listed in their story
	for _, h := range hits {
		key := h.ArticleID
		if mode == CollapseStory {
			key = h.StoryID
		}
		i, ok := at[key]
		if !ok {
			at[key] = len(out)
			seen[h.ArticleID] = struct{}{}
			out = append(out, h)
			continue
		}
		if mode == CollapseArticle {
			out[i].Others++
			continue
		}
		if _, ok := seen[h.ArticleID]; ok {
			continue
		}
		seen[h.ArticleID] = struct{}{}
		out[i].Others++
		if len(out[i].Copies) < maxCopies {
			out[i].Copies = append(out[i].Copies, copyOf(h.Paragraph))
		}
	}
	return out
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
func (s *schema) decodeDoc(h *search.DocumentMatch) (corpus.Paragraph, error) {
	raw, ok := h.Fields[fieldDoc].(string)
	if !ok {
		return corpus.Paragraph{}, fmt.Errorf("search: hit %s has no stored paragraph", h.ID)
	}
	p, err := s.stored.decode([]byte(raw))
	if err != nil {
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
