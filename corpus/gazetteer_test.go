package corpus_test

import (
	"fmt"
	"testing"

	"countynews/corpus"
)

func TestGazetteerDecide(t *testing.T) {
	g, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Counties) != 11 {
		t.Errorf("%d counties, want Jining's 11", len(g.Counties))
	}
	tests := []struct {
		name   string
		levels []string
		want   string
	}{
		{"official name beats a short name", []string{"金乡 微山县"}, "微山"},
		{"lake is no evidence", []string{"微山湖畔谱绘新画卷", "梁山县好"}, "梁山"},
		{"legend is no evidence", []string{"梁山伯与祝英台在曲阜"}, "曲阜"},
		{"tie falls through to the next level", []string{"金乡 嘉祥", "嘉祥县"}, "嘉祥"},
		{"most named in the lead", []string{"", "邹城 邹城 汶上"}, "邹城"},
		{"alias", []string{"智慧中都建设"}, "汶上"},
		{"nothing", []string{"北京", "上海"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := g.Decide(tc.levels...)
			if c.Short != tc.want || ok != (tc.want != "") {
				t.Errorf("Decide = %q %v, want %q", c.Short, ok, tc.want)
			}
		})
	}
}

func TestGazetteerValidation(t *testing.T) {
	for _, data := range []string{
		`{"counties":[{"name":"甲县","short":"甲"},{"name":"乙县","short":"甲"}]}`,
		`{"counties":[{"name":"","short":"甲"}]}`,
		`not json`,
	} {
		if _, err := corpus.ParseGazetteer([]byte(data)); err == nil {
			t.Errorf("ParseGazetteer(%s) accepted a broken gazetteer", data)
		}
	}
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Programs) < 15 {
		t.Errorf("%d programs, want at least 15", len(tax.Programs))
	}
	if got := fmt.Sprint(tax.Match("创建“红色物业”示范小区", "标题")); got != "[红色物业]" {
		t.Errorf("Match = %s", got)
	}
}
