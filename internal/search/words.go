package search

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"countynews/corpus"
	"countynews/internal/words"
)

// Words is the word segmenter of relaxed matching (match.go) and Similar,
// loaded once and then shared: loading gse's dictionary takes about a
// second (several under -race or on a busy machine), so a process makes
// one and hands it to every Index it opens (WithWords); an Index opened
// without one makes its own. Loading starts at the first use (or Preload)
// and runs to the end in the background; a search waits for it only as
// long as its context allows.
type Words struct {
	start sync.Once
	ready chan struct{} // closed when seg and err are set
	seg   *words.Segmenter
	err   error
}

// NewWords returns a segmenter that loads on first use.
func NewWords() *Words { return &Words{ready: make(chan struct{})} }

// Preload starts loading in the background, so that the first relaxed
// search does not wait for it.
func (w *Words) Preload() {
	w.start.Do(func() {
		go func() {
			defer close(w.ready)
			w.seg, w.err = words.New(dictionaryNames())
		}()
	})
}

// Load waits until the segmenter is loaded or ctx ends.
func (w *Words) Load(ctx context.Context) error {
	_, err := w.get(ctx)
	return err
}

// get returns the segmenter: gse's dictionary plus the gazetteer's county
// names (official, short, aliases and look-alikes such as 微山湖) and the
// program taxonomy's names and keywords, so that 微山, 红色物业 and 第一书记
// come out whole.
func (w *Words) get(ctx context.Context) (*words.Segmenter, error) {
	w.Preload()
	select {
	case <-w.ready:
		if w.err != nil {
			return nil, fmt.Errorf("word segmenter: %w", w.err)
		}
		return w.seg, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("word segmenter still loading: %w", ctx.Err())
	}
}

// dictionaryNames lists the corpus data's names for the segmenter.
func dictionaryNames() []string {
	var out []string
	if g, err := corpus.DefaultGazetteer(); err == nil {
		for _, c := range g.Counties {
			out = append(out, c.Name, c.Short)
			out = append(out, c.Aliases...)
			out = append(out, c.Not...)
		}
	}
	if t, err := corpus.DefaultTaxonomy(); err == nil {
		for _, p := range t.Programs {
			out = append(out, termPieces(p.Name)...) // 驻村帮扶（第一书记/下派干部）
			out = append(out, p.Keywords...)
		}
	}
	return out
}

// Option configures Open.
type Option func(*Index)

// WithWords makes the index use w, shared with other indexes, instead of
// loading its own segmenter.
func WithWords(w *Words) Option {
	return func(ix *Index) {
		if w != nil {
			ix.words = w
		}
	}
}

// splitRune reports whether r separates the pieces of a term: CJK
// punctuation (、，。；：！？“”《》…) and ASCII punctuation and symbols, but
// not the point or comma inside a number, which the caller keeps.
func splitRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsNumber(r)
}

// termPieces cuts s at punctuation, symbols and whitespace into the runs of
// letters, digits and Han characters between them; a point or comma
// between two digits (6.3, 1,000) stays inside its run. 街呼县应、接诉即办 →
// 街呼县应 接诉即办; “乡村振兴” → 乡村振兴.
func termPieces(s string) []string {
	rs := []rune(s)
	var out []string
	st := -1
	for i, r := range rs {
		keep := !splitRune(r) || (r == '.' || r == ',') && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1])
		switch {
		case keep && st < 0:
			st = i
		case !keep && st >= 0:
			out = append(out, string(rs[st:i]))
			st = -1
		}
	}
	if st >= 0 {
		out = append(out, string(rs[st:]))
	}
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// hasSplit reports whether s holds a character termPieces cuts at.
func hasSplit(s string) bool { return strings.ContainsFunc(s, splitRune) }
