package search

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"

	"countynews/internal/text"
	"countynews/query"
)

// Did you mean: corrections of a query that finds nothing, drawn from the
// index's own vocabulary. The vocabulary of Chinese text here is its
// character bigrams (the text field's dictionary), so a correction is a
// term of the query with one edit — a character substituted, dropped,
// added, or two neighbours swapped (乡村振新 → 乡村振兴) — whose every
// bigram occurs in the index. A dictionary of words would need a
// segmenter that knows the county paper's vocabulary; the bigrams are the
// index's own and need none.
//
// The new character of a substitution or insertion is found in the
// dictionary, not by trying the thousands of Han characters: the bigrams
// starting with its left neighbour (a prefix scan, with document
// frequencies) and those ending with its right neighbour (an automaton
// over the dictionary) give the characters that can stand there. Each
// candidate is scored by the least document frequency of its bigrams, an
// upper bound of the paragraphs its phrase can match; the best are then
// counted exactly through the ordinary search path (Counts), with the
// request's filters, and only those with hits are kept.

// Bounds of the work of DidYouMean.
const (
	maxSuggestions   = 3    // corrections returned
	suggestMinRunes  = 2    // shortest term corrected (a swap of two characters)
	suggestMaxRunes  = 10   // longest term corrected: a word or a phrase, not a pasted sentence or a question
	suggestBudget    = 8192 // dictionary entries and lookups of one DidYouMean
	suggestMaxTerms  = 4    // terms of one query corrected
	suggestMaxCounts = 12   // candidate queries counted exactly
	suggestMaxScan   = 2048 // dictionary entries read for one neighbour
)

// Suggestion is a corrected query and its exact hit count.
type Suggestion struct {
	Query query.Query
	Total int // hits of Query with the request's filters, in exact mode
}

// DidYouMean returns up to 3 corrections of r's query, most hits first.
// Each differs from r.Query in one term (of Chinese characters only, not
// excluded) by one edit, and has hits with r's filters: a correction that
// finds nothing is never returned. It does not look at r.Query's own hits:
// callers ask when exact matching found nothing. It honours ctx and
// bounds its work (dictionary entries read, candidates counted).
func (ix *Index) DidYouMean(ctx context.Context, r Request) ([]Suggestion, error) {
	return ix.didYouMean(ctx, r, true)
}

// didYouMean is DidYouMean; prune false counts every candidate, even
// those the rest of their query rules out (the reference of the tests).
func (ix *Index) didYouMean(ctx context.Context, r Request, prune bool) ([]Suggestion, error) {
	cands, err := ix.corrections(ctx, r.Query)
	if err != nil {
		return nil, fmt.Errorf("did you mean: %w", err)
	}
	if len(cands) == 0 {
		return []Suggestion{}, nil
	}
	var empty map[int]bool
	if prune {
		if empty, err = ix.emptyRests(ctx, r, cands); err != nil {
			return nil, fmt.Errorf("did you mean: %w", err)
		}
	}
	var reqs []Request
	var at []int // index in cands of each request
	for i, c := range cands {
		if empty[c.clause] {
			continue // total 0: the rest of the query finds nothing
		}
		rc := r
		rc.Query = c.query
		reqs = append(reqs, rc)
		at = append(at, i)
	}
	totals, err := ix.Counts(ctx, reqs)
	if err != nil {
		return nil, fmt.Errorf("did you mean: %w", err)
	}
	for k, i := range at {
		cands[i].total = totals[k]
	}
	out := []Suggestion{}
	for i, c := range cands {
		if c.total == 0 || truncated(cands, i) || c.kind == split && wholeFound(cands, c) {
			continue
		}
		out = append(out, Suggestion{Query: c.query, Total: c.total})
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return b.Total - a.Total })
	if len(out) > maxSuggestions {
		out = out[:maxSuggestions]
	}
	return out, nil
}

