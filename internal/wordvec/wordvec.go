// Package wordvec learns word vectors from a corpus's own words: no
// pretrained model, nothing from outside the indexed text. Two words that
// keep the same company in the corpus (乌克兰 and 基辅, 降息 and 利率) get
// nearby vectors, so that a question and a paragraph can be compared by
// what they are about when they do not share a word.
//
// The method is Levy, Goldberg and Dagan's (2015) count model: the
// positive pointwise mutual information (PPMI) of words co-occurring
// within a small window, the context distribution smoothed (counts to the
// power 0.75), factored by a truncated eigendecomposition (the matrix is
// symmetric), each vector weighted by the square root of its eigenvalue.
// The eigendecomposition is Halko, Martinsson and Tropp's randomized
// range finder with power iterations, over the sparse matrix, with
// gonum's QR and symmetric eigensolver on the small dense factors: its
// cost is a few sparse products, linear in the co-occurrences, so a bounded
// sample of a corpus trains in seconds. It is deterministic for a seed.
package wordvec

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Options bound the training.
type Options struct {
	Dim       int    // vector dimensions
	MaxWords  int    // the vocabulary: the most frequent words, at most this many
	MinCount  int    // a word occurring fewer times is left out
	Window    int    // words on each side counted as context
	PowerIter int    // power iterations of the range finder
	Seed      uint64 // the random projection's seed
}

// DefaultOptions are the settings measured in BENCHMARKS.md.
func DefaultOptions() Options {
	return Options{Dim: 128, MaxWords: 40000, MinCount: 5, Window: 5, PowerIter: 2, Seed: 1}
}

// Vectors are unit word vectors over a vocabulary, with each word's
// inverse document frequency in the training documents.
type Vectors struct {
	Dim   int
	Words []string
	Index map[string]int32
	Vec   []float32 // len(Words) × Dim, each row of unit length (or zero)
	IDF   []float32
}

// Of returns w's vector, nil when w is not in the vocabulary.
func (v *Vectors) Of(w string) []float32 {
	i, ok := v.Index[w]
	if !ok {
		return nil
	}
	return v.Vec[int(i)*v.Dim : (int(i)+1)*v.Dim]
}

