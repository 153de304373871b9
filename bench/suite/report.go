package suite

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
)

// Report writes the run as markdown: machine, command, corpus, the table
// with ratios, the targets, hit-count agreement and notes.
func (res *Result) Report(w io.Writer) error {
	var b strings.Builder
	c, cfg, m := res.Corpus, res.Config, res.Machine
	fmt.Fprintf(&b, "### Corpus: %s\n\n", corpusTitle(c))
	fmt.Fprintf(&b, "- Date: %s (suite took %s)\n", res.Started.UTC().Format("2006-01-02 15:04 MST"), res.Took.Round(1e9))
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %.1f GB RAM, Linux %s; %s; Java: %s; load average %s at the start, %s at the end\n",
		m.CPU, m.Cores, m.RAMGB, m.Kernel, m.Go, m.Java, m.LoadStart, m.LoadEnd)
	if cfg.Command != "" {
		fmt.Fprintf(&b, "- Command: `%s`\n", cfg.Command)
	}
	fmt.Fprintf(&b, "- Corpus: %s; %d articles, %d paragraphs, %.1f MB of paragraph text (UTF-8)", c.Source, c.Articles, c.Paragraphs, c.TextMB())
	if c.AssignedCounty > 0 {
		fmt.Fprintf(&b, "; %d articles named no county and got one from the hash of their ID", c.AssignedCounty)
	}
	fmt.Fprintf(&b, "; %d counties, %d years, %d programs\n", len(c.Counties), len(c.Years), len(c.Programs))
	kinds, filters := LogSummary(res.Log)
	var ks []string
	for _, k := range sortedKeys(kinds) {
		ks = append(ks, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	fmt.Fprintf(&b, "- Query log: %d queries (seed %d): %s; with 0/1/2/3 facet filters: %d/%d/%d/%d. Every request: top 10 by BM25, exact total, disjunctive counts of county, year and program, highlights of the top 10.\n",
		len(res.Log), cfg.LogSeed, strings.Join(ks, ", "), filters[0], filters[1], filters[2], filters[3])
	fmt.Fprintf(&b, "- Method: engines alternate A B, %d rounds per figure; each query run: %d warm-up pass(es), then %d measured pass(es) over the log; figures are the median over rounds. Builds and in-process query runs each happen in a fresh child process (peak RSS = its rusage maxrss).", cfg.Rounds, cfg.Warmup, cfg.Passes)
	switch {
	case res.BuildCached:
		b.WriteString(" Build figures come from the cached builds of an earlier run (`-fresh` rebuilds).")
	case len(res.CachedBuilds) > 0:
		fmt.Fprintf(&b, " The %s build figures come from a cached build of an earlier run (each engine's index is cached on its own; `-fresh` rebuilds).", strings.Join(res.CachedBuilds, " and "))
	}
	b.WriteString("\n\n")

	ob, lb := combineBuilds(res.Build[Ours]), combineBuilds(res.Build[Lucene])
	b.WriteString("| Figure | Ours (Bleve) | Lucene 8.7 | ours/Lucene |\n|---|---:|---:|---:|\n")
	row := func(name string, ours, luc float64, format string) {
		fmt.Fprintf(&b, "| %s | "+format+" | "+format+" | %s |\n", name, ours, luc, ratio(ours, luc))
	}
	row("Index build time (s)", ob.Seconds, lb.Seconds, "%.1f")
	row("Build speed (MB/s of text)", ob.MBPerS(), lb.MBPerS(), "%.2f")
	row("Build speed (paragraphs/s)", ob.ParagraphsPerS(), lb.ParagraphsPerS(), "%.0f")
	row("Build: MB of text per CPU-second", ob.MBPerCPUSecond(), lb.MBPerCPUSecond(), "%.2f")
	row("Peak RSS while building (MB)", ob.PeakRSSMB, lb.PeakRSSMB, "%.0f")
	if ob.Peaks.AnonMB > 0 && lb.Peaks.AnonMB > 0 {
		row("Build: peak anonymous RSS, heaps (MB)", ob.Peaks.AnonMB, lb.Peaks.AnonMB, "%.0f")
		row("Build: peak file-backed RSS, mapped index files (MB)", ob.Peaks.FileMB, lb.Peaks.FileMB, "%.0f")
	}
	row("Index size (MB)", ob.IndexMB(), lb.IndexMB(), "%.1f")
	row("Index size / text size", ob.SizeRatio(), lb.SizeRatio(), "%.2f")
	for _, n := range cfg.Clients {
		o, l := combineQueries(res.InProcess[Ours][n]), combineQueries(res.InProcess[Lucene][n])
		p := fmt.Sprintf("In-process, %d client%s:", n, plural(n))
		row(p+" p50 (ms)", o.P50Ms, l.P50Ms, "%.2f")
		row(p+" p95 (ms)", o.P95Ms, l.P95Ms, "%.2f")
		row(p+" p99 (ms)", o.P99Ms, l.P99Ms, "%.2f")
		row(p+" QPS", o.QPS, l.QPS, "%.1f")
		row(p+" CPU ms per request", o.CPUMsPerRequest(), l.CPUMsPerRequest(), "%.2f")
	}
	if cfg.HTTP {
		for _, n := range cfg.Clients {
			o := combineQueries(res.HTTP[n])
			p := fmt.Sprintf("HTTP (searchd), %d client%s:", n, plural(n))
			for _, f := range []struct {
				name string
				v    float64
			}{{"p50 (ms)", o.P50Ms}, {"p95 (ms)", o.P95Ms}, {"p99 (ms)", o.P99Ms}, {"QPS", o.QPS}} {
				format := "%.2f"
				if f.name == "QPS" {
					format = "%.1f"
				}
				fmt.Fprintf(&b, "| %s %s | "+format+" | no HTTP server in Lucene | — |\n", p, f.name, f.v)
			}
		}
	}
	last := cfg.Clients[len(cfg.Clients)-1]
	o, l := combineQueries(res.InProcess[Ours][last]), combineQueries(res.InProcess[Lucene][last])
	row(fmt.Sprintf("Peak RSS while serving, in-process %d clients (MB)", last), o.PeakRSSMB, l.PeakRSSMB, "%.0f")
	row("Live heap after the log (MB)", o.HeapMB, l.HeapMB, "%.0f")
	if cfg.HTTP {
		fmt.Fprintf(&b, "| searchd RSS after the HTTP load / peak (MB) | %.0f / %.0f | no HTTP server in Lucene | — |\n", res.SearchdRSSMB, res.SearchdPeakMB)
	}
	b.WriteString("\n")

	res.writeTargets(&b)
	res.writeAgreement(&b)
	if len(res.Breakdown[Ours]) > 0 {
		b.WriteString("Where the time goes (1 client, same log, each part of the request a separate run; Lucene cannot skip the top 10):\n\n" +
			"| Request | ours p50 (ms) | ours p99 (ms) | ours mean (ms) | Lucene p50 (ms) | Lucene p99 (ms) | Lucene mean (ms) | mean ours/Lucene |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, v := range Variants {
			o, ok := res.Breakdown[Ours][v]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.2f |", variantTitle(v), o.P50Ms, o.P99Ms, o.MeanMs)
			if l, ok := res.Breakdown[Lucene][v]; ok {
				fmt.Fprintf(&b, " %.2f | %.2f | %.2f | %s |\n", l.P50Ms, l.P99Ms, l.MeanMs, ratio(o.MeanMs, l.MeanMs))
			} else {
				b.WriteString(" — | — | — | — |\n")
			}
		}
		b.WriteString("\n")
	}
	res.writeRounds(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func corpusTitle(c *Corpus) string {
	if c.Spec.Kind == KindReal {
		return fmt.Sprintf("real news-2023, %d paragraphs", c.Paragraphs)
	}
	return fmt.Sprintf("synthetic, %d paragraphs", c.Paragraphs)
}

func variantTitle(v Variant) string {
	switch v {
	case VariantCount:
		return "total only (size 0)"
	case VariantTop:
		return "top 10 + stored paragraphs"
	case VariantTopHighlight:
		return "top 10 + highlight"
	case VariantTopFacets:
		return "top 10 + 3 facets"
	case VariantFull:
		return "full request (top 10 + highlight + 3 facets)"
	}
	return string(v)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// Target is one of issue 6's targets, evaluated.
type Target struct {
	Name  string
	Value string
	Met   bool
}

// Targets evaluates the targets on this run.
func (res *Result) Targets() []Target {
	cfg := res.Config
	var ts []Target
	if slices.Contains(cfg.Clients, 1) {
		o, l := combineQueries(res.InProcess[Ours][1]), combineQueries(res.InProcess[Lucene][1])
		r50, r99 := safeDiv(o.P50Ms, l.P50Ms), safeDiv(o.P99Ms, l.P99Ms)
		ts = append(ts,
			Target{"Full request in-process p50 ≤ 1.0× Lucene's (1 client)", fmt.Sprintf("%.2f ms vs %.2f ms = %.2f×", o.P50Ms, l.P50Ms, r50), r50 <= 1.0},
			Target{"Full request in-process p99 ≤ 1.5× Lucene's (1 client)", fmt.Sprintf("%.2f ms vs %.2f ms = %.2f×", o.P99Ms, l.P99Ms, r99), r99 <= 1.5})
		if cfg.HTTP {
			h := combineQueries(res.HTTP[1])
			ts = append(ts, Target{"Over HTTP p99 < 50 ms (1 client)", fmt.Sprintf("%.2f ms", h.P99Ms), h.P99Ms < 50})
		}
	}
	if cfg.HTTP && slices.Contains(cfg.Clients, 8) {
		h := combineQueries(res.HTTP[8])
		ts = append(ts, Target{"Over HTTP p99 < 50 ms (8 clients; informative)", fmt.Sprintf("%.2f ms", h.P99Ms), h.P99Ms < 50})
	}
	if slices.Contains(cfg.Clients, 8) {
		o, l := combineQueries(res.InProcess[Ours][8]), combineQueries(res.InProcess[Lucene][8])
		r := safeDiv(o.QPS, l.QPS)
		ts = append(ts, Target{"Throughput with 8 clients ≥ Lucene's", fmt.Sprintf("%.1f vs %.1f QPS = %.2f×", o.QPS, l.QPS, r), r >= 1})
	}
	ob, lb := combineBuilds(res.Build[Ours]), combineBuilds(res.Build[Lucene])
	rb, rs := safeDiv(ob.MBPerS(), lb.MBPerS()), safeDiv(ob.IndexMB(), lb.IndexMB())
	ts = append(ts,
		Target{"Index build ≥ 0.5× Lucene's MB/s", fmt.Sprintf("%.2f vs %.2f MB/s = %.2f×", ob.MBPerS(), lb.MBPerS(), rb), rb >= 0.5},
		Target{"Index size ≤ 1.5× Lucene's", fmt.Sprintf("%.0f vs %.0f MB = %.2f×", ob.IndexMB(), lb.IndexMB(), rs), rs <= 1.5})
	return ts
}

func (res *Result) writeTargets(b *strings.Builder) {
	b.WriteString("Targets (issue 6):\n\n| Target | This run | Met |\n|---|---|---|\n")
	for _, t := range res.Targets() {
		met := "missed"
		if t.Met {
			met = "**met**"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", t.Name, t.Value, met)
	}
	b.WriteString("\n")
}

// maxDiffRows bounds the hit-count differences listed.
const maxDiffRows = 30

func (res *Result) writeAgreement(b *strings.Builder) {
	a := res.Agreement
	fmt.Fprintf(b, "Hit counts: the engines agree on **%d of %d** queries.", a.HitsAgree, a.Queries)
	if a.HTTP != nil {
		if len(a.HTTPDiffs) == 0 {
			b.WriteString(" Over HTTP searchd returned the same totals as in-process on every query.")
		} else {
			fmt.Fprintf(b, " Over HTTP %d totals differ from in-process: %s.", len(a.HTTPDiffs), strings.Join(a.HTTPDiffs, ", "))
		}
	}
	fmt.Fprintf(b, " Facet counts (county, year, program) agree exactly on %d of the %d queries with equal totals.\n\n", a.FacetsAgree, a.FacetsChecked)
	if len(a.HitDiffs) > 0 {
		b.WriteString("| Query | Kind | q | Filters | Ours | Lucene | Substring containment | Explanation |\n|---|---|---|---|---:|---:|---:|---|\n")
		diffs := slices.Clone(a.HitDiffs)
		sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].Query.ID < diffs[j].Query.ID })
		for i, d := range diffs {
			if i == maxDiffRows {
				fmt.Fprintf(b, "| … %d more | | | | | | | |\n", len(diffs)-maxDiffRows)
				break
			}
			q := d.Query
			fmt.Fprintf(b, "| %s | %s | `%s` | %s | %d | %d | %d | %s |\n", q.ID, q.Kind, q.Text, filterText(q), d.Ours, d.Lucene, d.Substring, d.Why())
		}
		b.WriteString("\n")
	}
	if len(a.FacetDiffs) > 0 {
		b.WriteString("Facet differences (first few):\n\n")
		for _, d := range a.FacetDiffs {
			fmt.Fprintf(b, "- %s %s: ours {%s}, Lucene {%s}, substring containment {%s}: %s\n", d.ID, d.Dim,
				formatCounts(d.Ours), formatCounts(d.Lucene), formatCounts(d.Reference), d.Why())
		}
		b.WriteString("\n")
	}
}

func filterText(q LogQuery) string {
	var parts []string
	if len(q.Counties) > 0 {
		parts = append(parts, "county="+strings.Join(q.Counties, "|"))
	}
	if len(q.Years) > 0 {
		var ys []string
		for _, y := range q.Years {
			ys = append(ys, itoa(y))
		}
		parts = append(parts, "year="+strings.Join(ys, "|"))
	}
	if len(q.Programs) > 0 {
		parts = append(parts, "program="+strings.Join(q.Programs, "|"))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " ")
}

// writeRounds lists each round's raw figures, so the spread is visible.
func (res *Result) writeRounds(b *strings.Builder) {
	b.WriteString("<details><summary>Per-round figures</summary>\n\n")
	for _, e := range []string{Ours, Lucene} {
		for i, s := range res.Build[e] {
			fmt.Fprintf(b, "- build %s round %d: %.1f s (%.1f CPU-s), %.2f MB/s, %.0f MB, peak RSS %.0f MB (anonymous %.0f, file-backed %.0f at their peaks)\n",
				e, i+1, s.Seconds, s.CPUSeconds, s.MBPerS(), s.IndexMB(), s.PeakRSSMB, s.Peaks.AnonMB, s.Peaks.FileMB)
		}
	}
	for _, n := range res.Config.Clients {
		for _, e := range []string{Ours, Lucene} {
			for i, s := range res.InProcess[e][n] {
				fmt.Fprintf(b, "- in-process %s %d client%s round %d: p50 %.2f, p95 %.2f, p99 %.2f, max %.2f ms, %.1f QPS, %.2f CPU ms/request, peak RSS %.0f MB, heap %.0f MB\n",
					e, n, plural(n), i+1, s.P50Ms, s.P95Ms, s.P99Ms, s.MaxMs, s.QPS, s.CPUMsPerRequest(), s.PeakRSSMB, s.HeapMB)
			}
		}
		for i, s := range res.HTTP[n] {
			fmt.Fprintf(b, "- HTTP ours %d client%s round %d: p50 %.2f, p95 %.2f, p99 %.2f, max %.2f ms, %.1f QPS, errors %d\n",
				n, plural(n), i+1, s.P50Ms, s.P95Ms, s.P99Ms, s.MaxMs, s.QPS, s.Errors)
		}
	}
	b.WriteString("\n</details>\n\n")
}

// SectionName names the section of BENCHMARKS.md a run on spec replaces:
// the corpus kind for the real corpus and the 1,000,000-paragraph
// synthetic one, the kind and size for other synthetic sizes (the
// 3,000,000-paragraph run is "synth-3000000"), so that runs at different
// scales keep their own sections.
func SectionName(spec CorpusSpec) string {
	if spec.Kind == KindSynth && spec.Paragraphs != 1_000_000 {
		return fmt.Sprintf("%s-%d", spec.Kind, spec.Paragraphs)
	}
	return spec.Kind
}

// Section markers of BENCHMARKS.md: each corpus's latest run sits between
// its own pair, so runs on different corpora update their part only.
func markers(kind string) (begin, end string) {
	return "<!-- benchsuite:" + kind + ":begin -->", "<!-- benchsuite:" + kind + ":end -->"
}

// UpdateFile replaces the section of corpus kind in the markdown file at
// path with section (appending it if the file has none), keeping the rest
// of the file. A missing file is created with a short header.
func UpdateFile(path, kind, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(old)
	if doc == "" {
		doc = "# Benchmarks\n\nWritten by `go run ./bench/cmd/benchsuite` (see bench/suite).\n\n"
	}
	out, err := replaceSection(doc, kind, section)
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(out), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func replaceSection(doc, kind, section string) (string, error) {
	begin, end := markers(kind)
	block := begin + "\n" + strings.TrimRight(section, "\n") + "\n" + end + "\n"
	i := strings.Index(doc, begin)
	if i < 0 {
		if !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		return doc + "\n" + block, nil
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return "", fmt.Errorf("%s without %s", begin, end)
	}
	rest := strings.TrimPrefix(doc[i+j+len(end):], "\n")
	return doc[:i] + block + rest, nil
}
