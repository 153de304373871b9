package corpus

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// County by evidence. An article is filed under a county only when it is
// about that county, judged the way a reader of Chinese local news judges
// it: where the headline, dateline and lead put the story, and whether the
// county keeps coming back as the place where things happen. Chinese place
// names are short and sit inside other words (吕梁山 holds 梁山, 钓鱼台 holds
// 鱼台, 沂沭泗水系 holds 泗水), so every mention is weighed in its context:
//
//   - look-alikes (County.Not) and names inside a work's title 《…》 are no
//     evidence; nor is a mention the gazetteer's contexts rule out: a person
//     (导演梁山), a birthplace (汶上县人，), an origin (来自邹城市的), a road
//     (曲阜路), a route (烟台至曲阜东), a suspect's trail (窜至泗水);
//   - a mention in the headline weighs weightHeadline; in the lead
//     weightLead (official or qualified: 梁山县, 济宁梁山) or weightLeadShort;
//     further on weightBody or weightBodyShort;
//   - a list item (next to 、和及与: 曲阜市、泰安市和青岛市) weighs half:
//     a list names places, it is not about them;
//   - one end of a route (烟台至曲阜东, 从曲阜到敦煌: two places joined by
//     至, 到, —) is no evidence;
//   - a landmark (County.Landmarks: 微山湖) supports a county a little,
//     never enough alone.
//
// The county with the most weight wins when it reaches minEvidence and
// outweighs the runner-up at least twofold. When the headline or lead
// names a place outside the prefecture (Context.Elsewhere: 济南警方,
// 滕州：…) and no county, the story happens elsewhere and the winner needs
// minEvidenceElsewhere. Otherwise the county stays empty: weak evidence
// files nothing, rather than file an article under the wrong county.

const (
	formNot      = 0 // a look-alike: no evidence
	formShort    = 1 // a short name or alias: 梁山
	formOfficial = 2 // the official name: 梁山县
	formLandmark = 3 // a place in the county: 微山湖

	weightHeadline  = 4.0
	weightLead      = 3.0
	weightLeadShort = 2.0
	weightBody      = 1.5
	weightBodyShort = 1.0
	listFactor      = 0.5
	// weightLandmark is a landmark's support, anywhere, up to maxLandmark
	// for a county: less than minEvidence, so landmarks alone file nothing.
	weightLandmark = 0.5
	maxLandmark    = 1.5

	minEvidence          = 2.5
	minEvidenceElsewhere = 6.0
	// leadMin and leadMax bound the lead, in characters: it runs to the end
	// of the first sentence that ends at or after leadMin (a one-phrase
	// opening such as 全城悲恸，只为一人！ is too short to place a story),
	// and no further than leadMax.
	leadMin = 40
	leadMax = 200
	// titleMax bounds a work's title 《…》 in characters: an unclosed 《 does
	// not hide the rest of the text.
	titleMax = 40
)

// listMarks join the items of a list of places; an item may carry a
// direction (曲阜市东北部、泗水县北部).
const (
	listMarks  = "、和及与"
	directions = "东南西北中部"
)

// Locate files an article under the county it is about, from its headline,
// its lead and the rest of its text (see the package's rules above), or
// reports false when the evidence is weak.
func (g *Gazetteer) Locate(headline, lead, rest string) (County, bool) {
	score := make([]float64, len(g.Counties))
	landmark := make([]float64, len(g.Counties))
	anyCounty := false
	add := func(s string, strong, short float64, placing bool) {
		g.mentions(s, func(county, form int, list bool) {
			if form == formLandmark {
				landmark[county] = min(maxLandmark, landmark[county]+weightLandmark)
				return
			}
			w := short
			if form == formOfficial {
				w = strong
			}
			if list {
				w *= listFactor
			}
			score[county] += w
			anyCounty = anyCounty || placing
		})
	}
	add(headline, weightHeadline, weightHeadline, true)
	add(lead, weightLead, weightLeadShort, true)
	add(rest, weightBody, weightBodyShort, false)
	for i := range score {
		score[i] += landmark[i]
	}

	need := minEvidence
	if !anyCounty && g.namesElsewhere(headline+"\n"+lead) {
		need = minEvidenceElsewhere
	}
	best, second := 0, 0.0
	for i, s := range score {
		if s > score[best] {
			best = i
		}
	}
	for i, s := range score {
		if i != best && s > second {
			second = s
		}
	}
	if len(score) == 0 || score[best] < need || score[best] < 2*second {
		return County{}, false
	}
	return g.Counties[best], true
}

// mentions calls fn for each mention of a county in s that is evidence:
// its form (formOfficial for the official name or a name qualified by the
// prefecture or province, formShort, formLandmark) and whether it is a
// list item.
func (g *Gazetteer) mentions(s string, fn func(county, form int, list bool)) {
	titles := titleSpans(s)
	g.match.find(s, func(start, end, val int) {
		form := val % 4
		if form == formNot || inSpans(titles, start) {
			return
		}
		before, after := s[:start], s[end:]
		if hasSuffixAny(before, g.Context.BeforeNot) || hasPrefixAny(after, g.Context.AfterNot) {
			return
		}
		if q := suffixOf(before, g.Context.Qualifiers); q != "" {
			if form == formShort {
				form = formOfficial
			}
			before = before[:len(before)-len(q)]
			if hasSuffixAny(before, g.Context.BeforeNot) {
				return
			}
		}
		if g.routeEnd(before, after) {
			return
		}
		prev, _ := utf8.DecodeLastRuneInString(before)
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(after, directions))
		list := strings.ContainsRune(listMarks, prev) || strings.ContainsRune(listMarks, next)
		fn(val/4, form, list)
	})
}

