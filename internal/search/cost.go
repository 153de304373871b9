package search

import (
	"context"
	"fmt"

	"countynews/internal/text"
	"countynews/query"
)

// Cost estimates the work of searching q: the postings its terms read,
// from the document frequencies of their tokens in the dictionary (a
// phrase reads the postings of each of its bigrams, a single character its
// unigram postings), excluded terms included. A query without terms costs
// nothing here (its work is the document table's, bounded by the index
// size). It costs one dictionary lookup per token, microseconds, against
// a search that may read millions of postings: searchd uses it to put
// expensive queries in a smaller admission lane (see HeavyCost).
func (ix *Index) Cost(ctx context.Context, q query.Query) (cost int64, err error) {
	defer recoverPanic("cost", &err)
	if q.IsEmpty() {
		return 0, nil
	}
	rd, err := ix.reader()
	if err != nil {
		return 0, fmt.Errorf("cost: %w", err)
	}
	defer rd.Close()
	for _, cl := range q.Clauses {
		for _, t := range cl.Any {
			toks := ix.sch.cjk.Analyze([]byte(text.Fold(t.Text)))
			for _, tk := range toks {
				field := fieldText
				if _, ok := loneHan(tk.Term); ok && len(toks) == 1 {
					field = fieldText1
				}
				tfr, err := rd.TermFieldReader(ctx, tk.Term, field, false, false, false)
				if err != nil {
					return 0, fmt.Errorf("cost: %w", err)
				}
				cost += int64(tfr.Count())
				tfr.Close()
			}
		}
	}
	return cost, nil
}

// HeavyCost is the Cost past which a query is expensive: reading, in all,
// more postings than twice the paragraphs of the index. An ordinary query
// of a few words reads a fraction of that; a disjunction of common
// characters (的 OR 一 OR 是 …) reads several times the index.
func (ix *Index) HeavyCost() int64 { return 2 * int64(max(ix.DocCount(), 1)) }

// heavyKey marks, in a search's context, a query past HeavyCost: its pass
// is never split over two cores.
type heavyKey struct{}

func isHeavy(ctx context.Context) bool { v, _ := ctx.Value(heavyKey{}).(bool); return v }
