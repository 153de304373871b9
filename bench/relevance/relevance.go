// Package relevance is the relevance benchmark of natural questions: it
// runs the questions of ../shared/eval/relevance-dev.jsonl over the
// paragraphs of the news-2023 export through our search, as
// GET /api/search?q=QUESTION does (the query parser, match=auto, top 10,
// exact total, three facets, highlights), and through Lucene on the same
// paragraphs in the same run (bench/lucene: CJKAnalyzer bigrams, BM25, the
// classic QueryParser, OR), and reports for both Recall@10 and MRR@10 at
// the article level, the share of questions with no hit, and the p50 and
// p99 latency of the full request.
//
// Scoring, as the eval README defines it: each question's hits in rank
// order are mapped to their articles and the first 10 distinct articles
// kept; Recall@10 is the share of questions with a relevant article among
// them, MRR@10 the mean of 1/rank of the first relevant one (0 if none).
// Hits are read from the top 100 paragraphs of each engine.
//
// Run it by hand with go run ./bench/relevance/cmd (see BENCHMARKS.md);
// the test runs a small sample.
package relevance

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"countynews/bench/lucene"
	"countynews/bench/suite"
	"countynews/corpus"
	"countynews/internal/search"
	"countynews/query"
)

// Question is one line of the eval file.
type Question struct {
	Q        string   `json:"q"`
	Answer   string   `json:"answer"`
	Relevant []string `json:"relevant"`
	// Line is the question's line in the file, from 1 (ReadQuestions).
	Line int `json:"-"`
}

// Split keeps the questions of one half of the file: "odd" (lines 1, 3,
// 5, ...), "even" (2, 4, ...), or all of them for "". Parameters are tuned
// on the odd half and checked on the even one, which they never saw.
func Split(qs []Question, half string) ([]Question, error) {
	var rem int
	switch half {
	case "":
		return qs, nil
	case "odd":
		rem = 1
	case "even":
		rem = 0
	default:
		return nil, fmt.Errorf("split must be odd, even or empty (got %q)", half)
	}
	var out []Question
	for _, q := range qs {
		if q.Line%2 == rem {
			out = append(out, q)
		}
	}
	return out, nil
}

// ReadQuestions reads the eval file.
func ReadQuestions(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer f.Close()
	var out []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var q Question
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		q.Line = n
		out = append(out, q)
	}
	return out, sc.Err()
}

// Corpus is the prepared news-2023 paragraphs: our index, Lucene's, and
// the export ID of each paragraph's article.
type Corpus struct {
	Dir        string            // cache folder
	Index      string            // our index folder
	Lucene     string            // Lucene's index
	Article    map[string]string // paragraph ID → export article id
	Paragraphs int
	BuildSecs  float64 // our build, when this run built it
	IndexBytes int64
}

