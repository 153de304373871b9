package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The direct evaluator runs the text query of a search straight from the
// segments' postings (assumption 5 of scorch.go) instead of through
// Bleve's searchers, which build a TermFieldDoc and a DocumentMatch per
// term per hit and walk every optional clause document by document: about
// 1 µs per hit per core at a million paragraphs (issue 16).
//
// It handles the shapes the compiler produces: term and phrase leaves
// under conjunctions, disjunctions (with a minimum) and boolean queries
// (must, should, must-not) with boosts. Each node is evaluated term at a
// time into a list of (document number, score) in number order: a term
// by one walk over its postings, a phrase by a leapfrog over its terms'
// postings with the position check as a merge (phrase.go's semantics),
// a conjunction by intersecting its children's lists, a disjunction by
// adding them into a dense per-document accumulator, a boolean query by
// merging its parts. Anything else (Bleve's own phrase, regexp, match-all
// queries, range-restricted leaves) makes plan return false, and the
// search goes through Bleve (eachHit), which stays the reference the
// evaluator is tested against (TestDirectMatchesBleve).
//
// Scores are Bleve's: the BM25 of each term from the same statistics
// (document count, the term's postings count, the field's average length
// as Bleve's BM25 takes it), the same query norm (from the sum of the
// squared weights, summed in the order Bleve's searchers sum them: a
// conjunction's and a small disjunction's children sorted by their
// postings counts as Bleve sorts them), the same coord of a disjunction
// and the same order of additions, so that equal documents get equal
// scores bit for bit. Bleve's heap disjunction (more than
// searcher.DisjunctionHeapTakeover children) adds its children in heap
// order, which depends on the other children's positions: there the
// scores agree to rounding (1e-12 relative).

// dop is the kind of a node of a direct plan.
type dop uint8

const (
	dTerm dop = iota
	dPhrase
	dConj
	dDisj
	dBool
)

// dnode is a node of a direct plan.
type dnode struct {
	op    dop
	field string
	terms []string // dTerm: one; dPhrase: the phrase's terms
	boost float64
	// kids: dConj and dDisj, in the order Bleve's searcher keeps them.
	kids []*dnode
	min  int // dDisj: documents must match this many kids
	// must, should, mustNot: dBool (nil when absent).
	must, should, mustNot *dnode

	count  uint64  // Bleve's searcher Count(): a worst case of hits
	weight float64 // Bleve's searcher Weight(): sum of squared weights
	stats  []*termStats
}

// termStats is what scoring one term of a leaf needs.
type termStats struct {
	pls []segment.PostingsList // per segment
	zap []*zapList             // per segment: its bytes, or nil (zapread.go)
	// ones holds the docScore of a posting of frequency 1 by its norm's
	// bits (the field's length in tokens), for the lengths below
	// len(ones): the common case, a table read instead of BM25's
	// division (zapCursor.docScore).
	ones   []float64
	counts []uint64 // per segment: documents holding the term
	count  uint64   // documents holding the term
	idf    float64
	avgLen float64 // 0: TF-IDF (never with our mapping)
	boost  float64
	qw     float64 // boost × idf × query norm
	// params, when not nil, replace Bleve's BM25 formula (bm25Params).
	params *bm25Params
	// front is the frontier of the postings' frequencies and norms
	// (maxscore.go), read on first use and shared through the term cache.
	front *termFrontier
}

// directPlan turns q into a plan, or false if a part of it is a shape
// the evaluator does not handle.
func directPlan(q bq.Query) (*dnode, bool) {
	switch q := q.(type) {
	case *bq.TermQuery:
		if q.FieldVal == "" {
			return nil, false
		}
		return &dnode{op: dTerm, field: q.FieldVal, terms: []string{q.Term}, boost: q.BoostVal.Value()}, true
	case *phraseQuery:
		if len(q.terms) == 0 {
			return nil, false
		}
		return &dnode{op: dPhrase, field: q.field, terms: q.terms, boost: q.boost}, true
	case *bq.ConjunctionQuery:
		return directKids(dConj, q.Conjuncts, 0)
	case *bq.DisjunctionQuery:
		return directKids(dDisj, q.Disjuncts, int(q.Min))
	case *bq.BooleanQuery:
		if q.Filter != nil || (q.Must == nil && q.Should == nil) {
			return nil, false
		}
		n := &dnode{op: dBool}
		for _, p := range []struct {
			q   bq.Query
			dst **dnode
		}{{q.Must, &n.must}, {q.Should, &n.should}, {q.MustNot, &n.mustNot}} {
			if p.q == nil {
				continue
			}
			k, ok := directPlan(p.q)
			if !ok {
				return nil, false
			}
			*p.dst = k
		}
		return n, true
	}
	return nil, false
}

func directKids(op dop, qs []bq.Query, min int) (*dnode, bool) {
	if len(qs) == 0 {
		return nil, false // Bleve's MatchNone
	}
	n := &dnode{op: op, min: min}
	for _, q := range qs {
		k, ok := directPlan(q)
		if !ok {
			return nil, false
		}
		n.kids = append(n.kids, k)
	}
	return n, true
}

// byCount sorts nodes as Bleve's OrderedSearcherList does (by Count, with
// sort.Sort, so that equal counts end up where Bleve puts them).
type byCount []*dnode

