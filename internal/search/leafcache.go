package search

import (
	"container/list"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// leafCache keeps, for one generation, the decoded hits of the leaves
// (terms and phrases) the direct evaluator reads most: their document
// numbers and each term's BM25 score before the query weight
// (termStats.docScore), which depend only on the generation's statistics.
// A search applies its own query weights to them, so a cached leaf scores
// bit for bit as one read from the postings. County news repeats its
// vocabulary, and a question's bigrams (哪些, 什么, 工作) recur across
// questions that are not repeats, so the common leaves are read from
// memory instead of decoded from zap's postings at some 20 ns a posting.
// Only leaves of at least leafCacheMin postings are kept (a rare one is
// cheap to read), the least recently used go first, and the whole stays
// under max bytes.
//
// A leaf is admitted as Lucene's query cache admits a query
// (UsageTrackingQueryCachingPolicy, LRUQueryCache's skipCacheFactor): when
// the cache is full, only once it was looked up before among the last
// leafHistory lookups that missed, and never when the search needs it
// only within candidates far fewer than its postings. Caching reads the leaf whole, with each term's docScore kept;
// a leaf that is not looked up again before it is evicted paid that for
// nothing, where the evaluator alone would have advanced its postings to
// the candidates. At 3,000,000 synthetic paragraphs the common leaves of
// the benchmark's log (130,000–260,000 postings, three phrases a query)
// outgrow 128 MB: nearly every lookup missed, and searchd (which keeps the
// cache on) spent 27–30 CPU ms a request on the log against 22 with the
// cache off; with this admission 19–20 (BENCHMARKS.md).
type leafCache struct {
	mu    sync.Mutex
	min   uint64 // postings from which a leaf is kept
	max   int64
	size  int64
	items map[string]*list.Element
	lru   list.List // of *leafEntry, most recent first
	// seen is how many lookups of a leaf, among the last of history,
	// admit it (1: the first one).
	seen    int
	history []string       // the last lookups that missed, a ring
	next    int            // where the next one goes in history
	counts  map[string]int // how often each key is in history
}

// leafEntry is the hits of one leaf: document numbers ascending and, per
// term of the leaf, the docScore of each.
type leafEntry struct {
	key   string
	docs  []uint32
	bases [][]float64
	bytes int64
}

// leafCacheMin is the number of postings from which a leaf is cached.
const leafCacheMin = 1024

// leafCacheSeen and leafHistory are the index's admission policy: a leaf
// is cached at its second lookup among the last 256 that missed (Lucene's
// query cache keeps a history of 256 and caches the costliest queries at
// their second use).
const (
	leafCacheSeen = 2
	leafHistory   = 256
)

// leafSkipFactor: a leaf needed only within candidates (an optional
// clause advanced to its query's required hits) is not read whole to be
// cached when it has more than leafSkipFactor postings per candidate
// (Lucene's skipCacheFactor is 10).
const leafSkipFactor = 10

// defaultLeafCacheBytes bounds a generation's leaf cache.
const defaultLeafCacheBytes = 128 << 20

// newLeafCache returns a cache of the leaves of at least min postings, up
// to max bytes, that caches a leaf at its first lookup (see admitting).
func newLeafCache(min uint64, max int64) *leafCache {
	return &leafCache{min: min, max: max, seen: 1, items: map[string]*list.Element{}}
}

// admitting makes c cache a leaf only at its seen-th lookup among the last
// history lookups that missed.
func (c *leafCache) admitting(seen, history int) *leafCache {
	c.seen, c.history, c.counts = seen, make([]string, history), map[string]int{}
	return c
}

// admit records a lookup of key that missed, for a leaf of about bytes,
// and reports whether the leaf is to be read whole and cached: while the
// cache has room for it, at once (caching then evicts nothing); when full,
// at its seen-th lookup among the last of history.
func (c *leafCache) admit(key string, bytes int64) bool {
	if c.seen <= 1 || len(c.history) == 0 {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.counts[key] + 1
	if old := c.history[c.next]; old != "" {
		if c.counts[old]--; c.counts[old] <= 0 {
			delete(c.counts, old)
		}
	}
	c.history[c.next] = key
	c.next = (c.next + 1) % len(c.history)
	c.counts[key]++
	return n >= c.seen || c.size+bytes <= c.max
}

// leafBytes estimates what caching leaf n takes (leafCache.put): a
// document number and a docScore per term for each posting.
func leafBytes(n *dnode) int64 {
	return int64(n.count)*int64(4+8*len(n.terms)) + 64
}

func leafKey(n *dnode) string {
	var b strings.Builder
	b.WriteByte(byte('0' + n.op))
	b.WriteString(n.field)
	for _, t := range n.terms {
		b.WriteByte(0)
		b.WriteString(t)
	}
	return b.String()
}

func (c *leafCache) get(key string) *leafEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*leafEntry)
}

func (c *leafCache) put(e *leafEntry) {
	e.bytes = int64(len(e.key)+4*len(e.docs)) + 64
	for _, b := range e.bases {
		e.bytes += int64(8 * len(b))
	}
	if e.bytes > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[e.key]; ok {
		return // read by another search meanwhile
	}
	c.items[e.key] = c.lru.PushFront(e)
	c.size += e.bytes
	for c.size > c.max {
		last := c.lru.Back()
		old := last.Value.(*leafEntry)
		c.lru.Remove(last)
		delete(c.items, old.key)
		c.size -= old.bytes
	}
}

