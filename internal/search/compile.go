package search

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
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
}

// compile turns q into Bleve queries. r reads the text field's dictionary
// for the rare terms that need it (see termQuery).
func (ix *Index) compile(r index.IndexReader, q query.Query) (compiled, error) {
	var c compiled
	for _, cl := range q.Clauses {
		var any []bq.Query
		for _, t := range cl.Any {
			tq, boosts, err := ix.termQuery(r, t.Text)
			if err != nil {
				return c, err
			}
			if tq == nil {
				continue // analyses to nothing: matches nothing
			}
			any = append(any, tq)
			if !cl.Negated {
				c.should = append(c.should, boosts...)
				c.marks = append(c.marks, t.Text)
			}
		}
		switch {
		case cl.Negated && len(any) > 0:
			c.mustNot = append(c.mustNot, disjunction(any))
		case cl.Negated: // excluding what cannot occur excludes nothing
		case len(any) == 0:
			c.none = true
		default:
			c.must = append(c.must, disjunction(any))
		}
	}
	return c, nil
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
//     One case needs more: a lone Han character at either end of a mixed
//     term (年 in 2021年, 区 in 区7). In the text that character may belong
//     to a longer run (2021年度 is indexed 2021 年度), so the last position
//     of the phrase accepts 年 or any bigram starting with 年, and the
//     first position 区 or any bigram ending with 区 (a multi-phrase
//     query, the alternatives read from the index's dictionary).
func (ix *Index) termQuery(r index.IndexReader, text string) (bq.Query, []bq.Query, error) {
	toks := ix.sch.cjk.Analyze([]byte(corpus.FoldWidth(text)))
	if len(toks) == 0 {
		return nil, nil, nil
	}
	if len(toks) == 1 {
		t := string(toks[0].Term)
		if lone(toks[0]) {
			return termOn(fieldText1, t), nil, nil
		}
		return termOn(fieldText, t), []bq.Query{
			boosted(termOn(fieldTopic, t), topicBoost),
			boosted(termOn(fieldHeadline, t), headlineBoost),
		}, nil
	}
	terms := make([]string, len(toks))
	for i, tk := range toks {
		terms[i] = string(tk.Term)
	}
	boosts := []bq.Query{
		boosted(bq.NewPhraseQuery(terms, fieldTopic), topicBoost),
		boosted(bq.NewPhraseQuery(terms, fieldHeadline), headlineBoost),
	}
	first, last := toks[0], toks[len(toks)-1]
	if !lone(first) && !lone(last) {
		return bq.NewPhraseQuery(terms, fieldText), boosts, nil
	}
	alts := make([][]string, len(terms))
	for i, t := range terms {
		alts[i] = []string{t}
	}
	if lone(first) {
		ends, err := dictTerms(r, fieldText, ".?"+regexp.QuoteMeta(terms[0]), false)
		if err != nil {
			return nil, nil, err
		}
		alts[0] = ends
	}
	if lone(last) {
		starts, err := dictTerms(r, fieldText, terms[len(terms)-1], true)
		if err != nil {
			return nil, nil, err
		}
		alts[len(alts)-1] = starts
	}
	for _, a := range alts {
		if len(a) == 0 {
			return nil, nil, nil // some position can never match
		}
	}
	return bq.NewMultiPhraseQuery(alts, fieldText), boosts, nil
}

// lone reports whether tk is a Han character on its own.
func lone(tk *analysis.Token) bool {
	r, n := utf8.DecodeRune(tk.Term)
	return n == len(tk.Term) && corpus.IsCJK(r)
}

// dictTerms lists the terms of field that start with s (prefix) or match
// the regular expression s.
func dictTerms(r index.IndexReader, field, s string, prefix bool) ([]string, error) {
	var d index.FieldDict
	var err error
	if prefix {
		d, err = r.FieldDictPrefix(field, []byte(s))
	} else if rr, ok := r.(index.IndexReaderRegexp); ok {
		d, err = rr.FieldDictRegexp(field, s)
	} else {
		return nil, fmt.Errorf("index reader cannot match terms by regexp")
	}
	if err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("read dictionary: %w", err)
		}
		if e == nil {
			return out, nil
		}
		out = append(out, e.Term)
	}
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

// filters are the facet and year restrictions of a request. Values of one
// facet are ORed, facets are ANDed.
type filters struct {
	counties, programs []string
	years              []int
	from, to           int
}

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
