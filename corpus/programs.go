package corpus

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"countynews/internal/text"
)

//go:embed data/programs.json
var programsJSON []byte

// Program is one line of local government work, such as 乡村振兴, and the
// words that name it.
type Program struct {
	Name     string   `json:"name"`
	Keywords []string `json:"keywords"`
}

// Taxonomy is the list of programs paragraphs are tagged with. It is data
// (corpus/data/programs.json), not code.
type Taxonomy struct {
	Programs []Program `json:"programs"`
	match    *phraseMatcher
}

// DefaultTaxonomy returns the embedded taxonomy.
func DefaultTaxonomy() (*Taxonomy, error) { return ParseTaxonomy(programsJSON) }

// ParseTaxonomy reads a taxonomy from JSON and checks that every program
// has a unique name and at least one keyword.
func ParseTaxonomy(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	seen := map[string]bool{}
	t.match = newPhraseMatcher()
	for i, p := range t.Programs {
		if p.Name == "" || len(p.Keywords) == 0 || seen[p.Name] {
			return nil, fmt.Errorf("taxonomy: program %d (%q) needs a unique name and keywords", i+1, p.Name)
		}
		seen[p.Name] = true
		for j, k := range p.Keywords {
			t.Programs[i].Keywords[j] = text.FoldWidth(k)
			t.match.add(text.FoldWidth(k), i)
		}
	}
	return &t, nil
}

// Match returns, in taxonomy order, the programs that any of texts names.
// It never returns nil, so that JSON shows [] rather than null.
func (t *Taxonomy) Match(texts ...string) []string {
	found := make([]bool, len(t.Programs))
	for _, s := range texts {
		t.match.scan(s, func(i int) { found[i] = true })
	}
	out := []string{}
	for i, ok := range found {
		if ok {
			out = append(out, t.Programs[i].Name)
		}
	}
	return out
}
