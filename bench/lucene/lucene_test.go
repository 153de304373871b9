package lucene

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// corpus is a tiny county-news corpus. Besides the usual initiatives it
// holds the patterns where Lucene's analysis and substring containment part
// ways (see knownDifferences): "村镇" without punctuation, a Latin word,
// four-digit years, a run break between overlapping bigrams (p41).
var corpus = []Paragraph{
	{"p01", "梁山", 2021, []string{"红色物业", "党建引领"}, "梁山县推进红色物业建设，今年6月已建成红色物业示范小区7个。"},
	{"p02", "梁山", 2021, []string{"红色物业"}, "梁山县水泊街道把党支部建在小区里，红色物业覆盖率达到90%。"},
	{"p03", "梁山", 2022, []string{"网格化治理"}, "梁山县深化网格化治理，全县划分网格1200个，配备专职网格员。"},
	{"p04", "梁山", 2022, []string{"乡村振兴"}, "梁山县实施乡村振兴战略，打造美丽乡村示范村12个。"},
	{"p05", "梁山", 2023, []string{"乡村振兴", "党建引领"}, "梁山镇以党建引领乡村振兴，村集体经济收入全部超过10万元。"},
	{"p06", "梁山", 2023, nil, "梁山县举办水浒文化旅游节，游客人数同比增长三成。"},
	{"p07", "梁山", 2020, []string{"网格化治理"}, "2020年6月，梁山县在城区推行网格员“一岗多责”。"},
	{"p08", "梁山", 2021, []string{"红色物业", "网格化治理"}, "红色物业与网格化治理融合，梁山县物业服务投诉下降四成。"},
	{"p09", "梁山", 2022, nil, "梁山县新建城市书房5处，方便群众就近阅读。"},
	{"p10", "梁山", 0, []string{"乡村振兴"}, "乡村振兴工作队进村入户，帮助农户发展特色种植。"},
	{"p11", "邹城", 2021, []string{"红色物业"}, "邹城市推行红色物业，学习梁山县经验，成立物业党支部23个。"},
	{"p12", "邹城", 2021, []string{"网格化治理"}, "邹城市网格化治理，县里乡村振兴工作同步推进。"},
	{"p13", "邹城", 2022, []string{"乡村振兴"}, "邹城市乡村振兴示范片区建设提速，今年6月启动第二批项目。"},
	{"p14", "邹城", 2022, []string{"党建引领", "网格化治理"}, "邹城市以党建引领网格化治理，网格员走访群众3万余户。"},
	{"p15", "邹城", 2023, []string{"红色物业"}, "邹城市红帆驿站为快递员、外卖员提供休息场所。"},
	{"p16", "邹城", 2023, nil, "邹城市孟子故里文化节开幕，市民游客共赏传统文化。"},
	{"p17", "邹城", 2020, []string{"乡村振兴"}, "邹城市香城镇发展乡村旅游，带动村民增收致富。"},
	{"p18", "邹城", 2021, []string{"党建引领"}, "邹城市开展党员志愿服务，党员干部下沉社区报到。"},
	{"p19", "邹城", 2022, []string{"红色物业", "党建引领"}, "物业企业成立党支部，邹城市红色物业覆盖80个小区。"},
	{"p20", "邹城", 2023, []string{"网格化治理"}, "邹城市网格员队伍专职化，网格事项办结率98%。"},
	{"p21", "金乡", 2021, []string{"乡村振兴"}, "金乡县大蒜产业助力乡村振兴，全县大蒜种植面积70万亩。"},
	{"p22", "金乡", 2021, []string{"红色物业"}, "金乡县红帆驿站建成投用，服务新就业群体。"},
	{"p23", "金乡", 2022, []string{"网格化治理"}, "金乡县网格化服务管理中心投入运行，实现县乡村三级联动。"},
	{"p24", "金乡", 2022, []string{"党建引领", "乡村振兴"}, "金乡县党建引领乡村振兴，选派第一书记86名。"},
	{"p25", "金乡", 2023, nil, "金乡县举办大蒜节，客商签约金额创新高。"},
	{"p26", "金乡", 2020, []string{"红色物业"}, "金乡县红色物业试点小区居民满意度明显提升。"},
	{"p27", "金乡", 2023, []string{"网格化治理", "党建引领"}, "金乡县推行“网格+警格”模式，矛盾纠纷就地化解。"},
	{"p28", "金乡", 2021, nil, "金乡县城乡环卫一体化，村镇环境明显改善。"},
	{"p29", "金乡", 2022, []string{"乡村振兴"}, "金乡县鸡黍镇农村，镇上新建农贸市场一处。"},
	{"p30", "金乡", 2023, []string{"红色物业"}, "金乡县物业小区推行红色物业积分制，居民参与热情高。"},
	{"p31", "梁山", 2022, []string{"党建|引领"}, "梁山县使用app办理不动产登记，群众少跑腿。"},
	{"p32", "邹城", 2021, []string{"乡村振兴"}, "邹城市农村，镇街联动整治人居环境。"},
	{"p33", "金乡", 2020, []string{"网格化治理"}, "金乡县APP上线，网格员随手拍问题及时处置。"},
	{"p34", "梁山", 2023, []string{"红色物业", "网格化治理", "党建引领"}, "梁山县小区党支部、物业、业委会“三方联动”，红色物业提质增效。"},
	{"p35", "邹城", 2020, nil, "邹城县级市建设成效显著，城市面貌焕然一新。"},
	{"p36", "金乡", 2021, []string{"乡村振兴"}, "乡村振兴让金乡县村庄更美、产业更旺、农民更富。"},
	{"p37", "", 2022, []string{"乡村振兴"}, "济宁市乡村振兴现场会在梁山县召开，推广网格化治理经验。"},
	{"p38", "梁山", 2021, []string{"网格化治理"}, "梁山县网格员上门宣传防诈骗知识，覆盖全县村居。"},
	{"p39", "邹城", 2022, []string{"红色物业"}, "邹城市“红色物业+”模式入选全省典型案例。"},
	{"p40", "金乡", 2022, nil, "2021年6月金乡县开通城乡公交，群众出行更便捷。"},
	{"p41", "邹城", 2023, nil, "邹城市文旅局也将在“在未来遇见邹城”活动中发放消费券。"},
}

