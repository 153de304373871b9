package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/internal/text"
	"countynews/internal/words"
	"countynews/query"
)

// Match says how the terms of a query must occur in a paragraph.
type Match int

const (
	// MatchExact, the zero value: every term is an exact phrase (a run of
	// Chinese characters matches exactly the paragraphs containing it),
	// terms are ANDed. The query language's own semantics.
	MatchExact Match = iota
	// MatchAll: each word of each unquoted term must occur anywhere in the
	// paragraph (微山乡村振兴 → 微山 AND 乡村振兴). Quoted terms stay exact.
	MatchAll
	// MatchAny: ranked retrieval. The words of the unquoted terms, stop
	// words (的, 哪些, 什么) left out, are ORed with BM25, and a paragraph
	// must hold at least a third of them (anyMinShould); the terms'
	// character bigrams add to the score (anyBigramBoost); quoted terms
	// must match exactly.
	MatchAny
	// MatchAuto: exact; if that finds nothing, the terms holding
	// punctuation split at it into exact pieces that must all match
	// (红色物业、网格 → 红色物业 AND 网格); if that finds nothing, all (for
	// three words or more: if it finds at least a page, allMinHits; never
	// for a sentence or question, see phrased); then any. The result says
	// which produced the hits. When the query has exact hits, the answer
	// is exactly MatchExact's.
	MatchAuto
)

var matchNames = [...]string{MatchExact: "exact", MatchAll: "all", MatchAny: "any", MatchAuto: "auto"}

// String returns the mode's API name: exact, all, any or auto.
func (m Match) String() string {
	if m < 0 || int(m) >= len(matchNames) {
		return fmt.Sprintf("Match(%d)", int(m))
	}
	return matchNames[m]
}

// ParseMatch parses an API name of a mode (exact, all, any, auto).
func ParseMatch(s string) (Match, error) {
	for m, n := range matchNames {
		if s == n {
			return Match(m), nil
		}
	}
	return 0, fmt.Errorf("match must be one of exact, all, any, auto (got %q)", s)
}

// matchPieces is the step of MatchAuto between exact and all: terms split
// at punctuation into exact pieces. It reports itself as MatchExact (the
// pieces are exact phrases); Result.Words lists them.
const matchPieces Match = -1

// autoSteps are MatchAuto's modes, in order.
var autoSteps = [...]Match{MatchExact, matchPieces, MatchAll, MatchAny}

// anyMinShould is MatchAny's minimum number of words a paragraph must
// hold, of n: one of one or two words, else a third of them, rounded up.
// Requiring all (MatchAll) is too strict for a question, whose words a
// relevant paragraph rephrases; requiring one lets every paragraph
// holding a single common word in, which costs time and buries nothing
// (BM25 ranks the paragraphs holding more words first) but makes totals
// meaningless. A third keeps the paragraphs that share a real part of the
// question. Should that find nothing, one word is enough (see compileAny).
func anyMinShould(n int) int {
	if n <= 2 {
		return 1
	}
	return int(math.Ceil(float64(n) / anyMinDiv))
}

// plan is one compiled step of a search: the compiled query, the words it
// used (nil for the query as typed) and a key that tells two steps that
// would search the same apart.
type plan struct {
	mode  Match
	c     compiled
	words []string
	key   string
}

// planFor compiles q for mode m (not MatchAuto).
func (ix *Index) planFor(ctx context.Context, q query.Query, in Field, m Match, minShould int) (plan, error) {
	switch m {
	case MatchExact:
		c, key := ix.compileParts(q, in, func(t query.Term) []string { return []string{t.Text} })
		return plan{mode: MatchExact, c: c, key: key}, nil
	case matchPieces:
		c, key := ix.compileParts(q, in, func(t query.Term) []string {
			if p := termPieces(t.Text); len(p) > 0 {
				return p
			}
			return []string{t.Text}
		})
		return plan{mode: MatchExact, c: c, words: c.marks, key: key}, nil
	case MatchAll:
		seg, err := ix.words.get(ctx)
		if err != nil {
			return plan{}, searchError(ctx, err)
		}
		c, key := ix.compileParts(q, in, func(t query.Term) []string { return contentWords(seg, t.Text) })
		if c.stats, err = ix.relaxedStats(); err != nil {
			return plan{}, err
		}
		if !ix.bleveBM25 {
			c.bm25 = relaxedBM25()
		}
		return plan{mode: MatchAll, c: c, words: c.marks, key: key}, nil
	case MatchAny:
		seg, err := ix.words.get(ctx)
		if err != nil {
			return plan{}, searchError(ctx, err)
		}
		c, ws := ix.compileAny(q, in, seg, minShould)
		if c.stats, err = ix.relaxedStats(); err != nil {
			return plan{}, err
		}
		if !ix.bleveBM25 {
			c.bm25 = relaxedBM25()
		}
		if in == InText {
			c.rerank = &rerankInput{q: q, words: ws}
		}
		return plan{mode: MatchAny, c: c, words: ws, key: fmt.Sprintf("any %d %q", minShould, ws)}, nil
	}
	return plan{}, fmt.Errorf("search: unknown match mode %d", int(m))
}

