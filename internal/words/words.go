// Package words cuts Chinese text into words: an adapter around the gse
// segmenter (github.com/go-ego/gse), pure Go, with its simplified Chinese
// dictionary embedded in the binary.
//
// Chinese is written without spaces, so a query such as 微山乡村振兴 has to
// be cut into words (微山 乡村振兴) before its words can be looked for
// apart. The county papers' own vocabulary (county names, program names
// such as 红色物业, 第一书记) is added to the dictionary by the caller, so
// that those names come out whole.
//
// Why gse: measured against gojieba (cgo jieba) on the same news sentences
// and queries (微山乡村振兴, 哪两个部门联合发布了《通知》？, a county report's
// sentences), both cut them alike once the project's names are added
// (gojieba knows 第一书记 and 今年以来, gse needed 第一书记 added); gojieba
// loads in 0.35 s and cuts 24 MB/s, gse in 0.8–0.9 s (4.4 s under -race)
// at 7 MB/s with HMM, 4–5 MB/s without (BenchmarkNew, BenchmarkCut).
// gse wins on what matters more here: no cgo (CI's -race builds, no C++
// toolchain, plain cross-compilation) and a dictionary embedded in the
// binary (gojieba reads its dictionaries from the module's source
// directory at run time). Queries are short, so cutting speed does not
// matter; loading time does, so a Segmenter is loaded once per process and
// shared.
//
// Once loaded, gse's dictionary is copied into flat arrays the garbage
// collector need not trace and gse's own structures are dropped (dict.go):
// the words are cut exactly as gse cuts them.
//
// gse's HMM model for unknown words lives in package variables that every
// new segmenter rewrites, which would race between segmenters loaded at the
// same time; it is not used. Instead a run of single characters the
// dictionary does not join (a name it does not know, 街呼县应) is kept as
// one word.
package words

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-ego/gse"

	"countynews/internal/text"
)

// Segmenter cuts text into words. It is safe for concurrent use once
// made; it never changes.
type Segmenter struct {
	dict *dict           // gse's dictionary, flattened (dict.go)
	stop map[string]bool // gse's stop words and questionWords
}

// extraFreq is the dictionary frequency given to the caller's words: high
// enough that a name beats its parts (第一书记 over 第一 + 书记; gse's own
// dictionary has 第一书记 at frequency 3), low enough that it does not
// swallow a common word next to it.
const extraFreq = 20000

// questionWords are stop words of typed questions that gse's stop list
// lacks: they say what is asked, not what it is about.
var questionWords = []string{
	"是否", "请问", "哪家", "哪位", "哪项", "哪一", "哪一年", "哪一天", "几个", "多少个",
	"怎样", "怎么样", "什么样", "有哪些", "是什么", "是谁", "是多少", "多久", "多大",
	"哪种", "哪类", "哪方面", "分别", "主要", "具体", "一些", "包括",
}

// New loads gse's simplified Chinese dictionary and stop list and adds
// extra (names that must come out whole) as words. Loading takes about a
// second (BenchmarkNew).
func New(extra []string) (*Segmenter, error) {
	seg, err := load(extra)
	if err != nil {
		return nil, err
	}
	return fromGse(seg), nil
}

// fromGse copies what cutting needs out of a loaded gse segmenter, which
// can then be dropped (see dict).
func fromGse(seg *gse.Segmenter) *Segmenter {
	return &Segmenter{dict: newDict(seg), stop: maps.Clone(seg.StopWordMap)}
}

// load loads gse's dictionary and stop words, and extra.
func load(extra []string) (*gse.Segmenter, error) {
	seg := new(gse.Segmenter)
	seg.NotLoadHMM = true
	seg.SkipLog = true
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	if err := seg.LoadStopEmbed(); err != nil {
		return nil, fmt.Errorf("load gse stop words: %w", err)
	}
	seg.LoadStopArr(questionWords)
	for _, w := range extra {
		w = strings.TrimSpace(text.Fold(w))
		if w == "" || strings.ContainsFunc(w, text.IsSpace) {
			continue
		}
		freq, _, ok := seg.Find(w)
		var err error
		switch {
		case !ok:
			err = seg.AddToken(w, extraFreq, "nz")
		case freq < extraFreq:
			err = seg.ReAddToken(w, extraFreq, "nz")
		}
		if err != nil {
			return nil, fmt.Errorf("add word %q: %w", w, err)
		}
	}
	return seg, nil
}

// Cut returns the words of s in order: runs of Han characters cut by the
// dictionary, a number (6.3, 1,000) or Latin word whole and lower-cased,
// and punctuation, symbols and whitespace dropped. Consecutive single Han
// characters that are not stop words are joined into one word. s should be
// folded (text.Fold) first.
func (s *Segmenter) Cut(str string) []string {
	var out []string
	rs := []rune(str)
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case text.IsCJK(rs[i]):
			for j < len(rs) && text.IsCJK(rs[j]) {
				j++
			}
			out = s.cutHan(out, string(rs[i:j]))
		case alnum(rs[i]):
			for j < len(rs) && (alnum(rs[j]) || (rs[j] == '.' || rs[j] == ',') && j+1 < len(rs) &&
				unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1])) {
				j++
			}
			out = append(out, strings.ToLower(string(rs[i:j])))
		}
		i = j
	}
	return out
}

// cutHan appends the words of a run of Han characters.
func (s *Segmenter) cutHan(out []string, run string) []string {
	var single []string // pending single characters
	flush := func() {
		if len(single) > 0 {
			out = append(out, strings.Join(single, ""))
			single = single[:0]
		}
	}
	for _, w := range s.dict.cutDAG(run) {
		if len([]rune(w)) == 1 && !s.IsStop(w) {
			single = append(single, w)
			continue
		}
		flush()
		out = append(out, w)
	}
	flush()
	return out
}

// alnum reports whether r is a letter or digit of a Latin word or number.
func alnum(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsNumber(r)) && !text.IsCJK(r)
}

// IsStop reports whether w is a stop word: a particle, pronoun,
// preposition or question word (的, 了, 哪些, 什么, 如何) from gse's Chinese
// stop list and a few question words of our own. Numbers are never stop
// words here.
func (s *Segmenter) IsStop(w string) bool {
	if _, err := strconv.ParseFloat(w, 64); err == nil {
		return false
	}
	_, ok := s.stop[w] // as gse's IsStop
	return ok
}
