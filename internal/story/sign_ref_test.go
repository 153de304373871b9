package story

import (
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mfonda/simhash"

	"countynews/internal/text"
)

// signRef is Sign as first written: shingles as strings in a map of
// strings, hashed through hash/fnv, vectorized by simhash.Vectorize. Sign
// must give the same signature without a string or a hash object a
// shingle.
func signRef(texts ...string) Signature {
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
	seen := make(map[string]bool, len(rs))
	var fs []simhash.Feature
	for i := 0; i+Shingle <= len(rs); i++ {
		s := string(rs[i : i+Shingle])
		if seen[s] {
			continue
		}
		seen[s] = true
		fs = append(fs, refFeature(s))
	}
	sig := Signature(simhash.Fingerprint(simhash.Vectorize(fs)))
	if sig == 0 {
		sig = 1
	}
	return sig
}

type refFeature string

func (f refFeature) Sum() uint64 {
	h := fnv.New64a()
	h.Write([]byte(f))
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func (refFeature) Weight() int { return 1 }

// TestSignMatchesReference compares Sign with signRef on real news
// articles and on random texts mixing scripts, repeats and invalid bytes.
func TestSignMatchesReference(t *testing.T) {
	texts := []string{text1, text2, text1 + text2, strings.Repeat("红色物业", 40)}
	data, err := os.ReadFile("../../../shared/corpus/real/jining-news-2023.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" {
			texts = append(texts, line) // the whole JSON line: Han, digits, Latin keys
		}
	}
	rng := rand.New(rand.NewPCG(16, 3))
	alphabet := []rune("红色物业示范县乡村振兴紅業ａＢ１2aZéΣ😀한，。 \u3000")
	for range 300 {
		var b []byte
		for range 40 + rng.IntN(200) {
			if rng.IntN(50) == 0 {
				b = append(b, 0xff)
				continue
			}
			b = utf8.AppendRune(b, alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, string(b))
	}
	signed := 0
	for i, s := range texts {
		got, want := Sign(s), signRef(s)
		if got != want {
			t.Fatalf("text %d (%.60q): Sign %x, reference %x", i, s, got, want)
		}
		if got != 0 {
			signed++
		}
	}
	if signed < len(texts)/2 {
		t.Errorf("only %d of %d texts signed: the comparison is too weak", signed, len(texts))
	}
	if a, b := Sign(text1[:100], text1[100:]), signRef(text1[:100], text1[100:]); a != b {
		t.Errorf("two texts: Sign %x, reference %x", a, b)
	}
}

// BenchmarkSign measures signing a real article.
func BenchmarkSign(b *testing.B) {
	b.Run("shipped", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Sign(text1)
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			signRef(text1)
		}
	})
}
