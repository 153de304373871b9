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
	// Landmarks are places in the county (微山湖) whose mention supports
	// filing an article under it but cannot do so alone.
	Landmarks []string `json:"landmarks"`
	// Not lists look-alike phrases that contain one of the names but mean
	// something else (微山湖 is a lake, 梁山伯 a lover in a legend); they
	// count as no evidence.
	Not []string `json:"not"`
}

// Gazetteer is the list of counties an article can be filed under, and the
// contexts that make a mention of one evidence or not. It is data
// (corpus/data/gazetteer.json), not code: adding a prefecture, a look-alike
// or a context means editing the file.
type Gazetteer struct {
	Prefecture string   `json:"prefecture"`
	Counties   []County `json:"counties"`
	Context    Context  `json:"context"`
	// match finds every name, landmark and look-alike; a value encodes the
	// county index and the form: val = index*4 + form (formNot, formShort,
	// formOfficial, formLandmark).
	match *phraseMatcher
	// elsewhere finds Context.Elsewhere.
	elsewhere *phraseMatcher
}

// Context lists what around a county's name decides whether the mention is
// evidence that the article is about the county. It applies to every county.
type Context struct {
	// Qualifiers, written right before a name, tie it to this prefecture:
	// 济宁梁山, 山东梁山县. A qualified short name counts like an official one.
	Qualifiers []string `json:"qualifiers"`
	// BeforeNot: right before a name, the mention is no evidence: a person
	// (导演梁山), an origin (来自邹城市的), a route (烟台至曲阜东), where a
	// suspect from elsewhere went (窜至泗水).
	BeforeNot []string `json:"before_not"`
	// AfterNot: right after a name, the mention is no evidence: a birthplace
	// (汶上县人，), a road named after the place (曲阜路), a route (济宁至…).
	AfterNot []string `json:"after_not"`
	// Elsewhere names places outside the prefecture: a headline or lead
	// that names one and no county says the story happens elsewhere, and
	// the body then needs more evidence (see Locate).
	Elsewhere []string `json:"elsewhere"`
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
			g.match.add(n, i*4+formNot)
		}
		g.match.add(c.Name, i*4+formOfficial)
		for _, n := range c.Landmarks {
			g.match.add(n, i*4+formLandmark)
		}
		for _, n := range append([]string{c.Short}, c.Aliases...) {
			g.match.add(n, i*4+formShort)
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
	g.elsewhere = newPhraseMatcher()
	for _, n := range g.Context.Elsewhere {
		if _, dup := seen[n]; dup {
			return nil, fmt.Errorf("gazetteer: %s is both a county name and elsewhere", n)
		}
		g.elsewhere.add(n, 0)
	}
	sortLongestFirst(g.Context.Qualifiers)
	sortLongestFirst(g.Context.BeforeNot)
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

// Mentions scores how strongly a short text (a query's term) names each
// county, out of any context: an official name (金乡县) counts 2, a short
// name or alias alone counts 1; look-alikes (微山湖, 梁山伯) and landmarks
// count nothing. Only counties named at least once appear. Articles are
// filed by Locate, which weighs each mention's context.
func (g *Gazetteer) Mentions(text string) map[string]int {
	var score map[string]int
	g.match.scan(text, func(v int) {
		w := 0
		switch v % 4 {
		case formOfficial:
			w = 2
		case formShort:
			w = 1
		}
		if w > 0 {
			if score == nil {
				score = map[string]int{}
			}
			score[g.Counties[v/4].Short] += w
		}
	})
	return score
}
