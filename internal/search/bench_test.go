package search

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"countynews/corpus"
	"countynews/internal/text"
)

// newsFile is the shared sample of 59,779 real news articles (not in the
// repository); benchmarks fall back to the small testdata sample.
const newsFile = "../../../shared/corpus/real/news-2023.jsonl.gz"

var errEnough = errors.New("enough paragraphs")

// benchParagraphs returns the first n paragraphs of the news sample, as
// package corpus parses them, or the testdata sample repeated.
func benchParagraphs(b *testing.B, n int) []corpus.Paragraph {
	b.Helper()
	f, err := os.Open(newsFile)
	if err != nil {
		b.Logf("%v: using testdata (repeated)", err)
		return manyParagraphs(b, n)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(newsFile, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		r = zr
	}
	parser, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var ps []corpus.Paragraph
	_, err = parser.ReadJSONL(context.Background(), newsFile, r, func(a corpus.Article) error {
		ps = append(ps, a.Paragraphs...)
		if len(ps) >= n {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		b.Fatal(err)
	}
	return ps[:min(n, len(ps))]
}

func textBytes(ps []corpus.Paragraph) int64 {
	var n int64
	for _, p := range ps {
		n += int64(len(p.Text) + len(p.Topic) + len(p.Headline))
	}
	return n
}

// indexVariant is one way of building the same index.
type indexVariant struct {
	name       string
	reflection bool // map structs by reflection instead of building documents
	unigrams   bool // include the text1 field
	batch      int
	workers    int  // batches executed concurrently (0: 1, in the caller)
	offsets    bool // index byte offsets too (Bleve's plain cjk analyzer)
	noMarkers  bool // no run-edge markers (offsets still dropped)
}

// offsetsDropped is runEdges without the markers, to measure them.
type offsetsDropped struct{ analysis.Analyzer }

func (a offsetsDropped) Analyze(text []byte) analysis.TokenStream {
	toks := a.Analyzer.Analyze(text)
	for _, t := range toks {
		t.Start, t.End = 0, 0
	}
	return toks
}

// buildVariant indexes ps into a new scorch index in dir and returns the
// size of its data merged into one segment.
func buildVariant(b *testing.B, dir string, ps []corpus.Paragraph, v indexVariant) int64 {
	sch, err := newSchema()
	if err != nil {
		b.Fatal(err)
	}
	if v.offsets {
		sch.indexCJK, sch.refAnalysis = sch.cjk, true
	}
	if v.noMarkers {
		sch.indexCJK, sch.refAnalysis = offsetsDropped{sch.cjk}, true
	}
	idx, err := bleve.NewUsing(dir, sch.mapping, scorch.Name, scorch.Name, nil)
	if err != nil {
		b.Fatal(err)
	}
	execute := func(batch *bleve.Batch) {
		if err := idx.Batch(batch); err != nil {
			b.Error(err)
		}
	}
	run := execute
	var wg sync.WaitGroup
	var queue chan *bleve.Batch
	if v.workers > 1 {
		queue = make(chan *bleve.Batch)
		for range v.workers {
			wg.Go(func() {
				for batch := range queue {
					execute(batch)
				}
			})
		}
		run = func(batch *bleve.Batch) { queue <- batch }
	}
	batch := idx.NewBatch()
	for _, p := range ps {
		if v.reflection {
			rd, err := newReflectDoc(p)
			if err != nil {
				b.Fatal(err)
			}
			err = batch.Index(p.ID, rd)
		} else {
			d, derr := sch.document(p, p.Source.File, v.unigrams, 0)
			if derr != nil {
				b.Fatal(derr)
			}
			err = batch.IndexAdvanced(d)
		}
		if err != nil {
			b.Fatal(err)
		}
		if batch.Size() >= v.batch {
			run(batch)
			batch = idx.NewBatch()
		}
	}
	run(batch)
	if queue != nil {
		close(queue)
		wg.Wait()
	}
	// Size is measured on a single-segment copy: the live data only,
	// independent of where scorch's merging stood when the build ended.
	b.StopTimer()
	if err := mergeToOne(context.Background(), idx); err != nil {
		b.Fatal(err)
	}
	merged := dir + ".merged"
	if err := idx.(bleve.IndexCopyable).CopyTo(bleve.FileSystemDirectory(merged)); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	if err := idx.Close(); err != nil {
		b.Fatal(err)
	}
	return dirSize(merged)
}

// BenchmarkIndex measures indexing throughput (MB/s of text, paragraphs/s)
// and merged index size for the variants: documents built directly (the
// baseline) or by reflection; with or without the unigram field; batch
// sizes. Run with -benchtime=3x; compare within one run.
func BenchmarkIndex(b *testing.B) {
	ps := benchParagraphs(b, 5000)
	size := textBytes(ps)
	b.Logf("%d paragraphs, %.1f MB of text", len(ps), float64(size)/1e6)
	for _, v := range []indexVariant{
		{name: "direct/text1/batch1000", unigrams: true, batch: 1000},
		{name: "reflection/text1/batch1000", reflection: true, unigrams: true, batch: 1000},
		{name: "direct/no-text1/batch1000", batch: 1000},
		{name: "direct/text1/batch1000/offsets-no-markers", unigrams: true, batch: 1000, offsets: true},
		{name: "direct/text1/batch1000/no-markers", unigrams: true, batch: 1000, noMarkers: true},
		{name: "direct/text1/batch250", unigrams: true, batch: 250},
		{name: "direct/text1/batch4000", unigrams: true, batch: 4000},
		{name: "direct/text1/batch500/2-workers", unigrams: true, batch: 500, workers: 2},
		{name: "direct/text1/batch1000/2-workers", unigrams: true, batch: 1000, workers: 2},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(size)
			var bytes int64
			for i := 0; i < b.N; i++ {
				bytes = buildVariant(b, filepath.Join(b.TempDir(), strconv.Itoa(i)), ps, v)
			}
			b.ReportMetric(float64(len(ps))*float64(b.N)/b.Elapsed().Seconds(), "paragraphs/s")
			b.ReportMetric(float64(bytes)/float64(size), "merged/text")
			b.ReportMetric(float64(bytes)/1e6, "merged-MB")
		})
	}
}

// BenchmarkBuilder measures the Builder as shipped (documents built
// directly, batches of DefaultBatchSize built into zap segments by two
// workers, merged in two levels into one segment at commit; segbuild.go)
// against the full build through scorch's online index, against one
// worker, and against leaving the segments unmerged: throughput and the
// size of the generation.
func BenchmarkBuilder(b *testing.B) {
	ps := benchParagraphs(b, 5000)
	size := textBytes(ps)
	for _, v := range []struct {
		name string
		opt  BuildOptions
	}{
		{"shipped", BuildOptions{}},
		{"online", BuildOptions{online: true}}, // scorch's batches and mergeToOne
		{"1-worker", BuildOptions{workers: 1}},
		{"no-merge", BuildOptions{noMerge: true}},
		{"tiered-merges", BuildOptions{tieredMerges: true}},
		{"batch5000", BuildOptions{BatchSize: 5000}},
		{"no-text1", BuildOptions{noUnigrams: true}},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(size)
			var st BuildStats
			for i := 0; i < b.N; i++ {
				st = buildAt(b, filepath.Join(b.TempDir(), "index"), v.opt, ps)
			}
			b.ReportMetric(float64(len(ps))*float64(b.N)/b.Elapsed().Seconds(), "paragraphs/s")
			b.ReportMetric(float64(st.SizeBytes)/float64(size), "index/text")
			b.ReportMetric(float64(st.SizeBytes)/1e6, "index-MB")
		})
	}
}