// emptyRests returns the clauses of r's query whose rest — the query
// without that clause, its exclusions kept — finds nothing with r's
// filters. A candidate corrects one clause (or cuts it in two) and keeps
// the rest, so its hits are among the rest's: with an empty rest it finds
// nothing, and counting it (a phrase walk of the other clauses, once per
// candidate) is skipped. Two positive terms that each have hits but not
// together with the filters are the common case of a query that finds
// nothing (县围绕奖 报金乡 in one county: 报金乡, a dateline, is another
// county's); one count a clause replaces up to suggestMaxCounts. A query
// of one positive clause has no rest and is counted as before.
func (ix *Index) emptyRests(ctx context.Context, r Request, cands []candidate) (map[int]bool, error) {
	positive := 0
	for _, c := range r.Query.Clauses {
		if !c.Negated {
			positive++
		}
	}
	if positive < 2 {
		return nil, nil
	}
	var clauses []int
	for _, c := range cands {
		if !slices.Contains(clauses, c.clause) {
			clauses = append(clauses, c.clause)
		}
	}
	reqs := make([]Request, len(clauses))
	for i, ci := range clauses {
		reqs[i] = r
		reqs[i].Query = query.Query{Clauses: slices.Delete(slices.Clone(r.Query.Clauses), ci, ci+1)}
	}
	totals, err := ix.Counts(ctx, reqs)
	if err != nil {
		return nil, err
	}
	empty := map[int]bool{}
	for i, ci := range clauses {
		if totals[i] == 0 {
			empty[ci] = true
		}
	}
	return empty, nil
}

// wholeFound reports whether a correction of c's term as one phrase has
// hits: then the term is one mistyped phrase, and cutting it in two only
// loosens it.
func wholeFound(cands []candidate, c candidate) bool {
	return slices.ContainsFunc(cands, func(d candidate) bool {
		return d.kind != split && d.clause == c.clause && d.term == c.term && d.total > 0
	})
}

// truncated reports whether candidate i is a part of another candidate of
// the same term (乡村振 of 乡村振兴, a dropped last character) that has at
// least half its hits: then most of i's hits are the other's, and i is
// that word cut short rather than a correction.
func truncated(cands []candidate, i int) bool {
	a := cands[i]
	for j, b := range cands {
		if j != i && b.clause == a.clause && b.term == a.term && len(b.text) > len(a.text) &&
			strings.Contains(b.text, a.text) && 2*b.total >= a.total {
			return true
		}
	}
	return false
}

// Counts returns the number of hits of each request, in order: the exact
// totals of the ordinary search path, without hits, highlights or facets.
// It stops at the first error (a cancelled ctx included).
func (ix *Index) Counts(ctx context.Context, rs []Request) ([]int, error) {
	out := make([]int, len(rs))
	for i, r := range rs {
		r.From, r.Size, r.Highlight, r.Facets = 0, 0, false, false
		r.Match = MatchExact // exact totals, whatever mode the request asked for
		res, err := ix.Search(ctx, r)
		if err != nil {
			return nil, err
		}
		out[i] = res.Total
	}
	return out, nil
}

// candidate is a corrected query: term term of clause clause replaced by
// text, scored by its bigrams' least document frequency.
type candidate struct {
	query        query.Query
	clause, term int
	text         string
	kind         editKind
	score, made  uint64
	total        int
}

