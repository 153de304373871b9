package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/query"
)

// TestRerankFit fits the reranker's weights (rerankWeights) by the listwise
// softmax loss over the odd questions of the relevance file and
// reports the first stage's and the fitted model's Recall@10 and MRR@10 on
// both halves. It runs by hand, over the relevance benchmark's cached
// news-2023 index (bench/relevance, BENCHMARKS.md):
//
//	COUNTYNEWS_RERANK_CACHE=/tmp/countynews-relevance/news-s9-46992734-l0-signed \
//	COUNTYNEWS_QUESTIONS=../shared/eval/relevance-dev.jsonl \
//	go test -run TestRerankFit -v ./internal/search/
//
// COUNTYNEWS_RERANK_DEPTH sets the depth (default rerankFitDepth) and
// COUNTYNEWS_RERANK_FEATURES the features the fit may use (names,
// comma-separated; default all).
func TestRerankFit(t *testing.T) {
	depth := rerankFitDepth
	if s := os.Getenv("COUNTYNEWS_RERANK_DEPTH"); s != "" {
		var err error
		if depth, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	use := [numFeatures]bool{}
	for i := range use {
		use[i] = true
	}
	if s := os.Getenv("COUNTYNEWS_RERANK_FEATURES"); s != "" {
		use = [numFeatures]bool{}
		for _, n := range strings.Split(s, ",") {
			i := slices.Index(featureNames[:], n)
			if i < 0 {
				t.Fatalf("unknown feature %q", n)
			}
			use[i] = true
		}
	}
	fb := openFitBench(t)
	qs := fb.collect(t, depth, nil, nil)

	_, sd := featureScales(qs, numFeatures)
	report := func(name string, w *[numFeatures]float64) {
		ro, mo := evalFit(qs, w[:], true)
		re, me := evalFit(qs, w[:], false)
		t.Logf("%-12s odd R@10 %.3f MRR %.3f | even R@10 %.3f MRR %.3f | all %.3f %.3f", name, ro, mo, re, me,
			(ro*float64(countHalf(qs, true))+re*float64(countHalf(qs, false)))/float64(len(qs)),
			(mo*float64(countHalf(qs, true))+me*float64(countHalf(qs, false)))/float64(len(qs)))
	}
	var first [numFeatures]float64
	first[featScore] = 1
	report("first stage", &first)
	cur := rerankWeights
	report("kept", &cur)

	// Coordinate ascent (Metzler and Croft) on MRR@10 + Recall@10 / 2 of
	// the odd half, from the first stage's order.
	soft := [numFeatures]float64(softmaxFit(qs, use[:]))
	report("softmax", &soft)
	w := soft
	recallW := 0.5
	if s := os.Getenv("COUNTYNEWS_RERANK_RECALLW"); s != "" {
		var err error
		if recallW, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	obj := func(w *[numFeatures]float64) float64 {
		r, m := evalFit(qs, w[:], true)
		return m + recallW*r
	}
	best := obj(&w)
	for pass := 0; pass < 12; pass++ {
		improved := false
		for i := range w {
			if !use[i] {
				continue
			}
			for _, step := range []float64{-2, -1, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1, 2} {
				try := w
				try[i] += step / sd[i]
				if v := obj(&try); v > best+1e-9 {
					best, w, improved = v, try, true
				}
			}
		}
		if !improved {
			break
		}
	}
	report("ascent", &w)
	for i := range w {
		if soft[i] == 0 || i == featScore {
			continue
		}
		drop := soft
		drop[i] = 0
		report("-"+featureNames[i], &drop)
	}
	oracle := 0
	for _, q := range qs {
		if slices.Contains(q.rel, true) || len(q.feats) == 0 && q.base > 0 {
			oracle++
		}
	}
	t.Logf("a relevant among the candidates: %.3f", float64(oracle)/float64(len(qs)))
	t.Logf("softmax weights (kept: rerankWeights):%s", weightsLiteral(&soft))
	t.Logf("coordinate ascent's weights (not kept: they fit the odd half's MRR, and lose on the even one):%s", weightsLiteral(&w))
}

// rerankFitDepth is the depth the kept weights are fitted at: the
// product's.
const rerankFitDepth = rerankDepth

// featureScales are the mean and standard deviation of each of nf
// features over the odd questions' candidates.
func featureScales(qs []fitQuestion, nf int) (mean, sd []float64) {
	mean, sd = make([]float64, nf), make([]float64, nf)
	n := 0.0
	for _, q := range qs {
		if !q.odd {
			continue
		}
		for _, fv := range q.feats {
			n++
			for i := range fv {
				mean[i] += fv[i]
				sd[i] += fv[i] * fv[i]
			}
		}
	}
	for i := range mean {
		mean[i] /= n
		sd[i] = math.Sqrt(max(sd[i]/n-mean[i]*mean[i], 1e-12))
	}
	return mean, sd
}

// fitBench is what the by-hand fitters read: the relevance benchmark's
// cached index (COUNTYNEWS_RERANK_CACHE), its paragraphs' articles, and
// the questions (COUNTYNEWS_QUESTIONS).
type fitBench struct {
	ix      *Index
	rd      index.IndexReader
	article map[string]string // paragraph id -> article id
	lines   []fitLine
}

type fitLine struct {
	q        string
	relevant []string
}

// openFitBench opens the fitters' material, or skips t when it is not
// given; it is closed with t.
func openFitBench(t *testing.T) *fitBench {
	cache, qpath := os.Getenv("COUNTYNEWS_RERANK_CACHE"), os.Getenv("COUNTYNEWS_QUESTIONS")
	if cache == "" || qpath == "" {
		t.Skip("COUNTYNEWS_RERANK_CACHE and COUNTYNEWS_QUESTIONS not set")
	}
	fb := &fitBench{}
	raw, err := os.ReadFile(cache + "/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fb.article); err != nil {
		t.Fatal(err)
	}
	if raw, err = os.ReadFile(qpath); err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var j struct {
			Q        string   `json:"q"`
			Relevant []string `json:"relevant"`
		}
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("%s:%d: %v", qpath, i+1, err)
		}
		fb.lines = append(fb.lines, fitLine{j.Q, j.Relevant})
	}
	if fb.ix, err = Open(context.Background(), cache+"/index", WithRerank(0)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.ix.Close() })
	if fb.rd, err = fb.ix.reader(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.rd.Close() })
	return fb
}

