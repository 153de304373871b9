package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	segment "github.com/blevesearch/scorch_segment_api/v2"

	"countynews/corpus"
	"countynews/query"
)

// searchBothWays runs r with the optional clauses evaluated on the top
// k's candidates (maxscore.go) and, as the reference, within every must
// hit (ix.noMaxScore), and fails when the answers differ in anything.
func searchBothWays(t *testing.T, ix *Index, name string, r Request) *Result {
	t.Helper()
	ctx := context.Background()
	ix.noMaxScore = true
	want, werr := ix.Search(ctx, r)
	ix.noMaxScore = false
	got, err := ix.Search(ctx, r)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%s: error %v, full evaluation's %v", name, err, werr)
	}
	if err != nil {
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the top-k evaluation differs from the full one\n got %s\nwant %s", name, summary(got), summary(want))
	}
	return got
}

// summary is what a failing comparison prints of a result.
func summary(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d groups %d:", res.Total, res.Groups)
	for _, h := range res.Hits {
		fmt.Fprintf(&b, " %s(%.17g, others %d, copies %d)", h.ID, h.Score, h.Others, len(h.Copies))
	}
	return b.String()
}

// TestMaxScoreMatchesFull is a metamorphic test of evalTopK: random
// requests (common and rare terms, several terms, OR, exclusions, the
// relaxed modes), random filters, every collapse mode, pages from the
// first to past the hits, on a merged index and on one of several
// segments with deleted documents, whole and split in halves evaluated
// apart, with θ seeded from the default number of best must hits and from
// very few (so that the bound and θ prune hard on a small index): every
// answer must equal the full evaluation's. It also requires the top-k
// evaluation to have answered, and to have left hits out, often enough
// for the comparison to mean something.
func TestMaxScoreMatchesFull(t *testing.T) {
	ps := tableParagraphs(t)
	merged := build(t, ps)
	segmented := segmentedIndex(t)
	all, err := merged.AllFacets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var counties, programs []string
	for _, v := range all.County {
		counties = append(counties, v.Value)
	}
	for _, v := range all.Program {
		programs = append(programs, v.Value)
	}
	common := []string{"工作", "发展", "服务", "建设", "党员", "群众", "乡村", "推进", "济宁", "活动", "县"}
	for _, tc := range []struct {
		name  string
		ix    *Index
		split bool
		seed  int
	}{
		{"merged", merged, false, 0}, {"merged/seed1", merged, false, 1}, {"merged/split/seed3", merged, true, 3},
		{"segmented/seed2", segmented, false, 2}, {"segmented/split", segmented, true, 0}, {"segmented/split/seed1", segmented, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.ix
			counts := &boostCounts{}
			ix.boostEvals, ix.maxScoreSeed = counts, tc.seed
			ix.forceSplit, ix.spare, ix.minParallel = tc.split, make(chan struct{}, 1), 0
			if tc.split {
				ix.minParallel = 1
			} else {
				ix.spare = make(chan struct{})
			}
			defer func() {
				ix.boostEvals, ix.maxScoreSeed, ix.forceSplit, ix.minParallel = nil, 0, false, 0
				ix.spare = make(chan struct{}, 1)
			}()
			rng := rand.New(rand.NewPCG(16, uint64(tc.seed)))
			term := func() string {
				if rng.IntN(2) == 0 {
					return common[rng.IntN(len(common))]
				}
				rs := []rune(ps[rng.IntN(len(ps))].Text)
				n := 2 + rng.IntN(4)
				if len(rs) <= n {
					return "县"
				}
				i := rng.IntN(len(rs) - n)
				return strings.NewReplacer(`"`, "", "-", "", "(", "", ")", "").Replace(string(rs[i : i+n]))
			}
			pick := func(from []string) []string {
				var out []string
				if rng.IntN(3) == 0 {
					for range 1 + rng.IntN(2) {
						out = append(out, from[rng.IntN(len(from))])
					}
				}
				return out
			}
			answered := 0
			for i := range 700 {
				q := term()
				switch rng.IntN(6) {
				case 1:
					q += " " + term()
				case 2:
					q += " OR " + term()
				case 3:
					q += " -" + term()
				case 4:
					q = term() + " " + term() + " -" + common[rng.IntN(len(common))]
				}
				pq, err := query.Parse(q)
				if err != nil {
					continue
				}
				r := Request{Query: pq, Counties: pick(counties), Programs: pick(programs),
					From: []int{0, 0, 0, 0, 3, 10, 40, 500}[rng.IntN(8)], Size: []int{1, 3, 10, 25}[rng.IntN(4)],
					Collapse: []Collapse{CollapseNone, CollapseNone, CollapseArticle, CollapseStory, CollapseAuto}[rng.IntN(5)],
					Match:    []Match{MatchExact, MatchExact, MatchAuto, MatchAny, MatchAll}[rng.IntN(5)],
					Facets:   rng.IntN(2) == 0, Highlight: rng.IntN(4) == 0}
				if rng.IntN(6) == 0 {
					r.Years = []int{2015 + rng.IntN(11), 2015 + rng.IntN(11)}
				}
				if rng.IntN(8) == 0 {
					r.Sort = SortNewest
				}
				if res := searchBothWays(t, ix, fmt.Sprintf("request %d %q %+v", i, q, r), r); res != nil && len(res.Hits) > 0 {
					answered++
				}
			}
			hits, evaluated := counts.hits.Load(), counts.evaluated.Load()
			t.Logf("%d requests with hits; the top-k evaluation: %d hits, the boosts evaluated on %d", answered, hits, evaluated)
			if answered < 150 || hits == 0 {
				t.Errorf("only %d requests with hits, %d hits through the top-k evaluation", answered, hits)
			}
			if tc.seed > 0 && evaluated*2 > hits {
				t.Errorf("the boosts were evaluated on %d of %d hits: the top-k evaluation hardly pruned", evaluated, hits)
			}
		})
	}
}

