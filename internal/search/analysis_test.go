package search

import (
	"fmt"
	"strings"
	"testing"
)

// TestRunEdges pins the tokens the text fields index: cjk's bigrams and
// lone characters, plus markers at the edges of Han runs next to numbers
// and Latin words, all without byte offsets.
func TestRunEdges(t *testing.T) {
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in, want string }{
		{"run after a number", "2023年度工作", "2023@1 年度@2 年>@2 度工@3 工作@4"},
		{"run before a number", "小区7个", "小区@1 <区@1 7@2 个@3 个>@3 <个@3"},
		{"lone character between numbers", "8月19日", "8@1 月@2 月>@2 <月@2 19@3 日@4 日>@4 <日@4"},
		{"runs between punctuation get no markers", "红色物业，示范。县", "红色@1 色物@2 物业@3 示范@4 县@5"},
		{"Latin word", "Mate50手机", "mate50@1 手机@2 手>@2"},
		{"punctuation between a number and a run is ignored", "2023，年度", "2023@1 年度@2 年>@2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range sch.indexCJK.Analyze([]byte(tt.in)) {
				if tk.Start != 0 || tk.End != 0 {
					t.Errorf("token %s keeps offsets %d-%d", tk.Term, tk.Start, tk.End)
				}
				got = append(got, fmt.Sprintf("%s@%d", tk.Term, tk.Position))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.in, g, tt.want)
			}
		})
	}
}