// contentWords returns the words of an unquoted term for MatchAll and
// MatchAny: the segmenter's words of its folded text, stop words left out
// (all of them kept if nothing else is left: 的 alone is still a query).
func contentWords(seg *words.Segmenter, term string) []string {
	ws := seg.Cut(text.Fold(term))
	var out []string
	for _, w := range ws {
		if !seg.IsStop(w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return ws
	}
	return out
}

// compileParts compiles q with each positive unquoted term replaced by
// the conjunction of the exact phrases parts returns for it (quoted terms
// stay whole): parts returning the term itself is the query language's
// exact semantics. Exclusions are always exact. The key lists the parts
// as analysed (writePartKey), so that steps that would search the same
// are not searched twice: a question ending in ？ is the same phrase as
// its piece without it.
//
// Highlighting marks each part (see appendMarks).
func (ix *Index) compileParts(q query.Query, in Field, parts func(query.Term) []string) (compiled, string) {
	var c compiled
	var key strings.Builder
	for _, cl := range q.Clauses {
		var any []bq.Query
		for _, t := range cl.Any {
			ps := []string{t.Text}
			if !cl.Negated && !t.Quoted {
				ps = parts(t)
			}
			fmt.Fprintf(&key, "%v", cl.Negated)
			for _, p := range ps {
				ix.writePartKey(&key, p, in)
			}
			key.WriteByte(';')
			var all []bq.Query
			var boosts []bq.Query
			for _, p := range ps {
				tq, bs := ix.partQuery(p, in)
				if tq == nil {
					all = nil // analyses to nothing: matches nothing
					break
				}
				all = append(all, tq)
				boosts = append(boosts, bs...)
			}
			if len(all) == 0 {
				continue
			}
			any = append(any, conjunction(all))
			if !cl.Negated {
				c.should = append(c.should, boosts...)
				for _, p := range ps {
					c.marks = appendMarks(c.marks, p)
				}
			}
		}
		key.WriteByte('|')
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
	return c, key.String()
}

// appendMarks adds the highlight mark of phrase p once. The highlighter
// marks a phrase holding punctuation where its pieces follow each other
// with any punctuation between them, as the index matched it: 乡村振兴！
// marks the text's 乡村振兴，.
func appendMarks(marks []string, p string) []string {
	if strings.TrimSpace(p) != "" && !slices.Contains(marks, p) {
		marks = append(marks, p)
	}
	return marks
}

// compileAny compiles q for MatchAny: the content words of every positive
// unquoted term (and of quoted terms inside an OR), without repeats, each
// searched exactly as a word of the text (a phrase of its bigrams, a
// character, a number), ORed with BM25, at least minShould of them
// (0: anyMinShould) in a paragraph; the topic and headline boosts of each
// word. A quoted term standing alone in its clause must match; exclusions
// apply as always.
func (ix *Index) compileAny(q query.Query, in Field, seg *words.Segmenter, minShould int) (compiled, []string) {
	var c compiled
	var ws []string
	for _, cl := range q.Clauses {
		if cl.Negated {
			for _, t := range cl.Any {
				if tq, _ := ix.partQuery(t.Text, in); tq != nil {
					c.mustNot = append(c.mustNot, tq)
				}
			}
			continue
		}
		if len(cl.Any) == 1 && cl.Any[0].Quoted {
			t := cl.Any[0]
			tq, boosts := ix.partQuery(t.Text, in)
			if tq == nil {
				c.none = true
				continue
			}
			c.must = append(c.must, tq)
			c.should = append(c.should, boosts...)
			c.marks = appendMarks(c.marks, t.Text)
			ws = append(ws, t.Text)
			continue
		}
		for _, t := range cl.Any {
			for _, w := range contentWords(seg, t.Text) {
				if !slices.Contains(ws, w) {
					ws = append(ws, w)
				}
			}
		}
	}
	var should []bq.Query
	for _, w := range ws {
		if slices.ContainsFunc(c.marks, func(m string) bool { return m == w }) {
			continue // a quoted term, already a must
		}
		tq, boosts := ix.partQuery(w, in)
		if tq == nil {
			continue
		}
		should = append(should, tq)
		c.should = append(c.should, boosts...)
		c.marks = appendMarks(c.marks, w)
	}
	if in == InText && anyBigramBoost > 0 && len(should) > 0 {
		c.should = append(c.should, ix.termBigrams(q)...)
	}
	if ix.expandAny != nil && len(should) > 0 {
		c.should = append(c.should, ix.expandAny(ws)...)
	}
	if len(should) > 0 {
		d := bq.NewDisjunctionQuery(should)
		if minShould <= 0 {
			minShould = anyMinShould(len(should))
		}
		d.SetMin(float64(min(minShould, len(should))))
		c.must = append(c.must, d)
	}
	if len(c.must) == 0 && !c.none && len(ws) > 0 {
		c.none = true // words, but none can match
	}
	return c, ws
}

func conjunction(qs []bq.Query) bq.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bq.NewConjunctionQuery(qs)
}

// anyBigramBoost weighs, in MatchAny, the character bigrams of the
// unquoted terms as typed (termBigrams) as optional clauses beside the
// words: BM25 over words and bigrams. A paragraph holding part of a long
// word or of a name the dictionary does not know ranks above one holding
// none of it, without the bigrams letting any paragraph in (they are not
// counted by the minimum-should-match).
//
// Measured on the relevance benchmark (BENCHMARKS.md): boost 2 gave
// Recall@10 0.673 and MRR@10 0.463, 1 gave 0.671/0.458, no bigrams
// 0.614/0.439 (words alone miss the names the dictionary does not know).
const anyBigramBoost = 2.0

// anyMinDiv: MatchAny requires a 1/anyMinDiv share of the words.
const anyMinDiv = 3

// allMinHits: under MatchAuto, MatchAll answers a query of three words or
// more only when it finds at least a page of hits; with fewer, auto goes on
// to MatchAny, which ranks the paragraphs holding every word among the
// others. The more words a query has (a typed question), the less likely a
// relevant paragraph holds every one of them: on the relevance benchmark,
// letting all answer with whatever it found gave Recall@10 0.627 against
// 0.673 with this rule (and 0.664 with no all step). One or two words
// (微山乡村振兴) keep MatchAll's answer, however small.
const allMinHits = 10

// phrased reports whether q is written as a sentence or question rather
// than as keywords: whether one of its unquoted positive terms holds a stop
// word (的, 了, 在, 哪些, 什么, 如何: words/words.go). MatchAuto then goes
// from the exact pieces straight to MatchAny, skipping MatchAll: a
// relevant paragraph rephrases a question, so requiring every one of its
// words keeps the few paragraphs that happen to hold them all (and MatchAny
// ranks those high anyway). A run of keywords (微山乡村振兴, 梁山红色物业)
// holds none and keeps MatchAll.
//
// Measured on the relevance benchmark (BENCHMARKS.md), with the relaxed
// modes' BM25 statistics: letting all answer questions (224 of 1,369)
// gave Recall@10 0.692 and MRR@10 0.510, skipping it for phrased
// queries 0.709 and 0.519 (every question of the file holds a stop word).
func (ix *Index) phrased(ctx context.Context, q query.Query) (bool, error) {
	seg, err := ix.words.get(ctx)
	if err != nil {
		return false, searchError(ctx, err)
	}
	for _, cl := range q.Clauses {
		if cl.Negated {
			continue
		}
		for _, t := range cl.Any {
			if t.Quoted {
				continue
			}
			for _, w := range seg.Cut(text.Fold(t.Text)) {
				if seg.IsStop(w) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// termBigrams returns, for MatchAny, the bigram term queries of the
// unquoted positive terms as typed (stop words and all, across word
// boundaries, as Lucene's CJK analysis makes them), each once, boosted by
// anyBigramBoost: optional clauses that rank paragraphs sharing more of
// the question's character pairs higher, names the dictionary does not
// know included (赖清德, 和统会), without letting any paragraph in.
func (ix *Index) termBigrams(q query.Query) []bq.Query {
	seen := map[string]bool{}
	var out []bq.Query
	for _, cl := range q.Clauses {
		if cl.Negated {
			continue
		}
		for _, t := range cl.Any {
			if t.Quoted {
				continue
			}
			for _, tk := range ix.sch.cjk.Analyze([]byte(text.Fold(t.Text))) {
				if tk.Type != analysis.Double || seen[string(tk.Term)] {
					continue
				}
				seen[string(tk.Term)] = true
				out = append(out, boosted(termOn(fieldText, string(tk.Term)), anyBigramBoost))
			}
		}
	}
	return out
}
