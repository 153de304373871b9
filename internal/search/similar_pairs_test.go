package search

import (
	"context"
	"slices"
	"testing"
)

// TestSimilarEveryInitiative: for every initiative of the sample page, a
// comparable initiative of another county is among its top 3 similar
// paragraphs. The pairs are judged by reading the paragraphs (IDs are
// content hashes of the embedded page: <article>-<position>); an
// initiative may have several comparable ones.
func TestSimilarEveryInitiative(t *testing.T) {
	const (
		jinxiang  = "ba5c672b2cf8ff26" // 金乡: party history taught in five kinds of "classrooms"
		jiaxiang  = "e679e6f7647f2f3f" // 嘉祥: rural party organisations
		liangshan = "2e5a19a888b4a770" // 梁山: urban communities, 红色物业
		sishui    = "e2ac2517a7d2749d" // 泗水: recruiting party members
		zoucheng  = "9874602c24b30351" // 邹城: grassroots governance
		wenshang  = "78ed2645fd2b3469" // 汶上: urban party-building system
		weishan   = "442a208ea57d3ae8" // 微山: cadres sent down for rural revitalisation
	)
	p := func(article, n string) string { return article + "-" + n }
	pairs := []struct {
		id, why    string
		comparable []string
	}{
		{p(jinxiang, "01"), "red-heritage education (王杰精神) ~ 微山's culture work (red culture, exhibition halls)", []string{p(weishan, "04")}},
		{p(jinxiang, "02"), "lecture teams at local venues ~ 微山's cultural propagation", []string{p(weishan, "04")}},
		{p(jinxiang, "03"), "micro party lessons by cadres ~ 微山's culture work, 泗水's training of party members", []string{p(weishan, "04"), p(sishui, "02")}},
		{p(jinxiang, "04"), "speech contests on party history ~ 微山's culture and organisation work", []string{p(weishan, "04"), p(weishan, "01")}},
		{p(jinxiang, "05"), "party members serving residents ~ 汶上's community worker teams, 梁山's cadres sent to communities", []string{p(wenshang, "03"), p(liangshan, "02")}},
		{p(jiaxiang, "01"), "village cadres' skills ~ 微山's talent revitalisation, 泗水's training", []string{p(weishan, "03"), p(sishui, "02")}},
		{p(jiaxiang, "02"), "village collective economy ~ 微山's industry revitalisation", []string{p(weishan, "02")}},
		{p(jiaxiang, "03"), "ranking villages, rewards ~ 微山's organisation work, 泗水's accountability, 邹城's devolved powers", []string{p(weishan, "01"), p(sishui, "03"), p(zoucheng, "01")}},
		{p(jiaxiang, "04"), "rural governance ~ governance in 梁山, 邹城, 微山's village environment", []string{p(liangshan, "02"), p(liangshan, "03"), p(zoucheng, "02"), p(zoucheng, "03"), p(weishan, "05")}},
		{p(liangshan, "01"), "小区 party branches and 红色物业 ~ 邹城's 微治理 (the README's example)", []string{p(zoucheng, "03")}},
		{p(liangshan, "02"), "cadres sent down to communities ~ 汶上's community services and teams, 邹城's joint action", []string{p(wenshang, "04"), p(wenshang, "03"), p(zoucheng, "02")}},
		{p(liangshan, "03"), "governance innovation, grids ~ 邹城's 微治理 and 大联动", []string{p(zoucheng, "03"), p(zoucheng, "02")}},
		{p(sishui, "01"), "finding future party members ~ 微山's organisation work, 汶上's party organisations, 嘉祥's cadres", []string{p(weishan, "01"), p(wenshang, "02"), p(jiaxiang, "01")}},
		{p(sishui, "02"), "training party members ~ 微山's talent and organisation work, 嘉祥's cadres", []string{p(weishan, "03"), p(weishan, "01"), p(jiaxiang, "01")}},
		{p(sishui, "03"), "records and accountability of recruitment ~ 嘉祥's evaluation, 微山's organisation work", []string{p(jiaxiang, "03"), p(weishan, "01")}},
		{p(zoucheng, "01"), "devolving powers to towns ~ 汶上's institutional reform", []string{p(wenshang, "01")}},
		{p(zoucheng, "02"), "joint action of departments ~ 梁山's cadres sent down, 汶上's system, 梁山's governance", []string{p(liangshan, "02"), p(wenshang, "01"), p(liangshan, "03")}},
		{p(zoucheng, "03"), "微治理 in 小区 and grids ~ 梁山's 小区共建 and governance", []string{p(liangshan, "01"), p(liangshan, "03")}},
		{p(wenshang, "01"), "institutions of urban party building ~ 邹城's devolved powers", []string{p(zoucheng, "01"), p(zoucheng, "02")}},
		{p(wenshang, "02"), "community party organisations ~ 邹城's 微治理, 梁山's 小区 and cadres", []string{p(zoucheng, "03"), p(liangshan, "01"), p(liangshan, "02")}},
		{p(wenshang, "03"), "community worker teams, 小区 secretaries ~ 梁山's cadres and 小区 branches, 金乡's vanguard service", []string{p(liangshan, "02"), p(liangshan, "01"), p(jinxiang, "05")}},
		{p(wenshang, "04"), "community services ~ 梁山's cadres sent down, 邹城's 微治理", []string{p(liangshan, "02"), p(zoucheng, "03")}},
		{p(weishan, "01"), "party organisations in villages ~ 嘉祥's ranking and cadres, 泗水's recruiting", []string{p(jiaxiang, "03"), p(jiaxiang, "01"), p(sishui, "01")}},
		{p(weishan, "02"), "industry ~ 嘉祥's collective economy", []string{p(jiaxiang, "02")}},
		{p(weishan, "03"), "talent ~ 嘉祥's cadres, 泗水's training", []string{p(jiaxiang, "01"), p(sishui, "02")}},
		{p(weishan, "04"), "culture ~ 金乡's red and lecture classrooms", []string{p(jinxiang, "01"), p(jinxiang, "02")}},
		{p(weishan, "05"), "village environment ~ 嘉祥's rural governance (美丽乡村)", []string{p(jiaxiang, "04")}},
	}
	ps := defaultParagraphs(t)
	initiatives := 0
	for _, p := range ps {
		if p.Kind == "initiative" {
			initiatives++
		}
	}
	if len(pairs) != initiatives {
		t.Fatalf("%d judged initiatives, the page has %d", len(pairs), initiatives)
	}
	ix := build(t, ps)
	for _, pr := range pairs {
		_, hits, err := ix.Similar(context.Background(), pr.id, ScopeOtherCounties, 3)
		if err != nil {
			t.Fatalf("%s: %v", pr.id, err)
		}
		if !slices.ContainsFunc(hits, func(h Hit) bool { return slices.Contains(pr.comparable, h.ID) }) {
			t.Errorf("%s (%s): top 3 %v holds none of %v", pr.id, pr.why, ids(hits), pr.comparable)
		}
	}
}
