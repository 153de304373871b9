package suite

import (
	"context"
	"maps"
	"path/filepath"
	"testing"

	"countynews/corpus"
)

// TestReferenceAnswers: the reference semantics the report explains
// differences with: substring containment for clauses, ORed values within
// a facet, ANDed facets, and disjunctive facet counts.
func TestReferenceAnswers(t *testing.T) {
	ps := []corpus.Paragraph{
		{ID: "1", Text: "梁山县推进红色物业建设", County: "梁山", Year: 2021, Programs: []string{"红色物业", "党建引领"}},
		{ID: "2", Text: "邹城市红色物业覆盖80个小区", County: "邹城", Year: 2022, Programs: []string{"红色物业"}},
		{ID: "3", Text: "金乡县红帆驿站建成投用", County: "金乡", Year: 2021, Programs: []string{}},
		{ID: "4", Text: "红色物业与网格化治理融合", Year: 2023, Programs: []string{"网格化治理"}},
		// Printed in traditional characters: the query language folds them.
		{ID: "5", Text: "嘉祥縣通報工作情況", County: "嘉祥", Year: 2024, Programs: []string{}},
	}
	path := filepath.Join(t.TempDir(), "p.jsonl")
	if err := writeLines(path, ps); err != nil {
		t.Fatal(err)
	}
	qs := []LogQuery{
		{ID: "phrase", Text: "红色物业"},
		{ID: "or-not", Text: "红色物业 OR 红帆驿站 -梁山"},
		{ID: "filters", Text: "红色物业", Counties: []string{"梁山", "邹城"}, Years: []int{2021}},
		{ID: "and", Text: "红色 网格"},
		{ID: "traditional", Text: "情况 -水县山"},
		{ID: "full-width", Text: "工作情况 -ｘ"},
	}
	got, err := referenceAnswers(context.Background(), path, qs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Detail{
		{Total: 3, Facets: map[string]map[string]int{"county": {"梁山": 1, "邹城": 1}, "year": {"2021": 1, "2022": 1, "2023": 1},
			"program": {"红色物业": 2, "党建引领": 1, "网格化治理": 1}}},
		{Total: 3, Facets: map[string]map[string]int{"county": {"邹城": 1, "金乡": 1}, "year": {"2021": 1, "2022": 1, "2023": 1},
			"program": {"红色物业": 1, "网格化治理": 1}}},
		// County facet without the county filter: 2021 only → 梁山.
		// Year facet without the year filter: 梁山 or 邹城 → 2021, 2022.
		{Total: 1, Facets: map[string]map[string]int{"county": {"梁山": 1}, "year": {"2021": 1, "2022": 1},
			"program": {"红色物业": 1, "党建引领": 1}}},
		{Total: 1, Facets: map[string]map[string]int{"year": {"2023": 1}, "program": {"网格化治理": 1}}},
		{Total: 1, Facets: map[string]map[string]int{"county": {"嘉祥": 1}, "year": {"2024": 1}}},
		{Total: 1, Facets: map[string]map[string]int{"county": {"嘉祥": 1}, "year": {"2024": 1}}},
	}
	for i, w := range want {
		g := got[i]
		if g.Total != w.Total {
			t.Errorf("%s: total %d, want %d", qs[i].ID, g.Total, w.Total)
		}
		for _, dim := range facetDims {
			if !maps.Equal(g.Facets[dim], w.Facets[dim]) {
				t.Errorf("%s %s: %v, want %v", qs[i].ID, dim, g.Facets[dim], w.Facets[dim])
			}
		}
	}
}
