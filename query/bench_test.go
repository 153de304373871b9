package query_test

import (
	"strings"
	"testing"

	"countynews/query"
)

// BenchmarkParse measures Parse on typical and worst-case queries
// (b.SetBytes: MB/s is megabytes of q parsed a second).
func BenchmarkParse(b *testing.B) {
	cases := []struct{ name, q string }{
		{"one-term", "红色物业"},
		{"typical", `红色物业 网格 OR 红帆驿站 -梁山 "接诉即办 服务"`},
		{"full-width", "２０２１年\u3000ＡＢＣ\u3000ＯＲ\u3000－梁山"},
		{"long", strings.Repeat("梁山县 OR ", 30) + "梁山县"}, // 213 characters
		{"too-long", strings.Repeat("梁山县 ", 25_000)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.q)))
			b.ReportAllocs()
			_, want := query.Parse(c.q)
			for b.Loop() {
				if _, err := query.Parse(c.q); (err == nil) != (want == nil) {
					b.Fatal(err)
				}
			}
		})
	}
}