// agreeing are queries on which Lucene's hit counts must equal substring
// containment: Han phrases of any length, single characters, a Han-digit
// mix, OR, NOT, and filters.
var agreeing = []Query{
	{ID: "phrase4", Clauses: []Clause{{Any: []string{"红色物业"}}}},
	{ID: "phrase2", Clauses: []Clause{{Any: []string{"网格"}}}},
	{ID: "phrase3", Clauses: []Clause{{Any: []string{"网格员"}}}},
	{ID: "single", Clauses: []Clause{{Any: []string{"县"}}}},
	{ID: "single-rare", Clauses: []Clause{{Any: []string{"帆"}}}},
	{ID: "or", Clauses: []Clause{{Any: []string{"红色物业", "红帆驿站"}}}},
	{ID: "not", Clauses: []Clause{{Any: []string{"红色物业"}}, {Negated: true, Any: []string{"梁山"}}}},
	{ID: "and", Clauses: []Clause{{Any: []string{"乡村振兴"}}, {Any: []string{"党建"}}}},
	{ID: "county-or", Clauses: []Clause{{Any: []string{"乡村振兴"}}}, Counties: []string{"邹城", "金乡"}},
	{ID: "year-program", Clauses: []Clause{{Any: []string{"网格"}}}, Years: []int{2021, 2022}, Programs: []string{"网格化治理"}},
	{ID: "filters-only", Counties: []string{"梁山"}, Years: []int{2021}},
	{ID: "match-all"},
	{ID: "only-not", Clauses: []Clause{{Negated: true, Any: []string{"网格"}}}},
	{ID: "single-and", Clauses: []Clause{{Any: []string{"党"}}, {Any: []string{"网格"}}}},
	{ID: "single-not", Clauses: []Clause{{Any: []string{"物业"}}, {Negated: true, Any: []string{"红"}}}},
	{ID: "single-or", Clauses: []Clause{{Any: []string{"镇", "蒜"}}}},
	{ID: "han-digit", Clauses: []Clause{{Any: []string{"年6月"}}}},
	{ID: "not-or", Clauses: []Clause{{Any: []string{"乡村振兴"}}, {Negated: true, Any: []string{"邹城", "金乡"}}}},
	{ID: "no-match", Clauses: []Clause{{Any: []string{"不存在的短语"}}}},
	{ID: "program-escaped", Programs: []string{"党建|引领"}},
	{ID: "all-filters", Clauses: []Clause{{Any: []string{"物业"}}}, Counties: []string{"梁山", "邹城"}, Years: []int{2021, 2023}, Programs: []string{"红色物业", "党建引领"}},
	{ID: "q;id|with\\escapes", Clauses: []Clause{{Any: []string{"大蒜"}}}},
}

