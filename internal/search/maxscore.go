package search

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// The topic and headline boosts of a search (compile.go, termQuery) are
// optional clauses: they add to the scores of the text's hits and change
// no hit. Evaluated within every must hit (evalBool), they walk their
// postings, positions and phrase check included, for each of the hundreds
// of thousands of hits of a common phrase: a third of such a request's
// CPU at 3,000,000 paragraphs. Yet totals, facets and collapse groups need
// only the set of must hits, and the scores matter only for the top k of
// the page (From+Size, or the reranker's depth).
//
// evalTopK evaluates them MaxScore-style (Turtle and Flood): the must
// part first, with the scores it has inside the whole plan; U, an upper
// bound of what the optional part can add to any document (bound); the
// optional part on the E0 best must hits that pass the filters (a few
// hundred), which gives θ, the k-th best final score among them (among
// distinct collapse groups' best when collapsing): a lower bound of the
// k-th final score of the whole part. A hit whose must score + U falls
// below θ can never reach the top k; the optional part is evaluated on
// the others only, and the hits go to the pass with their final scores
// where evaluated and their must scores elsewhere.
//
// The answer is the full evaluation's, bit for bit: an evaluated hit's
// score is evalBool's (its must score plus the optional part's, the same
// float addition); every hit of the true top k is evaluated (its final
// score f ≥ θ, and f = must ⊕ should ≤ must ⊕ U since rounding is
// monotone); every other hit's reported score is at most its true score
// (the optional part adds nothing negative), so it ranks where it did or
// lower, and where it ties a top hit it ties with its true score, broken
// by the same rank. An article's best paragraph that reaches the page is
// likewise evaluated. A part-local θ is safe: a hit below its own part's
// k-th best has k better hits already. Story collapse is left to the full
// evaluation: the copies of a story on the page are its other articles'
// best paragraphs, which the page's θ does not bound.

// topK is what the pass keeps of a part's hits, for evalTopK.
type topK struct {
	k int
	// keep reports whether hit n passes the filters (and can be offered
	// to the top hits).
	keep func(n int) bool
	// group is the collapse group of hit n (an article ordinal); nil:
	// hits are ranked on their own.
	group func(n int) int32
	// seed, when set (tests), replaces the seed's size (maxScoreSeed and
	// four times k).
	seed int
}

// boostCounts count, over the searches evalTopK answers, their hits and
// the hits the optional part was evaluated on (tests, benchmarks).
type boostCounts struct {
	hits, evaluated atomic.Uint64
}

// maxScoreSeed is how many of the best must hits (at least, and at least
// four times k) seed θ: enough that θ is near the true k-th score on the
// benchmark's log at 1,000,000 paragraphs (420,000 evaluations of 3.4
// million kept hits with 256, 470,000 with 1,024).
const maxScoreSeed = 256

// boundSlack widens U by a relative margin, against the rounding of the
// sums the bound is made of (far below 1e-12 relative).
const boundSlack = 1e-9

// bound returns an upper bound of the score node n adds to any document
// (its leaves' query weights times their postings' best docScore), or
// false when there is none it can vouch for (a negative weight).
func (ev *evaluator) bound(n *dnode) (float64, bool) {
	var u float64
	switch n.op {
	case dTerm, dPhrase:
		for _, st := range n.stats {
			if !(st.qw >= 0) || !(st.idf >= 0) {
				return 0, false
			}
			best, err := ev.bestDocScore(st)
			if err != nil {
				return 0, false
			}
			u += st.weigh(best)
		}
	case dConj, dDisj:
		// A disjunction's coord only scales its sum down.
		for _, k := range n.kids {
			b, ok := ev.bound(k)
			if !ok {
				return 0, false
			}
			u += b
		}
	case dBool:
		for _, k := range []*dnode{n.must, n.should} {
			if k == nil {
				continue
			}
			b, ok := ev.bound(k)
			if !ok {
				return 0, false
			}
			u += b
		}
	}
	return u, !math.IsInf(u, 0) && !math.IsNaN(u)
}

// bestDocScore returns the largest docScore of st's postings: docScore
// grows with a posting's frequency and with its norm (a shorter field),
// so it is the best of each frequency's largest norm (frontier).
func (ev *evaluator) bestDocScore(st *termStats) (float64, error) {
	f, err := st.frontier(ev)
	if err != nil {
		return 0, err
	}
	var best float64
	for _, p := range f {
		best = max(best, st.docScore(p.freq, p.norm))
	}
	return best * (1 + boundSlack), nil
}

// freqNorm is a point of a term's frontier: the largest norm among its
// postings of frequency freq.
type freqNorm struct {
	freq uint64
	norm float64
}

// termFrontier is the frontier of a term's postings over the segments of
// a snapshot, read once (termPostings keeps it for the snapshot's next
// searches: it depends on the postings alone, not on the scoring).
type termFrontier struct {
	once   sync.Once
	points []freqNorm
	err    error
}

// frontier returns st's frontier, read from its postings on first use.
func (st *termStats) frontier(ev *evaluator) ([]freqNorm, error) {
	tf := st.front
	if tf == nil {
		tf = &termFrontier{}
		st.front = tf
	}
	tf.once.Do(func() { tf.points, tf.err = readFrontier(ev, st) })
	return tf.points, tf.err
}