// Prepare returns the corpus of the export at newsPath from cacheDir,
// building what is missing: the cache is keyed by our schema version and
// the export's size, so a rebuilt schema rebuilds, and nothing else does.
// limit > 0 keeps only the articles the questions' relevant sets name and
// every limit-th other (a small sample for tests).
func Prepare(ctx context.Context, cacheDir, newsPath string, h *lucene.Harness, keep map[string]bool, limit int, logf func(string, ...any)) (*Corpus, error) {
	fi, err := os.Stat(newsPath)
	if err != nil {
		return nil, fmt.Errorf("news export: %w", err)
	}
	key := fmt.Sprintf("news-s%d-%d-l%d-signed", search.SchemaVersion, fi.Size(), limit)
	c := &Corpus{Dir: filepath.Join(cacheDir, key)}
	c.Index, c.Lucene = filepath.Join(c.Dir, "index"), filepath.Join(c.Dir, "lucene")
	mapFile := filepath.Join(c.Dir, "articles.json")
	if b, err := os.ReadFile(mapFile); err == nil {
		if err := json.Unmarshal(b, &c.Article); err == nil {
			if segs, _ := filepath.Glob(filepath.Join(c.Lucene, "segments_*")); len(segs) > 0 || h == nil {
				logf("relevance: cached corpus %s (%d paragraphs)", c.Dir, len(c.Article))
				c.Paragraphs = len(c.Article)
				c.IndexBytes = dirSize(c.Index)
				return c, nil
			}
		}
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	ids, err := exportIDs(newsPath)
	if err != nil {
		return nil, err
	}
	parser, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		return nil, err
	}
	gaz := parser.Gazetteer()
	b, err := search.NewBuilder(ctx, c.Index, search.BuildOptions{})
	if err != nil {
		return nil, err
	}
	c.Article = map[string]string{}
	var lps []lucene.Paragraph
	start := time.Now()
	n := 0
	err = readExport(ctx, parser, newsPath, func(a corpus.Article) error {
		id := ids[a.Source.Lines[0]]
		n++
		if limit > 0 && !keep[id] && n%limit != 0 {
			return nil
		}
		if _, ok := gaz.Lookup(a.County); !ok {
			// The export names no county of the gazetteer: one is drawn
			// from the article ID, as the benchmark suite does, so that
			// the county facet has values to count.
			county := suite.AssignCounty(gaz, a.ID)
			for i := range a.Paragraphs {
				a.Paragraphs[i].County, a.Paragraphs[i].CountyName = county.Short, county.Name
			}
		}
		// Signed as the indexer signs them, so that the index groups
		// syndicated copies into stories (collapse=story).
		if err := b.AddArticle(ctx, a); err != nil {
			return err
		}
		for _, p := range a.Paragraphs {
			c.Article[p.ID] = id
			lps = append(lps, lucene.Paragraph{ID: p.ID, County: p.County, Year: p.Year, Programs: p.Programs, Text: p.Text})
		}
		return nil
	})
	if err != nil {
		b.Abort()
		return nil, err
	}
	if _, err := b.Commit(ctx); err != nil {
		return nil, err
	}
	c.BuildSecs = time.Since(start).Seconds()
	c.Paragraphs = len(c.Article)
	c.IndexBytes = dirSize(c.Index)
	logf("relevance: built %s: %d paragraphs in %.0f s", c.Index, c.Paragraphs, c.BuildSecs)
	if h != nil {
		tsv := filepath.Join(c.Dir, "paragraphs.tsv")
		f, err := os.Create(tsv)
		if err != nil {
			return nil, err
		}
		if err := lucene.WriteParagraphs(f, lps); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		if _, err := h.Index(ctx, tsv, c.Lucene, lucene.IndexOptions{ForceMerge: true}); err != nil {
			return nil, err
		}
		os.Remove(tsv)
	}
	raw, err := json.Marshal(c.Article)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(mapFile, raw, 0o644); err != nil {
		return nil, err
	}
	return c, nil
}