// corrections returns the best candidate corrections of q, at most
// suggestMaxCounts, best score first.
func (ix *Index) corrections(ctx context.Context, q query.Query) ([]candidate, error) {
	rd, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	v := &vocab{ctx: ctx, rd: rd, preds: &ix.preds, dfs: &ix.dfs, budget: suggestBudget, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	if rc, ok := rd.(index.IndexReaderContains); ok {
		if v.contains, err = rc.FieldDictContains(fieldText); err != nil {
			return nil, err
		}
	}
	var out []candidate
	seen := map[string]bool{}
	terms := 0
	for ci, c := range q.Clauses {
		if c.Negated {
			continue
		}
		for ti, t := range c.Any {
			lead, core, trail := splitCore(t.Text)
			rs := []rune(core)
			if !correctable(rs) || terms == suggestMaxTerms {
				continue
			}
			terms++
			edits, err := v.edits(rs)
			if err != nil {
				return nil, err
			}
			for _, e := range edits {
				text := lead + e.text + trail
				out = append(out, candidate{query: replaceTerm(q, ci, ti, text), clause: ci, term: ti, text: text, kind: e.kind, score: e.score, made: e.made})
			}
			if len(c.Any) == 1 && !t.Quoted && len(rs) >= 4 {
				splits, err := ix.splits(ctx, v, core)
				if err != nil {
					return nil, err
				}
				for _, sp := range splits {
					out = append(out, candidate{query: splitTerm(q, ci, lead+sp.left, sp.right+trail), clause: ci, term: ti,
						text: sp.left + " " + sp.right, kind: split, score: sp.score, made: sp.score})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.made, a.made); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	// Best of each kind in turn, each query once.
	var byKind [editKinds][]candidate
	for _, c := range out {
		byKind[c.kind] = append(byKind[c.kind], c)
	}
	var kept []candidate
	for more := true; more && len(kept) < suggestMaxCounts; {
		more = false
		for k := range byKind {
			for len(byKind[k]) > 0 && len(kept) < suggestMaxCounts {
				c := byKind[k][0]
				byKind[k] = byKind[k][1:]
				more = true
				if key := c.query.String(); !seen[key] {
					seen[key] = true
					kept = append(kept, c)
					break
				}
			}
		}
	}
	return kept, nil
}

// splitPair is a term cut in two, one part corrected.
type splitPair struct {
	left, right string
	score       uint64
}

// splits returns the corrections of an unspaced run of several words in
// which one word is mistyped (微山乡村振新): the run cut at a word boundary
// (the segmenter's), and one side corrected by one edit while the other
// stays as typed, so the two become terms of their own (微山 乡村振兴). A
// correction of the whole run would have to occur as one phrase, which a
// run of words seldom does. Each side must occur as typed or corrected:
// the score is the lesser of the sides' scores.
func (ix *Index) splits(ctx context.Context, v *vocab, core string) ([]splitPair, error) {
	seg, err := ix.words.get(ctx)
	if err != nil {
		return nil, nil // no segmenter in time: no splits, the other corrections stand
	}
	ws := seg.Cut(core)
	if len(ws) < 2 || strings.Join(ws, "") != core {
		return nil, nil // stop words or marks dropped: the cut is not the run
	}
	var out []splitPair
	at := 0
	for _, w := range ws[:len(ws)-1] {
		at += len(w)
		sides := [2]string{core[:at], core[at:]}
		for fix := range 2 {
			keep := sides[1-fix]
			if utf8.RuneCountInString(keep) < 2 {
				continue // a lone character is matched through another field
			}
			ks, err := v.score([]rune(keep))
			if err != nil {
				return nil, err
			}
			if ks == 0 {
				continue
			}
			rs := []rune(sides[fix])
			if len(rs) < suggestMinRunes {
				continue
			}
			edits, err := v.edits(rs)
			if err != nil {
				return nil, err
			}
			for _, e := range edits {
				if strings.Contains(e.text, keep) || strings.Contains(keep, e.text) {
					continue // one side holds the other: the pair is the longer alone
				}
				pair := [2]string{keep, keep}
				pair[fix] = e.text
				out = append(out, splitPair{left: pair[0], right: pair[1], score: min(e.score, ks)})
			}
		}
	}
	return out, nil
}

// splitTerm returns a copy of q with the one-term clause clause replaced
// by two clauses, left and right.
func splitTerm(q query.Query, clause int, left, right string) query.Query {
	t := q.Clauses[clause].Any[0]
	out := query.Query{Clauses: slices.Clone(q.Clauses[:clause])}
	l, r := t, t
	l.Text, r.Text = left, right
	out.Clauses = append(out.Clauses, query.Clause{Any: []query.Term{l}}, query.Clause{Any: []query.Term{r}})
	out.Clauses = append(out.Clauses, q.Clauses[clause+1:]...)
	return out
}

// splitCore splits a term into the punctuation it starts and ends with
// (乡村振新！ typed with the sentence's mark) and the core between, folded
// for matching (traditional characters to simplified, as the index holds
// them: 鄉村振新 is corrected as 乡村振新). The marks are kept as typed.
func splitCore(s string) (lead, core, trail string) {
	isMark := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }
	core = strings.TrimLeftFunc(s, isMark)
	lead = s[:len(s)-len(core)]
	core = strings.TrimRightFunc(core, isMark)
	trail = s[len(lead)+len(core):]
	return lead, text.Fold(core), trail
}

// correctable reports whether a term is one DidYouMean corrects: Chinese
// characters only, of a length an edit makes sense for.
func correctable(rs []rune) bool {
	if len(rs) < suggestMinRunes || len(rs) > suggestMaxRunes {
		return false
	}
	for _, r := range rs {
		if !text.IsCJK(r) {
			return false
		}
	}
	return true
}

// replaceTerm returns a copy of q with the text of one term replaced.
func replaceTerm(q query.Query, clause, term int, s string) query.Query {
	out := query.Query{Clauses: slices.Clone(q.Clauses)}
	c := &out.Clauses[clause]
	c.Any = slices.Clone(c.Any)
	c.Any[term].Text = s
	return out
}

// edit is one corrected term and its scores: the least document frequency
// of all its bigrams (an upper bound of its hits), then of the bigrams the
// edit made (which tells apart the many candidates an edit at an edge of
// the term gives, whose bound is the same rare bigram elsewhere).
type edit struct {
	text        string
	kind        editKind
	score, made uint64
}

// editKind is the kind of an edit. Substitutions and insertions give
// many candidates, drops and swaps a few: the candidates counted are
// taken from each kind in turn, so that the few are not crowded out.
type editKind int

const (
	substituted editKind = iota
	added
	dropped
	swapped
	split // a term cut in two at a word boundary, one part corrected
	editKinds
)

// vocab answers questions about the text field's bigram dictionary, with
// caches: one DidYouMean looks at the same neighbours many times.
type vocab struct {
	ctx    context.Context
	rd     index.IndexReader
	budget int               // dictionary entries and lookups left; at 0 no more candidates are made
	preds  *predecessorCache // the index's cache of before lists
	dfs    *dfCache          // the index's cache of document frequencies
	// contains looks bigrams up in the dictionary (nil if the reader
	// cannot).
	contains index.FieldDictContains
	df       map[string]uint64 // document frequency of a bigram
	after    map[rune][]rune   // characters that follow r in some bigram
	before   map[rune][]rune   // characters that precede r in some bigram
}

// edits returns the one-edit variants of rs whose bigrams all occur, each
// scored by their least document frequency.
func (v *vocab) edits(rs []rune) ([]edit, error) {
	n := len(rs)
	var out []edit
	// try scores cand, whose new bigrams start at the indexes in made; a
	// candidate with none (a character dropped at an edge) ranks as its
	// weakest bigram.
	try := func(cand []rune, kind editKind, made ...int) error {
		s, err := v.score(cand)
		if err != nil || s == 0 {
			return err
		}
		m := uint64(0)
		for k, i := range made {
			if i < 0 || i+1 >= len(cand) {
				continue
			}
			df, err := v.freq(string(cand[i : i+2]))
			if err != nil {
				return err
			}
			if k == 0 || m == 0 || df < m {
				m = df
			}
		}
		if m == 0 {
			m = s
		}
		out = append(out, edit{string(cand), kind, s, m})
		return nil
	}
	with := func(i int, c rune, drop int) []rune { // rs with c at i, replacing drop characters
		cand := make([]rune, 0, n+1)
		cand = append(cand, rs[:i]...)
		cand = append(cand, c)
		return append(cand, rs[i+drop:]...)
	}
	// A character dropped (keeping two or more) or two neighbours swapped:
	// a few candidates, made first so that the budget never cuts them.
	for i := 0; i < n; i++ {
		if n > 2 {
			cand := append(slices.Clone(rs[:i]), rs[i+1:]...)
			if err := try(cand, dropped, i-1); err != nil {
				return nil, err
			}
		}
		if i+1 < n && rs[i] != rs[i+1] {
			cand := slices.Clone(rs)
			cand[i], cand[i+1] = cand[i+1], cand[i]
			if err := try(cand, swapped, i-1, i, i+1); err != nil {
				return nil, err
			}
		}
	}
	// A character substituted (at i) or added (before i).
	for i := 0; i <= n; i++ {
		for _, drop := range []int{1, 0} {
			if drop == 1 && i == n || drop == 0 && n < 3 {
				continue
			}
			var left, right rune = -1, -1
			if i > 0 {
				left = rs[i-1]
			}
			if i+drop < n {
				right = rs[i+drop]
			}
			cs, err := v.between(left, right)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if drop == 1 && c == rs[i] {
					continue
				}
				kind := substituted
				if drop == 0 {
					kind = added
				}
				if err := try(with(i, c, drop), kind, i-1, i); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// between returns the characters c for which left c and c right are both
// bigrams of the index (only one of them when the other side is -1). The
// followers of a character come from a prefix scan of the dictionary, a
// cheap one; its predecessors need an automaton over the whole dictionary,
// ten to a hundred times dearer, so they are scanned only when there is no
// left neighbour, and otherwise each follower of left is looked up.
func (v *vocab) between(left, right rune) ([]rune, error) {
	if left < 0 {
		return v.neighbours(right, false)
	}
	a, err := v.neighbours(left, true)
	if err != nil || right < 0 {
		return a, err
	}
	var out []rune
	for _, c := range a {
		if v.budget <= 0 {
			break
		}
		ok, err := v.has(string([]rune{c, right}))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// has reports whether bigram is in the text field's dictionary.
func (v *vocab) has(bigram string) (bool, error) {
	if df, ok := v.df[bigram]; ok {
		return df > 0, nil
	}
	if v.contains == nil {
		df, err := v.freq(bigram)
		return df > 0, err
	}
	v.budget--
	return v.contains.Contains([]byte(bigram))
}

// neighbours returns the Han characters that follow r (after) or precede
// it in the bigrams of the index, at most suggestMaxScan of them.
func (v *vocab) neighbours(r rune, after bool) ([]rune, error) {
	cache := v.before
	if after {
		cache = v.after
	}
	if cs, ok := cache[r]; ok {
		return cs, nil
	}
	if !after && v.preds != nil {
		if cs, ok := v.preds.get(r); ok {
			cache[r] = cs
			return cs, nil
		}
	}
	var (
		fd  index.FieldDict
		err error
	)
	if after {
		fd, err = v.rd.FieldDictPrefix(fieldText, []byte(string(r)))
	} else if rx, ok := v.rd.(index.IndexReaderRegexp); ok {
		fd, err = rx.FieldDictRegexp(fieldText, "."+regexp.QuoteMeta(string(r)))
	} else {
		return nil, nil // no automaton: only the prefix side is searched
	}
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	var cs []rune
	complete := true // the list does not depend on the budget left
	for len(cs) < suggestMaxScan {
		if v.budget <= 0 {
			complete = false
			break
		}
		v.budget--
		if err := v.ctx.Err(); err != nil {
			return nil, err
		}
		e, err := fd.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		first, w := utf8.DecodeRuneInString(e.Term)
		second, w2 := utf8.DecodeRuneInString(e.Term[w:])
		if w+w2 != len(e.Term) || !text.IsCJK(first) || !text.IsCJK(second) {
			continue // a marker, a lone character or a word
		}
		if after {
			cs = append(cs, second)
			if e.Count > 0 {
				v.df[e.Term] = e.Count
			}
		} else {
			cs = append(cs, first)
		}
	}
	cache[r] = cs
	if !after && complete && v.preds != nil {
		v.preds.put(r, cs)
	}
	return cs, nil
}

// predecessorCache keeps, for an open index, the characters that precede
// a character in its bigrams: the one list DidYouMean finds by an
// automaton over the whole dictionary (milliseconds; a prefix scan takes
// microseconds). An index generation never changes, so a list stays true
// while the index is open; the cache holds at most maxCachedPredecessors
// lists and starts again when full.
type predecessorCache struct {
	mu sync.Mutex
	m  map[rune][]rune
}

const maxCachedPredecessors = 4096

func (c *predecessorCache) get(r rune) ([]rune, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.m[r]
	return cs, ok
}

func (c *predecessorCache) put(r rune, cs []rune) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPredecessors {
		c.m = map[rune][]rune{}
	}
	c.m[r] = cs
}

// score returns the least document frequency of the bigrams of rs, 0 when
// one of them does not occur.
func (v *vocab) score(rs []rune) (uint64, error) {
	var least uint64
	for i := 0; i+1 < len(rs); i++ {
		df, err := v.freq(string(rs[i : i+2]))
		if err != nil || df == 0 {
			return 0, err
		}
		if i == 0 || df < least {
			least = df
		}
	}
	return least, nil
}

// freq returns the document frequency of a bigram in the text field.
func (v *vocab) freq(bigram string) (uint64, error) {
	if df, ok := v.df[bigram]; ok {
		return df, nil
	}
	if v.budget <= 0 {
		return 0, nil // out of budget: as if absent
	}
	v.budget-- // from the index's cache or not: the same candidates either way
	if df, ok := v.dfs.get(bigram); ok {
		v.df[bigram] = df
		return df, nil
	}
	tfr, err := v.rd.TermFieldReader(v.ctx, []byte(bigram), fieldText, false, false, false)
	if err != nil {
		return 0, err
	}
	df := tfr.Count()
	tfr.Close()
	v.df[bigram] = df
	v.dfs.put(bigram, df)
	return df, nil
}

// dfCache keeps, for an open index, the document frequencies of the
// bigrams DidYouMean looked up. Opening a term's postings to count them
// (a dictionary lookup and its bitmap per segment) was about 30% of a
// did-you-mean at 3,000,000 synthetic paragraphs (40 ms a query that
// finds nothing); the bigrams next to common characters recur from one
// query to the next. An index generation never changes, so a count stays
// true while the index is open; the cache holds at most maxCachedDFs
// counts and starts again when full. A nil cache keeps nothing.
type dfCache struct {
	mu sync.Mutex
	m  map[string]uint64
}

const maxCachedDFs = 1 << 18

func (c *dfCache) get(bigram string) (uint64, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	df, ok := c.m[bigram]
	return df, ok
}

func (c *dfCache) put(bigram string, df uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedDFs {
		c.m = map[string]uint64{}
	}
	c.m[bigram] = df
}
