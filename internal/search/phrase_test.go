package search

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"countynews/internal/text"
	"countynews/query"
)

// TestPhraseExactness is the property behind the query language's promise:
// a term matches exactly the paragraphs whose folded text contains it.
// Terms are random substrings of real paragraphs: runs of 1 to 6 Han
// characters (single characters go to the unigram field, longer runs are
// bigram phrases), and mixed runs of Han characters and digits or Latin
// words such as 2023年8月 or 10万元 (taken whole: search matches numbers
// and words as tokens, not substrings of them).
func TestPhraseExactness(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	rng := rand.New(rand.NewPCG(1, 2))

	check := func(kind, term string) {
		t.Helper()
		var want []string
		for _, p := range ps {
			if containsToken(strings.ToLower(text.FoldWidth(p.Text)), strings.ToLower(term)) {
				want = append(want, p.ID)
			}
		}
		res, err := ix.Search(context.Background(), Request{
			Query: query.Query{Clauses: []query.Clause{{Any: []query.Term{{Text: term}}}}},
			Size:  len(ps),
		})
		if err != nil {
			t.Fatalf("%s %q: %v", kind, term, err)
		}
		got := ids(res.Hits)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("%s %q: got %d hits %v, want %d %v", kind, term, res.Total, got, len(want), want)
		}
	}

	han, mixed := 0, 0
	for han < 400 {
		p := ps[rng.IntN(len(ps))]
		rs := []rune(text.FoldWidth(p.Text))
		i := rng.IntN(len(rs))
		n := 1 + rng.IntN(6)
		if i+n > len(rs) {
			continue
		}
		sub := rs[i : i+n]
		if !all(sub, text.IsCJK) {
			continue
		}
		check("han", string(sub))
		han++
	}
	for tries := 0; mixed < 150 && tries < 100000; tries++ {
		p := ps[rng.IntN(len(ps))]
		if sub, ok := mixedSubstring(rng, []rune(text.FoldWidth(p.Text))); ok {
			check("mixed", sub)
			mixed++
		}
	}
	if mixed < 50 {
		t.Fatalf("only %d mixed substrings found", mixed)
	}
}

// mixedSubstring picks a substring of rs made of Han characters and whole
// ASCII words or numbers, with at least one of each.
func mixedSubstring(rng *rand.Rand, rs []rune) (string, bool) {
	ok := func(r rune) bool { return text.IsCJK(r) || isWord(r) }
	i := rng.IntN(len(rs))
	n := 2 + rng.IntN(7)
	if i+n > len(rs) || !all(rs[i:i+n], ok) {
		return "", false
	}
	sub := rs[i : i+n]
	if !wholeWords(rs, i, i+n) {
		return "", false
	}
	if !slices.ContainsFunc(sub, isWord) || !slices.ContainsFunc(sub, text.IsCJK) {
		return "", false
	}
	return string(sub), true
}

func isWord(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// wholeWords reports whether rs[i:j] starts and ends at word boundaries
// where it starts or ends with an ASCII word character. Decimals (4.5) and
// thousands (1,000) are one word: the tokenizer keeps them in one token.
func wholeWords(rs []rune, i, j int) bool {
	at := func(k int) rune {
		if k < 0 || k >= len(rs) {
			return ' '
		}
		return rs[k]
	}
	joins := func(a, b, c rune) bool {
		return isWord(b) || (b == '.' || b == ',') && unicode.IsDigit(a) && unicode.IsDigit(c)
	}
	if isWord(rs[i]) && joins(rs[i], at(i-1), at(i-2)) {
		return false
	}
	if isWord(rs[j-1]) && joins(rs[j-1], at(j), at(j+1)) {
		return false
	}
	return true
}

// containsToken is the oracle: whether text contains term as a substring
// whose words and numbers are whole.
func containsToken(text, term string) bool {
	rs, tr := []rune(text), []rune(term)
	for i := 0; i+len(tr) <= len(rs); i++ {
		if slices.Equal(rs[i:i+len(tr)], tr) && wholeWords(rs, i, i+len(tr)) {
			return true
		}
	}
	return false
}

func all(rs []rune, f func(rune) bool) bool {
	for _, r := range rs {
		if !f(r) {
			return false
		}
	}
	return true
}
