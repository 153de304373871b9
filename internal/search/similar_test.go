package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"countynews/corpus"
)

// TestSimilarAcceptance is the product issue's acceptance test: for the
// 梁山 paragraph on community co-building (小区党支部, 红色物业, 物业企业党
// 支部), the 邹城 paragraph on 微治理 (小区党支部, 红色物业, 网格) is among
// the top 3 of other counties.
func TestSimilarAcceptance(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	var src, target string
	for _, p := range ps {
		if p.County == "梁山" && strings.HasPrefix(p.Text, "依托组织覆盖推进小区共建") {
			src = p.ID
		}
		if p.County == "邹城" && strings.Contains(p.Text, "微治理") && strings.Contains(p.Text, "红色物业") {
			target = p.ID
		}
	}
	if src == "" || target == "" {
		t.Fatalf("default corpus lacks the paragraphs (source %q, target %q)", src, target)
	}
	p, hits, err := ix.Similar(context.Background(), src, ScopeOtherCounties, 5)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != src {
		t.Errorf("Similar returned paragraph %s, want %s", p.ID, src)
	}
	rank := -1
	for i, h := range hits {
		if h.ID == target {
			rank = i
		}
	}
	if rank < 0 || rank > 2 {
		t.Errorf("邹城 微治理 paragraph %s at rank %d of %v, want top 3", target, rank, ids(hits))
	}
}

// TestSimilarExclusions: never the paragraph itself or its article; with
// ScopeOtherCounties never its county; best first; at most size.
func TestSimilarExclusions(t *testing.T) {
	ps := realParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	sameCounty := 0
	for i, p := range ps {
		if i%7 != 0 {
			continue
		}
		for _, scope := range []Scope{ScopeOtherCounties, ScopeAll} {
			_, hits, err := ix.Similar(ctx, p.ID, scope, 8)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) > 8 {
				t.Errorf("%s: %d hits, asked for 8", p.ID, len(hits))
			}
			for j, h := range hits {
				if h.ID == p.ID || h.ArticleID == p.ArticleID {
					t.Errorf("%s: similar hit %s is the paragraph or from its article", p.ID, h.ID)
				}
				if scope == ScopeOtherCounties && p.County != "" && h.County == p.County {
					t.Errorf("%s (%s): similar hit %s from the same county", p.ID, p.County, h.ID)
				}
				if scope == ScopeAll && p.County != "" && h.County == p.County {
					sameCounty++
				}
				if j > 0 && h.Score > hits[j-1].Score {
					t.Errorf("%s: hits not best first: %v", p.ID, ids(hits))
				}
			}
		}
	}
	if sameCounty == 0 {
		t.Error("ScopeAll never found a paragraph of the same county")
	}
	if _, _, err := ix.Similar(ctx, "nope", ScopeAll, 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("Similar(nope) error %v, want ErrNotFound", err)
	}
}

// TestSignificantTerms: a bigram found in no other paragraph (df 1)
// cannot connect the paragraph to anything and a bigram in nearly every
// paragraph (idf below the floor) is stop-like: neither is searched; a
// bigram shared with a few paragraphs is, weighted tf × idf.
func TestSignificantTerms(t *testing.T) {
	base := defaultParagraphs(t)[0]
	const n = 20
	var ps []corpus.Paragraph
	for i := range n {
		p := base
		p.ID, p.ArticleID, p.Position = fmt.Sprintf("a%02d-00", i), fmt.Sprintf("a%02d", i), 0
		switch {
		case i == 0:
			p.Text = "独有，稀少，稀少，普遍。"
		case i < 3:
			p.Text = "稀少，普遍。"
		default:
			p.Text = "普遍，其他。"
		}
		p.Topic, p.Initiatives, p.Programs = p.Text, nil, nil
		ps = append(ps, p)
	}
	ix := build(t, ps)
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	got, err := ix.significantTerms(context.Background(), rd, ps[0].Text)
	if err != nil {
		t.Fatal(err)
	}
	// 稀少: tf 2, df 3 of 20: idf ln(1 + 17.5/3.5) = ln 6.
	want := []weighted{{"稀少", 2 * math.Log(6)}}
	if len(got) != len(want) || got[0].term != want[0].term || math.Abs(got[0].weight-want[0].weight) > 1e-9 {
		t.Errorf("significantTerms = %v, want %v (独有 has df 1, 普遍 idf %.3f < %v)", got, want,
			math.Log(1+0.5/(n+0.5)), similarMinIDF)
	}
}