// TestMaxScoreEdges checks named cases at the edge of evalTopK's θ on a
// small built corpus where the text scores and the boosts are known in
// shape: many equal paragraphs (ties at θ, broken by rank), pages larger
// than the hits and past them, and paragraphs that only the topic or
// headline boost lifts from below the k-th text score into the top k.
func TestMaxScoreEdges(t *testing.T) {
	var ps []corpus.Paragraph
	add := func(id, article, text, topic, headline string) {
		ps = append(ps, corpus.Paragraph{ID: id, ArticleID: article, Text: text, Topic: topic, Headline: headline,
			County: "jinxiang", CountyName: "金乡县", Year: 2023, Date: "2023-05-01", Programs: []string{"乡村振兴"}})
	}
	// Forty equal paragraphs: the same text, topic and headline (equal
	// scores, in ID order), four articles of ten.
	for i := range 40 {
		add(fmt.Sprintf("a%02d", i), fmt.Sprintf("art%d", i/10), "全县推进乡村振兴工作，群众满意。", "全县推进工作。", "简讯")
	}
	// Longer texts (a lower text score) whose topic or headline holds the
	// phrase: the boost lifts them above the equal ones.
	long := strings.Repeat("会议强调要抓好各项任务落实。", 6)
	add("b1", "artb", long+"乡村振兴。", "乡村振兴是重点。", "简讯")
	add("b2", "artb", long+"乡村振兴。", "其他。", "乡村振兴报道")
	add("b3", "artc", long+long+"乡村振兴。", "乡村振兴乡村振兴。", "乡村振兴")
	// Below the others with no boost at all.
	add("c1", "artd", long+long+long+"乡村振兴。", "其他。", "简讯")
	// By article: three paragraphs of one article boosted by topic and
	// headline, a second article's paragraph by its headline alone (its
	// must score plus the bound below the first article's paragraphs),
	// a third's not at all.
	for i := range 3 {
		add(fmt.Sprintf("x%d", i), "artx", "红色物业。", "红色物业。", "红色物业")
	}
	add("y1", "arty", long+"红色物业。", "其他。", "红色物业")
	add("z1", "artz", long+long+"红色物业。", "其他。", "简讯")
	ix := build(t, ps)
	counts := &boostCounts{}
	ix.boostEvals, ix.maxScoreSeed = counts, 1
	ix.spare = make(chan struct{})
	defer func() { ix.boostEvals = nil }()
	q := mustParse(t, "乡村振兴")
	for _, tc := range []struct {
		name       string
		r          Request
		wantFirst  string // the first hit's ID ("": no hit)
		wantHits   int
		wantGroups int
	}{
		{"the boosted first, ties at θ by ID", Request{Query: q, Size: 10}, "b3", 10, 44},
		{"ties at θ on a later page", Request{Query: q, From: 20, Size: 10}, "a17", 10, 44},
		{"a page past the last tie", Request{Query: q, From: 40, Size: 10}, "a37", 4, 44},
		{"k larger than the hits", Request{Query: q, Size: 100}, "b3", 44, 44},
		{"a page beyond the hits", Request{Query: q, From: 60, Size: 10}, "", 0, 44},
		{"the lifted one alone", Request{Query: q, Size: 1}, "b3", 1, 44},
		{"by article, the boosted article first", Request{Query: q, Size: 2, Collapse: CollapseArticle}, "b3", 2, 7},
		{"by article, every group", Request{Query: q, Size: 10, Collapse: CollapseArticle}, "b3", 7, 7},
		{"by article, past the groups", Request{Query: q, From: 7, Size: 3, Collapse: CollapseArticle}, "", 0, 7},
		{"by article, the second article's best is boosted", Request{Query: mustParse(t, "红色物业"), Size: 2, Collapse: CollapseArticle}, "x0", 2, 3},
		{"not collapsed, the first article's paragraphs", Request{Query: mustParse(t, "红色物业"), Size: 4}, "x0", 4, 5},
		{"excluded boosted paragraphs", Request{Query: mustParse(t, "乡村振兴 -抓好"), Size: 3}, "a00", 3, 40},
		{"filtered to nothing", Request{Query: q, Size: 3, Counties: []string{"yutai"}}, "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := searchBothWays(t, ix, tc.name, tc.r)
			if res == nil {
				t.Fatal("no result")
			}
			first := ""
			if len(res.Hits) > 0 {
				first = res.Hits[0].ID
			}
			if first != tc.wantFirst || len(res.Hits) != tc.wantHits || res.Groups != tc.wantGroups {
				t.Errorf("first %q, %d hits, %d groups; want %q, %d, %d (%s)", first, len(res.Hits), res.Groups,
					tc.wantFirst, tc.wantHits, tc.wantGroups, summary(res))
			}
		})
	}
	if counts.hits.Load() == 0 || counts.evaluated.Load() >= counts.hits.Load() {
		t.Errorf("the top-k evaluation evaluated the boosts on %d of %d hits: it never pruned", counts.evaluated.Load(), counts.hits.Load())
	}
}

