package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unicode"

	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

// The relaxed answer (MatchAny) is ranked in two stages. BM25 over the
// question's words and bigrams (compileAny) finds the candidates; its
// first rerankDepth hits are then reordered by a linear model over
// features of the question and of each candidate's stored text that BM25
// does not see: how much of the question a paragraph holds rather than
// how often (idf-weighted coverage of its bigrams and words), the longest
// run of the question found verbatim, the densest window of it, the
// headline's coverage, and the first stage's own score. A natural
// question is written from an article's key facts, which the article
// states in the question's own characters: the paragraph that holds most
// of the question, in one place, is the one that states them; BM25 rewards
// a paragraph repeating one of the question's common bigrams as much.
//
// Hits after the first rerankDepth keep the first stage's order, so that
// pages are consistent (page 2 of a reranked answer is the rest of the
// same order); totals and facets are the first stage's (reranking only
// reorders). Exact matching is never reranked. Hit.Score stays the first
// stage's BM25 score.

// rerankDepth is how many of the first stage's hits the reranker reorders:
// the first page's. On the relevance questions, reordering 20, 30 or 50
// moved as many relevant stories into the first ten as it pushed out
// (Recall@10 0.713–0.717) for the same MRR@10 as 10 (BENCHMARKS.md), and
// 10 costs no read the page does not make anyway (a stored paragraph is
// a zstd frame of JSON, 10-25 µs to read and decode; the features about
// 9 µs more).
const rerankDepth = 10

// Features of a candidate, in the model's order.
const (
	featCover  = iota // Σ idf of the question's tokens the text holds / Σ idf of all
	featWords         // the same over the question's content words
	featHead          // the headline's coverage of the question's tokens
	featRun           // idf mass of the longest verbatim run of the question / Σ idf
	featWindow        // idf mass of distinct question tokens in the densest window / Σ idf
	featScore         // first-stage score / the first hit's
	featRank          // log(1 + first-stage rank)
	featStory         // log(number of articles of the candidate's story)
	featLength        // log(1 + characters of the text)
	featRare          // share of the idf mass of the question's rerankRare rarest tokens the text holds
	featCover3        // featCover cubed: a paragraph holding nearly all of the question stands out
	numFeatures
)

// featureNames name the features (tests and reports).
var featureNames = [numFeatures]string{"cover", "words", "head", "run", "window", "score", "rank", "story", "length", "rare", "cover3"}

// rerankWeights is the model, never written: fitted on the first
// rerankDepth hits of the odd half of the relevance questions by the
// listwise softmax loss (TestRerankFit prints them; BENCHMARKS.md has the
// figures of both halves). The features are correlated (cover, cover3,
// words, window), so single weights mean little; together they favour a
// paragraph holding the question's words and rare tokens within one
// window, and discount one that merely covers its bigrams scattered.
var rerankWeights = [numFeatures]float64{
	featCover:  -0.3043,
	featWords:  4.284,
	featHead:   -1.025,
	featRun:    -0.388,
	featWindow: 6.637,
	featScore:  3.433,
	featRank:   0.04497,
	featStory:  1.012,
	featLength: 0.1064,
	featRare:   0.5013,
	featCover3: -2.681,
}

// rerankMinWindow bounds featWindow's window from below; its width is
// twice the question's length in characters (1×, 1.5× and 3× measured
// lower, BENCHMARKS.md).
const rerankMinWindow = 20

// qtoken is one distinct token of a question: a Han bigram, a lone Han
// character, or a run of letters and digits, as the index's CJK analysis
// makes them, with its idf in the text field.
type qtoken struct {
	key uint64
	idf float64
}