// Train learns vectors from docs, each a document's words in order.
func Train(ctx context.Context, docs [][]string, o Options) (*Vectors, error) {
	if o.Dim <= 0 || o.Window <= 0 || o.MaxWords <= 0 {
		return nil, fmt.Errorf("wordvec: bad options %+v", o)
	}
	// The vocabulary: the MaxWords most frequent words of at least MinCount.
	count := map[string]int{}
	df := map[string]int{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, w := range d {
			count[w]++
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	var vocab []string
	for w, c := range count {
		if c >= o.MinCount {
			vocab = append(vocab, w)
		}
	}
	slices.SortFunc(vocab, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	vocab = vocab[:min(len(vocab), o.MaxWords)]
	v := &Vectors{Dim: o.Dim, Words: vocab, Index: make(map[string]int32, len(vocab)), IDF: make([]float32, len(vocab))}
	for i, w := range vocab {
		v.Index[w] = int32(i)
		v.IDF[i] = float32(math.Log(float64(len(docs)+1) / float64(df[w]+1)))
	}
	n := len(vocab)
	if n == 0 {
		v.Vec = []float32{}
		return v, nil
	}

	ids := make([][]int32, len(docs))
	for di, d := range docs {
		if di%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("wordvec: %w", ctx.Err())
		}
		ids[di] = make([]int32, len(d))
		for i, w := range d {
			ids[di][i] = -1 // an unknown word still takes its place
			if j, ok := v.Index[w]; ok {
				ids[di][i] = j
			}
		}
	}
	m := ppmi(n, cooccur(ids, o.Window))
	ids = nil
	if ctx.Err() != nil {
		return nil, fmt.Errorf("wordvec: %w", ctx.Err())
	}

	// Randomized eigendecomposition.
	p := min(n, o.Dim+16)
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9E3779B97F4A7C15))
	y := mat.NewDense(n, p, nil)
	for i := range n {
		for j := range p {
			y.Set(i, j, rng.NormFloat64())
		}
	}
	y = m.mul(y)
	for range o.PowerIter {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wordvec: %w", ctx.Err())
		}
		y = m.mul(orth(y))
	}
	q := orth(y)
	z := m.mul(q)
	var b mat.Dense
	b.Mul(q.T(), z)
	sym := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			sym.SetSym(i, j, (b.At(i, j)+b.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil, fmt.Errorf("wordvec: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	order := make([]int, p)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
	dim := min(o.Dim, p)
	v.Dim = dim
	var qu mat.Dense
	qu.Mul(q, &u)
	v.Vec = make([]float32, n*dim)
	for i := range n {
		row := v.Vec[i*dim : (i+1)*dim]
		norm := 0.0
		for k := range dim {
			x := qu.At(i, order[k]) * math.Sqrt(max(vals[order[k]], 0))
			row[k] = float32(x)
			norm += x * x
		}
		if norm > 0 {
			s := float32(1 / math.Sqrt(norm))
			for k := range row {
				row[k] *= s
			}
		}
	}
	return v, nil
}

// pair is a count of co-occurrences of two words, key (lower id)<<32 |
// (higher id).
type pair struct {
	key uint64
	c   float32
}

// cooccur counts the co-occurrences of the words of docs (vocabulary ids,
// -1 for a word outside it) within window words of each other, each pair
// once whatever its order, a word with itself not. Each co-occurrence is
// a key in a flat slice, sorted and counted: a map of millions of pairs
// would cost several times the memory.
func cooccur(docs [][]int32, window int) []pair {
	var keys []uint64
	for _, ids := range docs {
		for i, a := range ids {
			if a < 0 {
				continue
			}
			for j := i + 1; j <= i+window && j < len(ids); j++ {
				b := ids[j]
				if b < 0 || b == a {
					continue
				}
				keys = append(keys, uint64(min(a, b))<<32|uint64(max(a, b)))
			}
		}
	}
	slices.Sort(keys)
	var pairs []pair
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		pairs = append(pairs, pair{keys[i], float32(j - i)})
		i = j
	}
	return pairs
}

// ppmi is the symmetric matrix of positive pointwise mutual information
// of n words' co-occurrences, the context distribution smoothed
// (counts^0.75): PMI(a, b) = log(P(a, b) / (P(a) P_0.75(b))). Negative
// and zero entries are left out (a pair seen less often than chance says
// little in a corpus this size and would fill the matrix).
func ppmi(n int, pairs []pair) *sparse {
	rowSum := make([]float64, n)
	total := 0.0
	for _, pc := range pairs {
		a, b := int(pc.key>>32), int(pc.key&(1<<32-1))
		rowSum[a] += float64(pc.c)
		rowSum[b] += float64(pc.c)
		total += 2 * float64(pc.c)
	}
	ctxP := make([]float64, n)
	ctxZ := 0.0
	for i, s := range rowSum {
		ctxP[i] = math.Pow(s, 0.75)
		ctxZ += ctxP[i]
	}
	m := newSparse(n)
	for _, pc := range pairs {
		a, b := int(pc.key>>32), int(pc.key&(1<<32-1))
		c := float64(pc.c)
		pmiAB := math.Log(c / total / (rowSum[a] / total * ctxP[b] / ctxZ))
		pmiBA := math.Log(c / total / (rowSum[b] / total * ctxP[a] / ctxZ))
		// The smoothing makes PMI asymmetric; their mean keeps the
		// matrix symmetric.
		if x := (pmiAB + pmiBA) / 2; x > 0 {
			m.add(a, b, float32(x))
			m.add(b, a, float32(x))
		}
	}
	m.finish()
	return m
}

// at is s's entry (i, j) (tests).
func (s *sparse) at(i, j int) float32 {
	for k := s.start[i]; k < s.start[i+1]; k++ {
		if int(s.col[k]) == j {
			return s.val[k]
		}
	}
	return 0
}

// orth returns an orthonormal basis of a's columns: modified
// Gram-Schmidt over copies of the columns (gonum's QR forms the full
// square Q, rows × rows, far too big for a vocabulary's rows).
func orth(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	cols := make([][]float64, c)
	for j := range c {
		cols[j] = mat.Col(nil, j, a)
	}
	for j := range c {
		v := cols[j]
		for k := range j {
			u := cols[k]
			d := 0.0
			for i := range v {
				d += u[i] * v[i]
			}
			for i := range v {
				v[i] -= d * u[i]
			}
		}
		n := 0.0
		for _, x := range v {
			n += x * x
		}
		if n > 0 {
			s := 1 / math.Sqrt(n)
			for i := range v {
				v[i] *= s
			}
		}
	}
	out := mat.NewDense(r, c, nil)
	for j, v := range cols {
		out.SetCol(j, v)
	}
	return out
}

// sparse is a square matrix in compressed rows.
type sparse struct {
	n     int
	start []int32
	col   []int32
	val   []float32
	// built from triplets
	ta, tb []int32
	tv     []float32
}

func newSparse(n int) *sparse { return &sparse{n: n} }

func (s *sparse) add(a, b int, v float32) {
	s.ta, s.tb, s.tv = append(s.ta, int32(a)), append(s.tb, int32(b)), append(s.tv, v)
}

func (s *sparse) finish() {
	s.start = make([]int32, s.n+1)
	for _, a := range s.ta {
		s.start[a+1]++
	}
	for i := range s.n {
		s.start[i+1] += s.start[i]
	}
	next := slices.Clone(s.start[:s.n])
	s.col = make([]int32, len(s.ta))
	s.val = make([]float32, len(s.ta))
	for k, a := range s.ta {
		at := next[a]
		next[a]++
		s.col[at], s.val[at] = s.tb[k], s.tv[k]
	}
	s.ta, s.tb, s.tv = nil, nil, nil
}

// mul returns s × y.
func (s *sparse) mul(y *mat.Dense) *mat.Dense {
	_, p := y.Dims()
	out := mat.NewDense(s.n, p, nil)
	raw := y.RawMatrix()
	oraw := out.RawMatrix()
	for i := range s.n {
		orow := oraw.Data[i*oraw.Stride : i*oraw.Stride+p]
		for k := s.start[i]; k < s.start[i+1]; k++ {
			j, v := int(s.col[k]), float64(s.val[k])
			yrow := raw.Data[j*raw.Stride : j*raw.Stride+p]
			for c, x := range yrow {
				orow[c] += v * x
			}
		}
	}
	return out
}
