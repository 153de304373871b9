package search

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// Boosts of the optional clauses that rank a paragraph higher when its
// topic sentence or its article's headline also contains a term. They are
// small next to the text's own BM25 score: they reorder close hits, they do
// not bury a paragraph that is about the term under one that merely
// mentions it in a headline.
const (
	topicBoost    = 0.5
	headlineBoost = 0.3
)

// compiled is a query.Query turned into Bleve queries, before filters.
type compiled struct {
	must    []bq.Query // one per positive clause
	mustNot []bq.Query // one per excluded term that can match
	should  []bq.Query // topic and headline boosts
	none    bool       // some positive clause can match nothing
	marks   []string   // positive terms, for highlighting
	// stats are the BM25 statistics to score with (relaxed modes, see
	// bm25.go); nil: Bleve's own.
	stats *search.BM25Stats
	// bm25, when set, is the term scoring the direct evaluator applies
	// (the relaxed modes', see bm25Params); nil: Bleve's.
	bm25 *bm25Params
	// rerank, when set, reorders the first hits of a relevance-sorted
	// answer (MatchAny, see rerank.go).
	rerank *rerankInput
}

// compile turns q into Bleve queries searching the text, with the query
// language's exact semantics (MatchExact).
func (ix *Index) compile(q query.Query) compiled { return ix.compileIn(q, InText) }

// compileIn turns q into Bleve queries searching the field in, exactly.
func (ix *Index) compileIn(q query.Query, in Field) compiled {
	c, _ := ix.compileParts(q, in, func(t query.Term) []string { return []string{t.Text} })
	return c
}

// partQuery compiles one exact phrase for the field in: the query and the
// optional topic and headline boosts (none for a headline search), or a
// nil query when the phrase analyses to no token.
func (ix *Index) partQuery(p string, in Field) (bq.Query, []bq.Query) {
	if in == InHeadline {
		if hq := ix.headlineQuery(p); hq != nil {
			return hq, nil
		}
		return nil, nil
	}
	if tq, boosts := ix.termQuery(p); tq != nil {
		return tq, boosts
	}
	return nil, nil
}

func disjunction(qs []bq.Query) bq.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bq.NewDisjunctionQuery(qs)
}

// termQuery compiles one term: the query that matches exactly the
// paragraphs whose (folded) text contains it, and the optional topic and
// headline boosts. It returns a nil query for a term that analyses to no
// token, which can match nothing.
//
// The term goes through the same cjk analyzer as the text. Then:
//
//   - One Han character (a lone token 县): a term query on text1, the
//     unigram field. In the bigram field a character inside a longer run
//     only exists as part of pairs.
//   - One token otherwise (a bigram 红色, a word gdp, a number 2021): a
//     term query on text.
//   - Several tokens: a phrase on text. A run of Han characters becomes
//     its overlapping bigrams at consecutive positions, so the phrase
//     matches exactly the texts containing the run; runs separated by
//     digits, Latin words or punctuation follow on at the next positions.
//     A lone Han character at the end of a mixed term (年 in 2021年)
//     becomes the marker of a run starting with it next to a number or
//     word, at the start (区 in 区7) the marker of a run ending with it
//     (see runEdges), since the text may hold it inside a longer run
//     (2021年度).
func (ix *Index) termQuery(term string) (boostable, []bq.Query) {
	toks := ix.sch.cjk.Analyze([]byte(text.Fold(term)))
	if len(toks) == 0 {
		return nil, nil
	}
	if len(toks) == 1 {
		t := string(toks[0].Term)
		if _, ok := loneHan(toks[0].Term); ok {
			return termOn(fieldText1, t), nil
		}
		return termOn(fieldText, t), []bq.Query{
			boosted(termOn(fieldTopic, t), topicBoost),
			boosted(termOn(fieldHeadline, t), headlineBoost),
		}
	}
	terms := phraseTerms(toks)
	return newPhraseQuery(terms, fieldText), []bq.Query{
		boosted(newPhraseQuery(terms, fieldTopic), topicBoost),
		boosted(newPhraseQuery(terms, fieldHeadline), headlineBoost),
	}
}

// phraseTerms are the terms of the phrase matching a run of several
// tokens: the tokens, with a lone Han character at either end next to a
// number or word replaced by its run-edge marker (see termQuery).
func phraseTerms(toks analysis.TokenStream) []string {
	terms := make([]string, len(toks))
	for i, tk := range toks {
		terms[i] = string(tk.Term)
	}
	if r, ok := loneHan(toks[0].Term); ok && word(toks[1]) {
		terms[0] = runEnd(r)
	}
	if r, ok := loneHan(toks[len(toks)-1].Term); ok && word(toks[len(toks)-2]) {
		terms[len(terms)-1] = runStart(r)
	}
	return terms
}

// headlineQuery compiles one term for a headline-only search: the query
// matching exactly the paragraphs whose article's (folded) headline
// contains it, or nil when it analyses to no token. The headline is
// indexed like the text (bigrams with positions, run-edge markers), so a
// word or a run of tokens compiles as in termQuery. It has no unigram
// field, though: a lone Han character is any headline term holding it,
// the bigrams it is part of or the character standing alone (a run of one
// between punctuation, which the bigram filter keeps as it is), found in
// the headline field's dictionary by a regular expression that leaves out
// the run-edge markers.
func (ix *Index) headlineQuery(term string) boostable {
	toks := ix.sch.cjk.Analyze([]byte(text.Fold(term)))
	switch {
	case len(toks) == 0:
		return nil
	case len(toks) > 1:
		return newPhraseQuery(phraseTerms(toks), fieldHeadline)
	}
	if r, ok := loneHan(toks[0].Term); ok {
		c := regexp.QuoteMeta(string(r))
		q := bq.NewRegexpQuery(`[^<>]?` + c + `[^<>]?`)
		q.SetField(fieldHeadline)
		return q
	}
	return termOn(fieldHeadline, string(toks[0].Term))
}

