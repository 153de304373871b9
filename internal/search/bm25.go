package search

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/internal/text"
)

// BM25 normalises a term's frequency by the length of the field relative
// to the field's average length. Bleve takes that average to be the
// number of distinct terms of the field's dictionary divided by the number
// of documents (searcher.bm25ScoreMetrics), which for a field of Chinese
// character bigrams is far from the average length: on news-2023 it is 12
// where a paragraph holds about 400 tokens. Every paragraph is then
// thirty times "longer than average", the length factor swamps the term
// frequency, and BM25 ranks the shortest paragraph holding a word first
// (a one-line quotation above the paragraph that reports the fact).
//
// The relaxed modes (MatchAll, MatchAny), whose order is their answer,
// therefore score with the fields' true average lengths, handed to
// Bleve's term searchers through the context (search.BM25StatsKey, which
// Bleve reads before its own estimate). The averages are measured once
// per opened generation on a sample of its paragraphs (fieldLengths).
// Exact matching keeps Bleve's own statistics, so that its answers stay
// exactly what they were.
//
// Measured on the relevance benchmark (BENCHMARKS.md): Recall@10 0.673 →
// 0.690, MRR@10 0.463 → 0.508.

// allFields are the fields of the mapping, and "*", the field of the
// searcher Bleve's unscored disjunctions are optimised into
// (searcher.optimizeCompositeSearcher).
var allFields = [...]string{fieldText, fieldText1, fieldTopic, fieldHeadline, fieldCounty, fieldYear, fieldYearNum,
	fieldProgram, fieldInitiative, fieldReporter, fieldKind, fieldArticleID, fieldSignature, fieldFile, fieldDate, fieldDoc, "*"}

// lengthSample is how many paragraphs fieldLengths reads: the average's
// standard error is then about 1% of it.
const lengthSample = 2000

// fieldStats holds the BM25 statistics of the relaxed modes, computed on
// first use.
type fieldStats struct {
	once  sync.Once
	stats *search.BM25Stats
	err   error
}

// relaxedStats returns the BM25 statistics the relaxed modes score with:
// the document count, and for each field a "cardinality" that makes
// Bleve's average (cardinality / documents, rounded up) the field's true
// average length: measured for the text fields, Bleve's own for the
// others (keywords, whose scores never rank: they only filter).
func (ix *Index) relaxedStats() (*search.BM25Stats, error) {
	ix.bm25.once.Do(func() {
		defer recoverPanic("measure field lengths", &ix.bm25.err)
		ix.bm25.stats, ix.bm25.err = ix.measureStats()
	})
	return ix.bm25.stats, ix.bm25.err
}

func (ix *Index) measureStats() (*search.BM25Stats, error) {
	rd, err := ix.reader()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	defer rd.Close()
	n, err := rd.DocCount()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	st := &search.BM25Stats{DocCount: float64(n), FieldCardinality: map[string]int{}}
	fields, err := rd.Fields()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	// Every field a query can name must have an entry, indexed in this
	// generation or not: Bleve fails a term searcher on a field the
	// statistics lack.
	fields = append(fields, allFields[:]...)
	br, ok := rd.(index.BM25Reader)
	if !ok {
		return nil, fmt.Errorf("field lengths: the index reader %T has no BM25 statistics", rd)
	}
	for _, f := range fields {
		c, err := br.FieldCardinality(f)
		if err != nil {
			return nil, fmt.Errorf("field lengths: %s: %w", f, err)
		}
		st.FieldCardinality[f] = c
	}
	avg, err := ix.fieldLengths(rd, int(n))
	if err != nil {
		return nil, err
	}
	for f, a := range avg {
		// Bleve divides by the document count and rounds up.
		st.FieldCardinality[f] = int(math.Round(a * float64(n)))
	}
	return st, nil
}