// rerankQuery is what the reranker knows of a question.
type rerankQuery struct {
	tokens []qtoken
	table  tokenTable // key -> index in tokens
	total  float64    // Σ idf of the tokens
	// seq is the question's token sequence: per position, the token's
	// index and whether it continues the Han run of the one before (a
	// bigram overlapping it by a character).
	seq []seqTok
	// at lists, per token, its positions in seq.
	at [][]int32
	// words are the content words' tokens, with each word's weight (its
	// rarest token's idf).
	words  [][]int32
	wordW  []float64
	wtotal float64
	window int
	// rare are the rerankRare tokens of highest idf.
	rare      []int32
	rareTotal float64
	// first has the bit of each character (its low 16 bits) that begins
	// a token.
	first *[1 << 10]uint64
}

// firstRune is the first character of a token: of a bigram or a lone
// character from its key; of a word, the one given.
func firstRune(key uint64, word rune) rune {
	switch key & keyTags {
	case keyPair:
		return rune(key>>21) & (1<<21 - 1)
	case keySingle:
		return rune(key & (1<<21 - 1))
	}
	return word
}

// rerankRare is how many of a question's rarest tokens featRare follows.
const rerankRare = 3

type seqTok struct {
	tok  int32
	cont bool
}

// Key tags: a Han bigram, a lone Han character, a run of letters and
// digits (hashed).
const (
	keyPair   = 1 << 62
	keySingle = 2 << 62
	keyWord   = 3 << 62
	keyTags   = 3 << 62
)

// isHan is text.IsCJK with a fast path for the CJK Unified Ideographs
// block, where nearly every character of a Chinese text is.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	return r >= 0x3400 && text.IsCJK(r)
}

// isWordRune: letters and digits outside Han, the runes of a Latin word
// or a number.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
	}
	return !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// scanTokens calls fn with each token of folded, lower-cased runes, as
// the index's CJK analysis makes them: the overlapping bigrams of each
// run of Han characters (a run of one: the character), each run of
// letters and digits whole (its end returned too); punctuation and
// spaces separate.
func scanTokens(rs []rune, fn func(key uint64, pos, end int32, han bool)) {
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isHan(r):
			j := i + 1
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			if j-i == 1 {
				fn(keySingle|uint64(r), int32(i), int32(j), false)
			}
			for k := i; k+1 < j; k++ {
				fn(keyPair|uint64(rs[k])<<21|uint64(rs[k+1]), int32(k), int32(k+2), true)
			}
			i = j
		case isWordRune(r):
			j, h := wordEnd(rs, i)
			fn(keyWord|h>>2, int32(i), int32(j), false)
			i = j
		default:
			i++
		}
	}
}

// wordEnd returns the end of the run of letters and digits starting at
// i, and its FNV-1a hash. A point or comma between digits stays inside
// it (5.2, 1,000), as the index's Unicode word segmentation keeps them.
func wordEnd(rs []rune, i int) (int, uint64) {
	h := uint64(14695981039346656037)
	j := i
	for ; j < len(rs) && (isWordRune(rs[j]) || midNum(rs, j)); j++ {
		h = (h ^ uint64(rs[j])) * 1099511628211
	}
	return j, h
}

// midNum reports whether rs[j] is a point or comma between two digits.
func midNum(rs []rune, j int) bool {
	return (rs[j] == '.' || rs[j] == ',') && j > 0 && j+1 < len(rs) && isDigit(rs[j-1]) && isDigit(rs[j+1])
}

// wordStart reports whether a run of letters and digits starts at i.
func wordStart(rs []rune, i int) bool {
	return isWordRune(rs[i]) && (i == 0 || !isWordRune(rs[i-1]) && !midNum(rs, i-1))
}

// foldInto returns s folded (text.FoldRunes) and its ASCII lower-cased
// (as the index's analysis lower-cases), as runes, in buf's storage.
func foldInto(buf []rune, s string) []rune {
	buf = buf[:0]
	for _, r := range s {
		buf = append(buf, r)
	}
	text.FoldRunes(buf)
	for i, r := range buf {
		if r >= 'A' && r <= 'Z' {
			buf[i] = r + 'a' - 'A'
		}
	}
	return buf
}

