package main

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// Index is what the API needs of a search index: a tiny interface, so that
// handlers can be tested against the real index or a stand-in.
type Index interface {
	Search(ctx context.Context, r search.Request) (*search.Result, error)
	Paragraph(ctx context.Context, id string) (corpus.Paragraph, error)
	Article(ctx context.Context, id string) (corpus.Article, error)
	Similar(ctx context.Context, id string, scope search.Scope, size int) (*corpus.Paragraph, []search.Hit, error)
	AllFacets(ctx context.Context) (search.Facets, error)
	DidYouMean(ctx context.Context, r search.Request) ([]search.Suggestion, error)
	Counts(ctx context.Context, rs []search.Request) ([]int, error)
	// Marks finds in text what r's query matched (for the article view).
	Marks(r search.Request, text string) []search.Span
	// Complete returns what the index holds starting with a prefix.
	Complete(ctx context.Context, prefix string, n int) ([]search.Completion, error)
}

// hitJSON is one hit as the API returns it: the paragraph's fields, the
// highlighted fragment and the score.
type hitJSON struct {
	corpus.Paragraph
	Citation  string  `json:"citation"`
	Highlight string  `json:"highlight"`
	Score     float64 `json:"score"`
	// Others counts, when collapsing, the article's other matching
	// paragraphs (collapse=article) or the story's other matching copies
	// (collapse=story); 0 otherwise.
	Others int `json:"others"`
	// Copies are those other copies (collapse=story), best first.
	Copies []copyJSON `json:"copies"`
}

// copyJSON is another article of a hit's story, by its best matching
// paragraph.
type copyJSON struct {
	ID           string      `json:"id"`
	ArticleID    string      `json:"article_id"`
	Headline     string      `json:"headline"`
	Outlet       string      `json:"outlet"`
	Date         corpus.Date `json:"date"`
	Year         int         `json:"year"`
	YearInferred bool        `json:"year_inferred"`
	Citation     string      `json:"citation"`
}

// paragraphJSON is a paragraph with its citation.
type paragraphJSON struct {
	corpus.Paragraph
	Citation string `json:"citation"`
}

func toParagraph(p corpus.Paragraph) paragraphJSON {
	return paragraphJSON{Paragraph: p, Citation: p.Citation()}
}

// articleJSON is an article with its citation and its paragraphs', the
// strings the page's copy buttons copy.
type articleJSON struct {
	corpus.Article
	Citation   string          `json:"citation"`
	Paragraphs []paragraphJSON `json:"paragraphs"`
}

func toArticle(a corpus.Article) articleJSON {
	out := articleJSON{Article: a, Citation: a.Citation(), Paragraphs: make([]paragraphJSON, 0, len(a.Paragraphs))}
	for _, p := range a.Paragraphs {
		out.Paragraphs = append(out.Paragraphs, toParagraph(p))
	}
	return out
}

type facetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type facetsJSON struct {
	County  []facetJSON `json:"county"`
	Year    []facetJSON `json:"year"`
	Program []facetJSON `json:"program"`
}

type searchJSON struct {
	Query searchParams `json:"query"`
	Total int          `json:"total"`
	// Groups is the number of articles or stories among the total's
	// paragraphs when collapsing (the total otherwise): what page and
	// size page through.
	Groups int    `json:"groups"`
	Match  string `json:"match"`
	// Collapse is how the hits are grouped: none, article or story (for
	// collapse=auto, the one it stood for).
	Collapse string     `json:"collapse"`
	Words    []string   `json:"words"`
	TookMS   float64    `json:"took_ms"`
	Page     int        `json:"page"`
	Size     int        `json:"size"`
	Hits     []hitJSON  `json:"hits"`
	Facets   facetsJSON `json:"facets"`
	// Suggestions are corrected queries (did you mean), when exact
	// matching found nothing; each has hits.
	Suggestions []suggestionJSON `json:"suggestions"`
	// SuggestedFilters are the counties and programs the query names.
	SuggestedFilters []filterJSON `json:"suggested_filters"`
}

// suggestionJSON is a corrected query and its exact hit count with the
// request's filters.
type suggestionJSON struct {
	Q     string `json:"q"`
	Total int    `json:"total"`
}

type similarJSON struct {
	Paragraph paragraphJSON `json:"paragraph"`
	Scope     string        `json:"scope"`
	Hits      []hitJSON     `json:"hits"`
}

