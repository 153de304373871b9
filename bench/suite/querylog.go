package suite

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"countynews/bench/lucene"
	"countynews/corpus"
	"countynews/internal/search"
	"countynews/internal/text"
	"countynews/query"
)

// LogQuery is one request of the query log: a query in our language and
// facet filters (the values of one facet ORed, the facets ANDed). Every
// request asks for the top 10 with highlights and the three facets' counts:
// the full request searchd serves.
type LogQuery struct {
	ID string `json:"id"`
	// Kind is phrase2-rare … phrase4-common, and, not or or.
	Kind     string   `json:"kind"`
	Text     string   `json:"q"`
	Counties []string `json:"county,omitempty"`
	Years    []int    `json:"year,omitempty"`
	Programs []string `json:"program,omitempty"`
	// SampleDF is the estimated document frequency of the first phrase in
	// the sample (a fraction of the sample's paragraphs).
	SampleDF float64 `json:"sample_df"`
}

// Filters is the number of facets the query filters on.
func (q LogQuery) Filters() int {
	n := 0
	for _, l := range []int{len(q.Counties), len(q.Years), len(q.Programs)} {
		if l > 0 {
			n++
		}
	}
	return n
}

// Parsed returns the query parsed by our query language.
func (q LogQuery) Parsed() (query.Query, error) {
	pq, err := query.Parse(q.Text)
	if err != nil {
		return pq, fmt.Errorf("query %s (%q): %w", q.ID, q.Text, err)
	}
	return pq, nil
}

// Request is the full request searchd serves for q: top 10, highlights and
// facets.
func (q LogQuery) Request() (search.Request, error) {
	pq, err := q.Parsed()
	if err != nil {
		return search.Request{}, err
	}
	return search.Request{Query: pq, Counties: q.Counties, Years: q.Years, Programs: q.Programs,
		Size: 10, Highlight: true, Facets: true}, nil
}

// Lucene converts q, through our parser's AST, to the harness's query: each
// clause an OR of phrases, or an exclusion.
func (q LogQuery) Lucene() (lucene.Query, error) {
	pq, err := q.Parsed()
	if err != nil {
		return lucene.Query{}, err
	}
	lq := lucene.Query{ID: q.ID, Counties: q.Counties, Years: q.Years, Programs: q.Programs}
	for _, c := range pq.Clauses {
		lc := lucene.Clause{Negated: c.Negated}
		for _, t := range c.Any {
			lc.Any = append(lc.Any, t.Text)
		}
		lq.Clauses = append(lq.Clauses, lc)
	}
	return lq, nil
}

// Values are q's searchd /api/search parameters.
func (q LogQuery) Values() url.Values {
	// match=exact: the log's phrases are compared with Lucene's exact
	// phrase queries and with the in-process search (Request.Match's zero
	// value), not relaxed when they find nothing.
	v := url.Values{"q": {q.Text}, "size": {"10"}, "match": {"exact"}}
	v["county"] = q.Counties
	v["program"] = q.Programs
	for _, y := range q.Years {
		v.Add("year", strconv.Itoa(y))
	}
	return v
}

// Bands of document frequency, as a fraction of the paragraphs that
// contain the phrase: at 1,000,000 paragraphs a rare phrase has at most
// 500 hits, a common one at least 10,000.
const (
	rareMax   = 0.0005
	commonMin = 0.01
)

func band(df float64) string {
	switch {
	case df <= rareMax:
		return "rare"
	case df < commonMin:
		return "medium"
	}
	return "common"
}

// LogSpec configures GenerateLog.
type LogSpec struct {
	Seed    uint64
	Queries int // about 500
}

// dfIndex estimates document frequencies by substring counting on the
// sample: a posting list of sample paragraphs per character pair narrows
// the paragraphs to check to those holding the phrase's rarest pair.
type dfIndex struct {
	texts []string
	pairs map[[2]rune][]int32
	cache map[string][]int32
}

func newDFIndex(sample []corpus.Paragraph) *dfIndex {
	ix := &dfIndex{pairs: map[[2]rune][]int32{}, cache: map[string][]int32{}}
	for i, p := range sample {
		ix.texts = append(ix.texts, p.Text)
		rs := []rune(p.Text)
		seen := map[[2]rune]bool{}
		for j := 0; j+1 < len(rs); j++ {
			k := [2]rune{rs[j], rs[j+1]}
			if text.IsCJK(k[0]) && text.IsCJK(k[1]) && !seen[k] {
				seen[k] = true
				ix.pairs[k] = append(ix.pairs[k], int32(i))
			}
		}
	}
	return ix
}

