package main

import (
	"context"
	"fmt"

	"countynews/internal/search"
	"countynews/query"
)

// emptyHelp explains an empty result and what to do about it.
type emptyHelp struct {
	Reason   string
	Remove   []suggestion // drop one filter, or all
	Terms    []suggestion // search one clause alone
	FirstURL string       // past the last page: back to page 1
}

// suggestion is a link to a search that finds something, with its hits.
type suggestion struct {
	Label string
	URL   string
	Count int
}

// maxRelaxations bounds the searches one empty page counts.
const maxRelaxations = 8

// relaxation is a search the empty page may offer, and the one to offer
// instead when it finds nothing (a clause alone without the filters).
type relaxation struct {
	label    string
	st       pageState
	fallback *relaxation
	terms    bool // a clause alone (else a filter dropped)
}

// emptyHelp explains why a search found nothing on this page and links to
// searches that find something: without one of the filters, without all
// of them, or with one clause of the query alone. The links are made from
// the parsed query, each clause written by query.Query.String (so "OR"
// stays the quoted word and "-梁山" a quoted phrase, not an exclusion), and
// the exclusions kept; a clause alone keeps the filters, or, if it finds
// nothing with them, goes without. All are counted in one call, and only
// those that find something are offered.
func (pg *pages) emptyHelp(ctx context.Context, ix Index, st pageState, total int) *emptyHelp {
	h := &emptyHelp{}
	if total > 0 {
		h.Reason = fmt.Sprintf("这一页超出了结果范围：共有 %d 条结果，不到第 %d 页。", total, st.p.Page)
		h.FirstURL = st.url("/", nil)
		return h
	}
	cs := filterChips(st)
	switch {
	case len(cs) > 0 && len(st.p.Terms) > 0:
		h.Reason = fmt.Sprintf("在所选的 %d 个筛选条件下，没有段落符合“%s”。", len(cs), st.p.Q)
	case len(cs) > 0:
		h.Reason = fmt.Sprintf("所选的 %d 个筛选条件下没有段落。", len(cs))
	case len(st.p.Terms) > 0:
		if st.p.match == search.MatchAuto {
			// Auto has tried the words apart and one of them alone.
			h.Reason = fmt.Sprintf("没有段落符合“%s”，拆开的词语也没有找到。", st.p.Q)
		} else {
			h.Reason = fmt.Sprintf("没有段落符合“%s”。完全匹配时，连续的汉字按整体短语精确匹配，词越长、条件越多，结果越少。", st.p.Q)
		}
	default:
		h.Reason = "索引里还没有段落。"
	}
	var tries []relaxation
	for _, c := range cs {
		tries = append(tries, relaxation{label: "去掉“" + c.Label + "：" + c.Value + "”", st: c.Without})
	}
	if len(cs) > 1 {
		tries = append(tries, relaxation{label: "清除全部筛选", st: st.with(clearFilters)})
	}
	tries = tries[:min(len(tries), maxRelaxations)]
	for _, q := range clausesAlone(st.p.query) {
		if len(tries) >= maxRelaxations {
			break
		}
		s := st.with(nil)
		if err := s.p.setQ(q.String()); err != nil {
			continue // cannot happen: String's output parses
		}
		label := "只搜“" + positiveText(q) + "”"
		r := relaxation{label: label, st: s, terms: true}
		if len(cs) > 0 {
			r.fallback = &relaxation{label: label + "（不限筛选）", st: s.with(clearFilters), terms: true}
		}
		tries = append(tries, r)
	}
	var reqs []search.Request
	for _, r := range tries {
		reqs = append(reqs, countRequest(r.st))
		if r.fallback != nil {
			reqs = append(reqs, countRequest(r.fallback.st))
		}
	}
	if len(reqs) == 0 {
		return h
	}
	totals, err := ix.Counts(ctx, reqs)
	if err != nil {
		return h // the reason stands; no link can be vouched for
	}
	i := 0
	for _, r := range tries {
		n := totals[i]
		i++
		if r.fallback != nil {
			if n == 0 {
				r, n = *r.fallback, totals[i]
			}
			i++
		}
		if n == 0 {
			continue
		}
		s := suggestion{Label: r.label, URL: r.st.href("/"), Count: n}
		if r.terms {
			h.Terms = append(h.Terms, s)
		} else {
			h.Remove = append(h.Remove, s)
		}
	}
	return h
}

// countRequest is the request of st, for its total only.
func countRequest(st pageState) search.Request {
	r := st.p.request()
	r.From, r.Size, r.Highlight, r.Facets = 0, 0, false, false
	return r
}

// clausesAlone returns, for a query of several positive clauses, one query
// per clause: the clause alone with all of q's exclusions. A query of one
// positive clause gets none (it is the query itself).
func clausesAlone(q query.Query) []query.Query {
	var pos, neg []query.Clause
	for _, c := range q.Clauses {
		if c.Negated {
			neg = append(neg, c)
		} else {
			pos = append(pos, c)
		}
	}
	if len(pos) < 2 {
		return nil
	}
	var out []query.Query
	seen := map[string]bool{}
	for _, c := range pos {
		alone := query.Query{Clauses: append([]query.Clause{c}, neg...)}
		if k := alone.String(); !seen[k] {
			seen[k] = true
			out = append(out, alone)
		}
	}
	return out
}

// positiveText is how a relaxed query is named in its link: its positive
// clause as typed in the language (a quoted term keeps its quotes).
func positiveText(q query.Query) string {
	var pos query.Query
	for _, c := range q.Clauses {
		if !c.Negated {
			pos.Clauses = append(pos.Clauses, c)
		}
	}
	return pos.String()
}