// collect runs every question as the API does (auto, collapse auto, the
// first stage only) and keeps, for a relaxed answer, the reranker's
// features of its first depth hits (plus extra's, when given) and which of
// them are relevant. expand, when given, is asked after a first search
// for the clauses a second one adds (Index.expandAny).
func (fb *fitBench) collect(t *testing.T, depth int,
	expand func(q string, first []Hit) func(ws []string) []bq.Query,
	extra func(q string, res *Result, rq *rerankQuery, h Hit) []float64) []fitQuestion {
	ctx := context.Background()
	var qs []fitQuestion
	for li, l := range fb.lines {
		fq := fitQuestion{odd: li%2 == 0, base: -1} // odd: the 1st, 3rd, ... line
		pq, err := query.Parse(l.q)
		if err != nil {
			qs = append(qs, fq)
			continue
		}
		req := Request{Query: pq, Match: MatchAuto, Size: max(depth, 10), Collapse: CollapseAuto}
		if expand != nil {
			first, err := fb.ix.Search(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			fb.ix.expandAny = expand(l.q, first.Hits)
		}
		res, err := fb.ix.Search(ctx, req)
		fb.ix.expandAny = nil
		if err != nil {
			t.Fatal(err)
		}
		var arts []string
		for _, h := range res.Hits {
			arts = append(arts, fb.article[h.ID])
		}
		fq.base = firstRelevant(arts, l.relevant)
		if res.Match == MatchAny && len(res.Hits) > 0 {
			rq, err := fb.ix.rerankQueryFor(ctx, fb.rd, pq, res.Words)
			if err != nil {
				t.Fatal(err)
			}
			hits := res.Hits[:min(depth, len(res.Hits))]
			var sc rerankScratch
			for i, h := range hits {
				f := rq.features(fb.ix.candidateOf(h.Paragraph, h.Score, i), hits[0].Score, &sc)
				fv := f[:]
				if extra != nil {
					fv = append(fv, extra(l.q, res, rq, h)...)
				}
				fq.feats = append(fq.feats, fv)
				fq.rel = append(fq.rel, slices.Contains(l.relevant, fb.article[h.ID]))
			}
		}
		qs = append(qs, fq)
	}
	return qs
}

type fitQuestion struct {
	odd   bool
	base  int         // first stage's rank of the first relevant (0: none, -1: no answer)
	feats [][]float64 // per candidate, in first-stage order
	rel   []bool
}

func countHalf(qs []fitQuestion, odd bool) int {
	n := 0
	for _, q := range qs {
		if q.odd == odd {
			n++
		}
	}
	return n
}

// firstRelevant is the rank (from 1) of the first relevant article among
// the first 10 distinct (0: none).
func firstRelevant(arts, relevant []string) int {
	var seen []string
	for _, a := range arts {
		if slices.Contains(seen, a) {
			continue
		}
		seen = append(seen, a)
		if slices.Contains(relevant, a) {
			return len(seen)
		}
		if len(seen) == 10 {
			break
		}
	}
	return 0
}

// evalFit scores one half under weights w: Recall@10 and MRR@10.
func evalFit(qs []fitQuestion, w []float64, odd bool) (recall, mrr float64) {
	n := 0
	for _, q := range qs {
		if q.odd != odd {
			continue
		}
		n++
		rank := q.base
		if len(q.feats) > 0 {
			rank = 0
			scores := make([]float64, len(q.feats))
			for i := range q.feats {
				for k := range w {
					scores[i] += w[k] * q.feats[i][k]
				}
			}
			bestRel := -1
			for i, r := range q.rel {
				if r && (bestRel < 0 || scores[i] > scores[bestRel]) {
					bestRel = i
				}
			}
			if bestRel >= 0 {
				rank = 1
				for i := range scores {
					if !q.rel[i] && (scores[i] > scores[bestRel] || scores[i] == scores[bestRel] && i < bestRel) {
						rank++
					}
				}
				if rank > 10 {
					rank = 0
				}
			}
		}
		if rank > 0 {
			recall++
			mrr += 1 / float64(rank)
		}
	}
	return recall / float64(n), mrr / float64(n)
}

// softmaxFit fits weights by gradient descent on the listwise softmax loss
// (ListNet's top-one: -log of the relevant candidates' share of
// exp(score)) over the odd questions with a relevant candidate, on
// standardised features (each feature's standard deviation over the odd
// candidates), with a little L2. use says which features it may weigh.
func softmaxFit(qs []fitQuestion, use []bool) []float64 {
	nf := len(use)
	mean, sd := featureScales(qs, nf)
	v := make([]float64, nf)
	const rate, l2 = 0.5, 1e-3
	for it := 0; it < 300; it++ {
		grad := make([]float64, nf)
		m := 0
		for _, q := range qs {
			if !q.odd || !slices.Contains(q.rel, true) {
				continue
			}
			m++
			ss := make([]float64, len(q.feats))
			hi := math.Inf(-1)
			for i := range q.feats {
				for k := range v {
					if use[k] {
						ss[i] += v[k] * (q.feats[i][k] - mean[k]) / sd[k]
					}
				}
				hi = max(hi, ss[i])
			}
			var z, zr float64
			for i := range ss {
				e := math.Exp(ss[i] - hi)
				ss[i] = e
				z += e
				if q.rel[i] {
					zr += e
				}
			}
			for i := range ss {
				p, pr := ss[i]/z, 0.0
				if q.rel[i] {
					pr = ss[i] / zr
				}
				for k := range v {
					if use[k] {
						grad[k] += (p - pr) * (q.feats[i][k] - mean[k]) / sd[k]
					}
				}
			}
		}
		for k := range v {
			v[k] -= rate * (grad[k]/float64(m) + l2*v[k])
		}
	}
	w := make([]float64, nf)
	for k := range v {
		w[k] = v[k] / sd[k]
	}
	return w
}

// weightsLiteral is w as the Go literal of rerankWeights.
func weightsLiteral(w *[numFeatures]float64) string {
	var b strings.Builder
	for i, x := range w {
		fmt.Fprintf(&b, "\n\tfeat%s: %.4g,", strings.ToUpper(featureNames[i][:1])+featureNames[i][1:], x)
	}
	return b.String()
}
