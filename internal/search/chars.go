package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"countynews/internal/text"
)

// A query of one Han character (县) must match every paragraph whose
// text holds the character, wherever it stands. The bigram field has no
// token of a character inside a longer run: 县委书记 is indexed 县委 委书
// 书记, and the cjk analyzer keeps a character as a token of its own only
// when its run is one character long (、县、). So a character is found
// through the field's dictionary instead: the terms holding it are the
// bigrams it begins (县委), the bigrams it ends (全县) and the character
// alone; a paragraph holds the character exactly when it holds one of
// them, since every character of a run of two or more is part of a
// bigram. The run-edge markers (县>, <县) stand at the positions of such
// bigrams and add nothing.
//
// An index used to carry a second field, text1, with every Han character
// again as its own token, as many tokens as the bigram field: 14% of the
// index on 20,000 synthetic paragraphs, and about as much build time. A
// lone-character query now reads the postings of all the bigrams holding
// the character instead of one list: two to three times the postings for
// a common character (县: 1,714 bigrams, 96,247 postings against 44,476
// paragraphs, on 200,000 synthetic paragraphs), 7 times for 的.
//
// The bigrams a character ends cannot be found from the dictionary's
// sorted order, so charTerms lists, per character, every term holding it,
// read once from the dictionary when a generation is opened (a published
// generation never changes).

// charTerms lists the terms of the text field's dictionary holding each
// Han character. It is immutable once loaded.
type charTerms struct {
	// terms holds, per character, the terms holding it, each followed by
	// a NUL (never part of a term: the tokenizer drops control
	// characters).
	terms map[rune]string
	// postings is the sum of the postings counts of the terms (Cost).
	postings map[rune]uint64
}

// loadChars reads the text field's dictionary into a charTerms.
func loadChars(ctx context.Context, b bleve.Index) (*charTerms, error) {
	adv, err := b.Advanced()
	if err != nil {
		return nil, fmt.Errorf("character terms: %w", err)
	}
	rd, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("character terms: %w", err)
	}
	defer rd.Close()
	dict, err := rd.FieldDict(fieldText)
	if err != nil {
		return nil, fmt.Errorf("character terms: %w", err)
	}
	defer dict.Close()
	lists := map[rune][]byte{}
	postings := map[rune]uint64{}
	var seen []rune // the characters of a term, once each
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("character terms: %w", err)
		}
		if e == nil {
			break
		}
		if strings.ContainsAny(e.Term, "<>") {
			continue // a run-edge marker (analysis.go)
		}
		seen = seen[:0]
		for _, r := range e.Term {
			if !text.IsCJK(r) || slices.Contains(seen, r) {
				continue
			}
			seen = append(seen, r)
			lists[r] = append(append(lists[r], e.Term...), 0)
			postings[r] += e.Count
		}
	}
	ct := &charTerms{terms: make(map[rune]string, len(lists)), postings: postings}
	for r, l := range lists {
		ct.terms[r] = string(l)
	}
	return ct, nil
}

// of returns the terms holding r, in dictionary order.
func (c *charTerms) of(r rune) []string {
	if c == nil {
		return nil
	}
	s := c.terms[r]
	if s == "" {
		return nil
	}
	out := make([]string, 0, strings.Count(s, "\x00"))
	for s != "" {
		i := strings.IndexByte(s, 0)
		out = append(out, s[:i])
		s = s[i+1:]
	}
	return out
}

// count returns the postings of the terms holding r.
func (c *charTerms) count(r rune) uint64 {
	if c == nil {
		return 0
	}
	return c.postings[r]
}