// docs returns the sample paragraphs whose text contains the Han phrase.
func (ix *dfIndex) docs(phrase string) []int32 {
	if d, ok := ix.cache[phrase]; ok {
		return d
	}
	rs := []rune(phrase)
	var best []int32
	for j := 0; j+1 < len(rs); j++ {
		l := ix.pairs[[2]rune{rs[j], rs[j+1]}]
		if j == 0 || len(l) < len(best) {
			best = l
		}
	}
	var out []int32
	for _, i := range best {
		if strings.Contains(ix.texts[i], phrase) {
			out = append(out, i)
		}
	}
	ix.cache[phrase] = out
	return out
}

func (ix *dfIndex) df(phrase string) float64 {
	return float64(len(ix.docs(phrase))) / float64(len(ix.texts))
}

// logGen draws the log.
type logGen struct {
	rng    *rand.Rand
	sample []corpus.Paragraph
	ix     *dfIndex
	c      *Corpus
	// facet values that exist, sorted, for filters on a value the anchor
	// paragraph lacks
	counties, programs []string
	years              []int
}

// phraseAt draws a Han phrase of n characters from paragraph i, at a random
// position inside a run of at least n Han characters; "" if it has none.
func (g *logGen) phraseAt(i int, n int) string {
	rs := []rune(g.sample[i].Text)
	var starts []int
	run := 0
	for j, r := range rs {
		if text.IsCJK(r) {
			run++
			if run >= n {
				starts = append(starts, j-n+1)
			}
		} else {
			run = 0
		}
	}
	if len(starts) == 0 {
		return ""
	}
	s := starts[g.rng.IntN(len(starts))]
	return string(rs[s : s+n])
}

// phrase draws a phrase of n characters in the wanted band (any band if
// want is ""). Drawing a random position of a random paragraph favours
// frequent phrases, which is what the common band needs; the rare band
// fills easily. After many misses it settles for the closest band.
func (g *logGen) phrase(n int, want string) (string, float64) {
	var fallback string
	var fallbackDF float64
	for attempt := 0; attempt < 4000; attempt++ {
		s := g.phraseAt(g.rng.IntN(len(g.sample)), n)
		if s == "" {
			continue
		}
		df := g.ix.df(s)
		if want == "" || band(df) == want {
			return s, df
		}
		if fallback == "" || want == "common" && df > fallbackDF || want == "rare" && df < fallbackDF {
			fallback, fallbackDF = s, df
		}
	}
	return fallback, fallbackDF
}

// companion draws a second phrase from a sample paragraph that contains
// first, different from it and not overlapping it as a substring, so that
// an AND of the two has hits and a NOT of the second excludes some.
func (g *logGen) companion(first string) string {
	docs := g.ix.docs(first)
	for attempt := 0; attempt < 50 && len(docs) > 0; attempt++ {
		s := g.phraseAt(int(docs[g.rng.IntN(len(docs))]), 2+g.rng.IntN(3))
		if s != "" && !strings.Contains(s, first) && !strings.Contains(first, s) {
			return s
		}
	}
	s, _ := g.phrase(2+g.rng.IntN(3), "")
	return s
}

// filters adds 0–3 facet filters to q, with values taken from a sample
// paragraph that matches phrase when there is one (so that filtered
// queries still find something), else from the values that exist; now and
// then a second value of the same facet.
func (g *logGen) filters(q *LogQuery, phrase string) {
	k := g.rng.IntN(4)
	dims := g.rng.Perm(3)[:k]
	sort.Ints(dims)
	var anchor *corpus.Paragraph
	if docs := g.ix.docs(phrase); len(docs) > 0 {
		anchor = &g.sample[docs[g.rng.IntN(len(docs))]]
	}
	for _, d := range dims {
		switch d {
		case 0:
			v := g.counties[g.rng.IntN(len(g.counties))]
			if anchor != nil && anchor.County != "" {
				v = anchor.County
			}
			q.Counties = g.more(v, g.counties)
		case 1:
			v := g.years[g.rng.IntN(len(g.years))]
			if anchor != nil && anchor.Year > 0 {
				v = anchor.Year
			}
			q.Years = []int{v}
			if g.rng.IntN(4) == 0 {
				if w := g.years[g.rng.IntN(len(g.years))]; w != v {
					q.Years = append(q.Years, w)
				}
			}
		case 2:
			v := g.programs[g.rng.IntN(len(g.programs))]
			if anchor != nil && len(anchor.Programs) > 0 {
				v = anchor.Programs[g.rng.IntN(len(anchor.Programs))]
			}
			q.Programs = g.more(v, g.programs)
		}
	}
}

