package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/internal/text"
)

// Completions while typing (Complete): what the index holds that starts
// with what has been typed, each with the number of paragraphs it is in.
//
// Four kinds come from the index's own term dictionaries:
//
//   - named initiatives (红色物业, 街呼县应): the initiative field, one
//     term per distinct quoted name, so a completion is a real name as
//     printed, of any length;
//   - counties and programs: the keyword facets, which a user may rather
//     want as a filter than as a term;
//   - words: the text field's dictionary. Chinese text is indexed as
//     character bigrams, so after one character (红) the two-character
//     words starting with it (红色, 红旗) are completions with exact
//     paragraph counts; a Latin word or a number (gd → gdp) completes
//     to the whole tokens. After two or more Chinese characters the
//     bigram dictionary cannot tell which longer words exist, and the
//     named initiatives are the longer completions.
//
// The initiative, county and program terms of a generation are read once
// (on the first completion) into one slice sorted by folded key, so that a
// prefix is a binary search and a scan of the matches; words are a prefix
// iteration of the text field's dictionary (an FST). When fewer than n
// entries start with the prefix, initiatives containing it elsewhere
// (物业 → 红色物业) follow, most frequent first. Counts are document
// frequencies: exact on a fully built index, and they may still include
// paragraphs an update removed until the segments are merged.

// CompletionKind says what a completion is.
type CompletionKind string

// The kinds of completion.
const (
	CompleteWord       CompletionKind = "word"
	CompleteInitiative CompletionKind = "initiative"
	CompleteCounty     CompletionKind = "county"
	CompleteProgram    CompletionKind = "program"
)

// Completion is one completion of a prefix.
type Completion struct {
	Text  string
	Kind  CompletionKind
	Count int // paragraphs holding it
}

// Bounds of the work of Complete.
const (
	maxCompletions     = 20   // n is capped to this
	maxCompletionRunes = 32   // a longer prefix completes to nothing
	maxWordScan        = 4096 // text dictionary entries read for one prefix
)

// completer is a generation's sorted list of initiative, county and
// program terms.
type completer struct {
	entries []completionEntry // by key, then kind
	// byRune lists, for each character, the initiative entries holding
	// it, most frequent first: an infix match is looked for only among
	// the entries holding the prefix's rarest character, not all of them.
	byRune map[rune][]int32

	// words caches, per prefix, the most frequent words completing it (at
	// most maxCompletions: enough for any n). Reading a word's count from
	// the dictionary decodes its postings, a few microseconds each, and a
	// common character starts thousands of bigrams; what people type
	// repeats, and a generation never changes.
	mu    sync.Mutex
	words map[string][]Completion
}

// maxCachedPrefixes bounds the word cache of a generation (the Han
// characters in use number a few thousand; Latin prefixes are unbounded).
const maxCachedPrefixes = 20_000

type completionEntry struct {
	key   string // folded text
	text  string
	kind  CompletionKind
	count int
}

// completionKey folds a text or a prefix the way queries are: width
// forms, case and surrounding spaces do not matter.
func completionKey(s string) string {
	return strings.ToLower(strings.TrimSpace(text.FoldWidth(s)))
}

// loadCompleter reads the dictionaries of the initiative, county and
// program fields.
func loadCompleter(rd index.IndexReader) (*completer, error) {
	c := &completer{}
	for _, f := range []struct {
		field string
		kind  CompletionKind
	}{{fieldInitiative, CompleteInitiative}, {fieldCounty, CompleteCounty}, {fieldProgram, CompleteProgram}} {
		fd, err := rd.FieldDict(f.field)
		if err != nil {
			return nil, fmt.Errorf("read %s dictionary: %w", f.field, err)
		}
		for {
			de, err := fd.Next()
			if err != nil {
				fd.Close()
				return nil, fmt.Errorf("read %s dictionary: %w", f.field, err)
			}
			if de == nil {
				break
			}
			if de.Count > 0 {
				c.entries = append(c.entries, completionEntry{key: completionKey(de.Term), text: de.Term, kind: f.kind, count: int(de.Count)})
			}
		}
		if err := fd.Close(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(c.entries, func(a, b completionEntry) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(string(a.kind), string(b.kind)))
	})
	var byCount []int32
	for i, e := range c.entries {
		if e.kind == CompleteInitiative {
			byCount = append(byCount, int32(i))
		}
	}
	slices.SortStableFunc(byCount, func(a, b int32) int { return cmp.Compare(c.entries[b].count, c.entries[a].count) })
	c.byRune = map[rune][]int32{}
	c.words = map[string][]Completion{}
	for _, i := range byCount {
		key := c.entries[i].key
		for j, r := range key {
			if !strings.ContainsRune(key[:j], r) { // once per entry
				c.byRune[r] = append(c.byRune[r], i)
			}
		}
	}
	return c, nil
}

