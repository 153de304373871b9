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
var allFields = [...]string{fieldText, fieldTopic, fieldHeadline, fieldCounty, fieldYear, fieldYearNum,
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

// scoring returns ctx carrying the BM25 statistics c is scored with (see
// relaxedStats), or ctx itself for Bleve's own.
func (c compiled) scoring(ctx context.Context) context.Context {
	if c.stats == nil {
		return ctx
	}
	return context.WithValue(ctx, search.BM25StatsKey, c.stats)
}
