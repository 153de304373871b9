package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// datedArticle is one article of the dated fixture, as written to its
// JSONL export.
type datedArticle struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Date   *string `json:"date"`
	County string  `json:"county"`
	Text   string  `json:"text"`
}

// datedArticles is a small export with everything the date range, the
// headline search, export and feeds need: one article a day from
// 2023-06-25 to 2023-08-23 (every seventh undated), headlines that name
// 红色物业 or 乡村振兴 or neither, texts that do or do not repeat them.
func datedArticles() []datedArticle {
	counties := []string{"梁山", "金乡", "邹城", "嘉祥"}
	heads := []string{"红色物业暖民心", "乡村振兴开新局", "基层治理见成效", "夏粮收购有序推进"}
	var out []datedArticle
	day := time.Date(2023, 6, 25, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		a := datedArticle{
			ID: fmt.Sprintf("dated-%02d", i), Title: heads[i%len(heads)] + fmt.Sprintf("（第%d期）", i),
			County: counties[i%len(counties)],
			Text: fmt.Sprintf("本报讯 第%d条消息。%s县推进网格服务，群众满意度提升。", i, counties[i%len(counties)]) +
				[]string{"社区把红色物业做到家门口。", "驻村干部走访农户。", "", "志愿者开展义诊活动。"}[(i/4)%4],
		}
		if i%7 != 3 {
			d := day.AddDate(0, 0, i).Format("2006-01-02")
			a.Date = &d
		}
		out = append(out, a)
	}
	return out
}

var (
	datedOnce sync.Once
	datedDir  string
	datedErr  error
)

// datedServer serves an index of datedArticles (built once per test
// binary, each call a server of its own).
func datedServer(t *testing.T) *echo.Echo {
	t.Helper()
	datedOnce.Do(func() {
		dir, err := os.MkdirTemp(testRoot, "dated-")
		if err != nil {
			datedErr = err
			return
		}
		var b strings.Builder
		for _, a := range datedArticles() {
			line, _ := json.Marshal(a)
			b.Write(line)
			b.WriteByte('\n')
		}
		datedDir = filepath.Join(dir, "dated.jsonl")
		datedErr = os.WriteFile(datedDir, []byte(b.String()), 0o644)
	})
	if datedErr != nil {
		t.Fatal(datedErr)
	}
	return newPageServer(t, datedDir)
}

// TestDateRangeAPI: date_from and date_to keep exactly the paragraphs dated
// within the range (both ends inclusive, either open), never an undated
// one; the year facet follows the range; the query echo carries it.
func TestDateRangeAPI(t *testing.T) {
	e := datedServer(t)
	arts := datedArticles()
	for _, tc := range []struct{ q, from, to string }{
		{"", "2023-07-01", "2023-07-10"},
		{"", "2023-07-01", "2023-07-01"},
		{"", "2023-08-01", ""},
		{"", "", "2023-06-30"},
		{"网格", "2023-07-15", "2023-08-05"},
		{"红色物业", "2023-06-01", "2023-12-31"},
		{"", "2024-01-01", ""},
	} {
		name := fmt.Sprintf("q=%s %s..%s", tc.q, tc.from, tc.to)
		v := url.Values{"size": {"100"}}
		for k, x := range map[string]string{"q": tc.q, "date_from": tc.from, "date_to": tc.to} {
			if x != "" {
				v.Set(k, x)
			}
		}
		res := doSearch(t, e, v)
		wantArticles := map[string]bool{}
		for _, a := range arts {
			if a.Date == nil || (tc.from != "" && *a.Date < tc.from) || (tc.to != "" && *a.Date > tc.to) {
				continue
			}
			if tc.q == "" || strings.Contains(a.Text, tc.q) {
				wantArticles[*a.Date] = true
			}
		}
		got := map[string]bool{}
		for _, h := range res.Hits {
			got[string(h.Date)] = true
			if h.Date == "" {
				t.Errorf("%s: undated paragraph %s in a date range", name, h.ID)
			}
		}
		if len(got) != len(wantArticles) || res.Total < len(wantArticles) {
			t.Errorf("%s: %d hits on %d days, want the %d days %v", name, res.Total, len(got), len(wantArticles), wantArticles)
		}
		for d := range wantArticles {
			if !got[d] {
				t.Errorf("%s: no hit dated %s", name, d)
			}
		}
		years := 0
		for _, y := range res.Facets.Year {
			years += y.Count
		}
		if years != res.Total {
			t.Errorf("%s: year facet counts %d of %d hits", name, years, res.Total)
		}
		if string(res.Query.DateFrom) != tc.from || string(res.Query.DateTo) != tc.to {
			t.Errorf("%s: query echo %q..%q", name, res.Query.DateFrom, res.Query.DateTo)
		}
	}
	// Full-width digits are folded.
	if a, b := doSearch(t, e, url.Values{"date_from": {"２０２３-０７-０１"}}).Total, doSearch(t, e, url.Values{"date_from": {"2023-07-01"}}).Total; a != b || a == 0 {
		t.Errorf("full-width date finds %d, half-width %d", a, b)
	}
}

// TestHeadlineOnly: in=headline finds exactly the paragraphs whose
// article's headline holds the term, whatever their text says.
func TestHeadlineOnly(t *testing.T) {
	e := datedServer(t)
	for _, term := range []string{"红色物业", "乡村振兴", "网格", "期", "暖", "第3期"} {
		res := doSearch(t, e, url.Values{"q": {term}, "in": {"headline"}, "size": {"100"}})
		text := doSearch(t, e, url.Values{"q": {term}, "size": {"100"}})
		var want, got []string
		for _, a := range datedArticles() {
			if strings.Contains(a.Title, term) {
				want = append(want, a.Title)
			}
		}
		seen := map[string]bool{}
		for _, h := range res.Hits {
			if !strings.Contains(h.Headline, term) {
				t.Errorf("in=headline %q: hit %s headline %q", term, h.ID, h.Headline)
			}
			if !seen[h.Headline] {
				seen[h.Headline] = true
				got = append(got, h.Headline)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("in=headline %q: articles %v, want %v", term, got, want)
		}
		if res.Query.In != "headline" || text.Query.In != "text" {
			t.Errorf("query echo in=%q / %q", res.Query.In, text.Query.In)
		}
		if term == "网格" && (res.Total != 0 || text.Total == 0) {
			t.Errorf("网格 is in every text and no headline: headline %d, text %d", res.Total, text.Total)
		}
	}
}
