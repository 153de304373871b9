package main

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
)

// TestAPISuggestions: did you mean in the API. Every suggestion's total is
// the total of searching its q with the same filters, and none is zero; a
// query with hits gets none.
func TestAPISuggestions(t *testing.T) {
	f := defaultFixture(t)
	tests := []struct {
		name   string
		params url.Values
		first  string // "" for no suggestion
	}{
		{"substituted character", url.Values{"q": {"乡村振新"}}, "乡村振兴"},
		{"swapped characters", url.Values{"q": {"乡村兴振"}}, "乡村振兴"},
		{"IME quotes", url.Values{"q": {"“乡村振新”"}}, `"乡村振兴"`},
		{"title marks", url.Values{"q": {"《乡村振新》"}}, "《乡村振兴》"},
		{"sentence mark kept", url.Values{"q": {"乡村振新！"}}, "乡村振兴！"},
		{"traditional characters", url.Values{"q": {"鄉村振新"}}, "乡村振兴"},
		{"mistyped word in an unspaced query", url.Values{"q": {"微山乡村振新"}}, "微山 乡村振兴"},
		{"other terms and exclusions kept", url.Values{"q": {"乡村振新 -火星"}}, "乡村振兴 -火星"},
		{"with a filter", url.Values{"q": {"乡村振新"}, "county": {"嘉祥"}}, "乡村振兴"},
		{"filter without hits for any correction", url.Values{"q": {"乡村振新"}, "county": {"梁山"}}, ""},
		{"exact hits: no suggestion", url.Values{"q": {"乡村振兴"}}, ""},
		{"nothing close", url.Values{"q": {"火星村"}}, ""},
		{"browsing", url.Values{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := doSearch(t, f.e, tt.params)
			if r.Suggestions == nil {
				t.Fatal("suggestions is null, want a list")
			}
			if tt.first == "" {
				if len(r.Suggestions) != 0 {
					t.Fatalf("suggestions %v, want none", r.Suggestions)
				}
				return
			}
			// Exact found nothing; under the default (auto) the relaxed
			// modes may have found something beside the suggestions.
			exactHits := r.Total != 0 && r.Match == "exact" && len(r.Words) == 0
			if exactHits || len(r.Suggestions) == 0 || r.Suggestions[0].Q != tt.first || len(r.Suggestions) > 3 {
				t.Fatalf("total %d, suggestions %v: want %q first", r.Total, r.Suggestions, tt.first)
			}
			for _, s := range r.Suggestions {
				p := url.Values{}
				for k, v := range tt.params {
					p[k] = v
				}
				p.Set("q", s.Q)
				if got := doSearch(t, f.e, p).Total; s.Total < 1 || got != s.Total {
					t.Errorf("suggestion %q: total %d, searching it gives %d", s.Q, s.Total, got)
				}
			}
		})
	}
}

// TestAPIOfficialCountyNames: a county filter accepts the official name
// (the county_name the API returns) and aliases as well as the short name.
func TestAPIOfficialCountyNames(t *testing.T) {
	f := defaultFixture(t)
	short := doSearch(t, f.e, url.Values{"county": {"微山"}})
	if short.Total == 0 {
		t.Fatal("no paragraph of 微山 in the sample")
	}
	for _, county := range [][]string{{"微山县"}, {"微山县", "微山"}, {" 微山县 "}, {"微山县,微山"}} {
		got := doSearch(t, f.e, url.Values{"county": county})
		if got.Total != short.Total || !reflect.DeepEqual(got.Query.Counties, []string{"微山"}) {
			t.Errorf("county=%q: total %d, echo %v; want %d, [微山]", county, got.Total, got.Query.Counties, short.Total)
		}
	}
	// The county_name of a hit filters to the same county.
	h := short.Hits[0]
	if got := doSearch(t, f.e, url.Values{"county": {h.CountyName}}); got.Total != short.Total {
		t.Errorf("county=%s (a hit's county_name): total %d, want %d", h.CountyName, got.Total, short.Total)
	}
	// Both names in one request are one county, not two ORed.
	two := doSearch(t, f.e, url.Values{"county": {"微山县", "梁山"}})
	if want := doSearch(t, f.e, url.Values{"county": {"微山", "梁山"}}); two.Total != want.Total {
		t.Errorf("county=微山县&county=梁山: %d, want %d", two.Total, want.Total)
	}
	// A name the gazetteer does not know is kept as it is.
	if got := doSearch(t, f.e, url.Values{"county": {"火星县"}}); got.Total != 0 || !reflect.DeepEqual(got.Query.Counties, []string{"火星县"}) {
		t.Errorf("county=火星县: total %d, echo %v", got.Total, got.Query.Counties)
	}
}

// TestAPISuggestedFilters: a county or program named in q comes back as a
// filter to offer, with the hits it keeps, when it narrows the results.
func TestAPISuggestedFilters(t *testing.T) {
	f := defaultFixture(t)
	type want struct{ facet, value, label string }
	tests := []struct {
		name   string
		params url.Values
		want   []want
	}{
		{"short name", url.Values{"q": {"党建 OR 微山"}}, []want{{"county", "微山", "微山县"}}},
		{"official name", url.Values{"q": {"党建 OR 微山县"}}, []want{{"county", "微山", "微山县"}}},
		{"look-alike is no county", url.Values{"q": {"党建 OR 微山湖"}}, nil},
		{"program", url.Values{"q": {"党建 OR 乡村振兴"}}, []want{{"program", "乡村振兴", "乡村振兴"}}},
		{"county and program", url.Values{"q": {"党建 OR 微山 OR 乡村振兴"}}, []want{{"county", "微山", "微山县"}, {"program", "乡村振兴", "乡村振兴"}}},
		{"excluded name is not offered", url.Values{"q": {"党建 -微山"}}, nil},
		{"already the filter", url.Values{"q": {"党建 OR 微山"}, "county": {"微山县"}}, nil},
		{"would not narrow", url.Values{"q": {"微山 乡村振兴"}}, nil},
		{"no hits", url.Values{"q": {"火星村 微山"}, "match": {"exact"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := doSearch(t, f.e, tt.params)
			if r.SuggestedFilters == nil {
				t.Fatal("suggested_filters is null, want a list")
			}
			var got []want
			for _, s := range r.SuggestedFilters {
				got = append(got, want{s.Facet, s.Value, s.Label})
				// The count is the total of the search with the facet set
				// to the value.
				p := url.Values{}
				for k, v := range tt.params {
					p[k] = v
				}
				p.Set(s.Facet, s.Value)
				n := doSearch(t, f.e, p).Total
				if s.Count != n || n == 0 || n >= r.Total && len(tt.params[s.Facet]) == 0 {
					t.Errorf("%s=%s: count %d, search %d, total without %d", s.Facet, s.Value, s.Count, n, r.Total)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("suggested_filters %v, want %v", got, tt.want)
			}
		})
	}
	if code := get(t, f.e, "/api/search?county="+url.QueryEscape("微山县"), nil); code != http.StatusOK {
		t.Fatalf("county=微山县: status %d", code)
	}
}
