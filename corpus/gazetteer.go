package corpus

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed data/gazetteer.json
var gazetteerJSON []byte

// County is one county-level division of the prefecture.
type County struct {
	// Name is the official name, e.g. 金乡县.
	Name string `json:"name"`
	// Short is the name datelines use, e.g. 金乡.
	Short string `json:"short"`
	// Aliases are other names that mean the county.
	Aliases []string `json:"aliases"`
	// Not lists look-alike phrases that contain one of the names but mean
	// something else (微山湖 is a lake, 梁山伯 a lover in a legend); they
	// count as no evidence.
	Not []string `json:"not"`
}

// Gazetteer is the list of counties an article can be filed under. It is
// data (corpus/data/gazetteer.json), not code: adding a prefecture means
// editing the file.
type Gazetteer struct {
	Prefecture string   `json:"prefecture"`
	Counties   []County `json:"counties"`
	// match finds every name and look-alike; a value encodes the county
	// index and the weight: val = index*4 + weight.
	match *phraseMatcher
}

// DefaultGazetteer returns Jining's gazetteer, embedded in the binary.
func DefaultGazetteer() (*Gazetteer, error) {
	return ParseGazetteer(gazetteerJSON)
}

// ParseGazetteer reads a gazetteer from its JSON form and checks it: every
// county needs a name and a short name, and no name may belong to two
// counties.
func ParseGazetteer(data []byte) (*Gazetteer, error) {
	var g Gazetteer
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	seen := map[string]string{}
	g.match = newPhraseMatcher()
	for i, c := range g.Counties {
		// Look-alikes first: they outrank names of the same length.
		for _, n := range c.Not {
			g.match.add(n, i*4+0)
		}
		g.match.add(c.Name, i*4+2)
		for _, n := range append([]string{c.Short}, c.Aliases...) {
			g.match.add(n, i*4+1)
		}
		if c.Name == "" || c.Short == "" {
			return nil, fmt.Errorf("gazetteer: county %+v needs name and short", c)
		}
		for _, n := range c.names() {
			if other, dup := seen[n]; dup && other != c.Name {
				return nil, fmt.Errorf("gazetteer: name %s belongs to both %s and %s", n, other, c.Name)
			}
			seen[n] = c.Name
		}
	}
	return &g, nil
}

func (c County) names() []string {
	return append([]string{c.Name, c.Short}, c.Aliases...)
}

// Lookup finds a county by official name, short name or alias.
func (g *Gazetteer) Lookup(name string) (County, bool) {
	name = strings.TrimSpace(name)
	for _, c := range g.Counties {
		for _, n := range c.names() {
			if n == name {
				return c, true
			}
		}
	}
	return County{}, false
}

// Mentions scores how strongly text names each county: an official name
// (金乡县) counts 2, a short name or alias alone counts 1, and look-alikes
// (微山湖, 梁山伯) count nothing. Only counties named at least once appear.
func (g *Gazetteer) Mentions(text string) map[string]int {
	var score map[string]int
	g.match.scan(text, func(v int) {
		if w := v % 4; w > 0 {
			if score == nil {
				score = map[string]int{}
			}
			score[g.Counties[v/4].Short] += w
		}
	})
	return score
}

// Strongest returns the county named most strongly in text, if exactly one
// county has the highest score.
func (g *Gazetteer) Strongest(text string) (County, bool) {
	best, bestScore, tie := "", 0, false
	for short, s := range g.Mentions(text) {
		switch {
		case s > bestScore:
			best, bestScore, tie = short, s, false
		case s == bestScore:
			tie = true
		}
	}
	if bestScore == 0 || tie {
		return County{}, false
	}
	return g.Lookup(best)
}

// Decide picks an article's county from the strongest evidence: each level
// of evidence is consulted in order (for a page: headline and subtitle, then
// the lead, then the whole text) and the first that names one county more
// strongly than any other wins.
func (g *Gazetteer) Decide(levels ...string) (County, bool) {
	for _, text := range levels {
		if c, ok := g.Strongest(text); ok {
			return c, true
		}
	}
	return County{}, false
}
