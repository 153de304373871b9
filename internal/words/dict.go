package words

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// dict is gse's dictionary as loaded (its simplified Chinese words, the
// caller's names), copied into three flat arrays: the words' bytes in byte
// order, where each starts, and its frequency. gse keeps the dictionary as
// a double-array trie plus a Token per word, each holding a slice of
// slices: 1.7 million small objects and 163 MB that the garbage collector
// traces at every cycle (a forced collection took 130 ms with it, 4 ms
// without), in a server whose searches allocate a few hundred kilobytes
// each. The arrays hold no pointer the collector must follow; the gse
// segmenter they are copied from is dropped once they are made.
//
// cutDAG reproduces gse's CutDAGNoHMM on them exactly (the same DAG of
// dictionary words, the same maximum-probability route and its ties, the
// same lookups: gse's Dictionary.Find), which TestCutMatchesGse and
// FuzzCutMatchesGse check against gse itself.
type dict struct {
	text   []byte    // the words, sorted bytewise, concatenated
	starts []uint32  // word i is text[starts[i]:starts[i+1]]
	freq   []float64 // word i's frequency
	logT   float64   // log of gse's total frequency
	// byFirst[r-hanFirst] is the first word that starts with r or a
	// later character, for the common Han characters: the words
	// starting with r are byFirst[r-hanFirst] to byFirst[r-hanFirst+1],
	// found without a search over the whole dictionary (whose first
	// steps miss the processor's caches at every lookup).
	byFirst []uint32
}

// hanFirst and hanLast bound the characters byFirst indexes (CJK
// Unified Ideographs and Extension A, three bytes each in UTF-8, so that
// byte order is character order).
const (
	hanFirst = 0x3400
	hanLast  = 0x9FFF
)

// newDict copies the words gse's trie holds. A word ReAddToken re-added
// (a name of ours given a higher frequency) is in gse's token list twice,
// the first copy no longer in the trie: only the token the trie points at
// counts.
func newDict(seg *gse.Segmenter) *dict {
	type entry struct {
		w    string
		freq float64
	}
	var es []entry
	for i := range seg.Dict.Tokens {
		tk := &seg.Dict.Tokens[i]
		w := tk.Text()
		if w == "" {
			continue
		}
		if v, _, err := seg.Dict.Value([]byte(w)); err != nil || v != i {
			continue // removed from the trie (re-added as another token)
		}
		es = append(es, entry{w, tk.Freq()})
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.w, b.w) })
	es = slices.CompactFunc(es, func(a, b entry) bool { return a.w == b.w })
	d := &dict{starts: make([]uint32, 0, len(es)+1), freq: make([]float64, 0, len(es)), logT: math.Log(seg.Dict.TotalFreq())}
	n := 0
	for _, e := range es {
		n += len(e.w)
	}
	d.text = make([]byte, 0, n)
	for _, e := range es {
		d.starts = append(d.starts, uint32(len(d.text)))
		d.text = append(d.text, e.w...)
		d.freq = append(d.freq, e.freq)
	}
	d.starts = append(d.starts, uint32(len(d.text)))
	d.byFirst = make([]uint32, hanLast-hanFirst+2)
	var b [utf8.UTFMax]byte
	for r := rune(hanFirst); r <= hanLast+1; r++ {
		p := utf8.AppendRune(b[:0], r)
		d.byFirst[r-hanFirst] = uint32(sort.Search(len(d.freq), func(i int) bool { return bytes.Compare(d.word(i), p) >= 0 }))
	}
	return d
}

// starting returns the words starting with the character r: [lo, hi).
func (d *dict) starting(r rune, p []byte) (int, int) {
	if r >= hanFirst && r <= hanLast {
		return int(d.byFirst[r-hanFirst]), int(d.byFirst[r-hanFirst+1])
	}
	return d.within(0, len(d.freq), p)
}

func (d *dict) word(i int) []byte { return d.text[d.starts[i]:d.starts[i+1]] }

// within narrows [lo, hi), the words starting with a prefix of p, to those
// starting with p itself.
func (d *dict) within(lo, hi int, p []byte) (int, int) {
	lo += sort.Search(hi-lo, func(i int) bool { return bytes.Compare(d.word(lo+i), p) >= 0 })
	hi = lo + sort.Search(hi-lo, func(i int) bool { return !bytes.HasPrefix(d.word(lo+i), p) })
	return lo, hi
}

// find is gse's Dictionary.Find on the words [lo, hi) starting with p:
// whether p is in the trie at all (a word or the start of one), and its
// frequency if it is a word (0 otherwise).
func (d *dict) find(lo, hi int, p []byte) (float64, bool) {
	if lo >= hi {
		return 0, false
	}
	if bytes.Equal(d.word(lo), p) {
		return d.freq[lo], true
	}
	return 0, true
}

// cutDAG cuts a run of Han characters as gse's CutDAGNoHMM does.
func (d *dict) cutDAG(str string) []string {
	str = strings.ToLower(str) // gse.ToLower
	runes := []rune(str)
	n := len(runes)
	var buf [64]byte
	// dag[k]: the ends i of the words runes[k:i+1] (gse's getDag), and
	// their frequencies (its calc's Find of each).
	type end struct {
		i    int
		freq float64
		ok   bool
	}
	dag := make([][]end, n)
	for k := 0; k < n; k++ {
		var lo, hi int
		frag := buf[:0]
		for i := k; i < n; i++ {
			frag = utf8.AppendRune(frag, runes[i])
			if i == k {
				lo, hi = d.starting(runes[k], frag)
			} else {
				lo, hi = d.within(lo, hi, frag)
			}
			freq, ok := d.find(lo, hi, frag)
			if !ok {
				break
			}
			if freq > 0 {
				dag[k] = append(dag[k], end{i, freq, true})
			}
		}
		if len(dag[k]) == 0 {
			// The character alone; calc looks it up (it may be the start
			// of a word only: frequency 0, log -Inf, as in gse).
			p := utf8.AppendRune(buf[:0], runes[k])
			lo, hi := d.starting(runes[k], p)
			freq, ok := d.find(lo, hi, p)
			dag[k] = append(dag[k], end{k, freq, ok})
		}
	}
	type route struct {
		freq  float64
		index int
	}
	rs := make([]route, n+1)
	set := make([]bool, n+1)
	set[n] = true
	for idx := n - 1; idx >= 0; idx-- {
		for _, e := range dag[idx] {
			var r route
			if e.ok {
				r = route{math.Log(e.freq) - d.logT + rs[e.i+1].freq, e.i}
			} else {
				r = route{math.Log(1.0) - d.logT + rs[e.i+1].freq, e.i}
			}
			if !set[idx] {
				rs[idx], set[idx] = r, true
				continue
			}
			v := rs[idx]
			if v.freq < r.freq || v.freq == r.freq && v.index < r.index {
				rs[idx] = r
			}
		}
	}
	var out []string
	var single []rune // gse's buffer of single ASCII letters and digits
	for x := 0; x < n; {
		y := rs[x].index + 1
		frag := runes[x:y]
		if len(frag) == 1 && asciiAlnum(frag[0]) {
			single = append(single, frag...)
			x = y
			continue
		}
		if len(single) > 0 {
			out = append(out, string(single))
			single = single[:0]
		}
		out = append(out, string(frag))
		x = y
	}
	if len(single) > 0 {
		out = append(out, string(single))
	}
	return out
}

// asciiAlnum is gse's [[:alnum:]].
func asciiAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