// routeMarks join the two ends of a route: 烟台至曲阜东, 曲阜到敦煌, 枣庄—菏泽.
const routeMarks = "至到—-"

// routeEnd reports whether the place between before and after is one end
// of a route: joined by a route mark to another place (a county, the
// prefecture, a qualifier or a place elsewhere).
func (g *Gazetteer) routeEnd(before, after string) bool {
	if r, size := utf8.DecodeLastRuneInString(before); strings.ContainsRune(routeMarks, r) && g.endsWithPlace(before[:len(before)-size]) {
		return true
	}
	if r, size := utf8.DecodeRuneInString(after); strings.ContainsRune(routeMarks, r) && g.startsWithPlace(after[size:]) {
		return true
	}
	return false
}

// endsWithPlace reports whether s ends with a whole place name: a
// county's, a qualifier, or one elsewhere.
func (g *Gazetteer) endsWithPlace(s string) bool {
	for n, i := 0, len(s); i > 0 && n < 6; n++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if n >= 1 && g.placeLen(s[i:]) == len(s)-i {
			return true
		}
	}
	return false
}

// startsWithPlace reports whether s opens with a place name.
func (g *Gazetteer) startsWithPlace(s string) bool { return g.placeLen(s) > 0 }

// placeLen returns the byte length of the place name s opens with (a
// qualifier, a county's name or alias, or a place elsewhere), or 0.
func (g *Gazetteer) placeLen(s string) int {
	n := 0
	for _, q := range g.Context.Qualifiers {
		if strings.HasPrefix(s, q) {
			n = max(n, len(q))
		}
	}
	g.match.at(s, func(text string, val int) {
		if val%4 != formNot {
			n = max(n, len(text))
		}
	})
	g.elsewhere.at(s, func(text string, _ int) { n = max(n, len(text)) })
	return n
}

// namesElsewhere reports whether s names a place outside the prefecture as
// the story's place. A name that only opens an outlet's dateline (中新网北京
// 8月15日电, 济南报道, 济南讯), or one of a list or a route, does not count.
func (g *Gazetteer) namesElsewhere(s string) bool {
	found := false
	g.elsewhere.find(s, func(start, end, _ int) {
		before, after := s[:start], s[end:]
		if strings.HasPrefix(after, "报道") || strings.HasPrefix(after, "讯") || startsWithDate(after) {
			return
		}
		prev, _ := utf8.DecodeLastRuneInString(before)
		next, _ := utf8.DecodeRuneInString(after)
		if strings.ContainsRune(listMarks+routeMarks, prev) || strings.ContainsRune(listMarks+routeMarks, next) {
			return
		}
		found = true
	})
	return found
}

// startsWithDate reports whether s opens with a month or day number (8月,
// 15日): a dateline's date.
func startsWithDate(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && (strings.HasPrefix(s[i:], "月") || strings.HasPrefix(s[i:], "日"))
}

// titleSpans returns the byte spans of the works' titles 《…》 in s, each at
// most titleMax characters long.
func titleSpans(s string) [][2]int {
	var out [][2]int
	for i := 0; ; {
		j := strings.Index(s[i:], "《")
		if j < 0 {
			return out
		}
		open := i + j
		k := strings.Index(s[open:], "》")
		if k < 0 || utf8.RuneCountInString(s[open:open+k]) > titleMax {
			i = open + len("《")
			continue
		}
		out = append(out, [2]int{open, open + k})
		i = open + k
	}
}

func inSpans(spans [][2]int, at int) bool {
	for _, sp := range spans {
		if at > sp[0] && at < sp[1] {
			return true
		}
	}
	return false
}

func hasSuffixAny(s string, list []string) bool { return suffixOf(s, list) != "" }

// suffixOf returns the first of list that s ends with (list is sorted
// longest first, so that 山东省济宁市 wins over 济宁市), or "".
func suffixOf(s string, list []string) string {
	for _, x := range list {
		if x != "" && strings.HasSuffix(s, x) {
			return x
		}
	}
	return ""
}

func hasPrefixAny(s string, list []string) bool {
	for _, x := range list {
		if x != "" && strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

func sortLongestFirst(list []string) {
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
}

// splitLead cuts an article's text into its lead and the rest: the lead
// runs to the end of the first sentence that ends at or after leadMin
// characters, and no further than leadMax characters.
func splitLead(text string) (lead, rest string) {
	n := 0
	for i, r := range text {
		n++
		if n > leadMax {
			return text[:i], text[i:]
		}
		if n >= leadMin && strings.ContainsRune(terminators, r) {
			end := i + utf8.RuneLen(r)
			for end < len(text) {
				c, size := utf8.DecodeRuneInString(text[end:])
				if !strings.ContainsRune(closers, c) {
					break
				}
				end += size
			}
			return text[:end], text[end:]
		}
	}
	return text, ""
}