// readFrontier walks every posting of st (frequencies and norms, no
// positions) in every segment.
func readFrontier(ev *evaluator, st *termStats) ([]freqNorm, error) {
	var small [64]float64 // by frequency, the largest norm (0: none)
	large := map[uint64]float64{}
	var c cursor
	for i := range ev.segs {
		if st.counts[i] == 0 {
			continue
		}
		c = ev.cursor(st, i, false, c)
		for ok := c.next(); ok; ok = c.next() {
			f, norm := c.freqNorm()
			if f < uint64(len(small)) {
				small[f] = max(small[f], norm)
			} else {
				large[f] = max(large[f], norm)
			}
		}
		if err := c.fail(); err != nil {
			return nil, err
		}
	}
	var out []freqNorm
	for f, norm := range small {
		if norm > 0 {
			out = append(out, freqNorm{uint64(f), norm})
		}
	}
	for f, norm := range large {
		out = append(out, freqNorm{f, norm})
	}
	return out, nil
}

// evalTopK evaluates plan (a boolean query with must and should parts,
// the optional one not required) as eval does, but with the should part
// evaluated only on the hits that can reach the top k (see the comment at
// the top of this file); u is the bound of the should part. It returns
// the number of hits the should part was evaluated on, too.
func (ev *evaluator) evalTopK(plan *dnode, tk *topK, u float64) (hitList, int, error) {
	must, err := ev.eval(plan.must, nil)
	if err != nil || len(must.docs) == 0 {
		return hitList{}, 0, err
	}
	base := must
	if plan.mustNot != nil {
		not, err := ev.eval(plan.mustNot, must.docs)
		if err != nil {
			return hitList{}, 0, err
		}
		if len(not.docs) > 0 {
			base = ev.mem.list(len(must.docs))
			ni := 0
			for i, d := range must.docs {
				for ni < len(not.docs) && not.docs[ni] < d {
					ni++
				}
				if ni < len(not.docs) && not.docs[ni] == d {
					continue
				}
				base.add(d, must.scores[i])
			}
		}
	}
	// The kept hits' must scores, and the seed's threshold t: the E0
	// best of them have a must score of at least t.
	kept := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, d := range base.docs {
		if tk.keep(int(d)) {
			kept++
			lo, hi = min(lo, base.scores[i]), max(hi, base.scores[i])
		}
	}
	out := ev.mem.list(len(base.docs))
	out.docs = append(out.docs, base.docs...)
	out.scores = append(out.scores, base.scores...)
	if kept == 0 {
		return out, 0, nil
	}
	seed := cmp.Or(tk.seed, max(maxScoreSeed, 4*tk.k))
	t := math.Inf(-1)
	if kept > seed {
		t = seedThreshold(base, tk, seed, lo, hi)
	}
	e0 := ev.mem.list(min(kept, 2*seed))
	e0.docs = e0.docs[:0]
	for i, d := range base.docs {
		if base.scores[i] >= t && tk.keep(int(d)) {
			e0.docs = append(e0.docs, d)
		}
	}
	evaluated := len(e0.docs)
	if err := ev.addShould(plan.should, e0.docs, &out); err != nil {
		return hitList{}, 0, err
	}
	if len(e0.docs) == kept {
		return out, evaluated, nil
	}
	theta := kthBest(out, e0.docs, tk)
	rest := e0.docs[:0] // e0's documents are done with
	for i, d := range base.docs {
		if base.scores[i] < t && base.scores[i]+u >= theta && tk.keep(int(d)) {
			rest = append(rest, d)
		}
	}
	evaluated += len(rest)
	if err := ev.addShould(plan.should, rest, &out); err != nil {
		return hitList{}, 0, err
	}
	return out, evaluated, nil
}

// addShould evaluates should within docs (ascending) and adds its scores
// to the hits of out (a copy of the must hits) as evalBool adds them.
func (ev *evaluator) addShould(should *dnode, docs []uint32, out *hitList) error {
	if len(docs) == 0 {
		return nil
	}
	sh, err := ev.eval(should, docs)
	if err != nil {
		return err
	}
	j := 0
	for i, d := range sh.docs {
		j += sort32(out.docs[j:], d)
		out.scores[j] = out.scores[j] + sh.scores[i]
	}
	return nil
}

// sort32 returns the index of d in docs (ascending, holding d).
func sort32(docs []uint32, d uint32) int {
	i, _ := slices.BinarySearch(docs, d)
	return i
}

// seedThreshold returns a must score t such that at least seed of the
// kept hits of base (whose must scores lie in [lo, hi]) score t or more,
// and not many more: the lower edge of a bucket of a histogram of their
// scores.
func seedThreshold(base hitList, tk *topK, seed int, lo, hi float64) float64 {
	const buckets = 1024
	if !(hi > lo) {
		return math.Inf(-1)
	}
	var counts [buckets + 1]int
	width := (hi - lo) / buckets
	for i, d := range base.docs {
		if s := base.scores[i]; tk.keep(int(d)) {
			counts[min(buckets, int((s-lo)/width))]++
		}
	}
	n := 0
	for b := buckets; b > 0; b-- {
		if n += counts[b]; n >= seed {
			return lo + float64(b)*width
		}
	}
	return math.Inf(-1)
}

// kthBest returns the k-th best final score of the hits docs (evaluated,
// kept) of out, or of their groups' best when collapsing; -Inf when there
// are fewer than k.
func kthBest(out hitList, docs []uint32, tk *topK) float64 {
	var scores []float64
	if tk.group == nil {
		scores = make([]float64, 0, len(docs))
	}
	groups := map[int32]float64{}
	j := 0
	for _, d := range docs {
		j += sort32(out.docs[j:], d)
		s := out.scores[j]
		if tk.group == nil {
			scores = append(scores, s)
			continue
		}
		g := tk.group(int(d))
		if old, ok := groups[g]; !ok || s > old {
			groups[g] = s
		}
	}
	for _, s := range groups {
		scores = append(scores, s)
	}
	if len(scores) < tk.k || tk.k <= 0 {
		return math.Inf(-1)
	}
	slices.SortFunc(scores, func(a, b float64) int { return cmp.Compare(b, a) })
	return scores[tk.k-1]
}
