package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/ingest"
	"countynews/internal/search"
	"countynews/internal/text"
)

// fixture is the embedded default corpus, parsed and indexed once for all
// tests of the package.
type fixture struct {
	dir        string
	paragraphs []corpus.Paragraph
	e          *echo.Echo
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

func defaultFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp(testRoot, "default-")
		if err != nil {
			fixtureErr = err
			return
		}
		f := &fixture{dir: filepath.Join(dir, "index")}
		if _, err := ingest.Run(context.Background(), ingest.Options{Index: f.dir}); err != nil {
			fixtureErr = err
			return
		}
		p, _ := corpus.NewParser(corpus.Options{})
		for _, in := range ingest.DefaultInputs() {
			if _, err := ingest.Read(context.Background(), p, in, func(a corpus.Article) error {
				f.paragraphs = append(f.paragraphs, a.Paragraphs...)
				return nil
			}); err != nil {
				fixtureErr = err
				return
			}
		}
		h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
		if err != nil {
			fixtureErr = err
			return
		}
		f.e = newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))
		fixtureVal = f
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

// get serves one request through e.ServeHTTP and decodes the JSON body.
// testWords is the word segmenter the package's test servers share,
// loaded once (a second, several under -race) before the first of them
// serves, so that no relaxed search waits for it within its time limit.
var testWords = search.NewWords()

func loadedWords(t testing.TB) *search.Words {
	t.Helper()
	if err := testWords.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return testWords
}

func get(t testing.TB, e *echo.Echo, target string, into any) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if into != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("GET %s: %d, body is not JSON: %v\n%s", target, rec.Code, err, rec.Body.String())
		}
	}
	return rec.Code
}

func doSearch(t testing.TB, e *echo.Echo, params url.Values) searchJSON {
	t.Helper()
	var res searchJSON
	if code := get(t, e, "/api/search?"+params.Encode(), &res); code != http.StatusOK {
		t.Fatalf("search %v: status %d", params, code)
	}
	return res
}

func counties(hits []hitJSON) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.County)
	}
	sort.Strings(out)
	return out
}

func facetCount(fs []facetJSON, value string) int {
	for _, f := range fs {
		if f.Value == value {
			return f.Count
		}
	}
	return 0
}

func TestSearchAcceptance(t *testing.T) {
	f := defaultFixture(t)
	t.Run("phrase finds exactly the two paragraphs", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{"q": {"红色物业"}})
		if res.Total != 2 || strings.Join(counties(res.Hits), ",") != "梁山,邹城" {
			t.Errorf("total %d counties %v, want 2: 梁山, 邹城", res.Total, counties(res.Hits))
		}
		for _, h := range res.Hits {
			want := strings.Count(h.Text, "红色物业")
			if got := strings.Count(h.Highlight, "<mark>红色物业</mark>"); got == 0 || got > want || strings.Contains(h.Highlight, "<mark>红色</mark>") {
				t.Errorf("highlight %q: want every 红色物业 as one mark", h.Highlight)
			}
		}
	})
	t.Run("county filter keeps the other county in its facet", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{"q": {"红色物业"}, "county": {"梁山"}})
		if res.Total != 1 || res.Hits[0].County != "梁山" {
			t.Fatalf("total %d, want the 梁山 paragraph alone", res.Total)
		}
		if facetCount(res.Facets.County, "邹城") != 1 || facetCount(res.Facets.County, "梁山") != 1 {
			t.Errorf("county facet %v, want 梁山 1 and 邹城 1", res.Facets.County)
		}
	})
	t.Run("single character", func(t *testing.T) {
		var want []string
		for _, p := range f.paragraphs {
			if strings.Contains(p.Text, "县") {
				want = append(want, p.ID)
			}
		}
		res := doSearch(t, f.e, url.Values{"q": {"县"}, "size": {"100"}})
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		sort.Strings(got)
		sort.Strings(want)
		if res.Total != len(want) || !slices.Equal(got, want) {
			t.Errorf("q=县: %d hits, want the %d paragraphs containing 县", res.Total, len(want))
		}
	})
	t.Run("exclusion", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{"q": {"红色物业 -梁山"}})
		if res.Total != 1 || res.Hits[0].County != "邹城" {
			t.Errorf("total %d %v, want only 邹城 (the 梁山 paragraph names 忠义梁山)", res.Total, counties(res.Hits))
		}
	})
	t.Run("or", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{"q": {"红色物业 OR 红色课堂"}})
		if res.Total != 3 {
			t.Errorf("total %d, want 3", res.Total)
		}
	})
	t.Run("browse lists everything newest first", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{})
		if res.Total != 34 || res.Query.Sort != "newest" || len(res.Hits) != 10 {
			t.Errorf("total %d sort %s hits %d", res.Total, res.Query.Sort, len(res.Hits))
		}
	})
	t.Run("unknown county gives zero hits", func(t *testing.T) {
		if res := doSearch(t, f.e, url.Values{"county": {"火星"}}); res.Total != 0 {
			t.Errorf("total %d", res.Total)
		}
	})
	t.Run("year range and program", func(t *testing.T) {
		res := doSearch(t, f.e, url.Values{"year_from": {"2020"}, "year_to": {"2021"}, "program": {"红色物业"}, "size": {"100"}})
		for _, h := range res.Hits {
			if !slices.Contains(h.Programs, "红色物业") || h.Year != 2021 {
				t.Errorf("hit %s programs %v year %d", h.ID, h.Programs, h.Year)
			}
		}
		if res.Total == 0 {
			t.Error("no hits")
		}
		if none := doSearch(t, f.e, url.Values{"year_from": {"2022"}}); none.Total != 0 {
			t.Errorf("year_from=2022: %d hits", none.Total)
		}
	})
	t.Run("paging", func(t *testing.T) {
		all := doSearch(t, f.e, url.Values{"q": {"党"}, "size": {"100"}})
		p2 := doSearch(t, f.e, url.Values{"q": {"党"}, "size": {"5"}, "page": {"2"}})
		if len(p2.Hits) != 5 || p2.Hits[0].ID != all.Hits[5].ID {
			t.Errorf("page 2 does not continue page 1")
		}
	})
}