// nonNil returns ss, or an empty list for nil (the API's lists are never
// null).
func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func toHits(hs []search.Hit) []hitJSON {
	out := make([]hitJSON, 0, len(hs))
	for _, h := range hs {
		hj := hitJSON{Paragraph: h.Paragraph, Citation: h.Citation(), Highlight: h.Highlight, Score: h.Score,
			Others: h.Others, Copies: make([]copyJSON, 0, len(h.Copies))}
		for _, c := range h.Copies {
			hj.Copies = append(hj.Copies, copyJSON{ID: c.ID, ArticleID: c.ArticleID, Headline: c.Headline, Outlet: c.Outlet,
				Date: c.Date, Year: c.Year, YearInferred: c.YearInferred, Citation: c.Citation})
		}
		out = append(out, hj)
	}
	return out
}

func toFacets(f search.Facets) facetsJSON {
	conv := func(vs []search.FacetValue) []facetJSON {
		out := make([]facetJSON, 0, len(vs))
		for _, v := range vs {
			out = append(out, facetJSON{Value: v.Value, Count: v.Count})
		}
		return out
	}
	return facetsJSON{County: conv(f.County), Year: conv(f.Year), Program: conv(f.Program)}
}

// api holds the handlers of the JSON API.
type api struct {
	index func() (Index, func()) // acquires the current index; call the func when done
	names *names
}

// search handles GET /api/search.
func (a *api) search(c echo.Context) error {
	p, err := bindSearch(c.QueryParams())
	if err != nil {
		return err
	}
	res, err := a.runSearch(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// runSearch runs a validated search; the page handler shares it.
func (a *api) runSearch(ctx context.Context, p searchParams) (*searchJSON, error) {
	ix, release := a.index()
	defer release()
	start := time.Now()
	r := p.request()
	res, err := ix.Search(ctx, r)
	if err != nil {
		return nil, err
	}
	sugs, filters, err := a.queryHelp(ctx, ix, p, r, res)
	if err != nil {
		return nil, err
	}
	out := &searchJSON{
		Query: p, Total: res.Total, Groups: res.Groups, Match: res.Match.String(), Collapse: res.Collapse.String(), Words: nonNil(res.Words),
		Page: p.Page, Size: p.Size, Hits: toHits(res.Hits), Facets: toFacets(res.Facets),
		Suggestions: []suggestionJSON{}, SuggestedFilters: filters,
	}
	for _, s := range sugs {
		out.Suggestions = append(out.Suggestions, suggestionJSON{Q: s.Query.String(), Total: s.Total})
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// queryHelp is what a search offers beside its hits, for the API and the
// page alike: corrected queries (did you mean) when exact matching found
// nothing, and the counties and programs the query names as filters.
func (a *api) queryHelp(ctx context.Context, ix Index, p searchParams, r search.Request, res *search.Result) ([]search.Suggestion, []filterJSON, error) {
	filters := a.names.suggestFilters(p.query, p, res.Facets, res.Total)
	if !exactFoundNothing(p, res) {
		return nil, filters, nil
	}
	sugs, err := ix.DidYouMean(ctx, r)
	return sugs, filters, err
}

// exactFoundNothing reports whether the query, as typed, matched nothing
// (the answer may come from a relaxed mode).
func exactFoundNothing(p searchParams, res *search.Result) bool {
	relaxed := res.Match != search.MatchExact || len(res.Words) > 0
	return p.query.HasPositive() && (res.Total == 0 || relaxed)
}

// idParam validates a path ID: IDs are short and made of letters, digits
// and dashes, so anything else (../../etc/passwd) is simply not found.
func idParam(c echo.Context) (string, error) {
	id := c.Param("id")
	if id == "" || len(id) > 64 || !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return "", &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "no such id"}
	}
	return id, nil
}

// article handles GET /api/articles/:id.
func (a *api) article(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ix, release := a.index()
	defer release()
	art, err := ix.Article(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArticle(art))
}

// paragraph handles GET /api/paragraphs/:id.
func (a *api) paragraph(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ix, release := a.index()
	defer release()
	p, err := ix.Paragraph(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toParagraph(p))
}

// similar handles GET /api/paragraphs/:id/similar.
func (a *api) similar(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	size, err := intValue(c.QueryParams(), "size", 5, 1, maxSimilarSize)
	if err != nil {
		return err
	}
	scopeName := c.QueryParam("scope")
	scope := search.ScopeOtherCounties
	switch scopeName {
	case "", "other-counties":
		scopeName = "other-counties"
	case "all":
		scope = search.ScopeAll
	default:
		return badParam(codeInvalidScope, []string{"scope"}, "scope must be other-counties or all, not %q", clipValue(scopeName))
	}
	ix, release := a.index()
	defer release()
	p, hits, err := ix.Similar(c.Request().Context(), id, scope, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, similarJSON{Paragraph: toParagraph(*p), Scope: scopeName, Hits: toHits(hits)})
}

// facets handles GET /api/facets.
func (a *api) facets(c echo.Context) error {
	ix, release := a.index()
	defer release()
	f, err := ix.AllFacets(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]facetsJSON{"facets": toFacets(f)})
}
