package search

import (
	"context"
	"fmt"
	"testing"
)

func TestSmoke(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	fmt.Println("docs", ix.DocCount(), ix.SizeBytes())
	for _, q := range []string{"红色物业", "县", "小区党支部", "网格 -邹城", "2021年", ""} {
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Size: 3, Highlight: true, Facets: true, Counties: nil})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(q, res.Total, res.Took, res.Facets.County)
		for _, h := range res.Hits {
			fmt.Println("  ", h.ID, h.County, h.Score, h.Highlight)
		}
	}
	for _, p := range ps {
		if len(p.Text) > 30 && (p.Text[:30] == "依托组织覆盖推进小区共建"[:30]) {
			fmt.Println("SIM", p.ID, p.County, p.Initiatives, p.Programs)
			_, hs, err := ix.Similar(context.Background(), p.ID, ScopeOtherCounties, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				fmt.Println("  ", h.ID, h.County, h.Score, h.Highlight)
			}
		}
	}
}