// TestBestDocScore requires the bound of every term of the boosted fields
// (and of the text) to be the largest docScore of its postings, times the
// slack: never below one (the bound would prune a hit of the top k), and
// not looser (it would prune nothing), on a merged index and on one of
// several segments with deleted documents.
func TestBestDocScore(t *testing.T) {
	ps := tableParagraphs(t)
	for _, ix := range []*Index{build(t, ps), segmentedIndex(t)} {
		ctx := context.Background()
		rd, err := ix.reader()
		if err != nil {
			t.Fatal(err)
		}
		segs, _ := snapshotSegments(rd)
		docs, _ := rd.DocCount()
		ev := &evaluator{ctx: ctx, rd: rd, segs: segs, docs: docs, avgLen: map[string]float64{}, dicts: map[string][]segment.TermDictionary{}, terms: &ix.terms}
		checked, multi := 0, 0
		for _, field := range []string{fieldTopic, fieldHeadline, fieldText} {
			fd, err := rd.FieldDict(field)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; ; i++ {
				e, err := fd.Next()
				if err != nil {
					t.Fatal(err)
				}
				if e == nil {
					break
				}
				if i%7 != 0 {
					continue // a sample of the terms
				}
				st, err := ev.termStats(field, e.Term, 0.5)
				if err != nil {
					t.Fatal(err)
				}
				got, err := ev.bestDocScore(st)
				if err != nil {
					t.Fatal(err)
				}
				var want float64
				freqs := map[uint64]bool{}
				for s := range segs {
					c := ev.cursor(st, s, false, nil)
					for ok := c.next(); ok; ok = c.next() {
						want = max(want, c.docScore(st))
						f, _ := c.freqNorm()
						freqs[f] = true
					}
				}
				if len(freqs) > 1 {
					multi++
				}
				if got != want*(1+boundSlack) {
					t.Fatalf("%s:%s: bound %v, want the best docScore %v times %v", field, e.Term, got, want, 1+boundSlack)
				}
				checked++
			}
			fd.Close()
		}
		rd.Close()
		if checked < 1000 || multi < 50 {
			t.Errorf("checked %d terms, %d with several frequencies", checked, multi)
		}
	}
}

