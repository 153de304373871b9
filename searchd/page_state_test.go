package main

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzPageState: whatever a URL holds, bindPage either reports an error
// about the request as a whole or gives a state whose URL (what every link
// carries) binds again, without a problem, to the same search. This is what
// makes the state stick: a link never carries a state the page cannot read
// back, nor a different one.
func FuzzPageState(f *testing.F) {
	for _, seed := range [][8]string{
		{"红色物业", "梁山", "", "", "", "", "", ""},
		{`"乡村振兴`, "梁山,微山县", "2024", "2020", "oldest", "20", "2", "headline"},
		{"OR", "", "19", "", "best", "0", "0", "x"},
		{"红色 -物业", "", "2021", "", "newest", "50", "200", ""},
		{"", "", "", "", "", "100", "100", "text"},
		{"《红色物业》 “网格”", "　梁山 ", "２０２１", "2022", "relevance", "", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7])
	}
	f.Fuzz(func(t *testing.T, q, county, yearFrom, yearTo, sort, size, page, in string) {
		raw := url.Values{}
		for name, v := range map[string]string{"q": q, "county": county, "year_from": yearFrom, "year_to": yearTo, "sort": sort, "size": size, "page": page, "in": in} {
			if v != "" {
				raw.Set(name, v)
			}
		}
		p, problems, err := bindPage(raw)
		if err != nil {
			return
		}
		if len(problems) == 0 {
			if _, err := bindSearch(raw); err != nil {
				t.Fatalf("bindPage found no problem in %v, bindSearch: %v", raw, err)
			}
		}
		for _, pr := range problems {
			if pr.Message == "" || strings.Contains(pr.Message, "有误：") && pr.Code != codeBadRequest {
				t.Errorf("problem %s has no Chinese wording: %q", pr.Code, pr.Message)
			}
		}
		st := newPageState(p)
		v := st.values()
		p2, err := bindSearch(v)
		if err != nil {
			t.Fatalf("the state of %v is written as %v, which does not bind: %v", raw, v, err)
		}
		if a, b := p.request().CacheKey(), p2.request().CacheKey(); a != b {
			t.Fatalf("the state of %v, written as %v, reads back as another search:\n%s\n%s", raw, v, a, b)
		}
		if got := newPageState(p2).values().Encode(); got != v.Encode() {
			t.Fatalf("the state's URL changes when read back: %s → %s", v.Encode(), got)
		}
	})
}
