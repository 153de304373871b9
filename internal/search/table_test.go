package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/query"
)

// tableParagraphs are the default corpus and the real sample, with
// metadata varied deterministically so that every branch of the table's
// filters and sorts is taken: paragraphs without a county, a year or a
// date, years 2015–2025, several programs, equal dates (ties broken by ID).
//
// Every third real article is printed again by one or two other outlets
// (syndicatedCopies), so that collapsing by story has stories to fold.
func tableParagraphs(t testing.TB) []corpus.Paragraph {
	ps := append(defaultParagraphs(t), syndicatedCopies(realParagraphs(t), 3)...)
	rng := rand.New(rand.NewPCG(7, 8))
	programs := []string{"乡村振兴", "党的建设", "营商环境", "生态环境"}
	for i := range ps {
		p := &ps[i]
		switch rng.IntN(6) {
		case 0:
			p.County, p.CountyName = "", ""
		case 1:
			p.Year, p.Date = 0, ""
		case 2:
			p.Date = ""
			p.Year = 2015 + rng.IntN(11)
		case 3:
			p.Year = 2015 + rng.IntN(11)
			p.Date = corpus.Date(fmt.Sprintf("%d-%02d-%02d", p.Year, 1+rng.IntN(2), 1+rng.IntN(2)))
		}
		if rng.IntN(3) == 0 {
			p.Programs = append(slices.Clone(p.Programs), programs[rng.IntN(len(programs))])
			slices.Sort(p.Programs)
			p.Programs = slices.Compact(p.Programs)
		}
	}
	return ps
}

// syndicatedCopies returns ps with every nth article followed by one or
// two copies: the same paragraphs under another article ID, outlet and
// source file (how near a copy must be is package story's to test).
func syndicatedCopies(ps []corpus.Paragraph, nth int) []corpus.Paragraph {
	var out []corpus.Paragraph
	article := 0
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].ArticleID == ps[i].ArticleID {
			j++
		}
		out = append(out, ps[i:j]...)
		if article%nth == 0 {
			for c := range 1 + article%2 {
				id := fmt.Sprintf("%s%d", ps[i].ArticleID, c)
				for k, p := range ps[i:j] {
					p.ArticleID, p.ID = id, fmt.Sprintf("%s-%02d", id, k)
					p.Outlet = fmt.Sprintf("转载媒体%d", c)
					p.Source.File = fmt.Sprintf("copies-%d.jsonl", c)
					out = append(out, p)
				}
			}
		}
		article++
		i = j
	}
	return out
}

// TestTableMatchesBleve runs random requests through both ways of
// searching, the document table (the default) and Bleve's own collector
// with its doc-value facets and field sorts, and requires the same totals,
// hits in the same order, the same scores, highlights and facet counts.
// It runs on a fresh index and on one updated with a file removed, whose
// snapshot numbers documents around the deleted ones.
func TestTableMatchesBleve(t *testing.T) {
	ps := tableParagraphs(t)
	fresh := build(t, ps)

	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, ps)
	drop := ps[0].Source.File
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, BuildOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveFile(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	updated, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer updated.Close()
	if updated.DocCount() >= fresh.DocCount() {
		t.Fatalf("update removed nothing: %d documents, fresh %d", updated.DocCount(), fresh.DocCount())
	}

	// Each index once whole and once split in two halves searched at
	// once (as on a big index with a spare core).
	for _, tc := range []struct {
		name  string
		ix    *Index
		split bool
	}{{"fresh", fresh, false}, {"updated", updated, false}, {"fresh/split", fresh, true}, {"updated/split", updated, true}} {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.ix
			if ix.table == nil {
				t.Fatal("index opened without a document table")
			}
			// Split: the halves evaluated apart, each reading its half
			// of the postings (directParts), however few.
			ix.forceSplit, ix.spare = tc.split, make(chan struct{}, 1)
			ix.minParallel = 0
			if tc.split {
				ix.minParallel = 1
			}
			if !tc.split {
				ix.spare = make(chan struct{})
			}
			compareTable(t, ix, ps)
		})
	}
}