// TestDisjunctiveFacets: each facet's counts equal the totals of the
// searches that filter on that value instead of the facet's own filter.
func TestDisjunctiveFacets(t *testing.T) {
	f := defaultFixture(t)
	requests := []url.Values{
		{"q": {"党"}},
		{"q": {"党"}, "county": {"梁山"}},
		{"q": {"治理"}, "county": {"梁山", "邹城"}, "program": {"基层治理"}},
		{"program": {"乡村振兴"}, "year": {"2021"}},
		{"q": {"-县"}, "county": {"微山"}},
	}
	for _, params := range requests {
		res := doSearch(t, f.e, params)
		for facet, values := range map[string][]facetJSON{"county": res.Facets.County, "year": res.Facets.Year, "program": res.Facets.Program} {
			for _, v := range values {
				alt := url.Values{}
				for k, vs := range params {
					alt[k] = vs
				}
				alt[facet] = []string{v.Value}
				if got := doSearch(t, f.e, alt).Total; got != v.Count {
					t.Errorf("%v: facet %s=%s counts %d, the filtered search finds %d", params, facet, v.Value, v.Count, got)
				}
			}
		}
	}
}

// TestPhraseProperty: for 500 random substrings (1 to 6 Chinese
// characters) of the corpus, the hit set is exactly the set of paragraphs
// whose text contains the substring.
func TestPhraseProperty(t *testing.T) {
	f := defaultFixture(t)
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := 0; i < 500; i++ {
		p := f.paragraphs[rng.IntN(len(f.paragraphs))]
		rs := []rune(p.Text)
		n := 1 + rng.IntN(6)
		start := rng.IntN(len(rs))
		end := start
		for end < len(rs) && end-start < n && text.IsCJK(rs[end]) {
			end++
		}
		if end == start {
			i--
			continue
		}
		sub := string(rs[start:end])
		want := map[string]bool{}
		for _, q := range f.paragraphs {
			if strings.Contains(q.Text, sub) {
				want[q.ID] = true
			}
		}
		res := doSearch(t, f.e, url.Values{"q": {sub}, "size": {"100"}})
		got := map[string]bool{}
		for _, h := range res.Hits {
			got[h.ID] = true
		}
		if res.Total != len(want) || len(got) != len(want) {
			t.Errorf("q=%s: %d hits, %d paragraphs contain it", sub, res.Total, len(want))
			continue
		}
		for id := range want {
			if !got[id] {
				t.Errorf("q=%s: paragraph %s contains it but was not found", sub, id)
			}
		}
	}
}