// tokenTable maps the keys of a question's tokens to their indexes: open
// addressing in a power-of-two table, a multiplication and a compare a
// lookup, for the several hundred lookups of each candidate's text.
type tokenTable struct {
	keys  []uint64 // 0: empty (every key carries a tag bit)
	vals  []int32
	shift uint
}

func newTokenTable(n int) tokenTable {
	size, shift := 16, uint(60)
	for size < 4*n {
		size, shift = size*2, shift-1
	}
	return tokenTable{keys: make([]uint64, size), vals: make([]int32, size), shift: shift}
}

func (t *tokenTable) slot(key uint64) int { return int((key * 0x9E3779B97F4A7C15) >> t.shift) }

func (t *tokenTable) put(key uint64, v int32) {
	i := t.slot(key)
	for t.keys[i] != 0 && t.keys[i] != key {
		i = (i + 1) & (len(t.keys) - 1)
	}
	t.keys[i], t.vals[i] = key, v
}

func (t *tokenTable) get(key uint64) (int32, bool) {
	for i := t.slot(key); ; i = (i + 1) & (len(t.keys) - 1) {
		switch t.keys[i] {
		case key:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

// newRerankQuery builds the reranker's view of q's positive terms, with
// each token's document frequency from df (0: the token occurs nowhere
// and is left out) over n documents. ws are the content words.
func newRerankQuery(q query.Query, ws []string, n float64, df func(term string) (uint64, error)) (*rerankQuery, error) {
	rq := &rerankQuery{}
	known := map[uint64]int32{} // -1: not in the index
	qrunes := map[uint64]rune{} // each token's first character
	qlen := 0
	for _, cl := range q.Clauses {
		if cl.Negated {
			continue
		}
		for _, t := range cl.Any {
			rs := foldInto(nil, t.Text)
			qlen += len(rs)
			prevHan, prevPos := false, int32(-2)
			var err error
			scanTokens(rs, func(key uint64, pos, end int32, han bool) {
				ti, ok := known[key]
				if !ok && err == nil {
					var f uint64
					f, err = df(string(rs[pos:end]))
					ti = -1
					if f > 0 {
						ti = int32(len(rq.tokens))
						idf := math.Log(1 + (n-float64(f)+0.5)/(float64(f)+0.5))
						rq.tokens = append(rq.tokens, qtoken{key: key, idf: idf})
						rq.total += idf
						rq.at = append(rq.at, nil)
					}
					known[key] = ti
				}
				qrunes[key] = rs[pos]
				cont := han && prevHan && prevPos+1 == pos
				prevHan, prevPos = han, pos
				if ti >= 0 {
					rq.at[ti] = append(rq.at[ti], int32(len(rq.seq)))
				}
				rq.seq = append(rq.seq, seqTok{tok: ti, cont: cont})
			})
			if err != nil {
				return nil, err
			}
		}
	}
	rq.table = newTokenTable(len(rq.tokens))
	for i, t := range rq.tokens {
		rq.table.put(t.key, int32(i))
	}
	rq.first = new([1 << 10]uint64)
	for k := range known {
		if known[k] >= 0 {
			r := firstRune(k, qrunes[k])
			rq.first[uint16(r)>>6] |= 1 << (r & 63)
		}
	}
	seenWord := map[string]bool{}
	for _, w := range ws {
		rs := foldInto(nil, w)
		if seenWord[string(rs)] {
			continue
		}
		seenWord[string(rs)] = true
		best := 0.0
		var toks []int32
		scanTokens(rs, func(key uint64, _, _ int32, _ bool) {
			if ti, ok := rq.table.get(key); ok {
				toks = append(toks, ti)
				best = max(best, rq.tokens[ti].idf)
			}
		})
		if best > 0 {
			rq.words = append(rq.words, toks)
			rq.wordW = append(rq.wordW, best)
			rq.wtotal += best
		}
	}
	rq.window = max(rerankMinWindow, 2*qlen)
	byIDF := make([]int32, len(rq.tokens))
	for i := range byIDF {
		byIDF[i] = int32(i)
	}
	slices.SortStableFunc(byIDF, func(a, b int32) int { return cmp.Compare(rq.tokens[b].idf, rq.tokens[a].idf) })
	rq.rare = byIDF[:min(rerankRare, len(byIDF))]
	for _, ti := range rq.rare {
		rq.rareTotal += rq.tokens[ti].idf
	}
	return rq, nil
}

// rerankCand is one hit the reranker orders.
type rerankCand struct {
	text, headline string
	score          float64 // first stage
	rank           int     // first stage, from 0
	story          int     // articles of its story
}

// rerankScratch is one goroutine's buffers for features.
type rerankScratch struct {
	runes []rune
	ms    []tokenMatch
	seen  []bool
	count []int32
	runs  []runAt
}

// tokenMatch is a question token found in a text: where, which.
type tokenMatch struct {
	pos int32
	tok int32
}

// runAt is the verbatim run ending at a question position: the text
// position it ended at and its idf mass.
type runAt struct {
	pos int32
	v   float64
}

// features computes c's features against rq (top: the first stage's best
// score), with sc's buffers.
func (rq *rerankQuery) features(c rerankCand, top float64, sc *rerankScratch) [numFeatures]float64 {
	var f [numFeatures]float64
	if top > 0 {
		f[featScore] = c.score / top
	}
	f[featRank] = math.Log1p(float64(c.rank))
	f[featStory] = math.Log(float64(max(1, c.story)))
	sc.runes = foldInto(sc.runes, c.text)
	f[featLength] = math.Log1p(float64(len(sc.runes)))
	if rq.total == 0 {
		return f
	}
	sc.seen = slices.Grow(sc.seen[:0], len(rq.tokens))[:len(rq.tokens)]
	clear(sc.seen)
	seen := sc.seen
	ms := rq.matches(sc.runes, sc.ms[:0])
	sc.ms = ms
	cover := 0.0
	for _, m := range ms {
		if !seen[m.tok] {
			seen[m.tok] = true
			cover += rq.tokens[m.tok].idf
		}
	}
	f[featCover] = cover / rq.total
	f[featCover3] = f[featCover] * f[featCover] * f[featCover]
	if rq.rareTotal > 0 {
		r := 0.0
		for _, ti := range rq.rare {
			if seen[ti] {
				r += rq.tokens[ti].idf
			}
		}
		f[featRare] = r / rq.rareTotal
	}

	// The longest verbatim run: consecutive Han bigrams of the question
	// found at consecutive positions of the text, by idf mass.
	sc.runs = slices.Grow(sc.runs[:0], len(rq.seq))[:len(rq.seq)]
	runs := sc.runs
	for i := range runs {
		runs[i] = runAt{pos: -2}
	}
	best := 0.0
	for _, m := range ms {
		at := rq.at[m.tok]
		for j := len(at) - 1; j >= 0; j-- { // backwards: a repeated token reads its predecessor's old value
			s := at[j]
			v := rq.tokens[m.tok].idf
			if rq.seq[s].cont && runs[s-1].pos == m.pos-1 {
				v += runs[s-1].v
			}
			runs[s] = runAt{m.pos, v}
			best = max(best, v)
		}
	}
	f[featRun] = best / rq.total

	// The densest window: the most idf mass of distinct question tokens
	// within rq.window characters.
	sc.count = slices.Grow(sc.count[:0], len(rq.tokens))[:len(rq.tokens)]
	count := sc.count
	clear(count)
	mass, densest := 0.0, 0.0
	lo := 0
	for _, m := range ms {
		for ms[lo].pos+int32(rq.window) <= m.pos {
			if count[ms[lo].tok]--; count[ms[lo].tok] == 0 {
				mass -= rq.tokens[ms[lo].tok].idf
			}
			lo++
		}
		if count[m.tok]++; count[m.tok] == 1 {
			mass += rq.tokens[m.tok].idf
		}
		densest = max(densest, mass)
	}
	f[featWindow] = densest / rq.total

	// A content word counts as held when all its tokens are.
	if rq.wtotal > 0 {
		w := 0.0
	words:
		for i, toks := range rq.words {
			for _, ti := range toks {
				if !seen[ti] {
					continue words
				}
			}
			w += rq.wordW[i]
		}
		f[featWords] = w / rq.wtotal
	}
	if c.headline != "" {
		clear(seen)
		h := 0.0
		sc.runes = foldInto(sc.runes, c.headline)
		scanTokens(sc.runes, func(key uint64, _, _ int32, _ bool) {
			if ti, ok := rq.table.get(key); ok && !seen[ti] {
				seen[ti] = true
				h += rq.tokens[ti].idf
			}
		})
		f[featHead] = h / rq.total
	}
	return f
}

// matches appends the question's tokens found in rs, in text order: the
// tokens scanTokens makes, found without making most of them, as only a
// position whose character begins a question token (rq.first) can match.
func (rq *rerankQuery) matches(rs []rune, ms []tokenMatch) []tokenMatch {
	n := len(rs)
	for i := 0; i < n; i++ {
		r := rs[i]
		if rq.first[uint16(r)>>6]&(1<<(r&63)) == 0 {
			continue
		}
		var key uint64
		switch {
		case isHan(r):
			switch {
			case i+1 < n && isHan(rs[i+1]):
				key = keyPair | uint64(r)<<21 | uint64(rs[i+1])
			case i == 0 || !isHan(rs[i-1]):
				key = keySingle | uint64(r)
			default:
				continue
			}
		case wordStart(rs, i):
			_, h := wordEnd(rs, i)
			key = keyWord | h>>2
		default:
			continue
		}
		if ti, ok := rq.table.get(key); ok {
			ms = append(ms, tokenMatch{int32(i), ti})
		}
	}
	return ms
}

// rerankScore is the model's score of features f under weights w.
func rerankScore(f, w *[numFeatures]float64) float64 {
	s := 0.0
	for i := range f {
		s += f[i] * w[i]
	}
	return s
}

// rerankOrder returns the order in which the reranker puts cands, the
// first stage's first hits in its order (indexes into cands, best first;
// ties keep the first stage's order).
func (rq *rerankQuery) rerankOrder(cands []rerankCand, w *[numFeatures]float64) []int {
	if len(cands) == 0 {
		return nil
	}
	top := cands[0].score
	scores := make([]float64, len(cands))
	order := make([]int, len(cands))
	var sc rerankScratch
	for i, c := range cands {
		f := rq.features(c, top, &sc)
		scores[i] = rerankScore(&f, w)
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	return order
}

// rerankQueryFor builds the reranker's view of q from the index's
// document frequencies.
func (ix *Index) rerankQueryFor(ctx context.Context, rd index.IndexReader, q query.Query, ws []string) (*rerankQuery, error) {
	n, err := rd.DocCount()
	if err != nil {
		return nil, fmt.Errorf("rerank: %w", err)
	}
	segs, _ := snapshotSegments(rd)
	return newRerankQuery(q, ws, float64(n), func(term string) (uint64, error) {
		// The first stage has just opened most of these terms' postings
		// (the question's bigrams): their counts are in the direct
		// evaluator's cache (termcache.go).
		if tp := ix.terms.get(segs, fieldText, term); segs != nil && tp != nil {
			return tp.count, nil
		}
		tfr, err := rd.TermFieldReader(ctx, []byte(term), fieldText, false, false, false)
		if err != nil {
			return 0, fmt.Errorf("rerank: %w", err)
		}
		defer tfr.Close()
		return tfr.Count(), nil
	})
}

// candidateOf is the reranker's candidate for paragraph p.
func (ix *Index) candidateOf(p corpus.Paragraph, score float64, rank int) rerankCand {
	return rerankCand{text: p.Text, headline: p.Headline, score: score, rank: rank, story: ix.stories.size(p.ArticleID)}
}

// rerankInput is what a compiled relaxed query keeps for its reranking:
// the query and the content words it searched.
type rerankInput struct {
	q     query.Query
	words []string
}

// reranks reports whether r's answer under c is reranked: a relevance
// order of a relaxed query (c.rerank) with hits asked for among the
// reranked ones (a page after them is the first stage's order anyway).
func (ix *Index) reranks(r Request, c compiled, order Sort) bool {
	return c.rerank != nil && ix.rerankN >= 0 && r.Size > 0 && r.From < ix.depth() && order == SortRelevance
}

// depth is how many first-stage hits a relaxed answer reranks.
func (ix *Index) depth() int {
	if ix.rerankN > 0 {
		return ix.rerankN
	}
	return rerankDepth
}

// WithRerank sets how many of the first stage's hits a relaxed answer
// reranks (rerank.go): n <= 0 reranks none, so that a relaxed answer is
// the first stage's BM25 order (benchmarks compare the two).
func WithRerank(n int) Option {
	return func(ix *Index) {
		ix.rerankN = n
		if n <= 0 {
			ix.rerankN = -1
		}
	}
}

// rerankPerm returns the reranker's order of cands, the first stage's
// first hits in its order (indexes into cands, best first).
func (ix *Index) rerankPerm(ctx context.Context, rd index.IndexReader, in *rerankInput, cands []rerankCand) ([]int, error) {
	rq, err := ix.rerankQueryFor(ctx, rd, in.q, in.words)
	if err != nil {
		return nil, err
	}
	return rq.rerankOrder(cands, &rerankWeights), nil
}

// rerankHits reorders the first rerankDepth of hits (sorted by the first
// stage, best first) in place.
func (ix *Index) rerankHits(ctx context.Context, in *rerankInput, hits []Hit) error {
	n := min(len(hits), ix.depth())
	if n < 2 {
		return nil
	}
	rd, err := ix.reader()
	if err != nil {
		return searchError(ctx, err)
	}
	defer rd.Close()
	cands := make([]rerankCand, n)
	for i, h := range hits[:n] {
		cands[i] = ix.candidateOf(h.Paragraph, h.Score, i)
	}
	perm, err := ix.rerankPerm(ctx, rd, in, cands)
	if err != nil {
		return err
	}
	top := slices.Clone(hits[:n])
	for i, j := range perm {
		hits[i] = top[j]
	}
	return nil
}

// rerankScored reorders the first rerankDepth of best (the first stage's
// top hits, best first) in place, reading their stored paragraphs, which
// it returns by document number for the page to reuse. With two workers
// (the search holds a spare core, see searchTable) the reads and features
// are split between two goroutines: reading the candidates is most of the
// reranker's cost (a stored paragraph is a zstd frame of JSON).
func (ix *Index) rerankScored(ctx context.Context, rd index.IndexReader, in *rerankInput, best []scored, workers int) (map[int]corpus.Paragraph, error) {
	n := min(len(best), ix.depth())
	if n < 2 {
		return nil, nil
	}
	rq, err := ix.rerankQueryFor(ctx, rd, in.q, in.words)
	if err != nil {
		return nil, err
	}
	paras := make([]corpus.Paragraph, n)
	scores := make([]float64, n)
	top := best[0].score
	work := func(w, workers int) error {
		var sc rerankScratch
		for i := w; i < n; i += workers {
			p, err := ix.storedAt(rd, best[i].n)
			if err != nil {
				return err
			}
			paras[i] = p
			f := rq.features(ix.candidateOf(p, best[i].score, i), top, &sc)
			scores[i] = rerankScore(&f, &rerankWeights)
		}
		return nil
	}
	if workers > 1 {
		var other error
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer recoverPanic("rerank", &other)
			other = work(1, 2)
		}()
		err = work(0, 2)
		<-done
		err = cmp.Or(err, other)
	} else {
		err = work(0, 1)
	}
	if err != nil {
		return nil, err
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	read := make(map[int]corpus.Paragraph, n)
	firsts := slices.Clone(best[:n])
	for i, j := range order {
		best[i] = firsts[j]
		read[firsts[j].n] = paras[j]
	}
	return read, nil
}
