package words

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/go-ego/gse"

	"countynews/internal/text"
)

// gseAndOurs loads gse with names of both kinds (new words, and 第一书记,
// which gse has at a low frequency and ReAddToken re-adds), and the
// Segmenter copied from it: the reference and the copy, compared below.
var gseAndOurs = sync.OnceValues(func() (*gse.Segmenter, error) {
	return load([]string{"微山", "梁山", "曲阜", "红色物业", "第一书记", "乡村振兴", "志愿服务", "街呼县应"})
})

var ours = sync.OnceValue(func() *Segmenter {
	g, err := gseAndOurs()
	if err != nil {
		return nil
	}
	return fromGse(g)
})

func reference(t testing.TB) (*gse.Segmenter, *Segmenter) {
	t.Helper()
	g, err := gseAndOurs()
	if err != nil {
		t.Fatal(err)
	}
	return g, ours()
}

// hanRuns returns the runs of Han characters of s, as Cut hands them to
// the dictionary.
func hanRuns(s string) []string {
	var out []string
	rs := []rune(text.Fold(s))
	for i := 0; i < len(rs); {
		if !text.IsCJK(rs[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && text.IsCJK(rs[j]) {
			j++
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

// texts reads the "text" or "q" field of each line of a JSONL file (nil
// if the file is missing).
func texts(t testing.TB, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Logf("%v: skipped", err)
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var v struct{ Text, Q, Title string }
		if json.Unmarshal(sc.Bytes(), &v) == nil {
			out = append(out, v.Text, v.Q, v.Title)
		}
	}
	return out
}

// TestCutMatchesGse: the flattened dictionary cuts every run of Han
// characters of real news (the repository's sample articles) and of the
// shared relevance questions (when present) exactly as gse's CutDAGNoHMM
// does on the dictionary it was copied from, and its stop words are
// gse's.
func TestCutMatchesGse(t *testing.T) {
	g, s := reference(t)
	var all []string
	all = append(all, texts(t, "../search/testdata/jining-sample.jsonl")...)
	all = append(all, texts(t, "../../../shared/eval/relevance-dev.jsonl")...)
	all = append(all, "第一书记帮扶", "微山乡村振兴", "哪两个部门联合发布了通知", "街呼县应接诉即办", "乾隆年间", "丨丶丿")
	runs, words := 0, 0
	for _, txt := range all {
		for _, run := range hanRuns(txt) {
			runs++
			got, want := s.dict.cutDAG(run), g.CutDAGNoHMM(run)
			if !slices.Equal(got, want) {
				t.Errorf("cut %q: %q, gse %q", run, got, want)
				continue
			}
			for _, w := range got {
				words++
				if s.IsStop(w) != g.IsStop(w) {
					t.Errorf("IsStop(%q) = %v, gse %v", w, s.IsStop(w), g.IsStop(w))
				}
			}
		}
	}
	if runs < 5000 {
		t.Errorf("only %d runs compared", runs)
	}
	t.Logf("%d runs, %d words compared", runs, words)
	if got := len(s.dict.freq); got < 300000 {
		t.Errorf("the copied dictionary has %d words", got)
	}
}

// FuzzCutMatchesGse compares the cuts on any text.
func FuzzCutMatchesGse(f *testing.F) {
	for _, s := range []string{"第一书记帮扶", "微山乡村振兴红色物业", "中华人民共和国国务院总理", "街呼县应", "丨丶丿乛"} {
		f.Add(s)
	}
	g, s := reference(f) // loaded before the inputs (a slow input counts as hung)
	f.Fuzz(func(t *testing.T, str string) {
		for _, run := range hanRuns(strings.ToValidUTF8(str, "")) {
			if got, want := s.dict.cutDAG(run), g.CutDAGNoHMM(run); !slices.Equal(got, want) {
				t.Fatalf("cut %q: %q, gse %q", run, got, want)
			}
		}
	})
}

// TestStartingMatchesSearch: the first-character index gives the same
// range of words as the binary search over the whole dictionary, for
// every character it covers and the ones around it.
func TestStartingMatchesSearch(t *testing.T) {
	_, s := reference(t)
	d := s.dict
	for r := rune(hanFirst - 2); r <= hanLast+2; r++ {
		p := utf8.AppendRune(nil, r)
		lo, hi := d.starting(r, p)
		wlo, whi := d.within(0, len(d.freq), p)
		if lo != wlo || hi != whi {
			t.Fatalf("%c: [%d, %d), search [%d, %d)", r, lo, hi, wlo, whi)
		}
	}
}
