package suite

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"countynews/bench/lucene"
	"countynews/corpus"
	"countynews/corpus/synth"
	"countynews/internal/ingest"
)

// Corpus kinds.
const (
	KindReal  = "real"
	KindSynth = "synth"
)

// prepVersion is part of every corpus cache key: bump it when the way a
// corpus is prepared changes, so that stale caches are not reused.
const prepVersion = 1

// sampleSize is how many paragraphs are kept (reservoir-sampled) for the
// query log's document-frequency estimates.
const sampleSize = 20_000

// parserNow pins the parser's clock: inferred years never pass it, and a
// fixed clock keeps prepared corpora identical from one day to the next.
var parserNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// CorpusSpec says which corpus to prepare.
type CorpusSpec struct {
	// Kind is KindReal or KindSynth.
	Kind string
	// RealPath is the news-2023 JSONL export (gzipped or not): the real
	// corpus, and the synthetic corpus's vocabulary. If it is empty or
	// missing, the synthetic corpus draws on the embedded sample page.
	RealPath string
	// Paragraphs: for KindSynth the number to generate; for KindReal 0
	// takes every paragraph, N > 0 the first N.
	Paragraphs int
	// Seed drives the synthetic generator and the sampling.
	Seed uint64
}

// key names the cache folder of the spec: kind, size, seed and the source
// file's identity (size and modification time).
func (s CorpusSpec) key() string {
	src := "embedded"
	if fi, err := os.Stat(s.RealPath); s.RealPath != "" && err == nil {
		src = fmt.Sprintf("%s|%d|%d", filepath.Base(s.RealPath), fi.Size(), fi.ModTime().Unix())
	}
	h := sha256.Sum256(fmt.Appendf(nil, "v%d|%s|%d|%d|%s", prepVersion, s.Kind, s.Paragraphs, s.Seed, src))
	n := "all"
	if s.Paragraphs > 0 {
		n = strconv.Itoa(s.Paragraphs)
	}
	return fmt.Sprintf("corpus-%s-%s-%s", s.Kind, n, hex.EncodeToString(h[:])[:10])
}

// Corpus is a prepared corpus in the cache.
type Corpus struct {
	Spec       CorpusSpec `json:"spec"`
	Dir        string     `json:"-"`
	Articles   int        `json:"articles"`
	Paragraphs int        `json:"paragraphs"`
	TextBytes  int64      `json:"text_bytes"` // UTF-8 bytes of paragraph text
	// Source describes where the text came from, for the report.
	Source string `json:"source"`
	// Counts of each facet value over the whole corpus.
	Counties map[string]int `json:"counties"`
	Years    map[int]int    `json:"years"`
	Programs map[string]int `json:"programs"`
	// AssignedCounty counts the articles (real corpus) whose text named no
	// county of the gazetteer and got one drawn from their ID's hash.
	AssignedCounty int     `json:"assigned_county"`
	Seconds        float64 `json:"seconds"` // preparation time
}

// JSONL is the corpus as one corpus.Paragraph JSON object a line: what our
// builder reads.
func (c *Corpus) JSONL() string { return filepath.Join(c.Dir, "paragraphs.jsonl") }

// TSV is the corpus in Lucene's paragraphs format.
func (c *Corpus) TSV() string { return filepath.Join(c.Dir, "paragraphs.tsv") }

// SamplePath holds the reservoir sample, one corpus.Paragraph a line.
func (c *Corpus) SamplePath() string { return filepath.Join(c.Dir, "sample.jsonl") }

// TextMB is the paragraph text in 10^6 bytes.
func (c *Corpus) TextMB() float64 { return float64(c.TextBytes) / 1e6 }