// knownDifferences are documented cases where Lucene's token-based phrase
// matching and substring containment disagree (README.md, "Caveats"); the
// test pins Lucene's count so a change in behaviour is noticed.
var knownDifferences = []struct {
	q      Query
	lucene int
	why    string
}{
	{Query{ID: "diff-punct", Clauses: []Clause{{Any: []string{"村，镇"}}}}, 3,
		"a phrase with a one-character Han run becomes a unigram phrase, and punctuation is no token: matches 村镇 (p28) besides 村，镇 (p29, p32)"},
	{Query{ID: "diff-latin-part", Clauses: []Clause{{Any: []string{"ap"}}}}, 0,
		"Latin and digit runs are whole tokens: ap is not a token of app"},
	{Query{ID: "diff-case", Clauses: []Clause{{Any: []string{"APP"}}}}, 2,
		"tokens are lower-cased: APP matches app (p31) and APP (p33)"},
	{Query{ID: "diff-digits", Clauses: []Clause{{Any: []string{"202"}}}}, 0,
		"202 is not a token of 2020/2021"},
	{Query{ID: "diff-punct-only", Clauses: []Clause{{Any: []string{"，"}}}}, 0,
		"punctuation analyses to no tokens: the phrase matches nothing"},
	{Query{ID: "diff-run-overlap", Clauses: []Clause{{Any: []string{"将在未来"}}}}, 1,
		"bigram positions run on across punctuation: 也将在“在未来 holds 将在, 在未, 未来 at consecutive positions (1 of 500 sampled queries on the news corpus)"},
}

// textMatches reports whether p passes q's text clauses: the reference
// semantics, substring containment.
func textMatches(p Paragraph, q Query) bool {
	for _, c := range q.Clauses {
		any := slices.ContainsFunc(c.Any, func(ph string) bool { return strings.Contains(p.Text, ph) })
		if any == c.Negated {
			return false
		}
	}
	return true
}

// passes reports whether p passes q's filters, ignoring the one on skip
// (for disjunctive facet counts).
func passes(p Paragraph, q Query, skip string) bool {
	if skip != "county" && len(q.Counties) > 0 && !slices.Contains(q.Counties, p.County) {
		return false
	}
	if skip != "year" && len(q.Years) > 0 && !slices.Contains(q.Years, p.Year) {
		return false
	}
	if skip != "program" && len(q.Programs) > 0 &&
		!slices.ContainsFunc(p.Programs, func(s string) bool { return slices.Contains(q.Programs, s) }) {
		return false
	}
	return true
}

// wantFacets counts, for each dimension, the values of the paragraphs that
// match q with every filter but that dimension's own.
func wantFacets(ps []Paragraph, q Query) map[string]map[string]int {
	out := map[string]map[string]int{}
	add := func(dim, v string) {
		if out[dim] == nil {
			out[dim] = map[string]int{}
		}
		out[dim][v]++
	}
	for _, p := range ps {
		if !textMatches(p, q) {
			continue
		}
		if p.County != "" && passes(p, q, "county") {
			add("county", p.County)
		}
		if p.Year != 0 && passes(p, q, "year") {
			add("year", strconv.Itoa(p.Year))
		}
		if passes(p, q, "program") {
			for _, prog := range p.Programs {
				add("program", prog)
			}
		}
	}
	return out
}