// more returns [v], or now and then [v, w] with another value w.
func (g *logGen) more(v string, all []string) []string {
	out := []string{v}
	if g.rng.IntN(4) == 0 {
		if w := all[g.rng.IntN(len(all))]; w != v {
			out = append(out, w)
		}
	}
	return out
}

// GenerateLog draws the seeded query log from the corpus's sample: for
// each phrase length 2, 3 and 4 and each band rare, medium and common an
// equal share of single-phrase queries (together about 58% of the log),
// then two-phrase ANDs, NOTs (A -B) and ORs (A OR B) in about equal shares;
// each query gets 0–3 facet filters. The same corpus and spec give the
// same log.
func GenerateLog(c *Corpus, sample []corpus.Paragraph, spec LogSpec) ([]LogQuery, error) {
	if len(sample) == 0 {
		return nil, fmt.Errorf("query log: empty sample")
	}
	if spec.Queries < 12 {
		return nil, fmt.Errorf("query log: %d queries is too few (at least 12)", spec.Queries)
	}
	g := &logGen{rng: rand.New(rand.NewPCG(spec.Seed, 0x10c10c)), sample: sample, ix: newDFIndex(sample), c: c}
	for v := range c.Counties {
		g.counties = append(g.counties, v)
	}
	for v := range c.Programs {
		g.programs = append(g.programs, v)
	}
	for v := range c.Years {
		g.years = append(g.years, v)
	}
	sort.Strings(g.counties)
	sort.Strings(g.programs)
	sort.Ints(g.years)
	if len(g.counties) == 0 || len(g.programs) == 0 || len(g.years) == 0 {
		return nil, fmt.Errorf("query log: corpus lacks county, year or program values (%d, %d, %d)", len(g.counties), len(g.years), len(g.programs))
	}

	perCell := max(1, spec.Queries*32/500)
	rest := spec.Queries - 9*perCell
	nAnd, nNot := rest/3, rest/3
	nOr := rest - nAnd - nNot

	var log []LogQuery
	seen := map[string]bool{}
	push := func(q LogQuery, first string) bool {
		g.filters(&q, first)
		key := fmt.Sprint(q.Text, q.Counties, q.Years, q.Programs)
		if q.Text == "" || seen[key] {
			return false
		}
		if _, err := q.Parsed(); err != nil {
			return false
		}
		seen[key] = true
		q.ID = fmt.Sprintf("q%03d", len(log)+1)
		q.SampleDF = g.ix.df(first)
		log = append(log, q)
		return true
	}
	for _, n := range []int{2, 3, 4} {
		for _, b := range []string{"rare", "medium", "common"} {
			for made, tries := 0, 0; made < perCell && tries < perCell*20; tries++ {
				s, df := g.phrase(n, b)
				if s != "" && push(LogQuery{Kind: fmt.Sprintf("phrase%d-%s", n, band(df)), Text: s}, s) {
					made++
				}
			}
		}
	}
	twoTerm := func(kind string, count int, text func(a, b string) string, pickB func(a string) string) {
		for made, tries := 0, 0; made < count && tries < count*20; tries++ {
			bands := []string{"rare", "medium", "common"}
			a, _ := g.phrase(2+g.rng.IntN(3), bands[g.rng.IntN(3)])
			if a == "" {
				continue
			}
			b := pickB(a)
			if b == "" || b == a {
				continue
			}
			if push(LogQuery{Kind: kind, Text: text(a, b)}, a) {
				made++
			}
		}
	}
	twoTerm("and", nAnd, func(a, b string) string { return a + " " + b }, g.companion)
	twoTerm("not", nNot, func(a, b string) string { return a + " -" + b }, g.companion)
	twoTerm("or", nOr, func(a, b string) string { return a + " OR " + b }, func(a string) string {
		s, _ := g.phrase(2+g.rng.IntN(3), "")
		return s
	})
	return log, nil
}

// LogSummary counts the log's queries by kind and by number of filters.
func LogSummary(log []LogQuery) (kinds map[string]int, filters [4]int) {
	kinds = map[string]int{}
	for _, q := range log {
		kinds[q.Kind]++
		filters[q.Filters()]++
	}
	return kinds, filters
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
