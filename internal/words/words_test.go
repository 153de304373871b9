package words_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"countynews/internal/words"
)

// shared loads one segmenter for every test of the package (loading takes
// about a second, several under -race).
var shared = sync.OnceValues(func() (*words.Segmenter, error) {
	return words.New([]string{"微山", "梁山", "曲阜", "红色物业", "第一书记", "乡村振兴", "志愿服务"})
})

func seg(t testing.TB) *words.Segmenter {
	t.Helper()
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCut(t *testing.T) {
	s := seg(t)
	tests := []struct{ name, in, want string }{
		{"county and program", "微山乡村振兴", "微山 乡村振兴"},
		{"red property", "梁山红色物业", "梁山 红色物业"},
		{"first secretary, in gse at a low frequency", "第一书记帮扶", "第一书记 帮扶"},
		{"volunteer service", "曲阜志愿服务", "曲阜 志愿服务"},
		{"question: punctuation dropped, stop words kept", "哪两个部门联合发布了《通知》？", "哪 两个 部门 联合 发布 了 通知"},
		{"numbers and latin words whole", "2023年GDP增长6.3%", "2023 年 gdp 增长 6.3"},
		{"unknown single characters joined", "街呼县应、接诉即办", "街呼县应 接诉 即 办"},
		{"only punctuation", "，。！", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(s.Cut(tc.in), " ")
			if got != tc.want {
				t.Errorf("Cut(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsStop(t *testing.T) {
	s := seg(t)
	for _, w := range []string{"的", "了", "哪些", "什么", "是否", "如何"} {
		if !s.IsStop(w) {
			t.Errorf("IsStop(%q) = false", w)
		}
	}
	for _, w := range []string{"乡村振兴", "部门", "2023", "微山"} {
		if s.IsStop(w) {
			t.Errorf("IsStop(%q) = true", w)
		}
	}
}

// TestConcurrentCut cuts from several goroutines while another segmenter
// loads (run with -race: gse's HMM globals must not be touched).
func TestConcurrentCut(t *testing.T) {
	s := seg(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := words.New(nil); err != nil {
			t.Error(err)
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got := s.Cut("微山乡村振兴"); !slices.Equal(got, []string{"微山", "乡村振兴"}) {
					t.Errorf("Cut = %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := words.New([]string{"红色物业"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCut(b *testing.B) {
	s := seg(b)
	p := "今年以来，邹城市深化党建引领基层治理，探索微治理模式，打造网格化服务体系。2023年国家统计局发布的数据显示，全国居民人均可支配收入增长6.3%。"
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		s.Cut(p)
	}
}