// cachedLeaf returns the hits of leaf n (within, if not nil), from the
// cache or read whole from the postings and cached; ok is false when the
// leaf is neither cached nor admitted (leafCache), for the evaluator to
// read as it would without the cache.
func (ev *evaluator) cachedLeaf(n *dnode, within []uint32) (_ hitList, ok bool, err error) {
	key := leafKey(n)
	if ev.stats != nil {
		// The docScores depend on the field's average length, which the
		// relaxed modes' statistics change (bm25.go).
		key += "\x00" + strconv.FormatFloat(ev.avgLen[n.field], 'g', -1, 64)
	}
	if p := ev.params; p != nil {
		// So does another term scoring (bm25Params).
		key += "\x00" + strconv.FormatFloat(p.k1, 'g', -1, 64) + "," + strconv.FormatFloat(p.b, 'g', -1, 64)
	}
	e, err := ev.leafEntry(key, n, within)
	if e == nil || err != nil {
		return hitList{}, false, err
	}
	var out hitList
	score := func(j int) float64 {
		if len(e.bases) == 1 {
			return n.stats[0].weigh(e.bases[0][j])
		}
		var sum float64 // in phrase order, as phraseSearcher sums
		for i, b := range e.bases {
			sum += n.stats[i].weigh(b[j])
		}
		return sum
	}
	if within == nil {
		out.docs = e.docs // never written to: lists are only read
		out.scores = ev.mem.scoresOnly(len(e.docs))
		for j := range e.docs {
			out.scores[j] = score(j)
		}
		return out, true, nil
	}
	// Both lists ascending: step the one behind, galloping.
	out = ev.mem.list(min(len(within), len(e.docs)))
	i, j := 0, 0
	for i < len(within) && j < len(e.docs) {
		w, d := within[i], e.docs[j]
		switch {
		case w == d:
			out.add(d, score(j))
			i++
			j++
		case w < d:
			i += gallop(within[i:], d)
		default:
			j += gallop(e.docs[j:], w)
		}
	}
	return out, true, nil
}

// leafEntry returns the hits of leaf n within the evaluator's range, from
// the cache or read from the postings and cached. A part of a search
// (evaluated on its own, directParts) takes its range out of the whole
// leaf's entry when cached, else reads only its range and caches that
// under its own key: the next search split the same way finds it. It
// returns nil when the leaf is not cached and not admitted (within is the
// candidates the search needs it for, nil for all).
func (ev *evaluator) leafEntry(key string, n *dnode, within []uint32) (*leafEntry, error) {
	if e := ev.leaves.get(key); e != nil {
		if !ev.ranged {
			return e, nil
		}
		lo, _ := slices.BinarySearch(e.docs, uint32(ev.lo))
		hi, _ := slices.BinarySearch(e.docs, uint32(min(ev.hi, math.MaxUint32)))
		part := &leafEntry{docs: e.docs[lo:hi:hi], bases: make([][]float64, len(e.bases))}
		for i, b := range e.bases {
			part.bases[i] = b[lo:hi:hi]
		}
		return part, nil
	}
	if ev.ranged {
		key += "\x00" + strconv.FormatUint(ev.lo, 10) + "-" + strconv.FormatUint(ev.hi, 10)
		if e := ev.leaves.get(key); e != nil {
			return e, nil
		}
	}
	if within != nil && n.count > leafSkipFactor*uint64(len(within)) {
		ev.leaves.admit(key, leafBytes(n)) // a use all the same
		return nil, nil
	}
	if !ev.leaves.admit(key, leafBytes(n)) {
		return nil, nil
	}
	e, err := ev.readLeaf(n)
	if err != nil {
		return nil, err
	}
	e.key = key
	ev.leaves.put(e)
	return e, nil
}

// gallop returns the index of the first of s (ascending) at or above x,
// or len(s): an exponential then a binary search, cheap when it is near.
func gallop(s []uint32, x uint32) int {
	hi := 1
	for hi < len(s) && s[hi] < x {
		hi *= 2
	}
	lo := hi / 2
	hi = min(hi+1, len(s))
	return lo + sort.Search(hi-lo, func(k int) bool { return s[lo+k] >= x })
}

// readLeaf reads the whole of leaf n from the postings, with each term's
// docScore.
func (ev *evaluator) readLeaf(n *dnode) (*leafEntry, error) {
	e := &leafEntry{bases: make([][]float64, len(n.terms))}
	var err error
	if n.op == dTerm {
		st := n.stats[0]
		e.docs = make([]uint32, 0, st.count)
		e.bases[0] = make([]float64, 0, st.count)
		err = ev.walkTerm(st, func(d uint32, c cursor) {
			e.docs = append(e.docs, d)
			e.bases[0] = append(e.bases[0], c.docScore(st))
		})
	} else {
		err = ev.walkPhrase(n, nil, func(d uint32, cur []cursor) {
			e.docs = append(e.docs, d)
			for i, c := range cur {
				e.bases[i] = append(e.bases[i], c.docScore(n.stats[i]))
			}
		})
	}
	return e, err
}

// WithLeafCache bounds the index's cache of decoded common leaves
// (leafcache.go) to maxBytes; 0 or less turns it off. The default is
// 128 MB.
func WithLeafCache(maxBytes int64) Option {
	return func(ix *Index) {
		ix.leaves = nil
		if maxBytes > 0 {
			ix.leaves = newLeafCache(leafCacheMin, maxBytes).admitting(leafCacheSeen, leafHistory)
		}
	}
}