// BenchmarkDocument measures turning a paragraph into a Bleve document:
// built directly versus mapped by reflection (analysis excluded: Bleve
// analyses both alike when the batch runs).
func BenchmarkDocument(b *testing.B) {
	ps := realParagraphs(b)
	sch, err := newSchema()
	if err != nil {
		b.Fatal(err)
	}
	idx, err := bleve.NewUsing("", sch.mapping, scorch.Name, scorch.Name, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	b.Run("direct", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			batch := idx.NewBatch()
			if err := batch.IndexAdvanced(must(sch.document(ps[i%len(ps)], ps[i%len(ps)].Source.File, true, 0))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reflection", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			batch := idx.NewBatch()
			p := ps[i%len(ps)]
			if err := batch.Index(p.ID, must(newReflectDoc(p))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// benchQueries are phrases of the kind users type, common and rare.
var benchQueries = []string{"乡村振兴", "志愿服务", "高温", "疫情防控", "暴雨", "人工智能", "消费", "县", "红色物业", "防汛", "旅游", "2023年", "高质量发展", "学生", "新能源汽车"}

// benchQuestions are natural questions of the kind the relevance
// benchmark holds (not taken from it), for MatchAny.
var benchQuestions = []string{"乡村振兴有哪些新做法", "今年夏天高温对农业有什么影响", "人工智能如何改变教育", "新能源汽车的销量怎么样",
	"暴雨之后如何防汛救灾", "疫情防控政策有什么变化", "消费市场复苏的情况", "学生暑假安全需要注意什么", "旅游业恢复得怎么样", "高质量发展的主要举措"}

// BenchmarkQuery measures a typical full request (a phrase, three facets,
// highlighted hits) against the bare phrase and other variants, over an
// index of 20,000 real paragraphs.
func BenchmarkQuery(b *testing.B) {
	ps := benchParagraphs(b, 20000)
	dir := filepath.Join(b.TempDir(), "index")
	start := time.Now()
	buildAt(b, dir, BuildOptions{}, ps)
	b.Logf("%d paragraphs indexed in %v", len(ps), time.Since(start))
	ix, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	all, err := ix.AllFacets(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	county := ""
	if len(all.County) > 0 {
		county = all.County[0].Value
	}
	variants := []struct {
		name string
		req  Request
	}{
		{"bare-phrase", Request{Size: 10}},
		{"phrase+highlight", Request{Size: 10, Highlight: true}},
		{"phrase+facets", Request{Size: 10, Facets: true}},
		{"full", Request{Size: 10, Highlight: true, Facets: true}},
		{"full+county-filter", Request{Size: 10, Highlight: true, Facets: true, Counties: []string{county}}},
		{"full-newest", Request{Size: 10, Highlight: true, Facets: true, Sort: SortNewest}},
	}
	// The same requests through Bleve's searchers instead of the direct
	// evaluator (direct.go), and relaxed (MatchAny) natural questions.
	variants = append(variants,
		struct {
			name string
			req  Request
		}{"full/bleve", Request{Size: 10, Highlight: true, Facets: true}},
		struct {
			name string
			req  Request
		}{"any-full", Request{Size: 10, Highlight: true, Facets: true, Match: MatchAny}},
		struct {
			name string
			req  Request
		}{"any-full/bleve", Request{Size: 10, Highlight: true, Facets: true, Match: MatchAny}})
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			ix.noDirect = strings.HasSuffix(v.name, "/bleve")
			defer func() { ix.noDirect = false }()
			qs := benchQueries
			if v.req.Match == MatchAny {
				qs = benchQuestions
			}
			var lat []time.Duration
			total := 0
			for i := 0; i < b.N; i++ {
				r := v.req
				r.Query = mustParse(b, qs[i%len(qs)])
				t0 := time.Now()
				res, err := ix.Search(context.Background(), r)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				total += res.Total
			}
			reportLatency(b, lat)
			b.ReportMetric(float64(total)/float64(b.N), "hits/op")
		})
	}
}

// BenchmarkSimilar measures Similar over the same kind of index.
func BenchmarkSimilar(b *testing.B) {
	ps := benchParagraphs(b, 20000)
	dir := filepath.Join(b.TempDir(), "index")
	buildAt(b, dir, BuildOptions{}, ps)
	ix, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	b.ResetTimer()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := ix.Similar(context.Background(), ps[(i*7919)%len(ps)].ID, ScopeOtherCounties, 10); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	s := slices.Sorted(slices.Values(lat))
	b.ReportMetric(float64(s[len(s)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(s[len(s)*99/100].Microseconds())/1000, "p99-ms")
}

// reflectDoc is the same document as a struct for Bleve's mapping to
// reflect over: the slower alternative BenchmarkDocument measures.
type reflectDoc struct {
	Text       string   `json:"text"`
	Topic      string   `json:"topic,omitempty"`
	Headline   string   `json:"headline,omitempty"`
	County     string   `json:"county,omitempty"`
	Year       string   `json:"year,omitempty"`
	YearNum    float64  `json:"year_num,omitempty"`
	Date       string   `json:"date,omitempty"`
	Program    []string `json:"program"`
	Initiative []string `json:"initiative"`
	Reporter   []string `json:"reporter"`
	Kind       string   `json:"kind,omitempty"`
	ArticleID  string   `json:"article_id,omitempty"`
	File       string   `json:"file,omitempty"`
	Doc        string   `json:"doc"`
}

func newReflectDoc(p corpus.Paragraph) (reflectDoc, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return reflectDoc{}, err
	}
	r := reflectDoc{
		Text: text.FoldWidth(p.Text), Topic: text.FoldWidth(p.Topic), Headline: text.FoldWidth(p.Headline),
		County: p.County, Date: string(p.Date), Program: p.Programs, Initiative: p.Initiatives,
		Reporter: p.Reporters, Kind: string(p.Kind), ArticleID: p.ArticleID, File: p.Source.File, Doc: string(raw),
	}
	if p.Year > 0 {
		r.Year, r.YearNum = strconv.Itoa(p.Year), float64(p.Year)
	}
	return r, nil
}

// BenchmarkQuestions runs the relevance benchmark's full request (auto
// mode, top 10, facets, highlights) for the questions of
// COUNTYNEWS_QUESTIONS (JSONL with "q") over the index folder
// COUNTYNEWS_QUESTIONS_INDEX (the relevance harness's cached one), for
// profiling; it is skipped without them. The /bleve variant goes through
// Bleve's searchers instead of the direct evaluator, /direct-nocache
// without the leaf cache (each question's leaves read from the postings),
// -onecore also without borrowing a spare core.
func BenchmarkQuestions(b *testing.B) {
	path, _, qs := benchQuestionFile(b)
	ix, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	cache, spare := ix.leaves, ix.spare
	for _, name := range []string{"direct", "direct-nocache", "direct-nocache-onecore", "bleve"} {
		b.Run(name, func(b *testing.B) {
			ix.noDirect = name == "bleve"
			ix.leaves = cache
			if name != "direct" {
				ix.leaves = nil
			}
			if strings.HasSuffix(name, "-onecore") {
				ix.spare = make(chan struct{}) // no core to borrow
			}
			defer func() { ix.noDirect, ix.leaves, ix.spare = false, cache, spare }()
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				r := Request{Query: qs[i%len(qs)], Match: MatchAuto, Size: 10, Highlight: true, Facets: true}
				t0 := time.Now()
				if _, err := ix.Search(context.Background(), r); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
		})
	}
}
