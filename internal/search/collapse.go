package search

import (
	"fmt"
	"slices"

	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
)

// Collapsing in the one pass (pass.go): each hit that passes the filters
// updates its article's best hit and count (a map by article ordinal,
// from the stories' document → article array) instead of going to the
// top hits. After the pass the articles are folded into stories when
// collapsing by story, and each group's best hit is offered to the top
// hits, so the page holds the best groups in the order of their best
// paragraphs: the same order searchBleve's grouping of Bleve's own sorted
// hits gives (collapseSorted, TestTableMatchesBleve).

// articleHits is what a pass gathers of one article.
type articleHits struct {
	best scored
	n    int
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
	s := scored{n, score}
	g, ok := p.articles[a]
	if !ok || p.top.better(s, g.best) {
		g.best = s
	}
	g.n++
	p.articles[a] = g
}

// mergeGroups adds o's articles to p's.
func (p *tablePart) mergeGroups(o *tablePart) {
	for a, og := range o.articles {
		g, ok := p.articles[a]
		if !ok || p.top.better(og.best, g.best) {
			g.best = og.best
		}
		g.n += og.n
		p.articles[a] = g
	}
}

// collapse offers the best hit of each group to the top hits and returns
// the groups by the document number of their best hit.
func (p *tablePart) collapse(mode Collapse) map[int]*group {
	out := make(map[int]*group, len(p.articles))
	if mode == CollapseArticle {
		for _, g := range p.articles {
			p.top.offer(g.best.n, g.best.score)
			out[g.best.n] = &group{others: g.n - 1}
		}
		return out
	}
	stories := map[int32][]scored{}
	for a, g := range p.articles {
		s := p.st.storyOf[a]
		stories[s] = append(stories[s], g.best)
	}
	for _, arts := range stories {
		slices.SortFunc(arts, func(a, b scored) int {
			if p.top.better(a, b) {
				return -1
			}
			return 1
		})
		best := arts[0]
		p.top.offer(best.n, best.score)
		out[best.n] = &group{others: len(arts) - 1, copies: arts[1:min(len(arts), 1+maxCopies)]}
	}
	return out
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