func wantHits(ps []Paragraph, q Query) map[string]bool {
	ids := map[string]bool{}
	for _, p := range ps {
		if textMatches(p, q) && passes(p, q, "") {
			ids[p.ID] = true
		}
	}
	return ids
}

// harness compiles Bench.java, skipping the test when Java or Lucene is
// missing, unless CI=true (CI installs them).
func harness(t *testing.T) *Harness {
	t.Helper()
	h, err := Compile(t.Context(), t.TempDir())
	if errors.Is(err, ErrNotInstalled) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func writeFile(t *testing.T, path string, write func(f *os.File) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLucene indexes the corpus once and checks every query's total, top
// hits, facets and highlights against the reference semantics.
func TestLucene(t *testing.T) {
	h := harness(t)
	ctx := t.Context()
	dir := t.TempDir()
	paras := filepath.Join(dir, "paragraphs.tsv")
	queries := filepath.Join(dir, "queries.tsv")
	index := filepath.Join(dir, "index")
	all := slices.Clone(agreeing)
	for _, d := range knownDifferences {
		all = append(all, d.q)
	}
	writeFile(t, paras, func(f *os.File) error { return WriteParagraphs(f, corpus) })
	writeFile(t, queries, func(f *os.File) error { return WriteQueries(f, all) })

	is, err := h.Index(ctx, paras, index, IndexOptions{Threads: 2, ForceMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	if is.Docs != len(corpus) || is.Segments != 1 || is.IndexBytes <= 0 || is.TextMB <= 0 {
		t.Errorf("index stats %+v: want %d docs in 1 segment", is, len(corpus))
	}

	qs, hits, err := h.Query(ctx, index, queries, QueryOptions{Clients: 2, WarmupRounds: 1, Rounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if qs.Queries != 2*len(all) || qs.Clients != 2 || qs.QPS <= 0 || qs.P50Ms > qs.P99Ms || qs.HeapMB <= 0 {
		t.Errorf("query stats %+v", qs)
	}
	if len(hits) != len(all) {
		t.Errorf("got hits for %d queries, want %d", len(hits), len(all))
	}

	details, err := h.Inspect(ctx, index, queries, 0)
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range agreeing {
		t.Run(q.ID, func(t *testing.T) {
			want := wantHits(corpus, q)
			if got, ok := hits[q.ID]; !ok || got != len(want) {
				t.Errorf("Query total = %d (present %v), want %d", got, ok, len(want))
			}
			d := details[q.ID]
			if d.Total != len(want) {
				t.Errorf("Inspect total = %d, want %d", d.Total, len(want))
			}
			if len(d.Top) != min(10, len(want)) {
				t.Errorf("got %d top hits, want %d", len(d.Top), min(10, len(want)))
			}
			positive := slices.ContainsFunc(q.Clauses, func(c Clause) bool { return !c.Negated })
			for i, hit := range d.Top {
				if !want[hit.ID] {
					t.Errorf("top hit %s does not match", hit.ID)
				}
				if i > 0 && hit.Score > d.Top[i-1].Score {
					t.Errorf("hit %d score %v above hit %d's %v", i, hit.Score, i-1, d.Top[i-1].Score)
				}
				if positive && !strings.Contains(hit.Snippet, "<b>") {
					t.Errorf("hit %s snippet %q has no highlight", hit.ID, hit.Snippet)
				}
			}
			wantF := wantFacets(corpus, q)
			if !equalFacets(d.Facets, wantF) {
				t.Errorf("facets\n got %v\nwant %v", d.Facets, wantF)
			}
		})
	}

	for _, k := range knownDifferences {
		t.Run(k.q.ID, func(t *testing.T) {
			if got := hits[k.q.ID]; got != k.lucene {
				t.Errorf("Lucene total = %d, want %d: %s", got, k.lucene, k.why)
			}
			if n := len(wantHits(corpus, k.q)); n == k.lucene {
				t.Errorf("substring count %d equals Lucene's: no longer a difference (%s)", n, k.why)
			}
		})
	}

	t.Run("highlight merges bigrams", func(t *testing.T) {
		for _, hit := range details["phrase4"].Top {
			if !strings.Contains(hit.Snippet, "<b>红色物业</b>") {
				t.Errorf("%s: %q lacks <b>红色物业</b>", hit.ID, hit.Snippet)
			}
		}
		for _, hit := range details["single-rare"].Top {
			if !strings.Contains(hit.Snippet, "红<b>帆</b>驿站") {
				t.Errorf("%s: %q lacks 红<b>帆</b>驿站", hit.ID, hit.Snippet)
			}
		}
	})

	t.Run("skipping facets and highlights keeps totals", func(t *testing.T) {
		_, bare, err := h.Query(ctx, index, queries, QueryOptions{Clients: 1, Rounds: 1, SkipFacets: true, SkipHighlight: true})
		if err != nil {
			t.Fatal(err)
		}
		if !maps(bare, hits) {
			t.Errorf("hits without facets and highlights differ:\n got %v\nwant %v", bare, hits)
		}
	})

	t.Run("bad input keeps the old index", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.tsv")
		if err := os.WriteFile(bad, []byte("x1\t梁山\t2021\t\t好\nx2\t梁山\t2021\t红色物业\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := h.Index(ctx, bad, index, IndexOptions{})
		if err == nil || !strings.Contains(err.Error(), "bad.tsv:2: want 5 tab-separated fields, got 4") {
			t.Fatalf("Index(bad) error = %v, want line 2's field count", err)
		}
		// Bytes that are not UTF-8 fail while reading, not in an indexing
		// thread: the writer must still not commit the lines before them.
		if err := os.WriteFile(bad, []byte("x1\t梁山\t2021\t\t好\nx2\t梁山\t2021\t\t\xff\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = h.Index(ctx, bad, index, IndexOptions{})
		if err == nil || !strings.Contains(err.Error(), "bad.tsv: invalid UTF-8 at or after line 1") {
			t.Fatalf("Index(not UTF-8) error = %v", err)
		}
		_, again, err := h.Query(ctx, index, queries, QueryOptions{Clients: 1, Rounds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !maps(again, hits) {
			t.Errorf("hits after a failed re-index differ:\n got %v\nwant %v", again, hits)
		}
	})

	t.Run("missing files", func(t *testing.T) {
		_, _, err := h.Query(ctx, filepath.Join(dir, "no-index"), queries, QueryOptions{Clients: 1})
		if err == nil || !strings.Contains(err.Error(), "bench: no index") {
			t.Errorf("Query(missing index) error = %v", err)
		}
		_, err = h.Index(ctx, filepath.Join(dir, "none.tsv"), filepath.Join(dir, "idx2"), IndexOptions{})
		if err == nil || !strings.Contains(err.Error(), "bench: no such file: "+filepath.Join(dir, "none.tsv")) {
			t.Errorf("Index(missing file) error = %v", err)
		}
	})

	t.Run("bad query log", func(t *testing.T) {
		bad := filepath.Join(dir, "badq.tsv")
		if err := os.WriteFile(bad, []byte("q1\t+红色物业\t\t\t\nq2\t红色物业\t\t\t\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := h.Query(ctx, index, bad, QueryOptions{Clients: 1, Rounds: 1})
		if err == nil || !strings.Contains(err.Error(), "badq.tsv:2: clause 红色物业 must start with + or -") {
			t.Fatalf("Query(bad) error = %v, want line 2's clause", err)
		}
	})
}

func equalFacets(a, b map[string]map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for dim, m := range a {
		if !maps(m, b[dim]) {
			return false
		}
	}
	return true
}

func maps[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCompileMissing checks the error a machine without the jars gets.
func TestCompileMissing(t *testing.T) {
	_, err := compile(t.Context(), t.TempDir(), t.TempDir())
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("compile with no jars: %v, want ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), "apt-get install default-jdk-headless liblucene8-java") {
		t.Errorf("error %q does not say what to install", err)
	}
}