func TestBadRequests(t *testing.T) {
	f := defaultFixture(t)
	tests := []struct {
		name, target string
		status       int
		message      string
	}{
		{"unbalanced quote", "/api/search?q=" + url.QueryEscape(`红色 "物业`), 400, "unbalanced quote in q at character 4"},
		{"size too large", "/api/search?size=101", 400, "size must be a whole number from 1 to 100"},
		{"size negative", "/api/search?size=-1", 400, "size must be"},
		{"size float", "/api/search?size=1e9", 400, "size must be"},
		{"deep paging", "/api/search?page=1001&size=10", 400, "at most 10000 hits"},
		{"bad sort", "/api/search?sort=random", 400, "sort must be relevance, newest or oldest"},
		{"bad year", "/api/search?year=abc", 400, "year must be a year between 1900 and 2100"},
		{"reversed range", "/api/search?year_from=2022&year_to=2020", 400, "year_from 2022 is after year_to 2020"},
		{"bad date", "/api/search?date_from=2023-02-30", 400, "date_from must be a date YYYY-MM-DD"},
		{"date not a day", "/api/search?date_to=2023-07", 400, "date_to must be a date YYYY-MM-DD"},
		{"reversed dates", "/api/search?date_from=2023-08-01&date_to=2023-07-01", 400, "date_from 2023-08-01 is after date_to 2023-07-01"},
		{"bad in", "/api/search?in=body", 400, "in must be text or headline"},
		{"long q", "/api/search?q=" + strings.Repeat("党", 257), 400, "257 characters long; at most 256"},
		{"unknown article", "/api/articles/0000000000000000", 404, "not found"},
		{"path traversal", "/api/articles/..%2F..%2Fetc%2Fpasswd", 404, ""},
		{"unknown paragraph", "/api/paragraphs/nope-01", 404, "not found"},
		{"similar bad scope", "/api/paragraphs/x-01/similar?scope=galaxy", 400, "scope must be other-counties or all"},
		{"unknown route", "/api/nothing", 404, ""},
		{"writes are not allowed", "/api/search", 405, ""}, // 404 accepted too: no route takes POST
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodGet
			if tc.status == 405 {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, tc.target, nil)
			req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
			rec := httptest.NewRecorder()
			f.e.ServeHTTP(rec, req)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("status %d, body not JSON: %s", rec.Code, rec.Body.String())
			}
			if tc.status == 405 && rec.Code == 404 {
				tc.status = 404
			}
			if rec.Code != tc.status || body.Error.Status != tc.status || !strings.Contains(body.Error.Message, tc.message) {
				t.Errorf("got %d %q, want %d containing %q", rec.Code, body.Error.Message, tc.status, tc.message)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	f := defaultFixture(t)
	res := doSearch(t, f.e, url.Values{"q": {"依托组织覆盖推进小区共建"}})
	if res.Total != 1 {
		t.Fatalf("topic search: %d hits", res.Total)
	}
	hit := res.Hits[0]
	var art corpus.Article
	if code := get(t, f.e, "/api/articles/"+hit.ArticleID, &art); code != 200 || len(art.Paragraphs) != 4 || art.Headline != hit.Headline {
		t.Errorf("article: %d, %d paragraphs, headline %q", code, len(art.Paragraphs), art.Headline)
	}
	for i, p := range art.Paragraphs {
		if p.Position != i {
			t.Errorf("paragraph %d has position %d", i, p.Position)
		}
	}
	var p corpus.Paragraph
	if code := get(t, f.e, "/api/paragraphs/"+hit.ID, &p); code != 200 || p.Text != hit.Text {
		t.Errorf("paragraph: %d %q", code, p.Topic)
	}

	// Similar initiatives: 梁山's 小区共建 (小区党支部, 红色物业) must find
	// 邹城's 微治理 (小区党支部, 红色物业, 网格) near the top.
	var sim similarJSON
	if code := get(t, f.e, "/api/paragraphs/"+hit.ID+"/similar?size=5", &sim); code != 200 {
		t.Fatalf("similar: %d", code)
	}
	rank := -1
	for i, h := range sim.Hits {
		if h.ArticleID == hit.ArticleID || h.County == "梁山" {
			t.Errorf("similar returned %s from 梁山 itself", h.ID)
		}
		if strings.HasPrefix(h.Topic, "创新“微治理”") {
			rank = i
		}
	}
	if rank < 0 || rank > 2 {
		t.Errorf("邹城's 微治理 paragraph ranks %d among similar (want top 3): %v", rank, topics(sim.Hits))
	}
	var all similarJSON
	get(t, f.e, "/api/paragraphs/"+hit.ID+"/similar?size=50&scope=all", &all)
	for _, h := range all.Hits {
		if h.ArticleID == hit.ArticleID {
			t.Errorf("scope=all returned a paragraph of the same article")
		}
	}
	var facets map[string]facetsJSON
	if code := get(t, f.e, "/api/facets", &facets); code != 200 || len(facets["facets"].County) != 7 {
		t.Errorf("facets: %d %v", code, facets)
	}
}

func topics(hs []hitJSON) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.County+":"+h.Topic)
	}
	return out
}