// loneHan reports whether term is a single Han character, and which.
func loneHan(term []byte) (rune, bool) {
	r, n := utf8.DecodeRune(term)
	return r, n == len(term) && text.IsCJK(r)
}

func termOn(field, term string) *bq.TermQuery {
	q := bq.NewTermQuery(term)
	q.SetField(field)
	return q
}

// boostable is a Bleve query whose score can be scaled.
type boostable interface {
	bq.Query
	SetBoost(float64)
}

func boosted(q boostable, b float64) bq.Query {
	q.SetBoost(b)
	return q
}

// filters are the facet, year and date restrictions of a request. Values
// of one facet are ORed, facets are ANDed.
type filters struct {
	counties, programs []string
	years              []int
	from, to           int
	// dateFrom and dateTo are YYYY-MM-DD ("" for open); the keyword form
	// sorts as the dates do, so the range is a term range.
	dateFrom, dateTo corpus.Date
}

// newFilters takes the filters of r, checking its date range.
func newFilters(r Request) (filters, error) {
	f := filters{counties: r.Counties, programs: r.Programs, years: r.Years, from: r.YearFrom, to: r.YearTo,
		dateFrom: r.DateFrom, dateTo: r.DateTo}
	for _, d := range []corpus.Date{r.DateFrom, r.DateTo} {
		if d == "" {
			continue
		}
		if nd, _, err := corpus.ParseDate(string(d)); err != nil || nd != d {
			return f, fmt.Errorf("search: date %q is not YYYY-MM-DD", d)
		}
	}
	if f.dateFrom != "" && f.dateTo != "" && f.dateFrom > f.dateTo {
		return f, fmt.Errorf("search: date range %s to %s is empty", f.dateFrom, f.dateTo)
	}
	return f, nil
}

// dated reports whether the date range is set.
func (f filters) dated() bool { return f.dateFrom != "" || f.dateTo != "" }

// Facet names, for leaving a facet's own filter out of its counts.
const (
	facetCounty  = fieldCounty
	facetYear    = fieldYear
	facetProgram = fieldProgram
)

// query returns the filter as one query, leaving out the filter of facet
// except (""): nil if nothing is filtered. The year facet's filter is both
// the year list and the YearFrom–YearTo range.
func (f filters) query(except string) bq.Query {
	var all []bq.Query
	oneOf := func(field string, vals []string) {
		if len(vals) == 0 || field == except {
			return
		}
		qs := make([]bq.Query, len(vals))
		for i, v := range vals {
			qs[i] = termOn(field, v)
		}
		all = append(all, disjunction(qs))
	}
	oneOf(fieldCounty, f.counties)
	oneOf(fieldProgram, f.programs)
	if f.dated() {
		// Not a facet's own filter: it applies to every facet's counts.
		yes := true
		rq := bq.NewTermRangeInclusiveQuery(string(f.dateFrom), string(f.dateTo), &yes, &yes)
		rq.SetField(fieldDate)
		all = append(all, rq)
	}
	if except != facetYear {
		ys := make([]string, len(f.years))
		for i, y := range f.years {
			ys[i] = strconv.Itoa(y)
		}
		oneOf(fieldYear, ys)
		if f.from > 0 || f.to > 0 {
			var lo, hi *float64
			if f.from > 0 {
				v := float64(f.from)
				lo = &v
			}
			if f.to > 0 {
				v := float64(f.to)
				hi = &v
			}
			yes := true
			rq := bq.NewNumericRangeInclusiveQuery(lo, hi, &yes, &yes)
			rq.SetField(fieldYearNum)
			all = append(all, rq)
		}
	}
	switch len(all) {
	case 0:
		return nil
	case 1:
		return all[0]
	}
	return bq.NewConjunctionQuery(all)
}

// active reports whether facet's own filter is set.
func (f filters) active(facet string) bool {
	switch facet {
	case facetCounty:
		return len(f.counties) > 0
	case facetProgram:
		return len(f.programs) > 0
	case facetYear:
		return len(f.years) > 0 || f.from > 0 || f.to > 0
	}
	return false
}

// build assembles the final query: the clauses must match, the
// exclusions must not, the boosts may, and the filters restrict without
// scoring (BooleanQuery.Filter runs them with scoring off, so adding a
// filter never reorders the remaining hits). An empty query matches all.
func (c compiled) build(filter bq.Query) bq.Query {
	if len(c.must) == 0 && len(c.mustNot) == 0 && filter == nil {
		return bq.NewMatchAllQuery()
	}
	b := bq.NewBooleanQuery(nil, nil, nil)
	if len(c.must) > 0 {
		b.AddMust(c.must...)
		if len(c.should) > 0 {
			b.AddShould(c.should...)
		}
	}
	if len(c.mustNot) > 0 {
		b.AddMustNot(c.mustNot...)
	}
	if filter != nil {
		b.AddFilter(filter)
	}
	return b
}
