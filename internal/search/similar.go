package search

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
	"countynews/internal/text"
)

// Scope limits where Similar looks.
type Scope int

const (
	// ScopeOtherCounties finds comparable paragraphs in other counties
	// only: how others tackle the same thing.
	ScopeOtherCounties Scope = iota
	// ScopeAll finds them anywhere but in the paragraph's own article.
	ScopeAll
)

// Tuning of Similar.
const (
	similarTerms    = 25   // significant bigrams kept
	similarMaxText  = 4000 // characters of a paragraph read for its bigrams
	similarMinIDF   = 1.0  // idf floor: a bigram in over ~a third of the paragraphs is stop-like
	defaultSimilarN = 10
)

// Similar returns the paragraph with the given ID and up to size
// paragraphs comparable to it, best first: never the paragraph itself nor
// another paragraph of its article, and with ScopeOtherCounties none of its
// county. A missing ID is ErrNotFound. The hits' highlights mark the
// paragraph's initiatives and program names where they recur (bigrams
// would mark half-words).
//
// Comparable means sharing its significant vocabulary (a "more like this"
// query). Each bigram of the paragraph's text is weighted by tf × idf, its
// frequency in the paragraph times its inverse document frequency in the
// index (BM25's idf, ln(1 + (N − df + ½)/(df + ½))). Bigrams found in no
// other paragraph (df 1) cannot connect it to anything, and those below an
// idf floor (such as 工作, 发展 in a large corpus) are stop-like; the 25
// heaviest of the rest are searched as a BM25 disjunction, each boosted by
// its weight. The paragraph's named initiatives (quoted names such as
// 红色物业, searched as phrases) weigh as much as its heaviest bigram, and
// each of its programs half as much.
func (ix *Index) Similar(ctx context.Context, id string, scope Scope, size int) (_ *corpus.Paragraph, _ []Hit, err error) {
	defer recoverPanic("similar", &err)
	p, err := ix.Paragraph(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if size <= 0 {
		size = defaultSimilarN
	}
	rd, err := ix.reader()
	if err != nil {
		return nil, nil, fmt.Errorf("similar: %w", err)
	}
	defer rd.Close()
	terms, err := ix.significantTerms(ctx, rd, p.Text)
	if err != nil {
		return nil, nil, err
	}
	var any []bq.Query
	var marks []string
	top := 0.0
	for _, t := range terms {
		any = append(any, boosted(termOn(fieldText, t.term), t.weight))
		top = max(top, t.weight)
	}
	if top == 0 {
		top = 1
	}
	// Words of three characters or more (小区党支部, 红色物业, 网格化) as
	// phrases: two paragraphs sharing the bigrams 小区 and 支部 may not
	// share the word; each weighs tf × idf like a bigram, its df taken as
	// its rarest bigram's (an upper bound, so its idf is a lower bound).
	ws, err := ix.significantWords(ctx, rd, p.Text)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range ws {
		if q, _ := ix.termQuery(w.term); q != nil {
			any = append(any, boosted(q, w.weight))
		}
	}
	for _, name := range p.Initiatives {
		if q, _ := ix.termQuery(name); q != nil {
			any = append(any, boosted(q, top))
			marks = append(marks, name)
		}
	}
	for _, prog := range p.Programs {
		any = append(any, boosted(termOn(fieldProgram, prog), top/2))
		marks = append(marks, prog)
	}
	if len(any) == 0 {
		return &p, []Hit{}, nil
	}
	b := bq.NewBooleanQuery(nil, nil, nil)
	b.AddMust(disjunction(any))
	b.AddMustNot(bq.NewDocIDQuery([]string{p.ID}))
	if p.ArticleID != "" {
		b.AddMustNot(termOn(fieldArticleID, p.ArticleID))
	}
	if scope == ScopeOtherCounties && p.County != "" {
		b.AddMustNot(termOn(fieldCounty, p.County))
	}
	req := bleve.NewSearchRequestOptions(b, size, 0, false)
	req.Fields = []string{fieldDoc}
	req.Sort = sortOrder(SortRelevance, true)
	sr, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, searchError(ctx, err)
	}
	hits := make([]Hit, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		q, err := ix.sch.decodeDoc(h)
		if err != nil {
			return nil, nil, err
		}
		ix.stories.fill(&q)
		hits = append(hits, Hit{Paragraph: q, Score: h.Score, Highlight: highlight(q.Text, marks, fragmentRunes)})
	}
	return &p, hits, nil
}

// weighted is a bigram and its tf × idf weight.
type weighted struct {
	term   string
	weight float64
}

// significantTerms returns the heaviest bigrams of text (see Similar).
func (ix *Index) significantTerms(ctx context.Context, rd index.IndexReader, body string) ([]weighted, error) {
	n, err := rd.DocCount()
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	// Only the paragraph's first similarMaxText characters are read: an
	// index built before paragraphs were bounded may hold one of
	// megabytes, whose every bigram would be looked up.
	if rs := []rune(body); len(rs) > similarMaxText {
		body = string(rs[:similarMaxText])
	}
	tf := map[string]int{}
	for _, tk := range ix.sch.cjk.Analyze([]byte(text.Fold(body))) {
		if tk.Type == analysis.Double {
			tf[string(tk.Term)]++
		}
	}
	var out []weighted
	looked := 0
	for t, f := range tf {
		if looked++; looked%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, searchError(ctx, err)
			}
		}
		tfr, err := rd.TermFieldReader(ctx, []byte(t), fieldText, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("similar: %w", err)
		}
		df := tfr.Count()
		tfr.Close()
		if df < 2 {
			continue
		}
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		if idf < similarMinIDF {
			continue
		}
		out = append(out, weighted{t, float64(f) * idf})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight > out[j].weight
		}
		return out[i].term < out[j].term
	})
	if len(out) > similarTerms {
		out = out[:similarTerms]
	}
	return out, nil
}

// similarWords is how many words Similar adds to its bigrams.
const similarWords = 10

// significantWords returns the heaviest words of three characters or more
// of text (see Similar), by tf × idf with each word's df its rarest
// bigram's; words whose bigrams are all stop-like or unshared are dropped
// as bigrams are.
func (ix *Index) significantWords(ctx context.Context, rd index.IndexReader, body string) ([]weighted, error) {
	seg, err := ix.words.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	n, err := rd.DocCount()
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	tf := map[string]int{}
	for _, w := range seg.Cut(text.Fold(body)) {
		if len([]rune(w)) >= 3 && !seg.IsStop(w) && text.IsCJK([]rune(w)[0]) {
			tf[w]++
		}
	}
	var out []weighted
	for w, f := range tf {
		df := -1
		for _, tk := range ix.sch.cjk.Analyze([]byte(w)) {
			if tk.Type != analysis.Double {
				continue
			}
			tfr, err := rd.TermFieldReader(ctx, tk.Term, fieldText, false, false, false)
			if err != nil {
				return nil, fmt.Errorf("similar: %w", err)
			}
			c := int(tfr.Count())
			tfr.Close()
			if df < 0 || c < df {
				df = c
			}
		}
		if df < 2 {
			continue
		}
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		if idf < similarMinIDF {
			continue
		}
		out = append(out, weighted{w, float64(f) * idf})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight > out[j].weight
		}
		return out[i].term < out[j].term
	})
	if len(out) > similarWords {
		out = out[:similarWords]
	}
	return out, nil
}