// exportIDs maps each line number of the export to its id.
func exportIDs(path string) (map[int]string, error) {
	r, closer, err := openExport(path)
	if err != nil {
		return nil, err
	}
	defer closer()
	out := map[int]string{}
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			var rec struct {
				ID json.RawMessage `json:"id"`
			}
			if json.Unmarshal(b, &rec) == nil && len(rec.ID) > 0 {
				var s string
				if json.Unmarshal(rec.ID, &s) != nil {
					s = string(rec.ID)
				}
				out[line] = s
			}
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func openExport(path string) (io.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = f
	if filepath.Ext(path) == ".gz" {
		gz, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return gz, func() { gz.Close(); f.Close() }, nil
	}
	return r, func() { f.Close() }, nil
}

func readExport(ctx context.Context, parser *corpus.Parser, path string, visit func(corpus.Article) error) error {
	r, closer, err := openExport(path)
	if err != nil {
		return err
	}
	defer closer()
	_, err = parser.ReadJSONL(ctx, filepath.Base(path), r, visit)
	return err
}

// Figures are one engine's results over the questions.
type Figures struct {
	Questions int     `json:"questions"`
	Recall    float64 `json:"recall_at_10"`
	MRR       float64 `json:"mrr_at_10"`
	NoHit     float64 `json:"no_hit_share"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	// RepeatP50Ms and RepeatP99Ms are ours on exact repeats of the timed
	// questions (the rounds after the first, see RunOurs): "with
	// repeats", served from the index's leaf cache.
	RepeatP50Ms float64 `json:"repeat_p50_ms,omitempty"`
	RepeatP99Ms float64 `json:"repeat_p99_ms,omitempty"`
	// OpenMs is ours: opening the timed index and its warm-up
	// (search.Index.WarmUp: the word segmenter, the relaxed modes'
	// field lengths), the one-time work a server does before it serves a
	// generation, kept out of the first questions' latencies.
	OpenMs float64 `json:"open_ms,omitempty"`
	// Modes counts the questions by the mode that answered (ours only).
	Modes map[string]int `json:"modes,omitempty"`
	// Odd and Even are Recall@10 and MRR@10 over the questions of the odd
	// and the even lines of the file (see Split).
	Odd  *HalfFigures `json:"odd,omitempty"`
	Even *HalfFigures `json:"even,omitempty"`
}

// HalfFigures are the ranking figures over one half of the questions.
type HalfFigures struct {
	Questions int     `json:"questions"`
	Recall    float64 `json:"recall_at_10"`
	MRR       float64 `json:"mrr_at_10"`
}

// score computes Recall@10, MRR@10 and the no-hit share from each
// question's ranked article IDs.
func score(qs []Question, ranked [][]string) Figures {
	f := Figures{Questions: len(qs)}
	var halves [2]HalfFigures // by line parity: even, odd
	for i, q := range qs {
		arts := firstArticles(ranked[i], 10)
		if len(ranked[i]) == 0 {
			f.NoHit++
		}
		h := &halves[q.Line%2]
		h.Questions++
		if r := rankOf(q, arts); r > 0 {
			f.Recall++
			f.MRR += 1 / float64(r)
			h.Recall++
			h.MRR += 1 / float64(r)
		}
	}
	if n := float64(len(qs)); n > 0 {
		f.Recall /= n
		f.MRR /= n
		f.NoHit /= n
	}
	for i := range halves {
		if n := float64(halves[i].Questions); n > 0 {
			halves[i].Recall /= n
			halves[i].MRR /= n
		}
	}
	if qs != nil && qs[0].Line > 0 { // lines known: read from a file
		f.Even, f.Odd = &halves[0], &halves[1]
	}
	return f
}

// firstArticles keeps the first n distinct IDs, in order.
func firstArticles(ids []string, n int) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// Dumped is one question's answer in a dump (RunOurs, RunLucene with a
// dump writer): for looking at failures by hand.
type Dumped struct {
	N      int      `json:"n"` // the question's line, from 1
	Engine string   `json:"engine"`
	Q      string   `json:"q"`
	Mode   string   `json:"mode,omitempty"`
	Words  []string `json:"words,omitempty"`
	// Rank is the rank of the first relevant article among the first 10
	// (0: none).
	Rank int `json:"rank"`
	// Deep is the same among all the hits read (up to 100 paragraphs).
	Deep int         `json:"deep"`
	Top  []DumpedHit `json:"top"`
	// All are the articles and scores of all the hits read, in order.
	All []DumpedScore `json:"all,omitempty"`
}

// DumpedScore is a hit's article and score.
type DumpedScore struct {
	Article string  `json:"a"`
	Score   float64 `json:"s"`
}

// DumpedHit is one of the first distinct articles of a dumped answer.
type DumpedHit struct {
	Article  string  `json:"article"`
	ID       string  `json:"id"`
	Score    float64 `json:"score,omitempty"`
	Relevant bool    `json:"relevant,omitempty"`
	Text     string  `json:"text,omitempty"`
}

// rankOf is the rank of the first relevant article of arts (0: none).
func rankOf(q Question, arts []string) int {
	for r, a := range arts {
		if slices.Contains(q.Relevant, a) {
			return r + 1
		}
	}
	return 0
}

func writeDump(w io.Writer, d Dumped) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// Options are RunOurs's options beyond the defaults.
type Options struct {
	// Dump, when not nil, gets each question's answer (Dumped, one JSON
	// a line).
	Dump io.Writer
	// Collapse is the request's collapse mode (the API's default:
	// search.CollapseAuto).
	Collapse search.Collapse
	// Open opens the index the timed rounds run on (nil: search.Open of
	// the corpus's index folder).
	Open func(ctx context.Context) (*search.Index, error)
}

// RunOurs runs every question through our search as the API does
// (match=auto): once with the top 100 for the ranking, on ix, then timed
// full requests (top 10, exact total, facets, highlights) per question.
//
// The timed rounds run on a freshly opened index, so that the first of
// them reads every question's leaves as a server meets a question for the
// first time: the index keeps the decoded hits of common leaves per
// generation (internal/search leafcache.go), and on ix, warmed by the
// ranking pass, every timed question would be an exact repeat served from
// memory, which Lucene's timing (whose query cache keeps no scoring
// clauses) is not. What the leaves of earlier, different questions leave
// in the cache is kept: a server has it too. P50Ms and P99Ms are that
// first round's; the rounds after it, exact repeats of the same
// questions, give RepeatP50Ms and RepeatP99Ms ("with repeats").
func RunOurs(ctx context.Context, ix *search.Index, c *Corpus, qs []Question, rounds int, opt Options) (Figures, error) {
	dump := opt.Dump
	ranked := make([][]string, len(qs))
	modes := map[string]int{}
	for i, q := range qs {
		pq, err := query.Parse(q.Q)
		if err != nil {
			ranked[i] = nil // the API answers 400: no hit
			continue
		}
		r := search.Request{Query: pq, Match: search.MatchAuto, Size: 100, Collapse: opt.Collapse}
		res, err := ix.Search(ctx, r)
		if err != nil {
			return Figures{}, fmt.Errorf("question %d %q: %w", i+1, q.Q, err)
		}
		modes[res.Match.String()]++
		for _, h := range res.Hits {
			ranked[i] = append(ranked[i], c.Article[h.ID])
		}
		if dump != nil {
			d := Dumped{N: i + 1, Engine: "ours", Q: q.Q, Mode: res.Match.String(), Words: res.Words}
			var seen []string
			for _, h := range res.Hits {
				a := c.Article[h.ID]
				d.All = append(d.All, DumpedScore{a, h.Score})
				if slices.Contains(seen, a) {
					continue
				}
				seen = append(seen, a)
				if len(seen) <= 10 {
					d.Top = append(d.Top, DumpedHit{Article: a, ID: h.ID, Score: h.Score, Relevant: slices.Contains(q.Relevant, a), Text: h.Text})
				}
			}
			d.Rank, d.Deep = rankOf(q, seen[:min(10, len(seen))]), rankOf(q, seen)
			if err := writeDump(dump, d); err != nil {
				return Figures{}, err
			}
		}
	}
	f := score(qs, ranked)
	f.Modes = modes
	if rounds <= 0 {
		return f, nil
	}
	fresh, repeat, opened, err := timeOurs(ctx, c, qs, rounds, opt)
	if err != nil {
		return Figures{}, err
	}
	f.OpenMs = float64(opened.Microseconds()) / 1000
	f.P50Ms, f.P99Ms = pct(fresh, 0.50), pct(fresh, 0.99)
	f.RepeatP50Ms, f.RepeatP99Ms = pct(repeat, 0.50), pct(repeat, 0.99)
	return f, nil
}

// timeOurs times rounds of the questions' full requests on a freshly
// opened index, warmed up as searchd warms a generation before serving it:
// the latencies of the first round, and of the others, and the time the
// open and the warm-up took.
func timeOurs(ctx context.Context, c *Corpus, qs []Question, rounds int, opt Options) (fresh, repeat []time.Duration, opened time.Duration, err error) {
	open := opt.Open
	if open == nil {
		open = func(ctx context.Context) (*search.Index, error) { return search.Open(ctx, c.Index) }
	}
	t0 := time.Now()
	ix, err := open(ctx)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("reopen for timing: %w", err)
	}
	defer ix.Close()
	if err := ix.WarmUp(ctx); err != nil {
		return nil, nil, 0, fmt.Errorf("warm up for timing: %w", err)
	}
	opened = time.Since(t0)
	for round := 0; round < rounds; round++ {
		for _, q := range qs {
			pq, err := query.Parse(q.Q)
			if err != nil {
				continue
			}
			r := search.Request{Query: pq, Match: search.MatchAuto, Size: 10, Highlight: true, Facets: true, Collapse: opt.Collapse}
			t := time.Now()
			if _, err := ix.Search(ctx, r); err != nil {
				return nil, nil, 0, err
			}
			if round == 0 {
				fresh = append(fresh, time.Since(t))
			} else {
				repeat = append(repeat, time.Since(t))
			}
		}
	}
	return fresh, repeat, opened, nil
}

// RunLucene runs every question through Lucene's classic QueryParser
// (OR of the question's bigrams, BM25): the top 100 for the ranking, then
// timed full requests with facets and highlights (one warm-up round when
// rounds > 1).
// A non-nil dump gets each question's answer (Dumped, one JSON a line).
func RunLucene(ctx context.Context, h *lucene.Harness, c *Corpus, qs []Question, rounds int, dump io.Writer) (Figures, error) {
	tsv := filepath.Join(c.Dir, "questions.tsv")
	lq := make([]lucene.Query, len(qs))
	for i, q := range qs {
		lq[i] = lucene.Query{ID: strconv.Itoa(i), Clauses: []lucene.Clause{{Any: []string{q.Q}}}}
	}
	f, err := os.Create(tsv)
	if err != nil {
		return Figures{}, err
	}
	if err := lucene.WriteQueries(f, lq); err != nil {
		f.Close()
		return Figures{}, err
	}
	if err := f.Close(); err != nil {
		return Figures{}, err
	}
	d, err := h.InspectWith(ctx, c.Lucene, tsv, lucene.QueryOptions{Classic: true, Top: 100})
	if err != nil {
		return Figures{}, err
	}
	ranked := make([][]string, len(qs))
	for i := range qs {
		for _, hit := range d[strconv.Itoa(i)].Top {
			ranked[i] = append(ranked[i], c.Article[hit.ID])
		}
		if dump != nil {
			q := qs[i]
			dd := Dumped{N: i + 1, Engine: "lucene", Q: q.Q}
			var seen []string
			for _, hit := range d[strconv.Itoa(i)].Top {
				a := c.Article[hit.ID]
				if slices.Contains(seen, a) {
					continue
				}
				seen = append(seen, a)
				if len(seen) <= 10 {
					dd.Top = append(dd.Top, DumpedHit{Article: a, ID: hit.ID, Score: hit.Score, Relevant: slices.Contains(q.Relevant, a)})
				}
			}
			dd.Rank, dd.Deep = rankOf(q, seen[:min(10, len(seen))]), rankOf(q, seen)
			if err := writeDump(dump, dd); err != nil {
				return Figures{}, err
			}
		}
	}
	out := score(qs, ranked)
	warm := 0
	if rounds > 1 {
		warm, rounds = 1, rounds-1
	}
	st, _, err := h.Query(ctx, c.Lucene, tsv, lucene.QueryOptions{Clients: 1, WarmupRounds: warm, Rounds: rounds, Classic: true})
	if err != nil {
		return Figures{}, err
	}
	out.P50Ms, out.P99Ms = st.P50Ms, st.P99Ms
	return out, nil
}

func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	return float64(s[max(0, min(i, len(s)-1))].Microseconds()) / 1000
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
