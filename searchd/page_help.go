package main

import (
	"context"
	"strings"

	"countynews/internal/search"
)

// queryHelp is what the search page offers beside the hits: corrected
// queries (did you mean) and the counties and programs the query names,
// as links that keep the rest of the state.
type queryHelp struct {
	DidYouMean []suggestion   // Label is the corrected q
	Only       []suggestion   // Label is 只看 and the filter's name
	Relaxed    *relaxedNotice // the hits do not match q as typed
}

// queryHelp builds the page's queryHelp from the API's (api.queryHelp).
func (pg *pages) queryHelp(ctx context.Context, ix Index, st pageState, r search.Request, res *search.Result) (queryHelp, error) {
	var h queryHelp
	sugs, filters, err := pg.api.queryHelp(ctx, ix, st.p, r, res)
	if err != nil {
		return h, err
	}
	if res.Total > 0 && (res.Match != search.MatchExact || len(res.Words) > 0) {
		exact := st.with(func(p *searchParams) { p.Match, p.match = search.MatchExact.String(), search.MatchExact })
		h.Relaxed = &relaxedNotice{Text: relaxedText(st.p.Q, res.Match.String(), res.Words), ExactURL: exact.href("/")}
	}
	for _, s := range sugs {
		q := s.Query.String()
		next := st.with(nil)
		if next.p.setQ(q) != nil {
			continue // cannot happen: String's output parses
		}
		h.DidYouMean = append(h.DidYouMean, suggestion{Label: q, URL: next.href("/"), Count: s.Total})
	}
	for _, f := range filters {
		next := st.with(func(p *searchParams) {
			if f.Facet == "county" {
				p.Counties = []string{f.Value}
			} else {
				p.Programs = []string{f.Value}
			}
		})
		h.Only = append(h.Only, suggestion{Label: "只看 " + f.Label, URL: next.href("/"), Count: f.Count})
	}
	return h, nil
}

// relaxedNotice says, above the results, that they do not match the query
// as typed and what they match instead, with a link to exact matching.
type relaxedNotice struct {
	Text     string // 没有找到与“…”完全匹配的段落，以下是…的段落。
	ExactURL string // the same search with match=exact
}

// maxNoticeWords is how many words the notice names; the rest are 等.
const maxNoticeWords = 8

// relaxedText words the notice for q answered in mode ("exact" for the
// exact pieces of terms split at punctuation, "all" or "any") with words.
func relaxedText(q, mode string, words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i == maxNoticeWords {
			b.WriteString("等")
			break
		}
		b.WriteString("“" + w + "”")
	}
	head := "没有找到与“" + q + "”完全匹配的段落，以下是"
	if mode == "any" {
		return head + "包含" + b.String() + "中部分词语的段落，按相关度排序。"
	}
	return head + "同时包含" + b.String() + "的段落。"
}