// fieldLengths returns the average length, in tokens as indexed, of the
// text fields over the documents that have them, from every k-th of the n
// documents (lengthSample of them), read from their stored paragraphs and
// analysed as indexdoc.go analyses them. A field no sampled document has
// is left out (Bleve's estimate stays).
func (ix *Index) fieldLengths(rd index.IndexReader, n int) (map[string]float64, error) {
	if n == 0 {
		return nil, nil
	}
	dr, err := rd.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	defer dr.Close()
	stride := max(1, n/lengthSample)
	sum := map[string]int{}
	docs := map[string]int{}
	add := func(field string, length int) {
		sum[field] += length
		docs[field]++
	}
	for i := 0; ; i++ {
		id, err := dr.Next()
		if err != nil {
			return nil, fmt.Errorf("field lengths: %w", err)
		}
		if id == nil {
			break
		}
		if i%stride != 0 {
			continue
		}
		ext, err := rd.ExternalID(id)
		if err != nil {
			return nil, fmt.Errorf("field lengths: %w", err)
		}
		d, err := rd.Document(ext)
		if err != nil {
			return nil, fmt.Errorf("field lengths: %s: %w", ext, err)
		}
		if d == nil {
			continue
		}
		p, err := ix.sch.storedParagraph(ext, d)
		if err != nil {
			return nil, err
		}
		folded := []byte(text.Fold(p.Text))
		add(fieldText, len(ix.sch.indexCJK.Analyze(folded)))
		add(fieldText1, len(ix.sch.unigram.Analyze(folded)))
		if p.Topic != "" {
			add(fieldTopic, len(ix.sch.indexCJK.Analyze([]byte(text.Fold(p.Topic)))))
		}
		if p.Headline != "" && !p.HeadlineDerived {
			add(fieldHeadline, len(ix.sch.indexCJK.Analyze([]byte(text.Fold(p.Headline)))))
		}
	}
	out := map[string]float64{}
	for f, s := range sum {
		if docs[f] > 0 && s > 0 {
			out[f] = float64(s) / float64(docs[f])
		}
	}
	return out, nil
}

// bm25Params are a term scoring other than Bleve's, which the direct
// evaluator (direct.go) applies to every leaf of a query: classic BM25,
// as Robertson's Okapi and Lucene score,
//
//	idf × f × (k1 + 1) / (f + k1 × (1 − b + b × length / average length)),
//
// with f the term's frequency in the field, where Bleve's
// TermQueryScorer takes √f for f and k1 for k1 + 1 (the two agree on the
// order of one term's postings only when b is the same: the square root
// flattens the frequencies before the saturation). The idf, the query
// weights and norm, the coord of disjunctions and the sums stay Bleve's.
type bm25Params struct {
	k1, b float64
}

// relaxedK1 and relaxedB are the relaxed modes' term scoring (MatchAll, MatchAny):
// classic BM25 with k1 1.2 and a weak length normalisation, b 0.3. With
// the paragraphs' true average lengths (above) Bleve's b 0.75 still
// ranks a short paragraph mentioning a question's name above the longer
// one that reports the fact; a question's bigrams are many, each occurs a
// few times in a paragraph about it, and the frequency itself (not its
// square root) rewards that.
//
// Measured on the relevance benchmark (BENCHMARKS.md), tuned on the odd
// questions and checked on the even ones: Recall@10 / MRR@10 0.718 /
// 0.522 (odd) and 0.715 / 0.521 (even) with Bleve's scoring, 0.720 /
// 0.530 and 0.713 / 0.531 with this one (b 0.2–0.4 and k1 0.9–1.2 within
// 0.002 of it on the odd ones; Bleve's √f with any k1 and b at most
// +0.003 in MRR@10).
//
// Only the direct evaluator applies it: a relaxed query it does not
// handle (a headline search holding a lone character, which is a regular
// expression; an index without a document table) is scored by Bleve's
// searchers with Bleve's formula, over the same hits.
const (
	relaxedK1 = 1.2
	relaxedB  = 0.3
)

// relaxedBM25 returns the relaxed modes' term scoring.
func relaxedBM25() *bm25Params { return &bm25Params{k1: relaxedK1, b: relaxedB} }

// bm25ParamsKey carries a compiled query's bm25Params to the direct
// evaluator.
type bm25ParamsKey struct{}

// scoring returns ctx carrying the BM25 statistics c is scored with (see
// relaxedStats) and its term scoring (bm25Params), or ctx itself for
// Bleve's own.
func (c compiled) scoring(ctx context.Context) context.Context {
	if c.bm25 != nil {
		ctx = context.WithValue(ctx, bm25ParamsKey{}, *c.bm25)
	}
	if c.stats == nil {
		return ctx
	}
	return context.WithValue(ctx, search.BM25StatsKey, c.stats)
}
