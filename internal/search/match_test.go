package search

import (
	"context"
	"fmt"
	"testing"
)

func TestMatchExplore(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	for _, q := range []string{"微山乡村振兴", "梁山红色物业", "第一书记帮扶", "曲阜志愿服务", "红色物业、网格 -梁山", "乡村振兴！", "“乡村振兴”", "紅色物業", "鄉村振興", "哪个县推行了红色物业？"} {
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Match: MatchAuto, Size: 3, Highlight: true, Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(q, res.Match, res.Words, res.Total)
		for _, h := range res.Hits {
			fmt.Println("   ", h.County, h.Highlight[:min(len(h.Highlight), 200)])
		}
	}
}
