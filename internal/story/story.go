// Package story groups syndicated copies of one news story: articles that
// several outlets printed with the same text, give or take a byline, an
// editor's note or a trimmed paragraph.
//
// An article's signature (Sign) is Charikar's SimHash (the maintained
// library github.com/mfonda/simhash) of the set of its character
// shingles: Shingle consecutive letters, digits and Han characters, with
// punctuation and spaces left out. Chinese has no spaces between words,
// so words are not the features: overlapping runs of characters are, which
// survive a changed word or a re-punctuated sentence (each costs only the
// Shingle shingles that span it). Two articles are copies when their
// signatures differ in at most MaxDistance of the 64 bits; the threshold
// was chosen by measuring news-2023 (see the README's corpus section and
// cmd/storystats).
//
// A story is a connected component of the "copies" relation over the
// articles present (Group), and its ID is the smallest article ID in it.
// The grouping is therefore a function of the set of articles alone, not
// of the order they were indexed in or of which build wrote them: an index
// computes it when it is opened, from the signatures stored with the
// paragraphs, so that an updated index and a fresh build of the same
// inputs give every paragraph the same story ID.
//
// The package depends on package corpus (for its Article) and the SimHash
// library only; it knows nothing of Bleve.
package story

import (
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/mfonda/simhash"

	"countynews/corpus"
	"countynews/internal/text"
)

// Shingle is the number of characters of a feature.
const Shingle = 4

// MaxDistance is the largest Hamming distance between the signatures of two
// copies of one story.
const MaxDistance = 6

// minRunes is the shortest normalised text that gets a signature: a
// shorter one (a caption, a one-line notice) has too few shingles for its
// SimHash to mean anything, and such an article is a story of its own.
const minRunes = 50

// Signature is an article's SimHash; 0 means none (text too short).
type Signature uint64

// Sign returns the signature of an article made of texts (its headline is
// best left out: outlets retitle the copies they print).
func Sign(texts ...string) Signature {
	var rs []rune
	for _, t := range texts {
		for _, r := range text.FoldWidth(t) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				rs = append(rs, unicode.ToLower(r))
			}
		}
	}
	if len(rs) < minRunes {
		return 0
	}
	// The set of shingles, each counted once (repeats do not outweigh the
	// rest), keyed by its runes: no string a shingle.
	seen := make(map[[Shingle]rune]struct{}, len(rs))
	var v simhash.Vector // simhash.Vectorize of the features, each of weight 1
	for i := 0; i+Shingle <= len(rs); i++ {
		k := [Shingle]rune(rs[i : i+Shingle])
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		sum := shingleSum(k)
		for b := range uint(64) {
			if sum>>b&1 == 1 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	sig := Signature(simhash.Fingerprint(v))
	if sig == 0 {
		sig = 1 // 0 is reserved for "none"
	}
	return sig
}

// SignArticle is the signature of an article's paragraph texts.
func SignArticle(a corpus.Article) Signature {
	texts := make([]string, len(a.Paragraphs))
	for i, p := range a.Paragraphs {
		texts[i] = p.Text
	}
	return Sign(texts...)
}

// shingleSum is the hash of one shingle: FNV-1a of its UTF-8 bytes, then
// a 64-bit finaliser (FNV alone spreads short inputs poorly over the high
// bits, and every bit of a SimHash counts the same).
func shingleSum(k [Shingle]rune) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	x := uint64(offset)
	var buf [utf8.UTFMax]byte
	for _, r := range k {
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			x ^= uint64(c)
			x *= prime
		}
	}
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Distance is the number of bits in which a and b differ.
func Distance(a, b Signature) int { return bits.OnesCount64(uint64(a ^ b)) }

// Member is one article to group.
type Member struct {
	ID  string
	Sig Signature
}

// Group returns the story ID of each member (in the order given): the
// smallest ID of its connected component under "signatures within
// MaxDistance". A member without a signature, and each distinct ID, is
// grouped on its own merits; the result depends only on the set of
// members, not on their order. Members with equal IDs are one article.
func Group(ms []Member) []string {
	return group(ms, MaxDistance)
}

func group(ms []Member, maxDist int) []string {
	// Distinct IDs in order, so that component roots do not depend on
	// the input order.
	ids := make([]string, 0, len(ms))
	sig := map[string]Signature{}
	for _, m := range ms {
		if _, ok := sig[m.ID]; !ok {
			ids = append(ids, m.ID)
		}
		if m.Sig != 0 && (sig[m.ID] == 0 || m.Sig < sig[m.ID]) {
			sig[m.ID] = m.Sig // one article, one signature, whatever the order
		}
	}
	slices.Sort(ids)
	parent := make([]int, len(ids))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra // the root is the smallest index: the smallest ID
	}
	// Pigeonhole: cut the 64 bits into maxDist+2 blocks; two signatures
	// within maxDist bits differ in at most maxDist blocks, so they agree
	// on at least two. Each pair of blocks is a key (about 16 bits at
	// maxDist 6), and only articles with an equal key are compared.
	blocks := maxDist + 2
	masks := make([]uint64, blocks)
	for b := range blocks {
		lo, hi := 64*b/blocks, 64*(b+1)/blocks
		masks[b] = (uint64(1)<<(hi-lo) - 1) << lo
	}
	for x := range blocks {
		for y := x + 1; y < blocks; y++ {
			mask := masks[x] | masks[y]
			buckets := map[uint64][]int{}
			for i, id := range ids {
				s := sig[id]
				if s == 0 {
					continue
				}
				k := uint64(s) & mask
				for _, j := range buckets[k] {
					if find(i) != find(j) && Distance(s, sig[ids[j]]) <= maxDist {
						union(i, j)
					}
				}
				buckets[k] = append(buckets[k], i)
			}
		}
	}
	story := make(map[string]string, len(ids))
	for i, id := range ids {
		story[id] = ids[find(i)]
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = story[m.ID]
	}
	return out
}

// GroupWithin is Group with another threshold, for measuring (see
// bench/cmd/storystats).
func GroupWithin(ms []Member, maxDist int) []string {
	return group(ms, maxDist)
}