func compareTable(t *testing.T, ix *Index, ps []corpus.Paragraph) {
	ctx := context.Background()
	all, err := ix.AllFacets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	values := func(fv []FacetValue) []string {
		var out []string
		for _, v := range fv {
			out = append(out, v.Value)
		}
		return append(out, "没有这个")
	}
	if ref, err := ix.allFacetsBleve(ctx); err != nil || !reflect.DeepEqual(all, ref) {
		t.Errorf("AllFacets from the table\n%+v\nBleve (%v)\n%+v", all, err, ref)
	}
	counties, programs := values(all.County), values(all.Program)
	rng := rand.New(rand.NewPCG(9, 10))
	term := func() string {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		n := 1 + rng.IntN(4)
		if len(rs) <= n {
			return "县"
		}
		i := rng.IntN(len(rs) - n)
		return string(rs[i : i+n])
	}
	// long is a stretch of a paragraph, punctuation and all: several
	// words for the relaxed modes.
	long := func() string {
		rs := []rune(ps[rng.IntN(len(ps))].Text)
		n := 5 + rng.IntN(10)
		if len(rs) <= n {
			return string(rs)
		}
		i := rng.IntN(len(rs) - n)
		return strings.ReplaceAll(string(rs[i:i+n]), `"`, "")
	}
	fixed := []string{"", "县", "红色物业", "-的", "-县 -工作", "党员 服务", "乡村振兴 OR 志愿", "2023年", "工作 -党员"}
	sorts := []Sort{SortRelevance, SortNewest, SortOldest}
	pick := func(from []string) []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, from[rng.IntN(len(from))])
		}
		return out
	}
	// Common terms with a small window: hits just below the k-th text
	// score whose boosts lift them into the window (the boost bound).
	common := []string{"工作", "发展", "服务", "建设", "党员", "群众", "乡村", "推进", "济宁", "活动"}
	found := map[Match]int{} // requests with hits, by mode
	dated, headline := 0, 0
	collapsed := map[Collapse]int{}
	grouped := 0  // collapsed hits that stood for others
	rescored := 0 // relaxed requests with hits compared under both formulas
	defer func() {
		if rescored < 20 {
			t.Errorf("only %d relaxed requests with hits compared under the relaxed scoring", rescored)
		}
		for _, m := range []Match{MatchExact, matchPieces, MatchAll, MatchAny} {
			if found[m] < 5 {
				t.Errorf("only %d requests in mode %d found something: the comparison hardly covers it", found[m], m)
			}
		}
		if collapsed[CollapseArticle] < 50 || collapsed[CollapseStory] < 50 || grouped < 10 {
			t.Errorf("only %v collapsed requests, %d hits standing for others", collapsed, grouped)
		}
		if dated < 50 || headline < 30 {
			t.Errorf("only %d requests with a date range and %d headline-only ones", dated, headline)
		}
	}()
	for i := range 400 {
		q := ""
		small := false
		switch {
		case i < len(fixed):
			q = fixed[i]
		case i < len(fixed)+3*len(common):
			q, small = common[(i-len(fixed))%len(common)], true
		case i%4 == 0:
			q = strconv.Quote(term()) + " " + term()
		case i%4 == 1:
			q = term() + " -" + term()
		case i%4 == 2:
			q = term() + " OR " + term()
		case i%8 == 3:
			q = long() + " -" + term()
		case i%8 == 7:
			q = long()
		default:
			q = term()
		}
		pq, err := query.Parse(q)
		if err != nil {
			continue
		}
		r := Request{
			Query: pq, Counties: pick(counties), Programs: pick(programs), Sort: sorts[rng.IntN(3)],
			From: rng.IntN(12), Size: rng.IntN(15), Highlight: true, Facets: rng.IntN(5) > 0,
		}
		for range rng.IntN(3) {
			r.Years = append(r.Years, 2014+rng.IntN(13))
		}
		if rng.IntN(4) == 0 {
			r.YearFrom = 2016 + rng.IntN(8)
		}
		if rng.IntN(4) == 0 {
			r.YearTo = 2018 + rng.IntN(8)
		}
		// Date ranges: open at either end, from dates of the corpus or
		// any day (paragraphs without a date are outside every range).
		day := func() corpus.Date {
			if rng.IntN(2) == 0 {
				return ps[rng.IntN(len(ps))].Date
			}
			return corpus.Date(fmt.Sprintf("%d-%02d-%02d", 2014+rng.IntN(12), 1+rng.IntN(12), 1+rng.IntN(28)))
		}
		if rng.IntN(3) == 0 {
			r.DateFrom = day()
		}
		if rng.IntN(3) == 0 {
			r.DateTo = day()
		}
		if r.DateFrom != "" && r.DateTo != "" && r.DateFrom > r.DateTo {
			r.DateFrom, r.DateTo = r.DateTo, r.DateFrom
		}
		if rng.IntN(4) == 0 {
			r.In = InHeadline
		}
		if small {
			r = Request{Query: pq, From: (i / len(common)) % 2, Size: 1 + i%3, Highlight: true}
		}
		if rng.IntN(2) == 0 {
			r.Collapse = Collapse(1 + rng.IntN(2))
			collapsed[r.Collapse]++
		}
		name := fmt.Sprintf("%d q=%q %+v", i, q, r)
		// Every match mode: a third of the requests exact, the others
		// split at punctuation, all or any (their compiled queries hold
		// conjunctions and a minimum-should-match disjunction).
		mode := []Match{MatchExact, MatchExact, matchPieces, MatchAll, MatchAny, MatchAny}[rng.IntN(6)]
		pl, err := ix.planFor(ctx, r.Query, r.In, mode, 0)
		if err != nil {
			t.Fatal(err)
		}
		c := pl.c
		name += " mode=" + mode.String()
		if c.none {
			continue
		}
		f, err := newFilters(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.dated() {
			dated++
		}
		if r.In == InHeadline && len(c.must) > 0 {
			headline++
		}
		if c.bm25 != nil {
			// The relaxed modes' own term scoring (bm25Params) is the
			// direct evaluator's: with it, the same hits, totals and
			// facets, in its own order; without it, Bleve's answer.
			got, err := ix.searchTable(ctx, r, c, f)
			if err != nil {
				t.Fatalf("%s: table: %v", name, err)
			}
			c.bm25 = nil
			want, err := ix.searchTable(ctx, r, c, f)
			if err != nil {
				t.Fatalf("%s: table, Bleve's formula: %v", name, err)
			}
			if got.Total != want.Total || got.Groups != want.Groups || (r.Facets && !reflect.DeepEqual(got.Facets, want.Facets)) {
				t.Errorf("%s: relaxed scoring: total %d groups %d facets %+v; Bleve's formula %d %d %+v", name, got.Total, got.Groups, got.Facets, want.Total, want.Groups, want.Facets)
			}
			if got.Total > 0 {
				rescored++
			}
		}
		got, err := ix.searchTable(ctx, r, c, f)
		if err != nil {
			t.Fatalf("%s: table: %v", name, err)
		}
		want, err := ix.searchBleve(ctx, r, c, f)
		if err != nil {
			t.Fatalf("%s: bleve: %v", name, err)
		}
		if got.Total > 0 {
			found[mode]++
		}
		if got.Total != want.Total || got.Groups != want.Groups {
			t.Errorf("%s: total %d groups %d, Bleve %d %d", name, got.Total, got.Groups, want.Total, want.Groups)
		}
		if !slices.Equal(ids(got.Hits), ids(want.Hits)) {
			t.Errorf("%s: hits\n%v\nBleve\n%v", name, ids(got.Hits), ids(want.Hits))
			continue
		}
		for j := range got.Hits {
			g, w := got.Hits[j], want.Hits[j]
			if math.Abs(g.Score-w.Score) > 1e-9*math.Max(1, math.Abs(w.Score)) || g.Highlight != w.Highlight ||
				!reflect.DeepEqual(g.Paragraph, w.Paragraph) {
				t.Errorf("%s: hit %d differs: score %v / %v, highlight %q / %q", name, j, g.Score, w.Score, g.Highlight, w.Highlight)
			}
			if g.Others != w.Others || !reflect.DeepEqual(g.Copies, w.Copies) {
				t.Errorf("%s: hit %d stands for %d others, copies %+v; Bleve %d, %+v", name, j, g.Others, g.Copies, w.Others, w.Copies)
			}
			if g.Others > 0 {
				grouped++
			}
		}
		if r.Facets && !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%s: facets\n%+v\nBleve\n%+v", name, got.Facets, want.Facets)
		}
	}
}
