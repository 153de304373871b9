package wordvec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func cosine(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

// topics builds a corpus of two topics whose documents draw their words
// from their own topic's vocabulary; 基辅 and 乌克兰 never occur in one
// document, nor do 降息 and 利率, but each pair keeps the same company.
func topics(n int, seed uint64) [][]string {
	war := []string{"战事", "前线", "军队", "导弹", "防空", "反攻", "俄罗斯", "无人机"}
	money := []string{"央行", "通胀", "基点", "货币", "债券", "美联储", "经济", "市场"}
	rng := rand.New(rand.NewPCG(seed, 7))
	var docs [][]string
	for i := range n {
		vocab, pair := war, [2]string{"基辅", "乌克兰"}
		if i%2 == 1 {
			vocab, pair = money, [2]string{"降息", "利率"}
		}
		var d []string
		for range 30 {
			d = append(d, vocab[rng.IntN(len(vocab))])
			if rng.IntN(6) == 0 {
				d = append(d, pair[i/2%2]) // one of the pair per document
			}
		}
		docs = append(docs, d)
	}
	return docs
}

// TestTrainSimilarity: words of the same company are near, words of the
// other topic far, although the near pairs never co-occur.
func TestTrainSimilarity(t *testing.T) {
	o := DefaultOptions()
	o.Dim, o.MinCount = 8, 2
	v, err := Train(context.Background(), topics(400, 1), o)
	if err != nil {
		t.Fatal(err)
	}
	if v.Dim != 8 || len(v.Vec) != len(v.Words)*v.Dim {
		t.Fatalf("dim %d, %d words, %d values", v.Dim, len(v.Words), len(v.Vec))
	}
	cases := []struct {
		a, b string
		near bool
	}{
		{"基辅", "乌克兰", true},
		{"降息", "利率", true},
		{"基辅", "利率", false},
		{"乌克兰", "降息", false},
		{"导弹", "央行", false},
	}
	for _, c := range cases {
		t.Run(c.a+"-"+c.b, func(t *testing.T) {
			x, y := v.Of(c.a), v.Of(c.b)
			if x == nil || y == nil {
				t.Fatalf("missing vectors: %v %v", x == nil, y == nil)
			}
			cs := cosine(x, y)
			if c.near && cs < 0.8 || !c.near && cs > 0.3 {
				t.Errorf("cosine %.3f, want near=%v", cs, c.near)
			}
		})
	}
	for i := range v.Words {
		row := v.Vec[i*v.Dim : (i+1)*v.Dim]
		var norm float64
		for _, x := range row {
			norm += float64(x) * float64(x)
		}
		if math.IsNaN(norm) || math.Abs(norm-1) > 1e-4 {
			t.Errorf("%s: norm² %.5f, want 1", v.Words[i], norm)
		}
	}
}

// TestTrainVocabulary: MinCount and MaxWords bound the vocabulary, the
// most frequent first; idf follows document frequency.
func TestTrainVocabulary(t *testing.T) {
	docs := [][]string{{"甲", "乙", "丙"}, {"甲", "乙"}, {"甲", "丁"}, {"甲"}}
	o := DefaultOptions()
	o.Dim, o.MinCount, o.MaxWords = 2, 2, 10
	v, err := Train(context.Background(), docs, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Words, []string{"甲", "乙"}) {
		t.Fatalf("words %v, want [甲 乙] (丙 and 丁 occur once)", v.Words)
	}
	if v.IDF[0] >= v.IDF[1] {
		t.Errorf("idf 甲 %.3f not below 乙 %.3f", v.IDF[0], v.IDF[1])
	}
	if v.Of("丙") != nil {
		t.Error("丙 has a vector")
	}
	o.MaxWords = 1
	if v, err = Train(context.Background(), docs, o); err != nil || !slices.Equal(v.Words, []string{"甲"}) {
		t.Fatalf("MaxWords 1: %v %v", v.Words, err)
	}
}

// TestTrainDeterministic: the same seed gives the same vectors; another
// seed the same geometry (cosines), not the same coordinates.
func TestTrainDeterministic(t *testing.T) {
	docs := topics(200, 3)
	o := DefaultOptions()
	o.Dim, o.MinCount = 6, 2
	a, err := Train(context.Background(), docs, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(context.Background(), docs, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Vec, b.Vec) || !slices.Equal(a.Words, b.Words) {
		t.Fatal("two trainings with one seed differ")
	}
	o.Seed = 99
	c, err := Train(context.Background(), docs, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{"基辅", "乌克兰"}, {"基辅", "利率"}} {
		ca, cc := cosine(a.Of(p[0]), a.Of(p[1])), cosine(c.Of(p[0]), c.Of(p[1]))
		if math.Abs(ca-cc) > 0.1 {
			t.Errorf("%v: cosine %.3f with seed 1, %.3f with seed 99", p, ca, cc)
		}
	}
}

// TestTrainErrors: bad options and a cancelled context are errors.
func TestTrainErrors(t *testing.T) {
	for _, o := range []Options{{Dim: 0, Window: 5, MaxWords: 10}, {Dim: 4, Window: 0, MaxWords: 10}, {Dim: 4, Window: 5, MaxWords: 0}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			if _, err := Train(context.Background(), topics(10, 1), o); err == nil {
				t.Error("no error")
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := DefaultOptions()
	o.MinCount = 1
	if _, err := Train(ctx, topics(10, 1), o); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	v, err := Train(context.Background(), nil, o)
	if err != nil || len(v.Words) != 0 {
		t.Errorf("empty corpus: %v %v", v, err)
	}
}

// TestCooccur: pairs within the window, each once whatever its order,
// none with itself, unknown words (-1) keeping their places.
func TestCooccur(t *testing.T) {
	key := func(a, b int) uint64 { return uint64(a)<<32 | uint64(b) }
	cases := []struct {
		name   string
		docs   [][]int32
		window int
		want   []pair
	}{
		{"window 1", [][]int32{{0, 1, 2, 3}}, 1, []pair{{key(0, 1), 1}, {key(1, 2), 1}, {key(2, 3), 1}}},
		{"window 2", [][]int32{{0, 1, 2}}, 2, []pair{{key(0, 1), 1}, {key(0, 2), 1}, {key(1, 2), 1}}},
		{"both orders count together", [][]int32{{1, 0}, {0, 1}}, 1, []pair{{key(0, 1), 2}}},
		{"no pair with itself", [][]int32{{2, 2, 2}}, 2, nil},
		{"unknown words keep their places", [][]int32{{0, -1, 1}}, 1, nil},
		{"unknown words keep their places, window 2", [][]int32{{0, -1, 1}}, 2, []pair{{key(0, 1), 1}}},
		{"not across documents", [][]int32{{0}, {1}}, 5, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cooccur(c.docs, c.window); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestPPMI: a pair seen more often than chance gets a positive entry,
// symmetric; a pair seen less often than chance none.
func TestPPMI(t *testing.T) {
	key := func(a, b int) uint64 { return uint64(a)<<32 | uint64(b) }
	// Words 0 and 1 together 10 times, 2 and 3 together 10 times, 0 and
	// 2 once: 0–2 is below chance.
	m := ppmi(4, []pair{{key(0, 1), 10}, {key(0, 2), 1}, {key(2, 3), 10}})
	if x := m.at(0, 1); x <= 0 || x != m.at(1, 0) {
		t.Errorf("0–1: %v / %v, want positive and symmetric", x, m.at(1, 0))
	}
	if x := m.at(0, 2); x != 0 {
		t.Errorf("0–2: %v, want no entry (below chance)", x)
	}
	if x := m.at(1, 3); x != 0 {
		t.Errorf("1–3: %v, never seen", x)
	}
}
