// Package tradtable derives the per-character traditional-to-simplified
// fold of text.FoldTrad from OpenCC (github.com/longbridgeapp/opencc), for
// the generator of the table and the test that keeps it current.
package tradtable

import (
	"fmt"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Pairs returns [traditional, simplified] for every character of the CJK
// Unified Ideographs blocks (extension A and the basic block) that OpenCC's
// t2s turns, on its own, into one other character, leaving out the
// characters that are themselves simplified forms (s2t changes them: 台,
// 后, 里 stay as they are, or simplified text would be conflated with
// other words). Ambiguous characters take OpenCC's first choice (乾 → 干).
func Pairs() ([][2]rune, error) {
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("opencc t2s: %w", err)
	}
	s2t, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("opencc s2t: %w", err)
	}
	var out [][2]rune
	for c := rune(0x3400); c <= 0x9FFF; c++ {
		s, err := t2s.Convert(string(c))
		if err != nil {
			return nil, err
		}
		r, n := utf8.DecodeRuneInString(s)
		if n != len(s) || r == c {
			continue
		}
		if back, err := s2t.Convert(string(c)); err != nil || back != string(c) {
			continue
		}
		out = append(out, [2]rune{c, r})
	}
	return out, nil
}
