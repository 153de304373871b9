package suite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"countynews/bench/suite"
	"countynews/corpus"
	"countynews/internal/text"
	"countynews/query"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func itoa(n int) string { return strconv.Itoa(n) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// smallCorpus prepares a small synthetic corpus once per test.
func smallCorpus(t *testing.T, n int) *suite.Corpus {
	t.Helper()
	c, err := suite.PrepareCorpus(t.Context(), t.TempDir(), suite.CorpusSpec{Kind: suite.KindSynth, Paragraphs: n, Seed: 3}, false, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPrepareCorpus: the prepared files hold every paragraph once, in
// both formats, and a second call reuses the cache unless fresh is set.
func TestPrepareCorpus(t *testing.T) {
	cache := t.TempDir()
	spec := suite.CorpusSpec{Kind: suite.KindSynth, Paragraphs: 1500, Seed: 3}
	c, err := suite.PrepareCorpus(t.Context(), cache, spec, false, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if c.Paragraphs != 1500 || c.TextBytes <= 0 || len(c.Counties) != 11 || len(c.Programs) == 0 {
		t.Fatalf("corpus %+v: want 1500 paragraphs over 11 counties with programs", c)
	}
	ids := map[string]bool{}
	var text int64
	f, err := os.ReadFile(c.JSONL())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
		var p corpus.Paragraph
		if err := jsonUnmarshal(line, &p); err != nil {
			t.Fatal(err)
		}
		if ids[p.ID] {
			t.Fatalf("paragraph %s twice", p.ID)
		}
		ids[p.ID] = true
		text += int64(len(p.Text))
	}
	if len(ids) != c.Paragraphs || text != c.TextBytes {
		t.Errorf("JSONL has %d paragraphs / %d bytes, corpus says %d / %d", len(ids), text, c.Paragraphs, c.TextBytes)
	}
	tsv, err := os.ReadFile(c.TSV())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(tsv), "\n"); n != c.Paragraphs {
		t.Errorf("TSV has %d lines, want %d", n, c.Paragraphs)
	}
	sample, err := c.Sample()
	if err != nil || len(sample) != c.Paragraphs {
		t.Errorf("sample of %d (err %v), want all %d paragraphs of a small corpus", len(sample), err, c.Paragraphs)
	}

	stamp := func() int64 {
		fi, err := os.Stat(c.JSONL())
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime().UnixNano()
	}
	before := stamp()
	again, err := suite.PrepareCorpus(t.Context(), cache, spec, false, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if again.Dir != c.Dir || stamp() != before {
		t.Errorf("second prepare did not reuse the cache")
	}
	fresh, err := suite.PrepareCorpus(t.Context(), cache, spec, true, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if stamp() == before {
		t.Errorf("fresh prepare reused the cache")
	}
	if fresh.Paragraphs != c.Paragraphs || fresh.TextBytes != c.TextBytes {
		t.Errorf("fresh prepare differs: %d/%d vs %d/%d (the generator is deterministic)", fresh.Paragraphs, fresh.TextBytes, c.Paragraphs, c.TextBytes)
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

// TestPrepareCorpusErrors: bad specs fail with a message, nothing cached.
func TestPrepareCorpusErrors(t *testing.T) {
	for name, spec := range map[string]suite.CorpusSpec{
		"unknown kind":      {Kind: "news", Paragraphs: 10},
		"synth without n":   {Kind: suite.KindSynth},
		"real without file": {Kind: suite.KindReal, RealPath: filepath.Join(t.TempDir(), "missing.jsonl.gz")},
	} {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			if _, err := suite.PrepareCorpus(t.Context(), cache, spec, false, t.Logf); err == nil {
				t.Fatal("no error")
			}
			if entries, _ := os.ReadDir(cache); len(entries) > 0 {
				t.Errorf("cache holds %v after a failure", entries)
			}
		})
	}
}

// TestRealCorpusCounties: articles naming no county get one from the hash
// of their ID; those that name one keep it. Uses a tiny JSONL export.
func TestRealCorpusCounties(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "news.jsonl")
	lines := []string{
		`{"id":"a1","date":"2023-05-01","text":"金乡县大蒜产业助力乡村振兴，全县大蒜种植面积70万亩。"}`,
		`{"id":"a2","date":"2023-06-02","text":"某科技公司发布新款手机，搭载自研芯片。"}`,
		`{"id":"a3","date":"2022-07-03","text":"全国夏粮收购进度过半，市场运行总体平稳。"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := suite.PrepareCorpus(t.Context(), t.TempDir(), suite.CorpusSpec{Kind: suite.KindReal, RealPath: path}, false, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if c.Articles != 3 || c.AssignedCounty != 2 {
		t.Errorf("articles %d, assigned %d: want 3 and 2", c.Articles, c.AssignedCounty)
	}
	if c.Years[2023] == 0 || c.Years[2022] == 0 {
		t.Errorf("years %v: want 2022 and 2023 from the dates", c.Years)
	}
	sample, err := c.Sample()
	if err != nil {
		t.Fatal(err)
	}
	gaz, _ := corpus.DefaultGazetteer()
	for _, p := range sample {
		switch {
		case strings.HasPrefix(p.Text, "金乡县"):
			if p.County != "金乡" {
				t.Errorf("%s: county %q, want 金乡 (named in the text)", p.ID, p.County)
			}
		default:
			if want := suite.AssignCounty(gaz, p.ArticleID).Short; p.County != want {
				t.Errorf("%s: county %q, want %q (hash of %s)", p.ID, p.County, want, p.ArticleID)
			}
		}
	}
}

// TestAssignCounty: deterministic, and spread over the counties.
func TestAssignCounty(t *testing.T) {
	gaz, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := range 2000 {
		id := fmt.Sprintf("article-%d", i)
		c := suite.AssignCounty(gaz, id)
		if again := suite.AssignCounty(gaz, id); again.Short != c.Short {
			t.Fatalf("%s: %s then %s", id, c.Short, again.Short)
		}
		seen[c.Short]++
	}
	if len(seen) != len(gaz.Counties) {
		t.Fatalf("2000 IDs hit %d counties, want all %d", len(seen), len(gaz.Counties))
	}
	for county, n := range seen {
		if n < 2000/len(gaz.Counties)/2 {
			t.Errorf("county %s drawn %d times of 2000: hash not spread", county, n)
		}
	}
}

// TestGenerateLog: the log is deterministic, has the mix asked for, every
// query parses into clauses of Han phrases that its Lucene form mirrors,
// filters use values that exist, and the frequency bands are what they
// say.
func TestGenerateLog(t *testing.T) {
	c := smallCorpus(t, 3000)
	sample, err := c.Sample()
	if err != nil {
		t.Fatal(err)
	}
	spec := suite.LogSpec{Seed: 11, Queries: 120}
	log, err := suite.GenerateLog(c, sample, spec)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := suite.GenerateLog(c, sample, spec)
	if !reflect.DeepEqual(log, again) {
		t.Fatal("same corpus and seed gave different logs")
	}
	other, _ := suite.GenerateLog(c, sample, suite.LogSpec{Seed: 12, Queries: 120})
	if reflect.DeepEqual(log, other) {
		t.Error("another seed gave the same log")
	}
	if len(log) != spec.Queries {
		t.Errorf("%d queries, want %d", len(log), spec.Queries)
	}
	kinds, filters := suite.LogSummary(log)
	for _, k := range []string{"and", "not", "or"} {
		if kinds[k] < spec.Queries/10 {
			t.Errorf("only %d %s queries: %v", kinds[k], k, kinds)
		}
	}
	for i, n := range filters {
		if n == 0 {
			t.Errorf("no query with %d filters: %v", i, filters)
		}
	}
	texts := make([]string, len(sample))
	for i, p := range sample {
		texts[i] = p.Text
	}
	df := func(s string) float64 {
		n := 0
		for _, t := range texts {
			if strings.Contains(t, s) {
				n++
			}
		}
		return float64(n) / float64(len(texts))
	}
	ids := map[string]bool{}
	for _, q := range log {
		if ids[q.ID] {
			t.Errorf("duplicate ID %s", q.ID)
		}
		ids[q.ID] = true
		pq, err := q.Parsed()
		if err != nil {
			t.Fatal(err)
		}
		lq, err := q.Lucene()
		if err != nil {
			t.Fatal(err)
		}
		if lq.ID != q.ID || len(lq.Clauses) != len(pq.Clauses) {
			t.Fatalf("%s: Lucene form %+v does not mirror %+v", q.ID, lq, pq)
		}
		for i, c := range pq.Clauses {
			lc := lq.Clauses[i]
			if lc.Negated != c.Negated || len(lc.Any) != len(c.Any) {
				t.Fatalf("%s clause %d: %+v vs %+v", q.ID, i, lc, c)
			}
			for j, term := range c.Any {
				if lc.Any[j] != term.Text || !allHan(term.Text) || n(term.Text) < 2 || n(term.Text) > 4 {
					t.Errorf("%s: phrase %q (Lucene %q): want 2–4 Han characters", q.ID, term.Text, lc.Any[j])
				}
			}
		}
		wantClauses := map[string]int{"and": 2, "not": 2, "or": 1}
		if w, ok := wantClauses[q.Kind]; ok && len(pq.Clauses) != w {
			t.Errorf("%s %s %q: %d clauses", q.ID, q.Kind, q.Text, len(pq.Clauses))
		}
		if q.Kind == "not" && !pq.Clauses[1].Negated {
			t.Errorf("%s %q: second clause not negated", q.ID, q.Text)
		}
		if q.Kind == "or" && len(pq.Clauses[0].Any) != 2 {
			t.Errorf("%s %q: not an OR of two", q.ID, q.Text)
		}
		if strings.HasPrefix(q.Kind, "phrase") {
			phrase := pq.Clauses[0].Any[0].Text
			if want := "phrase" + itoa(n(phrase)) + "-" + band(df(phrase)); q.Kind != want {
				t.Errorf("%s %q: kind %s, want %s (df %.4f)", q.ID, phrase, q.Kind, want, df(phrase))
			}
		}
		for _, v := range q.Counties {
			if c.Counties[v] == 0 {
				t.Errorf("%s: county %q not in the corpus", q.ID, v)
			}
		}
		for _, v := range q.Years {
			if c.Years[v] == 0 {
				t.Errorf("%s: year %d not in the corpus", q.ID, v)
			}
		}
		for _, v := range q.Programs {
			if c.Programs[v] == 0 {
				t.Errorf("%s: program %q not in the corpus", q.ID, v)
			}
		}
		v := q.Values()
		if v.Get("q") != q.Text || v.Get("size") != "10" || len(v["county"]) != len(q.Counties) || len(v["year"]) != len(q.Years) {
			t.Errorf("%s: URL values %v", q.ID, v)
		}
		r, err := q.Request()
		if err != nil || !r.Highlight || !r.Facets || r.Size != 10 || !slices.Equal(r.Years, q.Years) {
			t.Errorf("%s: request %+v (err %v) is not the full request", q.ID, r, err)
		}
	}
}

func n(s string) int { return len([]rune(s)) }

func allHan(s string) bool {
	for _, r := range s {
		if !text.IsCJK(r) {
			return false
		}
	}
	return s != ""
}

func band(df float64) string {
	switch {
	case df <= 0.0005:
		return "rare"
	case df < 0.01:
		return "medium"
	}
	return "common"
}

// TestGenerateLogErrors: a log cannot be drawn from nothing.
func TestGenerateLogErrors(t *testing.T) {
	c := smallCorpus(t, 200)
	sample, _ := c.Sample()
	if _, err := suite.GenerateLog(c, nil, suite.LogSpec{Queries: 100}); err == nil {
		t.Error("empty sample: no error")
	}
	if _, err := suite.GenerateLog(c, sample, suite.LogSpec{Queries: 3}); err == nil {
		t.Error("3 queries: no error")
	}
	bare := *c
	bare.Programs = nil
	if _, err := suite.GenerateLog(&bare, sample, suite.LogSpec{Queries: 100}); err == nil {
		t.Error("corpus without programs: no error")
	}
}

// TestUpdateFile: a run replaces its corpus's section and keeps the rest
// (hand-written analysis, the other corpus's section).
func TestUpdateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	steps := []struct {
		kind, section string
		want          []string
		notWant       []string
	}{
		{"real", "real run 1\n", []string{"# Benchmarks", "<!-- benchsuite:real:begin -->\nreal run 1\n<!-- benchsuite:real:end -->"}, nil},
		{"synth", "synth run 1", []string{"real run 1", "<!-- benchsuite:synth:begin -->\nsynth run 1\n<!-- benchsuite:synth:end -->"}, nil},
		{"real", "real run 2\n\n", []string{"real run 2\n<!-- benchsuite:real:end -->", "synth run 1", "## Analysis"}, []string{"real run 1"}},
	}
	for i, s := range steps {
		if i == 2 {
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, append(b, "\n## Analysis\nkept by hand\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := suite.UpdateFile(path, s.kind, s.section); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		for _, w := range s.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("step %d: file lacks %q:\n%s", i, w, b)
			}
		}
		for _, w := range s.notWant {
			if strings.Contains(string(b), w) {
				t.Errorf("step %d: file still has %q:\n%s", i, w, b)
			}
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(bad, []byte("<!-- benchsuite:real:begin -->\nno end\n"), 0o644)
	if err := suite.UpdateFile(bad, "real", "x"); err == nil {
		t.Error("section without end marker: no error")
	}
}

// TestChildErrors: a bad job is a usage error (2), a failing job 1.
func TestChildErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"no-such-job"}, 2},
		{[]string{"bleve-query", "-bogus"}, 2},
		{[]string{"bleve-query", "-index", t.TempDir(), "-log", filepath.Join(t.TempDir(), "missing.jsonl")}, 1},
		{[]string{"bleve-build", "-input", filepath.Join(t.TempDir(), "missing.jsonl"), "-index", filepath.Join(t.TempDir(), "ix")}, 1},
	} {
		var out, errb strings.Builder
		if code := suite.ChildMain(context.Background(), tc.args, &out, &errb); code != tc.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		if out.Len() > 0 {
			t.Errorf("%q: printed %q on failure", tc.args, out.String())
		}
	}
}

// TestParseClients covers the -clients flag.
func TestParseClients(t *testing.T) {
	for in, want := range map[string][]int{"1,8": {1, 8}, " 2 ": {2}, "1,1,4": {1, 4}} {
		got, err := suite.ParseClients(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseClients(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "1,x", "-2"} {
		if _, err := suite.ParseClients(bad); err == nil {
			t.Errorf("ParseClients(%q): no error", bad)
		}
	}
}

// TestQueryLanguageRoundTrip: the log's text form is what our parser
// reads; its canonical String parses back to the same clauses (so searchd,
// which gets the text over HTTP, runs the same query).
func TestQueryLanguageRoundTrip(t *testing.T) {
	c := smallCorpus(t, 800)
	sample, _ := c.Sample()
	log, err := suite.GenerateLog(c, sample, suite.LogSpec{Seed: 5, Queries: 60})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range log {
		pq, _ := q.Parsed()
		back, err := query.Parse(pq.String())
		if err != nil || back.String() != pq.String() {
			t.Errorf("%s: %q → %q → %q (%v)", q.ID, q.Text, pq.String(), back.String(), err)
		}
	}
}

func TestSectionName(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec suite.CorpusSpec
		want string
	}{
		{"real corpus", suite.CorpusSpec{Kind: suite.KindReal}, "real"},
		{"real corpus, first N", suite.CorpusSpec{Kind: suite.KindReal, Paragraphs: 5000}, "real"},
		{"synthetic 1M keeps the old section", suite.CorpusSpec{Kind: suite.KindSynth, Paragraphs: 1_000_000}, "synth"},
		{"synthetic 3M has its own", suite.CorpusSpec{Kind: suite.KindSynth, Paragraphs: 3_000_000}, "synth-3000000"},
		{"synthetic small", suite.CorpusSpec{Kind: suite.KindSynth, Paragraphs: 20_000}, "synth-20000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := suite.SectionName(tc.spec); got != tc.want {
				t.Errorf("SectionName(%+v) = %q, want %q", tc.spec, got, tc.want)
			}
		})
	}
}