func (b byCount) Len() int           { return len(b) }
func (b byCount) Less(i, j int) bool { return b[i].count < b[j].count }
func (b byCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

// directHeapTakeover is Bleve's searcher.DisjunctionHeapTakeover: a
// disjunction of more children is a heap searcher, which keeps its
// children in query order (the slice searcher sorts them by count).
const directHeapTakeover = 10

// prepare reads the statistics of every leaf of n from the snapshot and
// computes counts and weights bottom up, as Bleve's searchers do when
// they are built.
func (ev *evaluator) prepare(n *dnode) error {
	switch n.op {
	case dTerm, dPhrase:
		n.count, n.weight = 0, 0
		for _, t := range n.terms {
			st, err := ev.termStats(n.field, t, n.boost)
			if err != nil {
				return err
			}
			n.stats = append(n.stats, st)
			n.count += st.count
			w := st.boost * st.idf
			n.weight += w * w
		}
	case dConj, dDisj:
		for _, k := range n.kids {
			if err := ev.prepare(k); err != nil {
				return err
			}
		}
		if n.op == dConj || len(n.kids) <= directHeapTakeover {
			sort.Sort(byCount(n.kids))
		}
		n.count, n.weight = 0, 0
		for _, k := range n.kids {
			n.count += k.count
			n.weight += k.weight
		}
	case dBool:
		n.count, n.weight = 0, 0
		for _, k := range []*dnode{n.must, n.should, n.mustNot} {
			if k != nil {
				if err := ev.prepare(k); err != nil {
					return err
				}
			}
		}
		for _, k := range []*dnode{n.must, n.should} {
			if k != nil {
				n.count += k.count
				n.weight += k.weight
			}
		}
	}
	return nil
}

// setNorm gives every scoring leaf under n the query norm (the root's:
// Bleve's composite searchers hand their norm down when built, and the
// root is built last). Must-not clauses are not scored.
func setNorm(n *dnode, norm float64) {
	for _, st := range n.stats {
		st.qw = st.boost * st.idf * norm
	}
	for _, k := range n.kids {
		setNorm(k, norm)
	}
	for _, k := range []*dnode{n.must, n.should} {
		if k != nil {
			setNorm(k, norm)
		}
	}
}

// evaluator runs plans on one snapshot.
type evaluator struct {
	ctx  context.Context
	rd   index.IndexReader
	segs []snapSegment
	docs uint64 // live documents (the statistics' count when stats is set)
	// stats are BM25 statistics from the context (search.BM25StatsKey),
	// which Bleve's term searchers take over the index's own; nil: none.
	stats    *search.BM25Stats
	params   *bm25Params // the term scoring from the context (bm25ParamsKey); nil: Bleve's
	maxDoc   int         // document numbers are below it
	avgLen   map[string]float64
	dicts    map[string][]segment.TermDictionary // by field, per segment (not safe for concurrent use: one search's)
	postings int                                 // postings read, for checking ctx
	terms    *termCache                          // the opened postings of terms (termcache.go); nil: none
	acc      *accumulator                        // one kept for the next disjunction
	pool     *sync.Pool                          // accumulators of the index, across searches
	steer    int8                                // tests: 1 always advance to candidates, -1 never, 0 by sparse
	leaves   *leafCache                          // nil: none
	mem      *arena                              // the lists of this search
	every    int                                 // tests: postings between checks of ctx (0: checkEvery)
	zapIter  bool                                // tests: read zap's iterators, never its bytes (zapread.go)
	batch    int                                 // postings counted at once towards a check
	// lo and hi bound the document numbers the leaves read: [lo, hi).
	// ranged is set when that is not the whole index (a part of a
	// search evaluated on its own goroutine, directParts).
	lo, hi uint64
	ranged bool
}

// span returns the local document numbers of segment s within the
// evaluator's range, [from, to), or false when it holds none.
func (ev *evaluator) span(s snapSegment) (from, to uint64, ok bool) {
	end := s.offset + s.seg.Count()
	if ev.hi <= s.offset || ev.lo >= end {
		return 0, 0, false
	}
	return max(ev.lo, s.offset) - s.offset, min(ev.hi, end) - s.offset, true
}

// first moves a fresh cursor to its first posting at or after local
// document from (assumption 5: Advance before any Next).
func first(c cursor, from uint64) bool {
	if from == 0 {
		return c.next()
	}
	return c.advance(from)
}

// termStats reads what scoring term in field needs, as Bleve's term
// searcher does (bm25ScoreMetrics, NewTermQueryScorer).
func (ev *evaluator) termStats(field, term string, boost float64) (*termStats, error) {
	st := &termStats{boost: boost}
	dicts, ok := ev.dicts[field]
	if !ok {
		for _, s := range ev.segs {
			d, err := s.seg.Dictionary(field)
			if err != nil {
				return nil, fmt.Errorf("dictionary of %s: %w", field, err)
			}
			dicts = append(dicts, d)
		}
		ev.dicts[field] = dicts
	}
	if tp := ev.terms.get(ev.segs, field, term); tp != nil {
		st.pls, st.zap, st.counts, st.count, st.front = tp.pls, tp.zap, tp.counts, tp.count, tp.front
	} else {
		for i, s := range ev.segs {
			pl, err := dicts[i].PostingsList([]byte(term), s.deleted, nil)
			if err != nil {
				return nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
			}
			st.pls = append(st.pls, pl)
			st.zap = append(st.zap, zapListOf(pl))
			st.counts = append(st.counts, pl.Count())
			st.count += pl.Count()
		}
		st.front = &termFrontier{}
		ev.terms.put(ev.segs, field, term, &termPostings{pls: st.pls, zap: st.zap, counts: st.counts, count: st.count, front: st.front})
	}
	avg, ok := ev.avgLen[field]
	if !ok && ev.stats != nil {
		// Statistics from the context (the relaxed modes', bm25.go),
		// which Bleve's bm25ScoreMetrics reads before its own.
		card, found := ev.stats.FieldCardinality[field]
		if !found {
			return nil, fmt.Errorf("field stat for bm25 not present %s", field)
		}
		if ev.docs > 0 || card > 0 {
			avg = math.Ceil(float64(card) / float64(ev.docs))
		}
		ev.avgLen[field], ok = avg, true
	}
	if !ok {
		if br, isBM25 := ev.rd.(index.BM25Reader); isBM25 && ev.docs > 0 {
			card, err := br.FieldCardinality(field)
			if err != nil {
				return nil, fmt.Errorf("field cardinality of %s: %w", field, err)
			}
			avg = math.Ceil(float64(card) / float64(ev.docs))
		}
		ev.avgLen[field] = avg
	}
	st.avgLen = avg
	if avg > 0 {
		st.params = ev.params
	}
	if avg > 0 {
		st.idf = math.Log(1 + (float64(ev.docs)-float64(st.count)+0.5)/(float64(st.count)+0.5))
	} else {
		st.idf = 1.0 + math.Log(float64(ev.docs)/float64(st.count+1.0))
	}
	st.fillOnes()
	return st, nil
}

// fillOnes makes st.ones, for the field lengths below an eighth of the
// postings (so that the table costs a fraction of what it saves) and
// below 1,024 tokens.
func (st *termStats) fillOnes() {
	st.ones = make([]float64, min(st.count/8, 1024))
	for nb := range st.ones {
		st.ones[nb] = st.docScore(1, zapNorm(uint64(nb)))
	}
}

// zapNorm is zap's Posting.Norm of a norm's bits.
func zapNorm(bits uint64) float64 {
	return float64(float32(1.0 / math.Sqrt(float64(uint32(bits)))))
}

// score is Bleve's TermQueryScorer.Score of one posting.
func (st *termStats) score(freq uint64, norm float64) float64 {
	return st.weigh(st.docScore(freq, norm))
}

// weigh is the score of a posting whose docScore is s.
func (st *termStats) weigh(s float64) float64 {
	if st.qw != 1.0 {
		s = s * st.qw
	}
	return s
}

// docScore is Bleve's TermQueryScorer.docScore (or, with params, the
// classic BM25 of bm25Params): a posting's score before the query
// weight, the same for a term wherever it occurs in a query.
func (st *termStats) docScore(freq uint64, norm float64) float64 {
	var tf float64
	if freq < uint64(len(sqrtCache)) {
		tf = sqrtCache[freq]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	var s float64
	if p := st.params; p != nil {
		// Classic BM25 (bm25Params): the frequency itself, k1 + 1.
		f := float64(freq)
		fieldLength := 1 / (norm * norm)
		s = st.idf * (f * (p.k1 + 1)) / (f + p.k1*(1-p.b+(p.b*fieldLength/st.avgLen)))
	} else if st.avgLen > 0 {
		fieldLength := 1 / (norm * norm)
		s = st.idf * (tf * search.BM25_k1) /
			(tf + search.BM25_k1*(1-search.BM25_b+(search.BM25_b*fieldLength/st.avgLen)))
	} else {
		s = tf * norm * st.idf
	}
	return s
}

// sqrtCache holds √i for small frequencies, as Bleve's scorer.SqrtCache
// (the same values: math.Sqrt is exact to the last bit).
var sqrtCache = func() [64]float64 {
	var c [64]float64
	for i := range c {
		c[i] = math.Sqrt(float64(i))
	}
	return c
}()

// hitList is the result of a node: document numbers ascending, and the
// score of each.
type hitList struct {
	docs   []uint32
	scores []float64
}

func (h *hitList) add(n uint32, s float64) {
	h.docs = append(h.docs, n)
	h.scores = append(h.scores, s)
}

// checkEvery is how many postings are read between checks of ctx.
const checkEvery = 1 << 14

func (ev *evaluator) tick(n int) error {
	ev.postings += n
	if ev.postings >= cmp.Or(ev.every, checkEvery) {
		ev.postings = 0
		if err := ev.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// eval returns the hits of n; within, when not nil, restricts them to
// those document numbers (ascending): the leaves then advance to them
// instead of reading every posting (an optional clause is only needed on
// its query's required hits, as Bleve's boolean searcher advances it).
func (ev *evaluator) eval(n *dnode, within []uint32) (hitList, error) {
	switch n.op {
	case dTerm, dPhrase:
		if ev.leaves != nil && n.count >= ev.leaves.min {
			if h, ok, err := ev.cachedLeaf(n, within); ok || err != nil {
				return h, err
			}
		}
	}
	switch n.op {
	case dTerm:
		return ev.evalTerm(n, within)
	case dPhrase:
		return ev.evalPhrase(n, within)
	case dConj:
		return ev.evalConj(n, within)
	case dDisj:
		return ev.evalDisj(n, within)
	}
	return ev.evalBool(n, within)
}

// segmentRange returns the part of within (ascending) that falls in
// segment s, starting the search at from.
func segmentRange(within []uint32, from int, s snapSegment) (lo, hi int) {
	start, end := s.offset, s.offset+s.seg.Count()
	lo = from
	for lo < len(within) && uint64(within[lo]) < start {
		lo++
	}
	hi = lo
	for hi < len(within) && uint64(within[hi]) < end {
		hi++
	}
	return lo, hi
}

func (ev *evaluator) evalTerm(n *dnode, within []uint32) (hitList, error) {
	st := n.stats[0]
	var out hitList
	if st.count > 0 {
		c := int(st.count)
		if within != nil {
			c = min(c, len(within))
		}
		out = ev.mem.list(c)
	}
	if within == nil {
		err := ev.walkTerm(st, func(d uint32, c cursor) { out.add(d, st.weigh(c.docScore(st))) })
		return out, err
	}
	at := 0
	var c cursor
	for i, s := range ev.segs {
		lo, hi := segmentRange(within, at, s)
		at = hi
		cand := within[lo:hi]
		if len(cand) == 0 {
			continue
		}
		c = ev.cursor(st, i, false, c)
		if ev.sparse(len(cand), st.counts[i]) {
			if err := ev.termAdvancing(st, c, s, cand, &out); err != nil {
				return out, err
			}
			continue
		}
		// Dense candidates: read every posting (from the range's start),
		// keep those of cand.
		from, _, _ := ev.span(s)
		read := 0
		for ok := first(c, from); ok && len(cand) > 0; ok = c.next() {
			local := c.doc()
			for len(cand) > 0 && uint64(cand[0])-s.offset < local {
				cand = cand[1:]
			}
			if len(cand) > 0 && uint64(cand[0])-s.offset == local {
				out.add(cand[0], st.weigh(c.docScore(st)))
			}
			if read++; read == ev.batch {
				if err := ev.tick(read); err != nil {
					return out, err
				}
				read = 0
			}
		}
		if err := c.fail(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// cursor returns a cursor over segment i's postings of st (zapread.go),
// reusing old.
func (ev *evaluator) cursor(st *termStats, i int, locs bool, old cursor) cursor {
	if ev.zapIter {
		return st.iterCursor(i, locs, old)
	}
	return st.cursor(i, locs, old)
}

// walkTerm hands every posting of st to fn, with its document number.
func (ev *evaluator) walkTerm(st *termStats, fn func(d uint32, c cursor)) error {
	var c cursor
	for i, s := range ev.segs {
		from, to, ok := ev.span(s)
		if !ok {
			continue
		}
		c = ev.cursor(st, i, false, c)
		read := 0
		for ok := first(c, from); ok && c.doc() < to; ok = c.next() {
			fn(uint32(s.offset+c.doc()), c)
			if read++; read == ev.batch {
				if err := ev.tick(read); err != nil {
					return err
				}
				read = 0
			}
		}
		if err := c.fail(); err != nil {
			return err
		}
	}
	return nil
}

// sparse reports whether candidates are few enough next to a term's
// postings in a segment to advance to each rather than read every
// posting: zap's Advance skips whole chunks of postings, but inside a
// chunk it decodes the frequencies and norms of the postings it skips, so
// it only pays when most chunks hold no candidate.
func (ev *evaluator) sparse(candidates int, postings uint64) bool {
	if ev.steer != 0 {
		return ev.steer > 0
	}
	return uint64(candidates)*sparseRatio < postings
}

// sparseRatio: see sparse. Measured with BenchmarkQuestions (the relevance
// questions over news-2023): advancing to every candidate of the optional
// clauses cost about 40% of a pass.
const sparseRatio = 16

// termAdvancing adds the postings of st at the candidates cand (of
// segment s), advancing c to each.
func (ev *evaluator) termAdvancing(st *termStats, c cursor, s snapSegment, cand []uint32, out *hitList) error {
	read := 0
	for _, d := range cand {
		if !c.advance(uint64(d) - s.offset) {
			break
		}
		if c.doc() == uint64(d)-s.offset {
			out.add(d, st.weigh(c.docScore(st)))
		}
		if read++; read == ev.batch {
			if err := ev.tick(read); err != nil {
				return err
			}
			read = 0
		}
	}
	return c.fail()
}

// evalPhrase finds, segment by segment, the documents holding term i at
// position p+i for some p: a leapfrog over the terms' postings (each
// advanced to the largest current document), then the position check of
// phraseSearcher.matches. The score is the sum of the terms' scores in
// phrase order, as phraseSearcher sums them.
func (ev *evaluator) evalPhrase(n *dnode, within []uint32) (hitList, error) {
	bound := n.stats[0].count
	for _, st := range n.stats[1:] {
		bound = min(bound, st.count)
	}
	if within != nil {
		bound = min(bound, uint64(len(within)))
	}
	out := ev.mem.list(int(bound))
	err := ev.walkPhrase(n, within, func(d uint32, cur []cursor) {
		var sum float64
		for i, c := range cur {
			sum += n.stats[i].weigh(c.docScore(n.stats[i]))
		}
		out.add(d, sum)
	})
	return out, err
}

// walkPhrase hands every document holding phrase n (within, if not nil)
// to fn with its terms' postings.
func (ev *evaluator) walkPhrase(n *dnode, within []uint32, fn func(d uint32, cur []cursor)) error {
	k := len(n.terms)
	cur := make([]cursor, k)
	pos := make([][]uint64, k)
	cursor := make([]int, k)
	at := 0
	for si, s := range ev.segs {
		from, to, ok := ev.span(s)
		if !ok {
			continue
		}
		done := false
		var cand []uint32 // within, in this segment
		if within != nil {
			lo, hi := segmentRange(within, at, s)
			at = hi
			cand = within[lo:hi]
			if len(cand) == 0 {
				continue
			}
		}
		// Candidates steer the leapfrog when they are sparse next to the
		// rarest term; otherwise the phrase is found as without them
		// and its hits outside them are dropped.
		steer := false
		if within != nil {
			rarest := n.stats[0].counts[si]
			for _, st := range n.stats[1:] {
				rarest = min(rarest, st.counts[si])
			}
			steer = ev.sparse(len(cand), rarest)
		}
		for i := range k {
			cur[i] = ev.cursor(n.stats[i], si, true, cur[i])
			if !first(cur[i], from) {
				done = true
				break
			}
		}
		steps := 0
		for !done {
			target := cur[0].doc()
			for _, c := range cur[1:] {
				target = max(target, c.doc())
			}
			if target >= to {
				break
			}
			if within != nil {
				for len(cand) > 0 && uint64(cand[0])-s.offset < target {
					cand = cand[1:]
				}
				if len(cand) == 0 {
					break
				}
				if steer {
					target = uint64(cand[0]) - s.offset
				}
			}
			agreed := true
			for _, c := range cur {
				if c.doc() == target {
					continue
				}
				agreed = false
				if !c.advance(target) {
					done = true
					break
				}
			}
			if steps++; steps == ev.batch {
				if err := ev.tick(steps); err != nil {
					return err
				}
				steps = 0
			}
			if done || !agreed {
				continue
			}
			if (within == nil || uint64(cand[0])-s.offset == target) && phraseAt(cur, pos, cursor) {
				fn(uint32(s.offset+target), cur)
			}
			for _, c := range cur {
				if !c.next() {
					done = true
					break
				}
			}
		}
		for _, c := range cur {
			if c == nil {
				break // not made: an earlier term has no postings here
			}
			if err := c.fail(); err != nil {
				return err
			}
		}
	}
	return nil
}

// phraseAt reports whether the postings of one document hold term i at
// position p+i for some p (phraseSearcher.matches, from the postings'
// locations).
func phraseAt(cur []cursor, pos [][]uint64, cursor []int) bool {
	for i, c := range cur {
		ps := c.positions(pos[i][:0])
		pos[i] = ps
		if len(ps) == 0 {
			return false
		}
		if !slices.IsSorted(ps) {
			slices.Sort(ps)
		}
	}
	clear(cursor)
first:
	for _, p := range pos[0] {
		for i := 1; i < len(pos); i++ {
			want := p + uint64(i)
			ps := pos[i]
			for cursor[i] < len(ps) && ps[cursor[i]] < want {
				cursor[i]++
			}
			if cursor[i] == len(ps) {
				return false
			}
			if ps[cursor[i]] != want {
				continue first
			}
		}
		return true
	}
	return false
}

// evalConj intersects the kids' lists; a document's score is the sum of
// its kids' scores in the kids' order (Bleve's ConjunctionQueryScorer).
func (ev *evaluator) evalConj(n *dnode, within []uint32) (hitList, error) {
	// Each kid (the rarest first, in Bleve's order) only within the hits
	// of the kids before it.
	lists := make([]hitList, len(n.kids))
	shortest := 0
	for i, k := range n.kids {
		l, err := ev.eval(k, within)
		if err != nil {
			return hitList{}, err
		}
		lists[i] = l
		if len(l.docs) < len(lists[shortest].docs) {
			shortest = i
		}
		if len(l.docs) == 0 {
			return hitList{}, nil
		}
		within = l.docs
	}
	if len(lists) == 1 {
		return lists[0], nil
	}
	at := make([]int, len(lists))
	out := ev.mem.list(len(lists[shortest].docs))
next:
	for _, d := range lists[shortest].docs {
		for i := range lists {
			l := lists[i].docs
			j := at[i]
			if j < len(l) && l[j] < d {
				j += sort.Search(len(l)-j, func(x int) bool { return l[j+x] >= d })
			}
			at[i] = j
			if j == len(l) {
				break next
			}
			if l[j] != d {
				continue next
			}
		}
		var sum float64
		for i := range lists {
			sum += lists[i].scores[at[i]]
		}
		out.add(d, sum)
	}
	return out, nil
}

// evalDisj adds the kids' lists, in the kids' order, into the dense
// accumulator, then keeps the documents matched by at least min kids (one
// at least), scored by the sum times the coord (the share of kids
// matched), as Bleve's DisjunctionQueryScorer does.
func (ev *evaluator) evalDisj(n *dnode, within []uint32) (hitList, error) {
	lists := make([]hitList, len(n.kids))
	total := 0
	for i, k := range n.kids {
		if ev.straight(n, k, within) {
			total += int(k.stats[0].count)
			continue
		}
		l, err := ev.eval(k, within)
		if err != nil {
			return hitList{}, err
		}
		lists[i] = l
		total += len(l.docs)
	}
	if len(lists) == 1 {
		if n.min > 1 {
			return hitList{}, nil
		}
		return lists[0], nil // coord 1/1
	}
	acc := ev.accumulator()
	defer ev.release(acc)
	for i, l := range lists {
		if k := n.kids[i]; ev.straight(n, k, within) {
			st := k.stats[0]
			err := ev.walkTerm(st, func(d uint32, c cursor) { acc.add(d, st.weigh(c.docScore(st))) })
			if err != nil {
				acc.drain(ev.lo, ev.hi, func(uint32, float64, int) {}) // released clean
				return hitList{}, err
			}
			continue
		}
		for i, d := range l.docs {
			acc.add(d, l.scores[i])
		}
	}
	out := ev.mem.list(min(total, ev.maxDoc))
	need := max(n.min, 1)
	countTotal := float64(len(n.kids))
	acc.drain(ev.lo, ev.hi, func(d uint32, sum float64, count int) {
		if count >= need {
			out.add(d, sum*(float64(count)/countTotal))
		}
	})
	return out, nil
}

// straight reports whether kid k of disjunction n is a term whose postings
// evalDisj adds straight into its accumulator, in the order its list
// would have been added (same sums), instead of into a list of its own:
// a one-character query is a disjunction of the thousands of bigrams
// holding the character (chars.go), and a list each, from the arena
// (which looks for the best fit among the lists it keeps), made such a
// query 20 to 140 times slower than the unigram term it replaced.
func (ev *evaluator) straight(n, k *dnode, within []uint32) bool {
	return within == nil && len(n.kids) > 1 && k.op == dTerm && (ev.leaves == nil || k.count < ev.leaves.min)
}

// evalBool merges a boolean query's parts as Bleve's BooleanSearcher
// does: the must documents (or, without must, the should ones) not in
// must-not; a should match adds its score; a should part with a minimum
// must match.
func (ev *evaluator) evalBool(n *dnode, within []uint32) (hitList, error) {
	var must, should, not hitList
	var err error
	if n.must != nil {
		if must, err = ev.eval(n.must, within); err != nil {
			return hitList{}, err
		}
		if len(must.docs) == 0 {
			return hitList{}, nil
		}
		within = must.docs
	}
	if n.should != nil {
		if should, err = ev.eval(n.should, within); err != nil {
			return hitList{}, err
		}
	}
	if n.mustNot != nil {
		if n.must == nil {
			within = should.docs
		}
		if not, err = ev.eval(n.mustNot, within); err != nil {
			return hitList{}, err
		}
	}
	shouldRequired := n.should != nil && n.should.op == dDisj && n.should.min > 0
	cand := must
	if n.must == nil {
		cand, shouldRequired = should, false
	}
	out := ev.mem.list(len(cand.docs))
	si, ni := 0, 0
	for i, d := range cand.docs {
		for ni < len(not.docs) && not.docs[ni] < d {
			ni++
		}
		if ni < len(not.docs) && not.docs[ni] == d {
			continue
		}
		if n.must == nil {
			out.add(d, cand.scores[i])
			continue
		}
		for si < len(should.docs) && should.docs[si] < d {
			si++
		}
		if si < len(should.docs) && should.docs[si] == d {
			out.add(d, cand.scores[i]+should.scores[si])
			continue
		}
		if !shouldRequired {
			out.add(d, cand.scores[i])
		}
	}
	return out, nil
}

// accumulator is a dense per-document sum and count, with a bitmap of
// the documents touched, reused across the nodes of a search.
type accumulator struct {
	sum   []float64
	count []uint16
	seen  []uint64
}

func (ev *evaluator) accumulator() *accumulator {
	if a := ev.acc; a != nil {
		ev.acc = nil
		return a
	}
	if a, ok := ev.pool.Get().(*accumulator); ok && len(a.sum) == ev.maxDoc {
		return a
	}
	return &accumulator{sum: make([]float64, ev.maxDoc), count: make([]uint16, ev.maxDoc), seen: make([]uint64, (ev.maxDoc+63)/64)}
}

func (ev *evaluator) release(a *accumulator) {
	if ev.acc == nil {
		ev.acc = a
		return
	}
	ev.pool.Put(a)
}

func (a *accumulator) add(d uint32, s float64) {
	a.sum[d] += s
	a.count[d]++
	a.seen[d/64] |= 1 << (d % 64)
}

// drain hands every touched document numbered from lo to hi (exclusive:
// no other was touched) to fn in number order and clears it.
func (a *accumulator) drain(lo, hi uint64, fn func(d uint32, sum float64, count int)) {
	for w := int(lo / 64); w < len(a.seen) && uint64(w)*64 < hi; w++ {
		bs := a.seen[w]
		if bs == 0 {
			continue
		}
		for bs != 0 {
			d := uint32(w*64 + bits.TrailingZeros64(bs))
			bs &= bs - 1
			fn(d, a.sum[d], int(a.count[d]))
			a.sum[d], a.count[d] = 0, 0
		}
		a.seen[w] = 0
	}
}

// directHits runs q with the direct evaluator on a snapshot of ix and
// calls fn with every hit numbered from lo to hi (exclusive), or returns
// false (and calls nothing) when q has a shape it does not handle.
func (ix *Index) directHits(ctx context.Context, q bq.Query, lo, hi int, fn func(n int, score float64)) (handled bool, err error) {
	return ix.directParts(ctx, q, []int{lo, hi}, func(_ int, res hitList) error {
		for i, d := range res.docs {
			fn(int(d), res.scores[i])
		}
		return nil
	})
}

// directRun runs q with the direct evaluator and hands its hits to visit
// (valid only during the call: the lists go back to the index's arenas),
// or returns false (and calls nothing) when q has a shape it does not
// handle. Every hit is checked to be inside the document table.
func (ix *Index) directRun(ctx context.Context, q bq.Query, visit func(hitList) error) (handled bool, err error) {
	return ix.directParts(ctx, q, []int{0, len(ix.table.live)}, func(_ int, res hitList) error { return visit(res) })
}

// minParallelPostings is the number of postings (the plan's count: its
// leaves' postings, as Bleve's searchers count them) from which the parts
// of a search are evaluated each on its own goroutine rather than once
// and split: below it, a part's start (a goroutine, its own lists, its
// leaves advanced to the part's first document) is not worth saving.
const minParallelPostings = 1 << 14

// directParts runs q with the direct evaluator over the documents
// numbered from bounds[0] to bounds[len(bounds)-1] (exclusive), and hands
// visit the hits of each part, bounds[i] to bounds[i+1], ascending (valid
// only during the call); the parts are visited at once, each on its own
// goroutine, when there are several. A query whose leaves read at least
// minParallelPostings postings is evaluated part by part, each part's
// leaves reading only its range of documents (Lucene's IndexSearcher
// with an executor does the same over its slices): a document's score
// depends on nothing but its own postings and the index's statistics, so
// the hits and scores are those of the whole query (TestDirectParts). A
// lighter one is evaluated once and its hits split. It returns false
// (and calls nothing) when q has a shape the evaluator does not handle.
// Every hit is checked to be inside the document table.
func (ix *Index) directParts(ctx context.Context, q bq.Query, bounds []int, visit func(part int, res hitList) error) (handled bool, err error) {
	return ix.directTopK(ctx, q, bounds, nil, visit)
}

// directTopK is directParts; with tk, each part's hits whose scores can
// matter to the top tk.k are scored in full and the others by their must
// part only (evalTopK, maxscore.go).
func (ix *Index) directTopK(ctx context.Context, q bq.Query, bounds []int, tk *topK, visit func(part int, res hitList) error) (handled bool, err error) {
	plan, ok := directPlan(q)
	if !ok || ix.noDirect {
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		return true, searchError(ctx, err)
	}
	rd, err := ix.reader()
	if err != nil {
		return true, searchError(ctx, err)
	}
	defer rd.Close()
	segs, ok := snapshotSegments(rd)
	if !ok {
		return false, nil
	}
	defer recoverPanic("search", &err)
	docs, err := rd.DocCount()
	if err != nil {
		return true, searchError(ctx, err)
	}
	ev := &evaluator{ctx: ctx, rd: rd, segs: segs, docs: docs, avgLen: map[string]float64{}, dicts: map[string][]segment.TermDictionary{}, pool: &ix.accs, steer: ix.steer, leaves: ix.leaves, every: ix.checkEvery, batch: 1024, zapIter: ix.zapIter, terms: &ix.terms}
	if ev.every > 0 && ev.every < ev.batch {
		ev.batch = ev.every
	}
	if st, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		ev.stats, ev.docs = st, uint64(st.DocCount)
	}
	if p, ok := ctx.Value(bm25ParamsKey{}).(bm25Params); ok {
		ev.params = &p
	}
	if n := len(segs); n > 0 {
		ev.maxDoc = int(segs[n-1].offset + segs[n-1].seg.Count())
	}
	if err := ev.prepare(plan); err != nil {
		return true, searchError(ctx, err)
	}
	// A lone term searcher at the root is never given a query norm (its
	// query weight stays 1); the root's composite searcher computes one
	// for everything below it. A boolean query of only a must or only a
	// should part is that part's searcher (BooleanQuery.Searcher).
	root := plan
	for root.op == dBool && root.mustNot == nil && (root.must == nil) != (root.should == nil) {
		root = cmp.Or(root.must, root.should)
	}
	if root.op == dTerm {
		root.stats[0].qw = 1
	} else {
		setNorm(plan, 1.0/math.Sqrt(root.weight))
	}
	// The optional part is evaluated on the hits that can reach the
	// top k only (maxscore.go) when it has a bound and is not required.
	u, topk := 0.0, false
	if tk != nil && !ix.noMaxScore && plan.op == dBool && plan.must != nil && plan.should != nil &&
		!(plan.should.op == dDisj && plan.should.min > 0) {
		u, topk = ev.bound(plan.should)
	}
	parts := len(bounds) - 1
	// run evaluates the plan over [lo, hi) with its own lists and hands
	// the hits to each part of bounds[from:to+1].
	run := func(lo, hi int, from, to int) error {
		part := *ev
		part.lo, part.hi = uint64(lo), uint64(hi)
		if hi >= len(ix.table.live) {
			part.hi = uint64(ev.maxDoc) // none of the documents past the table is live
		}
		part.ranged = part.lo > 0 || part.hi < uint64(ev.maxDoc)
		part.mem, _ = ix.arenas.Get().(*arena)
		if part.mem == nil {
			part.mem = &arena{}
		}
		defer func() {
			if part.acc != nil {
				ix.accs.Put(part.acc)
			}
			part.mem.reset()
			ix.arenas.Put(part.mem)
		}()
		var res hitList
		var err error
		if topk {
			var evaluated int
			res, evaluated, err = part.evalTopK(plan, tk, u)
			if c := ix.boostEvals; c != nil {
				c.hits.Add(uint64(len(res.docs)))
				c.evaluated.Add(uint64(evaluated))
			}
		} else {
			res, err = part.eval(plan, nil)
		}
		if err != nil {
			return searchError(ctx, err)
		}
		if n := len(res.docs); n > 0 && int(res.docs[n-1]) >= len(ix.table.live) {
			return fmt.Errorf("search: hit %d outside the document table", res.docs[n-1])
		}
		return ix.visitParts(res, bounds[from:to+1], from, visit)
	}
	if parts == 1 || plan.count < cmp.Or(ix.minParallel, minParallelPostings) {
		return true, run(bounds[0], bounds[parts], 0, parts)
	}
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverPanic("search", &errs[i])
			errs[i] = run(bounds[i], bounds[i+1], i, i+1)
		}()
	}
	wg.Wait()
	return true, firstError(errs)
}

// firstError returns the first error of errs that is not nil: the parts
// of a search fail alike on a timeout, and one is enough.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// visitParts hands visit the hits of res in each part of bounds (part
// numbers from first), at once when there are several.
func (ix *Index) visitParts(res hitList, bounds []int, first int, visit func(part int, res hitList) error) error {
	if len(bounds) == 2 {
		return visit(first, res)
	}
	errs := make([]error, len(bounds)-1)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverPanic("search", &errs[i])
			lo, _ := slices.BinarySearch(res.docs, uint32(bounds[i]))
			hi, _ := slices.BinarySearch(res.docs, uint32(bounds[i+1]))
			errs[i] = visit(first+i, hitList{docs: res.docs[lo:hi], scores: res.scores[lo:hi]})
		}()
	}
	wg.Wait()
	return firstError(errs)
}

// arena hands out the lists of one search and takes them all back when
// it ends, for the next search: a pass over a common phrase makes lists
// of a tenth of the index, which would otherwise be garbage at once. Each
// list is made with the capacity of an upper bound of its hits, so that
// it never grows (a list that did would merely not be reused).
type arena struct {
	docs   [][]uint32
	scores [][]float64
	// Free document and score slices are kept apart: scoresOnly hands
	// out scores alone, and pairing them again by position would pair a
	// long slice with a short one, so that neither served the next list.
	freeDocs   [][]uint32
	freeScores [][]float64
}

// arenaKeep bounds the bytes an idle arena keeps: a search's lists at a
// million paragraphs (a common phrase's 100,000 hits are 1.2 MB a list);
// one arena is kept per search running at once (sync.Pool, emptied by the
// garbage collector when idle).
const arenaKeep = 16 << 20

// bestFit removes from free and returns the shortest slice with room for
// n (the smallest fit, so that a long slice stays for a long list), or
// nil when none has.
func bestFit[T any](free *[][]T, n int) []T {
	best := -1
	for i, l := range *free {
		if cap(l) >= n && (best < 0 || cap(l) < cap((*free)[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	l := (*free)[best]
	last := len(*free) - 1
	(*free)[best] = (*free)[last]
	(*free)[last] = nil
	*free = (*free)[:last]
	return l
}

// list returns an empty list with room for n hits.
func (a *arena) list(n int) hitList {
	docs := bestFit(&a.freeDocs, n)
	if docs == nil {
		docs = make([]uint32, 0, n)
	}
	scores := bestFit(&a.freeScores, n)
	if scores == nil {
		scores = make([]float64, 0, n)
	}
	l := hitList{docs: docs[:0], scores: scores[:0]}
	a.docs, a.scores = append(a.docs, l.docs), append(a.scores, l.scores)
	return l
}

// scoresOnly returns room for n scores (of a list whose documents are
// shared, from the leaf cache).
func (a *arena) scoresOnly(n int) []float64 {
	s := bestFit(&a.freeScores, n)
	if s == nil {
		s = make([]float64, n)
	}
	s = s[:n]
	a.scores = append(a.scores, s)
	return s
}

// reset takes back every list handed out, keeping at most arenaKeep
// bytes.
func (a *arena) reset() {
	kept := 0
	for _, l := range a.freeDocs {
		kept += 4 * cap(l)
	}
	for _, l := range a.freeScores {
		kept += 8 * cap(l)
	}
	for _, l := range a.docs {
		if size := 4 * cap(l); kept+size <= arenaKeep {
			kept += size
			a.freeDocs = append(a.freeDocs, l)
		}
	}
	for _, l := range a.scores {
		if size := 8 * cap(l); kept+size <= arenaKeep {
			kept += size
			a.freeScores = append(a.freeScores, l)
		}
	}
	clear(a.docs)
	clear(a.scores)
	a.docs, a.scores = a.docs[:0], a.scores[:0]
}
