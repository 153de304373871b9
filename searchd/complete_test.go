package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSuggestAPI: /api/suggest returns the index's completions of q with
// their paragraph counts (a county's equals its facet count, a word's the
// paragraphs holding it), the query to search a word or initiative by,
// and rejects what it cannot take.
func TestSuggestAPI(t *testing.T) {
	e := datedServer(t)
	var res suggestJSON
	if code := get(t, e, "/api/suggest?q="+url.QueryEscape("梁"), &res); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if res.Q != "梁" || len(res.Completions) == 0 || len(res.Completions) > defaultSuggestSize {
		t.Fatalf("%+v", res)
	}
	facets := doSearch(t, e, url.Values{"county": {"梁山"}, "size": {"1"}})
	found := false
	for _, c := range res.Completions {
		if !strings.HasPrefix(c.Text, "梁") {
			t.Errorf("completion %+v does not start with 梁", c)
		}
		if c.Kind == "county" && c.Text == "梁山" {
			found = true
			if c.Count != facets.Total || c.Query != "" {
				t.Errorf("county 梁山: count %d, query %q; the county filter finds %d", c.Count, c.Query, facets.Total)
			}
		}
	}
	if !found {
		t.Errorf("no county 梁山 among %+v", res.Completions)
	}
	// A word: its count is the paragraphs holding it.
	get(t, e, "/api/suggest?size=20&q="+url.QueryEscape("网"), &res)
	words := 0
	for _, c := range res.Completions {
		if c.Kind != "word" {
			continue
		}
		words++
		if n := doSearch(t, e, url.Values{"q": {c.Query}, "size": {"1"}}).Total; n != c.Count || c.Query != c.Text {
			t.Errorf("word %+v: searching it finds %d", c, n)
		}
	}
	if words == 0 {
		t.Errorf("no word completes 网: %+v", res.Completions)
	}
	for target, want := range map[string]int{
		"/api/suggest": http.StatusOK,
		"/api/suggest?q=" + strings.Repeat("县", 33): http.StatusBadRequest,
		"/api/suggest?q=x&size=21":                  http.StatusBadRequest,
		"/api/suggest?q=%FF":                        http.StatusBadRequest,
	} {
		if code := get(t, e, target, nil); code != want {
			t.Errorf("%s: %d, want %d", target, code, want)
		}
	}
	for in, want := range map[string]string{"红色物业": "红色物业", "1+N": `"1+N"`, "网格·家": `"网格·家"`, "gdp2023": "gdp2023"} {
		if got := queryTerm(in); got != want {
			t.Errorf("queryTerm(%q) = %q, want %q", in, got, want)
		}
	}
}