// Sample reads the reservoir sample.
func (c *Corpus) Sample() ([]corpus.Paragraph, error) {
	var out []corpus.Paragraph
	err := eachJSONL(context.Background(), c.SamplePath(), func(p corpus.Paragraph) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

const metaFile = "corpus.json"

// PrepareCorpus returns the corpus of spec from the cache folder, preparing
// it first when it is not there (or fresh is set). Preparation writes to a
// temporary folder renamed into place at the end, so an interrupted run
// leaves no half corpus behind. logf reports progress.
func PrepareCorpus(ctx context.Context, cacheDir string, spec CorpusSpec, fresh bool, logf func(string, ...any)) (*Corpus, error) {
	if spec.Kind != KindReal && spec.Kind != KindSynth {
		return nil, fmt.Errorf("corpus kind %q: want %s or %s", spec.Kind, KindReal, KindSynth)
	}
	if spec.Kind == KindSynth && spec.Paragraphs <= 0 {
		return nil, fmt.Errorf("synthetic corpus needs a positive paragraph count, not %d", spec.Paragraphs)
	}
	if spec.Kind == KindReal {
		if _, err := os.Stat(spec.RealPath); err != nil {
			return nil, fmt.Errorf("real corpus: %w", err)
		}
	}
	dir := filepath.Join(cacheDir, spec.key())
	if !fresh {
		if c, err := loadCorpus(dir); err == nil {
			logf("corpus: cached %s (%d paragraphs, %.1f MB text)", dir, c.Paragraphs, c.TextMB())
			return c, nil
		}
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("cache folder: %w", err)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("prepare corpus: %w", err)
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("prepare corpus: %w", err)
	}
	start := time.Now()
	c := &Corpus{Spec: spec, Dir: tmp, Counties: map[string]int{}, Years: map[int]int{}, Programs: map[string]int{}}
	if err := c.write(ctx, logf); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	c.Seconds = time.Since(start).Seconds()
	if err := writeJSON(filepath.Join(tmp, metaFile), c); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("prepare corpus: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("prepare corpus: %w", err)
	}
	c.Dir = dir
	logf("corpus: prepared %s: %d paragraphs, %.1f MB text in %.0f s", dir, c.Paragraphs, c.TextMB(), c.Seconds)
	return c, nil
}

func loadCorpus(dir string) (*Corpus, error) {
	var c Corpus
	if err := readJSON(filepath.Join(dir, metaFile), &c); err != nil {
		return nil, err
	}
	c.Dir = dir
	for _, p := range []string{c.JSONL(), c.TSV(), c.SamplePath()} {
		if _, err := os.Stat(p); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// write streams the corpus's paragraphs into the JSONL and TSV files,
// skipping repeated IDs, and keeps the reservoir sample and facet counts.
func (c *Corpus) write(ctx context.Context, logf func(string, ...any)) error {
	jf, err := os.Create(c.JSONL())
	if err != nil {
		return fmt.Errorf("prepare corpus: %w", err)
	}
	defer jf.Close()
	tf, err := os.Create(c.TSV())
	if err != nil {
		return fmt.Errorf("prepare corpus: %w", err)
	}
	defer tf.Close()
	jw, tw := bufio.NewWriterSize(jf, 1<<20), bufio.NewWriterSize(tf, 1<<20)
	enc := json.NewEncoder(jw)
	enc.SetEscapeHTML(false)

	rng := rand.New(rand.NewPCG(c.Spec.Seed, 0x5eed5a4b1e))
	var sample []corpus.Paragraph
	seen := map[string]bool{}
	var batch []lucene.Paragraph
	flush := func() error {
		if err := lucene.WriteParagraphs(tw, batch); err != nil {
			return fmt.Errorf("prepare corpus: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	add := func(p corpus.Paragraph) error {
		if seen[p.ID] {
			return nil
		}
		seen[p.ID] = true
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("prepare corpus: %w", err)
		}
		batch = append(batch, toLucene(p))
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
		// Reservoir sampling (algorithm R): every paragraph has the same
		// chance to be in the sample, whatever the corpus size.
		if len(sample) < sampleSize {
			sample = append(sample, p)
		} else if j := rng.IntN(c.Paragraphs + 1); j < sampleSize {
			sample[j] = p
		}
		c.Paragraphs++
		c.TextBytes += int64(len(p.Text))
		if p.County != "" {
			c.Counties[p.County]++
		}
		if p.Year > 0 {
			c.Years[p.Year]++
		}
		for _, prog := range p.Programs {
			c.Programs[prog]++
		}
		if c.Paragraphs%100_000 == 0 {
			logf("corpus: %d paragraphs", c.Paragraphs)
		}
		return nil
	}
	switch c.Spec.Kind {
	case KindReal:
		err = c.eachReal(ctx, add)
	default:
		err = c.eachSynth(ctx, logf, add)
	}
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := jw.Flush(); err != nil {
		return fmt.Errorf("prepare corpus: %w", err)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("prepare corpus: %w", err)
	}
	if c.Paragraphs == 0 {
		return errors.New("prepare corpus: no paragraphs")
	}
	return writeLines(c.SamplePath(), sample)
}

// errEnough stops a producer once it has given the paragraphs asked for.
var errEnough = errors.New("enough paragraphs")

// eachReal reads the JSONL export with the corpus reader (paragraphs of at
// most corpus.MaxParagraph characters). An article whose text names no
// county of the gazetteer gets one drawn from a hash of its ID, so that
// the county facet has spread on a corpus that is not county news.
func (c *Corpus) eachReal(ctx context.Context, add func(corpus.Paragraph) error) error {
	parser, err := corpus.NewParser(corpus.Options{Now: func() time.Time { return parserNow }})
	if err != nil {
		return err
	}
	gaz := parser.Gazetteer()
	c.Source = filepath.Base(c.Spec.RealPath)
	if c.Spec.Paragraphs > 0 {
		c.Source += fmt.Sprintf(" (first %d paragraphs)", c.Spec.Paragraphs)
	}
	err = readExport(ctx, parser, c.Spec.RealPath, func(a corpus.Article) error {
		c.Articles++
		if _, ok := gaz.Lookup(a.County); !ok {
			county := AssignCounty(gaz, a.ID)
			c.AssignedCounty++
			for i := range a.Paragraphs {
				a.Paragraphs[i].County, a.Paragraphs[i].CountyName = county.Short, county.Name
			}
		}
		for _, p := range a.Paragraphs {
			if c.Spec.Paragraphs > 0 && c.Paragraphs >= c.Spec.Paragraphs {
				return errEnough
			}
			if err := add(p); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

// AssignCounty draws a county for an article deterministically: the FNV-1a
// hash of its ID picks one of the gazetteer's counties.
func AssignCounty(gaz *corpus.Gazetteer, articleID string) corpus.County {
	h := fnv.New64a()
	h.Write([]byte(articleID))
	return gaz.Counties[h.Sum64()%uint64(len(gaz.Counties))]
}

// readExport runs the corpus JSONL reader over a (possibly gzipped) file.
func readExport(ctx context.Context, parser *corpus.Parser, path string, visit func(corpus.Article) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if filepath.Ext(path) == ".gz" {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	_, err = parser.ReadJSONL(ctx, filepath.Base(path), r, visit)
	return err
}

// eachSynth generates pages with corpus/synth and parses them back with
// the page parser, as the indexer would read them, until it has the
// paragraphs asked for.
func (c *Corpus) eachSynth(ctx context.Context, logf func(string, ...any), add func(corpus.Paragraph) error) error {
	parser, err := corpus.NewParser(corpus.Options{Now: func() time.Time { return parserNow }})
	if err != nil {
		return err
	}
	vocab, source, err := Vocabulary(ctx, c.Spec.RealPath)
	if err != nil {
		return err
	}
	logf("corpus: synthetic vocabulary of %d sentences from %s", len(vocab.Sentences), source)
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		return err
	}
	g, err := synth.New(c.Spec.Seed, vocab, parser.Gazetteer(), tax)
	if err != nil {
		return err
	}
	c.Source = fmt.Sprintf("corpus/synth seed %d, vocabulary: %d sentences of %s", c.Spec.Seed, len(vocab.Sentences), source)
	for c.Paragraphs < c.Spec.Paragraphs {
		if err := ctx.Err(); err != nil {
			return err
		}
		pg := g.Next(40)
		page, err := parser.ParsePage(pg.Name, pg.Data)
		if err != nil {
			return fmt.Errorf("synthetic page %s: %w", pg.Name, err)
		}
		for _, a := range page.Articles {
			c.Articles++
			for _, p := range a.Paragraphs {
				if c.Paragraphs >= c.Spec.Paragraphs {
					return nil
				}
				if err := add(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Vocabulary collects the synthetic generator's sentences from the real
// export at realPath, or from the embedded sample page when realPath is
// empty or missing. It returns a description of the source.
func Vocabulary(ctx context.Context, realPath string) (synth.Vocabulary, string, error) {
	parser, err := corpus.NewParser(corpus.Options{Now: func() time.Time { return parserNow }})
	if err != nil {
		return synth.Vocabulary{}, "", err
	}
	var texts []string
	visit := func(a corpus.Article) error {
		for _, p := range a.Paragraphs {
			texts = append(texts, p.Text)
		}
		return nil
	}
	source := "the embedded sample page"
	if _, serr := os.Stat(realPath); realPath != "" && serr == nil {
		if err := readExport(ctx, parser, realPath, visit); err != nil {
			return synth.Vocabulary{}, "", err
		}
		source = filepath.Base(realPath)
	} else {
		for _, in := range ingest.DefaultInputs() {
			if _, err := ingest.Read(ctx, parser, in, visit); err != nil {
				return synth.Vocabulary{}, "", err
			}
		}
	}
	v := synth.NewVocabulary(texts)
	if len(v.Sentences) < 10 {
		return v, "", fmt.Errorf("vocabulary from %s has only %d sentences", source, len(v.Sentences))
	}
	return v, source, nil
}

func toLucene(p corpus.Paragraph) lucene.Paragraph {
	return lucene.Paragraph{ID: p.ID, County: p.County, Year: p.Year, Programs: slices.Clone(p.Programs), Text: p.Text}
}

// eachJSONL decodes a file of JSON lines into values of type T.
func eachJSONL[T any](ctx context.Context, path string, fn func(T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var v T
		if err := dec.Decode(&v); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
}

// writeLines writes vs as JSON lines.
func writeLines[T any](path string, vs []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
