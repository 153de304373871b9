package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/internal/story"
)

// stories groups the articles of an open generation into stories of
// syndicated copies (package story). It is computed when the generation
// is opened, from the article ID and signature every paragraph stores
// (document.go), never at build time: the grouping is then a function of
// the set of articles in the generation alone, so an index built by
// -update and a fresh build of the same inputs give every paragraph the
// same story ID, whatever the order the articles came in or which files
// changed.
//
// Articles are numbered by ordinal (their position in ID order); a story
// is named by its smallest article ID, so its ordinal is that article's.
type stories struct {
	ids     []string         // article ordinal -> article ID, in ID order
	ord     map[string]int32 // article ID -> ordinal
	storyOf []int32          // article ordinal -> the story's ordinal
	// members lists the articles of each story of more than one, by
	// story ordinal, in ID order.
	members map[int32][]int32
	// shared says, by article ordinal, whether the article's story has
	// other articles (is in members).
	shared []bool
	// tallies pools the per-article tallies of collapsing passes
	// (collapse.go).
	tallies sync.Pool
	// docArticle is the article ordinal of each document number (-1: a
	// deleted number), nil when the index's IDs are not document numbers.
	docArticle []int32
}

// loadStories reads every document's article ID and signature from doc
// values, in one pass over the index, and groups the articles.
func loadStories(ctx context.Context, b bleve.Index) (*stories, error) {
	type doc struct {
		n       int
		article string
	}
	var docs []doc
	sigs := map[string]story.Signature{}
	numbered := true
	handler := func(sctx *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		dvr, err := sctx.IndexReader.DocValueReader([]string{fieldArticleID, fieldSignature})
		if err != nil {
			return nil, err
		}
		return func(d *search.DocumentMatch) error {
			n, ok := docNum(d.IndexInternalID)
			numbered = numbered && ok
			var article string
			var sig story.Signature
			err := dvr.VisitDocValues(d.IndexInternalID, func(field string, term []byte) {
				switch field {
				case fieldArticleID:
					article = string(term)
				case fieldSignature:
					if v, err := strconv.ParseUint(string(term), 16, 64); err == nil {
						sig = story.Signature(v)
					}
				}
			})
			if err != nil {
				return err
			}
			docs = append(docs, doc{n, article})
			if old, seen := sigs[article]; !seen || (sig != 0 && (old == 0 || sig < old)) {
				sigs[article] = sig
			}
			return nil
		}, nil
	}
	req := bleve.NewSearchRequestOptions(bq.NewMatchAllQuery(), 0, 0, false)
	req.Score = bleve.ScoreNone
	if err := visitHits(ctx, b, req, handler); err != nil {
		return nil, fmt.Errorf("load stories: %w", err)
	}
	st := &stories{ord: make(map[string]int32, len(sigs)), members: map[int32][]int32{}}
	ms := make([]story.Member, 0, len(sigs))
	for id, sig := range sigs {
		ms = append(ms, story.Member{ID: id, Sig: sig})
	}
	slices.SortFunc(ms, func(a, b story.Member) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	st.ids = make([]string, len(ms))
	for i, m := range ms {
		st.ids[i] = m.ID
		st.ord[m.ID] = int32(i)
	}
	st.storyOf = make([]int32, len(ms))
	for i, s := range story.Group(ms) {
		so := st.ord[s]
		st.storyOf[i] = so
		if so != int32(i) || len(st.members[so]) > 0 {
			st.members[so] = append(st.members[so], int32(i))
		}
	}
	for so, m := range st.members {
		if m[0] != so { // the story's own article comes first in ID order
			st.members[so] = append([]int32{so}, m...)
		}
	}
	st.shared = make([]bool, len(ms))
	for _, m := range st.members {
		for _, a := range m {
			st.shared[a] = true
		}
	}
	if numbered {
		size := 0
		for _, d := range docs {
			size = max(size, d.n+1)
		}
		st.docArticle = make([]int32, size)
		for i := range st.docArticle {
			st.docArticle[i] = -1
		}
		for _, d := range docs {
			st.docArticle[d.n] = st.ord[d.article]
		}
	}
	return st, nil
}

// storyID returns the story of an article (its own ID when it has no
// copies, or is unknown).
func (st *stories) storyID(articleID string) string {
	if st == nil {
		return articleID
	}
	o, ok := st.ord[articleID]
	if !ok {
		return articleID
	}
	return st.ids[st.storyOf[o]]
}

// fill sets a paragraph's StoryID.
func (st *stories) fill(p *corpus.Paragraph) {
	p.StoryID = st.storyID(p.ArticleID)
}

// copies returns the number of articles in the story of articleID.
func (st *stories) size(articleID string) int {
	if st == nil {
		return 1
	}
	o, ok := st.ord[articleID]
	if !ok {
		return 1
	}
	if m := st.members[st.storyOf[o]]; len(m) > 0 {
		return len(m)
	}
	return 1
}
