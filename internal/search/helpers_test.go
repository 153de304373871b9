package search

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/corpus"
	"countynews/query"
)

// build indexes ps into a new index folder and opens it.
func build(t testing.TB, ps []corpus.Paragraph) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{}, ps)
	ix, err := Open(context.Background(), dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// testWords is the word segmenter the package's test indexes share
// (loading one takes a second, several under -race).
var testWords = NewWords()

// buildAt builds (or with opt.Update, updates) the index folder dir.
func buildAt(t testing.TB, dir string, opt BuildOptions, ps []corpus.Paragraph) BuildStats {
	t.Helper()
	ctx := context.Background()
	b, err := NewBuilder(ctx, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Whole articles (runs of paragraphs of one article), as the
	// indexer adds them, so that each carries its story signature.
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].ArticleID == ps[i].ArticleID {
			j++
		}
		if err := b.AddArticle(ctx, corpus.Article{ID: ps[i].ArticleID, Paragraphs: ps[i:j]}); err != nil {
			b.Abort()
			t.Fatal(err)
		}
		i = j
	}
	st, err := b.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// defaultParagraphs parses the embedded default corpus (the sample page).
func defaultParagraphs(t testing.TB) []corpus.Paragraph {
	t.Helper()
	p, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ps []corpus.Paragraph
	pages := corpus.DefaultPages()
	entries, err := fs.ReadDir(pages, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(pages, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		page, err := p.ParsePage(corpus.DefaultPrefix+e.Name(), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			ps = append(ps, a.Paragraphs...)
		}
	}
	return ps
}

// mustParse parses a query in the query language.
func mustParse(t testing.TB, q string) query.Query {
	t.Helper()
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return pq
}

func ids(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// realParagraphs returns about 200 short paragraphs of real news: the
// articles of testdata/jining-sample.jsonl (every fifth line of the shared
// jining-news-2023.jsonl) parsed by package corpus, their paragraphs cut
// after every 。 into pieces of one or a few sentences, each keeping its
// article's metadata.
func realParagraphs(t testing.TB) []corpus.Paragraph {
	t.Helper()
	var all []corpus.Paragraph
	for _, a := range jiningArticles(t) {
		pos := 0
		for _, p := range a.Paragraphs {
			for _, text := range pieces(p.Text) {
				q := p
				q.ID = fmt.Sprintf("%s-%02d", a.ID, pos)
				q.Position = pos
				q.Text = text
				q.Topic, _, _ = strings.Cut(text, "。")
				pos++
				all = append(all, q)
			}
		}
	}
	const want = 200
	if len(all) <= want {
		return all
	}
	out := make([]corpus.Paragraph, 0, want)
	for i := range want {
		out = append(out, all[i*len(all)/want])
	}
	return out
}

// jiningArticles parses testdata/jining-sample.jsonl (every fifth line of
// the shared jining-news-2023.jsonl) with package corpus.
func jiningArticles(t testing.TB) []corpus.Article {
	t.Helper()
	data, err := os.ReadFile("testdata/jining-sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	parser, err := corpus.NewParser(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var as []corpus.Article
	if _, err := parser.ReadJSONL(context.Background(), "jining-sample.jsonl", bytes.NewReader(data), func(a corpus.Article) error {
		as = append(as, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return as
}

// pieces cuts text after each 。 and packs the sentences into pieces of
// at least 30 characters.
func pieces(text string) []string {
	var out []string
	var cur strings.Builder
	for _, s := range strings.SplitAfter(text, "。") {
		cur.WriteString(s)
		if utf8.RuneCountInString(cur.String()) >= 30 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
