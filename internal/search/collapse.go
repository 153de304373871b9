package search

import (
	"fmt"
	"slices"

	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
)

// Collapsing in the one pass (pass.go): each hit that passes the filters
// updates its article's best hit and count instead of going to the top
// hits. After the pass each group's best hit (an article's, or when
// collapsing by story the best of its articles') is offered to the top
// hits, so the page holds the best groups in the order of their best
// paragraphs: the same order searchBleve's grouping of Bleve's own sorted
// hits gives (collapseSorted, TestTableMatchesBleve). The others and copies
// of a group are gathered only for the groups that reach the page.
//
// A relaxed question can match most of the index (有多少人被逮捕？ holds 人:
// 63,000 of 95,000 paragraphs), so the tallies are dense arrays by article
// ordinal, pooled per generation (stories.tallies), rather than maps: a
// fresh map per search, grown hit by hit, took a quarter of such a
// request's time (BENCHMARKS.md, the relevance latency).

// articleHits is what a pass gathers of one article.
type articleHits struct {
	best scored
	n    int // hits; 0: none (best unset)
}

// tally is one pass part's articleHits, by article ordinal.
type tally struct {
	hits    []articleHits
	touched []int32 // the ordinals with n > 0
}

// newTally takes a clean tally from st's pool.
func (st *stories) newTally() *tally {
	if t, ok := st.tallies.Get().(*tally); ok && len(t.hits) == len(st.ids) {
		return t
	}
	return &tally{hits: make([]articleHits, len(st.ids))}
}

// release cleans t and returns it to st's pool: only the articles it
// touched are reset, so that a search pays for its hits, not for the
// number of articles.
func (st *stories) release(t *tally) {
	if t == nil {
		return
	}
	for _, a := range t.touched {
		t.hits[a] = articleHits{}
	}
	t.touched = t.touched[:0]
	st.tallies.Put(t)
}

// group is a collapsed hit: its group's count of other matches and, for
// a story, its other articles' best hits.
type group struct {
	others int
	copies []scored
}

// group counts hit n under its article.
func (p *tablePart) group(n int, score float64) {
	a := p.st.docArticle[n]
	if a < 0 {
		return // a deleted document number: not a hit of any article
	}
	p.articles.add(a, articleHits{best: scored{n, score}, n: 1}, p.top)
}

// add merges h into article a's tally.
func (t *tally) add(a int32, h articleHits, top *topHits) {
	g := &t.hits[a]
	if g.n == 0 {
		t.touched = append(t.touched, a)
		g.best = h.best
	} else if top.better(h.best, g.best) {
		g.best = h.best
	}
	g.n += h.n
}

// mergeGroups adds o's articles to p's.
func (p *tablePart) mergeGroups(o *tablePart) {
	if o.articles == nil {
		return
	}
	for _, a := range o.articles.touched {
		p.articles.add(a, o.articles.hits[a], p.top)
	}
}

// collapsed are the groups of a pass: how many, and each group's others
// and copies by the document number of its best hit (at).
type collapsed struct {
	n    int
	mode Collapse
	p    *tablePart
}

// collapse offers the best hit of each group to the top hits.
func (p *tablePart) collapse(mode Collapse) collapsed {
	out := collapsed{mode: mode, p: p}
	t, st := p.articles, p.st
	for _, a := range t.touched {
		best := t.hits[a].best
		if mode == CollapseStory && st.shared[a] {
			// A story of several articles is taken up by its first
			// article (in ID order) with a hit.
			m := st.members[st.storyOf[a]]
			first := true
			for _, x := range m {
				if x == a {
					break
				}
				if t.hits[x].n > 0 {
					first = false
					break
				}
			}
			if !first {
				continue
			}
			for _, x := range m {
				if g := t.hits[x]; g.n > 0 && p.top.better(g.best, best) {
					best = g.best
				}
			}
		}
		out.n++
		p.top.offer(best.n, best.score)
	}
	return out
}

// at returns the group whose best hit is document n (one collapse
// offered), nil if none.
func (c collapsed) at(n int) *group {
	if c.p == nil || n < 0 || n >= len(c.p.st.docArticle) {
		return nil
	}
	t, st := c.p.articles, c.p.st
	a := st.docArticle[n]
	if a < 0 || t.hits[a].n == 0 {
		return nil
	}
	if c.mode == CollapseArticle || !st.shared[a] {
		if t.hits[a].best.n != n {
			return nil // not the group's best hit
		}
		if c.mode == CollapseArticle {
			return &group{others: t.hits[a].n - 1}
		}
		return &group{}
	}
	var arts []scored
	for _, x := range st.members[st.storyOf[a]] {
		if g := t.hits[x]; g.n > 0 {
			arts = append(arts, g.best)
		}
	}
	slices.SortFunc(arts, func(a, b scored) int {
		if c.p.top.better(a, b) {
			return -1
		}
		return 1
	})
	if arts[0].n != n {
		return nil // not the story's best hit
	}
	return &group{others: len(arts) - 1, copies: arts[1:min(len(arts), 1+maxCopies)]}
}

// storedAt reads the stored paragraph of document number n.
func (ix *Index) storedAt(rd index.IndexReader, n int) (corpus.Paragraph, error) {
	id, err := rd.ExternalID(internalID(n))
	if err != nil {
		return corpus.Paragraph{}, fmt.Errorf("search: document %d: %w", n, err)
	}
	d, err := rd.Document(id)
	if err != nil {
		return corpus.Paragraph{}, fmt.Errorf("search: paragraph %s: %w", id, err)
	}
	p, err := ix.sch.storedParagraph(id, d)
	if err != nil {
		return p, err
	}
	ix.stories.fill(&p)
	return p, nil
}