// TestRunServesAndShutsDown starts the daemon as main does, on port 0
// in a temp dir, queries it over HTTP and shuts it down gracefully.
func TestRunServesAndShutsDown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	d := startLive(t, "-index", dir)
	addr := strings.TrimPrefix(d.url, "http://")
	resp, err := http.Get("http://" + addr + "/api/search?q=" + url.QueryEscape("红色物业"))
	if err != nil {
		t.Fatal(err)
	}
	var res searchJSON
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || res.Total != 2 {
		t.Errorf("over HTTP: %d, total %d", resp.StatusCode, res.Total)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		r, err := http.Get("http://" + addr + path)
		if err != nil || r.StatusCode != 200 {
			t.Errorf("%s: %v %v", path, err, r)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if path == "/metrics" && !strings.Contains(string(body), "searchd_index_documents 34") {
			t.Errorf("metrics lack the document count:\n%.500s", body)
		}
	}
	d.stop(t) // fails the test unless run returns nil, within 30 s
}

// TestSearchMatch: the match parameter (default auto), and the response's
// match and words, for the queries of issue 11.
func TestSearchMatch(t *testing.T) {
	f := defaultFixture(t)
	tests := []struct {
		name, q, match string
		wantMatch      string
		wantWords      []string
		wantHits       bool
	}{
		{"no spaces: auto relaxes to all", "微山乡村振兴", "", "all", []string{"微山", "乡村振兴"}, true},
		{"auto asked for", "梁山红色物业", "auto", "all", []string{"梁山", "红色物业"}, true},
		{"exact stays exact", "微山乡村振兴", "exact", "exact", []string{}, false},
		{"exact hits: as typed", "红色物业", "", "exact", []string{}, true},
		{"placeholder split at punctuation", "红色物业、网格 -梁山", "", "exact", []string{"红色物业", "网格"}, true},
		{"traditional", "紅色物業", "", "exact", []string{}, true},
		{"all asked for", "红色物业 网格", "all", "all", []string{"红色物业", "网格"}, true},
		{"any: a question", "哪个县推行了红色物业？", "any", "any", []string{"县", "推行", "红色物业"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"q": {tc.q}}
			if tc.match != "" {
				v.Set("match", tc.match)
			}
			res := doSearch(t, f.e, v)
			want := tc.match
			if want == "" {
				want = "auto"
			}
			if res.Query.Match != want {
				t.Errorf("query.match %q, want %q", res.Query.Match, want)
			}
			if res.Match != tc.wantMatch || !slices.Equal(res.Words, tc.wantWords) {
				t.Errorf("match %q words %q, want %q %q", res.Match, res.Words, tc.wantMatch, tc.wantWords)
			}
			if (res.Total > 0) != tc.wantHits {
				t.Errorf("total %d", res.Total)
			}
		})
	}
	var e struct{ Error apiError }
	if code := get(t, f.e, "/api/search?q=x&match=fuzzy", &e); code != http.StatusBadRequest || !strings.Contains(e.Error.Message, "match must be") {
		t.Errorf("match=fuzzy: %d %+v", code, e)
	}
}
