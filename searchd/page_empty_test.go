package main

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html/atom"

	"countynews/query"
)

// TestEmptyPageRelaxations: the links of an empty result page are made
// from the parsed query and the state, each finds what it says it finds
// (its count is the total of searching it, and above zero), and none
// loses a clause's meaning: a quoted "OR" or "-梁山" stays a quoted term.
func TestEmptyPageRelaxations(t *testing.T) {
	e := defaultFixture(t).e
	type link struct {
		label string
		q     string // the q of the link, canonical
		v     url.Values
	}
	tests := []struct {
		name   string
		params url.Values
		want   []link // every link offered, in order
	}{
		{"quoted minus is no exclusion", url.Values{"q": {`"-梁山" 火星村`}},
			[]link{{`只搜“"-梁山"”`, `"-梁山"`, nil}}},
		{"quoted OR with no hits is not offered", url.Values{"q": {`"OR" 火星村`}}, nil},
		{"Chinese quotes", url.Values{"q": {`“红色物业” 火星村`}},
			[]link{{`只搜“"红色物业"”`, `"红色物业"`, nil}}},
		{"exclusions kept", url.Values{"q": {"红色物业 火星村 -梁山"}},
			[]link{{"只搜“红色物业”", "红色物业 -梁山", nil}}},
		{"OR clause alone", url.Values{"q": {"红色物业 OR 火星 火星村"}},
			[]link{{"只搜“红色物业 OR 火星”", "红色物业 OR 火星", nil}}},
		{"filters kept when they find something", url.Values{"q": {"红色物业 火星村"}, "county": {"梁山"}},
			[]link{{"只搜“红色物业”", "红色物业", url.Values{"county": {"梁山"}}}}}, // 去掉“县区：梁山” finds nothing
		{"filter dropped", url.Values{"q": {"红色物业"}, "county": {"金乡", "梁山"}, "year": {"2030"}},
			[]link{{"去掉“年份：2030年”", "红色物业", url.Values{"county": {"金乡", "梁山"}}}, {"清除全部筛选", "红色物业", nil}}},
		{"filters dropped when they find nothing", url.Values{"q": {"红色物业 火星村"}, "county": {"金乡"}},
			[]link{{"只搜“红色物业”（不限筛选）", "红色物业", nil}}},
		{"one clause: nothing to search alone", url.Values{"q": {"火星村"}}, nil},
	}
	count := regexp.MustCompile(`（(\d+) 条）`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The empty page is exact mode's: under the default (auto)
			// the words of these queries are found apart.
			params := url.Values{"match": {"exact"}}
			for k, v := range tt.params {
				params[k] = v
			}
			r := okPage(t, e, "/?"+params.Encode())
			empty := findByClass(r.doc, "empty")
			if len(empty) != 1 {
				t.Fatalf("no explanation of the empty result")
			}
			var got []link
			for _, li := range findByTag(empty[0], atom.Li) {
				a := findByTag(li, atom.A)
				if len(a) == 0 {
					continue
				}
				u := hrefURL(t, a[0])
				v := u.Query()
				pq, err := query.Parse(v.Get("q"))
				if err != nil {
					t.Fatalf("link %s: q %q does not parse: %v", u, v.Get("q"), err)
				}
				m := count.FindStringSubmatch(nodeText(li))
				if m == nil {
					t.Fatalf("link %q says no count", nodeText(li))
				}
				n, _ := strconv.Atoi(m[1])
				if total := doSearch(t, e, v).Total; n == 0 || total != n {
					t.Errorf("link %q: shows %d, search finds %d", nodeText(a[0]), n, total)
				}
				if v.Get("match") != "exact" {
					t.Errorf("link %s: the mode is lost", u)
				}
				filters := url.Values{}
				for k, vs := range v {
					if k != "q" && k != "match" {
						filters[k] = vs
					}
				}
				if len(filters) == 0 {
					filters = nil
				}
				got = append(got, link{nodeText(a[0]), pq.String(), filters})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("links %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].label != tt.want[i].label || got[i].q != tt.want[i].q || !sameValues(got[i].v, tt.want[i].v) {
					t.Errorf("link %d: %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestClausesAlone: each positive clause alone, with every exclusion,
// written back in the language.
func TestClausesAlone(t *testing.T) {
	tests := map[string][]string{
		"a b":       {"a", "b"},
		`"OR" b -c`: {`"OR" -c`, "b -c"},
		`"-梁山" 火星村`: {`"-梁山"`, "火星村"},
		"a OR b c":  {"a OR b", "c"},
		"a a":       {"a"},
		"a -b":      nil,
		"“红色 物业” 《条例》 -“梁 山”": {`"红色 物业" -"梁 山"`, `《条例》 -"梁 山"`},
	}
	for q, want := range tests {
		pq, err := query.Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range clausesAlone(pq) {
			got = append(got, a.String())
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("clausesAlone(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestPageQueryHelp: did you mean and the filters the query names, as
// links that keep the state and find what they say.
func TestPageQueryHelp(t *testing.T) {
	e := defaultFixture(t).e
	tests := []struct {
		name   string
		params url.Values
		class  string
		want   []string // link texts, in order
		wantV  url.Values
	}{
		{"did you mean", url.Values{"q": {"乡村振新"}}, "didyoumean", []string{"乡村振兴", "乡村振兴新"}, url.Values{"q": {"乡村振兴"}}},
		{"did you mean keeps the filters", url.Values{"q": {"乡村振新"}, "county": {"嘉祥"}, "sort": {"newest"}}, "didyoumean", []string{"乡村振兴"},
			url.Values{"q": {"乡村振兴"}, "county": {"嘉祥"}, "sort": {"newest"}}},
		{"no correction when exact finds", url.Values{"q": {"乡村振兴"}}, "didyoumean", nil, nil},
		{"county chip", url.Values{"q": {"党建 OR 微山县"}, "year": {"2021"}}, "only", []string{"只看 微山县"},
			url.Values{"q": {"党建 OR 微山县"}, "year": {"2021"}, "county": {"微山"}}},
		{"county and program chips", url.Values{"q": {"党建 OR 微山 OR 乡村振兴"}}, "only", []string{"只看 微山县", "只看 乡村振兴"},
			url.Values{"q": {"党建 OR 微山 OR 乡村振兴"}, "county": {"微山"}}},
		{"no chip for a lake", url.Values{"q": {"党建 OR 微山湖"}}, "only", nil, nil},
	}
	count := regexp.MustCompile(`（(\d+) 条）`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := okPage(t, e, "/?"+tt.params.Encode())
			boxes := findByClass(r.doc, tt.class)
			if tt.want == nil {
				if len(boxes) != 0 {
					t.Fatalf("%s shown: %s", tt.class, nodeText(boxes[0]))
				}
				return
			}
			if len(boxes) != 1 {
				t.Fatalf("%d .%s, want 1", len(boxes), tt.class)
			}
			links := findByTag(boxes[0], atom.A)
			var texts []string
			for _, a := range links {
				text := nodeText(a)
				if m := count.FindStringSubmatch(text); m != nil {
					text = strings.TrimSuffix(text, m[0])
				}
				texts = append(texts, text)
			}
			all := nodeText(boxes[0])
			for i, m := range count.FindAllStringSubmatch(all, -1) {
				n, _ := strconv.Atoi(m[1])
				if got := doSearch(t, e, hrefURL(t, links[i]).Query()).Total; n == 0 || got != n {
					t.Errorf("%q: shows %d, search finds %d", texts[i], n, got)
				}
			}
			if strings.Join(texts, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("links %q, want %q", texts, tt.want)
			}
			if got := hrefURL(t, links[0]).Query(); !sameValues(got, tt.wantV) {
				t.Errorf("first link %v, want %v", got, tt.wantV)
			}
		})
	}
}

// TestRelaxedText: the notice above relaxed results, as the issue words it.
func TestRelaxedText(t *testing.T) {
	tests := []struct {
		name, q, mode string
		words         []string
		want          string
	}{
		{"all", "微山乡村振兴", "all", []string{"微山", "乡村振兴"},
			"没有找到与“微山乡村振兴”完全匹配的段落，以下是同时包含“微山”“乡村振兴”的段落。"},
		{"pieces", "红色物业、网格 -梁山", "exact", []string{"红色物业", "网格"},
			"没有找到与“红色物业、网格 -梁山”完全匹配的段落，以下是同时包含“红色物业”“网格”的段落。"},
		{"any", "济宁哪些县推行红色物业", "any", []string{"济宁", "县", "推行", "红色物业"},
			"没有找到与“济宁哪些县推行红色物业”完全匹配的段落，以下是包含“济宁”“县”“推行”“红色物业”中部分词语的段落，按相关度排序。"},
		{"many words", "q", "any", strings.Split("一二三四五六七八九十", ""),
			"没有找到与“q”完全匹配的段落，以下是包含“一”“二”“三”“四”“五”“六”“七”“八”等中部分词语的段落，按相关度排序。"},
	}
	for _, tt := range tests {
		if got := relaxedText(tt.q, tt.mode, tt.words); got != tt.want {
			t.Errorf("%s: %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestPageRelaxedNotice: a relaxed answer says so above the results, in
// the words, and links to exact matching, which keeps the rest of
// the state; exact answers and exact mode have no notice.
func TestPageRelaxedNotice(t *testing.T) {
	e := defaultFixture(t).e
	tests := []struct {
		name   string
		params url.Values
		want   string // "" for no notice
	}{
		{"all", url.Values{"q": {"微山乡村振兴"}},
			"没有找到与“微山乡村振兴”完全匹配的段落，以下是同时包含“微山”“乡村振兴”的段落。"},
		{"pieces", url.Values{"q": {"红色物业、网格 -梁山"}, "sort": {"newest"}},
			"没有找到与“红色物业、网格 -梁山”完全匹配的段落，以下是同时包含“红色物业”“网格”的段落。"},
		{"exact hits", url.Values{"q": {"乡村振兴"}}, ""},
		{"exact mode", url.Values{"q": {"微山乡村振兴"}, "match": {"exact"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := okPage(t, e, "/?"+tt.params.Encode())
			notes := findByClass(r.doc, "relaxed")
			if tt.want == "" {
				if len(notes) != 0 {
					t.Fatalf("notice %q on an exact answer", nodeText(notes[0]))
				}
				return
			}
			if len(notes) != 1 || len(findByClass(r.doc, "card")) == 0 {
				t.Fatalf("%d notices, %d cards", len(notes), len(findByClass(r.doc, "card")))
			}
			a := findByTag(notes[0], atom.A)
			if len(a) != 1 {
				t.Fatal("no link to exact matching")
			}
			if text := strings.TrimSuffix(nodeText(notes[0]), nodeText(a[0])); text != tt.want {
				t.Errorf("notice %q\nwant   %q", text, tt.want)
			}
			want := url.Values{"match": {"exact"}}
			for k, v := range tt.params {
				want[k] = v
			}
			if got := hrefURL(t, a[0]).Query(); !sameValues(got, want) {
				t.Errorf("exact link %v, want %v", got, want)
			}
			// Its cards are the API's relaxed hits, one per story as the
			// page shows them.
			story := url.Values{"collapse": {"story"}}
			for k, v := range tt.params {
				story[k] = v
			}
			api := doSearch(t, e, story)
			if api.Match == "exact" && len(api.Words) == 0 || len(findByClass(r.doc, "card")) != len(api.Hits) {
				t.Errorf("API: match %s words %v, %d hits; page %d cards", api.Match, api.Words, len(api.Hits), len(findByClass(r.doc, "card")))
			}
		})
	}
}

// TestEmptyPageReason: the explanation says what was tried: in auto mode
// the words apart too, in exact mode the phrase as typed.
func TestEmptyPageReason(t *testing.T) {
	e := defaultFixture(t).e
	for mode, want := range map[string]string{
		"":      "没有段落符合“𠀀𠀁𠀂”，拆开的词语也没有找到。",
		"exact": "没有段落符合“𠀀𠀁𠀂”。完全匹配时，连续的汉字按整体短语精确匹配",
	} {
		v := url.Values{"q": {"𠀀𠀁𠀂"}}
		if mode != "" {
			v.Set("match", mode)
		}
		r := okPage(t, e, "/?"+v.Encode())
		empty := findByClass(r.doc, "empty")
		if len(empty) != 1 || !strings.Contains(nodeText(empty[0]), want) {
			t.Errorf("match=%s: the empty page does not say %q", mode, want)
		}
	}
}