// TestKthBest checks θ: the k-th best score of the evaluated hits, of
// their groups' best when collapsing, and -Inf when there are fewer.
func TestKthBest(t *testing.T) {
	out := hitList{docs: []uint32{1, 3, 4, 7, 9, 12}, scores: []float64{0.5, 0.9, 0.7, 0.9, 0.2, 0.8}}
	article := map[int]int32{1: 0, 3: 0, 4: 0, 7: 1, 9: 2, 12: 2}
	group := func(n int) int32 { return article[n] }
	for _, tc := range []struct {
		name  string
		docs  []uint32
		k     int
		group func(int) int32
		want  float64
	}{
		{"first", []uint32{1, 3, 4, 7, 9, 12}, 1, nil, 0.9},
		{"ties count twice", []uint32{1, 3, 4, 7, 9, 12}, 2, nil, 0.9},
		{"third", []uint32{1, 3, 4, 7, 9, 12}, 3, nil, 0.8},
		{"last", []uint32{1, 3, 4, 7, 9, 12}, 6, nil, 0.2},
		{"fewer than k", []uint32{1, 3, 4, 7, 9, 12}, 7, nil, math.Inf(-1)},
		{"of some", []uint32{4, 9}, 2, nil, 0.2},
		{"groups: an article counts once", []uint32{1, 3, 4, 7, 9, 12}, 2, group, 0.9},
		{"groups: the third article's best", []uint32{1, 3, 4, 7, 9, 12}, 3, group, 0.8},
		{"groups: fewer groups than k", []uint32{1, 3, 4, 7, 9, 12}, 4, group, math.Inf(-1)},
		{"groups: of some", []uint32{1, 4, 9}, 2, group, 0.2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kthBest(out, tc.docs, &topK{k: tc.k, group: tc.group}); got != tc.want {
				t.Errorf("kthBest = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBoundOfLeaves requires bound to hold for every leaf of the boosts
// a query compiles to (term and phrase leaves on the topic and headline
// fields, under the whole plan's query norm): no hit scores above it, and
// a lone term's bound is its best hit's score (up to the slack), so that
// a bound scaled down by a tenth fails.
func TestBoundOfLeaves(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	segs, _ := snapshotSegments(rd)
	docs, _ := rd.DocCount()
	rng := rand.New(rand.NewPCG(21, 22))
	tight, leaves := 0, 0
	for range 300 {
		rs := []rune(ps[rng.IntN(len(ps))].Topic)
		n := 2 + rng.IntN(3)
		if len(rs) <= n {
			continue
		}
		i := rng.IntN(len(rs) - n)
		pq, err := query.Parse(strings.NewReplacer(`"`, "", "-", "").Replace(string(rs[i : i+n])))
		if err != nil {
			continue
		}
		c := ix.compile(pq)
		plan, ok := directPlan(c.build(nil))
		if !ok || plan.op != dBool || plan.should == nil {
			continue
		}
		ev := &evaluator{ctx: ctx, rd: rd, segs: segs, docs: docs, avgLen: map[string]float64{}, dicts: map[string][]segment.TermDictionary{},
			pool: &ix.accs, batch: 1024, terms: &ix.terms, mem: &arena{}}
		ev.maxDoc = int(segs[len(segs)-1].offset + segs[len(segs)-1].seg.Count())
		ev.hi = uint64(ev.maxDoc)
		if err := ev.prepare(plan); err != nil {
			t.Fatal(err)
		}
		setNorm(plan, 1.0/math.Sqrt(plan.weight))
		for _, leaf := range plan.should.kids {
			u, ok := ev.bound(leaf)
			if !ok {
				t.Fatalf("%v: no bound", leaf.terms)
			}
			hits, err := ev.eval(leaf, nil)
			if err != nil {
				t.Fatal(err)
			}
			best := 0.0
			for _, s := range hits.scores {
				best = max(best, s)
			}
			if best > u {
				t.Fatalf("%s %v: a hit scores %v, above the bound %v", leaf.field, leaf.terms, best, u)
			}
			if leaf.op == dTerm && len(hits.docs) > 0 {
				if u > best*(1+1e-6) {
					t.Fatalf("%s %v: bound %v, the best hit %v", leaf.field, leaf.terms, u, best)
				}
				tight++
			}
			leaves++
		}
		ev.mem.reset()
	}
	if tight < 30 || leaves < 200 {
		t.Errorf("%d leaves checked, %d lone terms", leaves, tight)
	}
}