// completerOf returns the generation's completer, reading it the first
// time.
func (ix *Index) completerOf() (*completer, error) {
	ix.completeOnce.Do(func() {
		rd, err := ix.reader()
		if err != nil {
			ix.completeErr = err
			return
		}
		defer rd.Close()
		ix.completer, ix.completeErr = loadCompleter(rd)
	})
	return ix.completer, ix.completeErr
}

// Complete returns up to n completions of prefix (n is capped at 20),
// the most frequent first; entries starting with the prefix come before
// initiatives merely containing it. An empty or over-long prefix has
// none.
func (ix *Index) Complete(ctx context.Context, prefix string, n int) ([]Completion, error) {
	if err := ctx.Err(); err != nil {
		return nil, searchError(ctx, err)
	}
	if ix.closed.Load() {
		return nil, searchError(ctx, bleve.ErrorIndexClosed)
	}
	key := completionKey(prefix)
	n = min(n, maxCompletions)
	out := []Completion{}
	if key == "" || n <= 0 || utf8.RuneCountInString(key) > maxCompletionRunes || !utf8.ValidString(key) {
		return out, nil
	}
	c, err := ix.completerOf()
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	top := completionTop{n: n}
	lo := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].key >= key })
	for i := lo; i < len(c.entries) && strings.HasPrefix(c.entries[i].key, key); i++ {
		e := c.entries[i]
		top.offer(Completion{Text: e.text, Kind: e.kind, Count: e.count})
	}
	words, err := ix.cachedWords(c, key)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	for _, w := range words {
		top.offer(w)
	}
	out = append(out, top.sorted()...)
	// Initiatives holding the prefix further in, most frequent first,
	// among those holding its rarest character.
	var holding []int32
	for i, r := range key {
		if l := c.byRune[r]; i == 0 || len(l) < len(holding) {
			holding = l
		}
	}
	for _, i := range holding {
		if len(out) >= n {
			break
		}
		e := c.entries[i]
		if strings.Contains(e.key, key) && !strings.HasPrefix(e.key, key) {
			out = append(out, Completion{Text: e.text, Kind: e.kind, Count: e.count})
		}
	}
	return out, nil
}

// cachedWords returns the most frequent words completing key, from the
// cache or the dictionary.
func (ix *Index) cachedWords(c *completer, key string) ([]Completion, error) {
	c.mu.Lock()
	ws, ok := c.words[key]
	c.mu.Unlock()
	if ok {
		return ws, nil
	}
	top := completionTop{n: maxCompletions}
	if err := ix.completeWords(key, &top); err != nil {
		return nil, err
	}
	ws = top.sorted()
	c.mu.Lock()
	if len(c.words) < maxCachedPrefixes {
		c.words[key] = ws
	}
	c.mu.Unlock()
	return ws, nil
}

// completeWords offers the words of the text dictionary completing key:
// after one Han character the bigrams starting with it, after a Latin
// word or number the longer tokens starting with it.
func (ix *Index) completeWords(key string, top *completionTop) error {
	rs := []rune(key)
	han := len(rs) == 1 && text.IsCJK(rs[0])
	word := !slices.ContainsFunc(rs, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) || text.IsCJK(r) })
	if !han && !word {
		return nil
	}
	rd, err := ix.reader()
	if err != nil {
		return err
	}
	defer rd.Close()
	fd, err := rd.FieldDictPrefix(fieldText, []byte(key))
	if err != nil {
		return err
	}
	defer fd.Close()
	for range maxWordScan {
		de, err := fd.Next()
		if err != nil {
			return err
		}
		if de == nil {
			break
		}
		t := de.Term
		ok := false
		if han {
			r := []rune(t)
			ok = len(r) == 2 && text.IsCJK(r[1]) // not a run-edge marker (红>)
		} else {
			ok = len(t) > len(key) && !strings.ContainsAny(t, "<>")
		}
		if ok && de.Count > 0 {
			top.offer(Completion{Text: t, Kind: CompleteWord, Count: int(de.Count)})
		}
	}
	return nil
}

// completionTop keeps the n most frequent completions offered (ties: the
// shorter text, then kind and text, so the order is the same every time).
type completionTop struct {
	n  int
	cs []Completion
}

func completionBefore(a, b Completion) int {
	return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(len(a.Text), len(b.Text)),
		strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Text, b.Text))
}

func (t *completionTop) offer(c Completion) {
	if len(t.cs) == t.n && completionBefore(c, t.cs[len(t.cs)-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(t.cs, c, completionBefore)
	t.cs = slices.Insert(t.cs, i, c)
	if len(t.cs) > t.n {
		t.cs = t.cs[:t.n]
	}
}

func (t *completionTop) sorted() []Completion { return t.cs }
