package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/internal/text"
)

// tokenString renders a token stream for comparison: term, position,
// offsets and type of every token.
func tokenString(toks []aToken) string {
	var b strings.Builder
	for _, t := range toks {
		fmt.Fprintf(&b, "%q@%d[%d:%d]%d ", t.term, t.pos, t.start, t.end, t.typ)
	}
	return b.String()
}

func bleveTokenString(toks analysis.TokenStream) string {
	var b strings.Builder
	for _, t := range toks {
		fmt.Fprintf(&b, "%q@%d[%d:%d]%d ", t.Term, t.Position, t.Start, t.End, t.Type)
	}
	return b.String()
}

// freqString renders a field's analysis as zap receives it: the length
// and, term by term in order, the frequency and the locations.
func freqString(length int, tfs index.TokenFrequencies) string {
	keys := make([]string, 0, len(tfs))
	for k := range tfs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "len %d:", length)
	for _, k := range keys {
		tf := tfs[k]
		if string(tf.Term) != k {
			fmt.Fprintf(&b, " [term %q under key %q]", tf.Term, k)
		}
		fmt.Fprintf(&b, " %q×%d", k, tf.Frequency())
		for _, l := range tf.Locations {
			fmt.Fprintf(&b, " %d[%d:%d]%q%v", l.Position, l.Start, l.End, l.Field, l.ArrayPositions)
		}
	}
	return b.String()
}

// checkAnalysis compares the one-pass analysis of in with Bleve's chains,
// token for token, and the fields it makes with Bleve's TextFields as zap
// sees them (lengths, frequencies, locations). It reports whether the
// fast path took in.
func checkAnalysis(t testing.TB, sch *schema, in []byte) bool {
	t.Helper()
	orig := append([]byte(nil), in...)
	var a indexAnalyzer
	fast := a.unigrams(in)
	if fast {
		if got, want := tokenString(a.uni), bleveTokenString(sch.unigram.Analyze(bytes.Clone(in))); got != want {
			t.Fatalf("unigrams of %q:\n got %s\nwant %s", in, got, want)
		}
		a.bigrams(in)
		if got, want := tokenString(a.big), bleveTokenString(sch.cjk.Analyze(bytes.Clone(in))); got != want {
			t.Fatalf("bigrams of %q:\n got %s\nwant %s", in, got, want)
		}
		a.edges()
		if got, want := tokenString(a.out), bleveTokenString(sch.indexCJK.Analyze(bytes.Clone(in))); got != want {
			t.Fatalf("run edges of %q:\n got %s\nwant %s", in, got, want)
		}
	} else if plainForWidth(in) {
		t.Fatalf("%q: valid without width forms, but left to Bleve's chain", in)
	}
	// The fields, through the worker's path (reused buffers, text with
	// its text1 sibling) and through Analyze (the online path).
	for _, reuse := range []bool{true, false} {
		tf := sch.cjkField(fieldText, in, optPhrase, true)
		tf.uni = sch.cjkField(fieldText1, in, optTerms, false)
		if reuse {
			tf.analyzeWith(&a)
			tf.uni.analyzeWith(&a) // already analysed with text: a no-op
		} else {
			tf.Analyze()
			tf.uni.Analyze()
		}
		for _, c := range []struct {
			f   *indexField
			ref analysis.Analyzer
			opt index.FieldIndexingOptions
		}{{tf, sch.indexCJK, optPhrase}, {tf.uni, sch.unigram, optTerms}} {
			want := document.NewTextFieldCustom(c.f.name, nil, bytes.Clone(in), c.opt, c.ref)
			want.Analyze()
			if g, w := freqString(c.f.AnalyzedLength(), c.f.AnalyzedTokenFrequencies()), freqString(want.AnalyzedLength(), want.AnalyzedTokenFrequencies()); g != w {
				t.Fatalf("field %s of %q (reused buffers %v):\n got %s\nwant %s", c.f.name, in, reuse, g, w)
			}
		}
	}
	if !bytes.Equal(in, orig) {
		t.Fatalf("analysis modified its input: %q, was %q", in, orig)
	}
	return fast
}

// analysisTexts are the texts the reference comparison runs on: the
// sample page's and the real news sample's texts, topics and headlines,
// each as printed and folded (as indexed).
func analysisTexts(t testing.TB) []string {
	ps := defaultParagraphs(t)
	for _, a := range jiningArticles(t) {
		ps = append(ps, a.Paragraphs...)
	}
	var out []string
	for _, p := range ps {
		for _, s := range []string{p.Text, p.Topic, p.Headline} {
			out = append(out, s, text.Fold(s))
		}
	}
	return out
}

// TestIndexAnalysisMatchesBleve is the reference comparison of the
// one-pass analysis (indexanalysis.go) with Bleve's analyzer chains on
// real texts and on random strings mixing Han (simplified and
// traditional), kana, Latin, digits, full- and half-width forms,
// punctuation, spaces and invalid bytes.
func TestIndexAnalysisMatchesBleve(t *testing.T) {
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("real texts", func(t *testing.T) {
		texts := analysisTexts(t)
		fast := 0
		for _, s := range texts {
			if checkAnalysis(t, sch, []byte(s)) {
				fast++
			}
		}
		// Folded texts are nearly all plain: the fast path must take them.
		if fast < len(texts)*9/10 {
			t.Errorf("fast path took %d of %d texts", fast, len(texts))
		}
		t.Logf("%d texts, %d on the fast path", len(texts), fast)
	})
	t.Run("cases", func(t *testing.T) {
		for _, s := range []string{
			"", "县", "2023年", "2023年度工作", "小区7个", "8月19日", "Mate50手机", "ÀBC Straße ΣΑΣ Ⱥx",
			"红色物业，示范。县", "カタカナ日本語ひらがな", "ｶﾞｷﾞｸﾞ半角", "ＡＢＣ１２３", "紅色物業", "a\xffb县\xe4\xb8",
			"中\u00a0国", "中\u200b国", "x  y\t\nz", "３．５万元", "①②③", "😀中文😀", "한국어 중국어",
		} {
			checkAnalysis(t, sch, []byte(s))
		}
	})
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(16, 1))
		for range 1000 {
			checkAnalysis(t, sch, randomText(rng))
		}
	})
}

// randomText is a random mix of the character classes the analysis
// treats differently.
func randomText(rng *rand.Rand) []byte {
	classes := [][]rune{
		[]rune("红色物业示范县乡村振兴工作年度区个月日"),
		[]rune("紅色物業鄉村振興們發"),
		[]rune("カタカナひらがなー"),
		[]rune("abcXYZéÀΣσßİ"),
		[]rune("0123456789"),
		[]rune("０１２３ＡＢｚ，．！"),
		[]rune("ｶﾞｷﾟﾞｰ"),
		[]rune("，。、：；！？“”《》（）—…·"),
		[]rune(" \t\n\u3000\u00a0\u200b"),
		[]rune(".,-_'@#%&"),
		[]rune("①Ⅻ½²😀한"),
	}
	n := rng.IntN(40)
	var b []byte
	for range n {
		if rng.IntN(60) == 0 {
			b = append(b, byte(0x80+rng.IntN(0x80))) // an invalid byte
			continue
		}
		c := classes[rng.IntN(len(classes))]
		b = utf8.AppendRune(b, c[rng.IntN(len(c))])
	}
	return b
}

// FuzzIndexAnalysis compares the one-pass analysis with Bleve's chains
// on any input (go test -fuzz FuzzIndexAnalysis -fuzztime 30s).
func FuzzIndexAnalysis(f *testing.F) {
	sch, err := newSchema()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"2023年度工作", "小区7个", "Mate50手机", "ｶﾞｷﾞ", "a\xffb县", "ΣΑΣ Ⱥ", "カタカナ日本"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkAnalysis(t, sch, in)
	})
}

// BenchmarkIndexAnalysis measures the analysis of the text and text1
// fields of real paragraphs: Bleve's chains (two tokenizations,
// TokenFrequency) against the one pass on a worker's buffers.
func BenchmarkIndexAnalysis(b *testing.B) {
	sch, err := newSchema()
	if err != nil {
		b.Fatal(err)
	}
	var texts [][]byte
	var size int64
	for i, s := range analysisTexts(b) {
		if i%2 == 1 && s != "" { // the folded ones, as indexed
			texts = append(texts, []byte(s))
			size += int64(len(s))
		}
	}
	b.Run("bleve", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, s := range texts {
				document.NewTextFieldCustom(fieldText, nil, s, optPhrase, sch.indexCJK).Analyze()
				document.NewTextFieldCustom(fieldText1, nil, s, optTerms, sch.unigram).Analyze()
			}
		}
	})
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		var a indexAnalyzer
		for b.Loop() {
			for _, s := range texts {
				f := sch.cjkField(fieldText, s, optPhrase, true)
				f.uni = sch.cjkField(fieldText1, s, optTerms, false)
				f.analyzeWith(&a)
			}
		}
	})
}

// TestIndexAnalysisSameIndex builds the same paragraphs (the sample page,
// the real news sample, and random mixed-script texts, some for Bleve's
// chains: invalid bytes, width forms) with the one-pass analysis and with
// Bleve's chains: the merged segments must be the same bytes.
func TestIndexAnalysisSameIndex(t *testing.T) {
	ps := append(defaultParagraphs(t), realParagraphs(t)...)
	rng := rand.New(rand.NewPCG(16, 2))
	for i := range 150 {
		p := ps[i%len(ps)]
		p.ID = fmt.Sprintf("random-%03d", i)
		p.Text, p.Topic, p.Headline = string(randomText(rng)), string(randomText(rng)), string(randomText(rng))
		ps = append(ps, p)
	}
	segment := func(ref bool) []string {
		dir := t.TempDir()
		buildAt(t, dir, BuildOptions{BatchSize: 60, refAnalysis: ref}, ps)
		return dumpSegment(t, filepath.Join(dir, genName(1), bleveDir, "store", offlineSegmentFile))
	}
	one, ref := segment(false), segment(true)
	if len(one) != len(ref) {
		t.Errorf("one pass: %d postings, Bleve's chains: %d", len(one), len(ref))
	}
	for i := range min(len(one), len(ref)) {
		if one[i] != ref[i] {
			t.Fatalf("posting %d:\none pass      %s\nBleve's chains %s", i, one[i], ref[i])
		}
	}
}

// dumpSegment lists what a segment file indexes: every field's terms,
// each with its postings (document, frequency, norm, locations), a line a
// posting, and the stored fields of every document but the compressed
// paragraph (whose dictionary is trained anew each build).
func dumpSegment(t *testing.T, path string) []string {
	t.Helper()
	seg, err := segmentPlugin.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	var out []string
	for _, f := range seg.Fields() {
		d, err := seg.Dictionary(f)
		if err != nil {
			t.Fatal(err)
		}
		it := d.AutomatonIterator(allTerms{}, nil, nil)
		for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
			if err != nil {
				t.Fatal(err)
			}
			pl, err := d.PostingsList([]byte(e.Term), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			pit := pl.Iterator(true, true, true, nil)
			for p, err := pit.Next(); p != nil || err != nil; p, err = pit.Next() {
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%s %q doc %d freq %d norm %v:", f, e.Term, p.Number(), p.Frequency(), p.Norm())
				for _, l := range p.Locations() {
					fmt.Fprintf(&b, " %s@%d[%d:%d]%v", l.Field(), l.Pos(), l.Start(), l.End(), l.ArrayPositions())
				}
				out = append(out, b.String())
			}
		}
	}
	n, err := seg.Count(), error(nil)
	for doc := range n {
		err = seg.VisitStoredFields(doc, func(field string, typ byte, value []byte, pos []uint64) bool {
			if field != fieldDoc {
				out = append(out, fmt.Sprintf("doc %d stored %s %c %q %v", doc, field, typ, value, pos))
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// allTerms is the automaton matching every term of a dictionary.
type allTerms struct{}

func (allTerms) Start() int               { return 0 }
func (allTerms) IsMatch(int) bool         { return true }
func (allTerms) CanMatch(int) bool        { return true }
func (allTerms) WillAlwaysMatch(int) bool { return true }
func (allTerms) Accept(int, byte) int     { return 0 }

// BenchmarkDocumentAnalysis measures making and analysing the documents
// of real paragraphs as a build worker does: with Bleve's fields and
// chains against the one-pass CJK fields and the keyword fields.
func BenchmarkDocumentAnalysis(b *testing.B) {
	ps := realParagraphs(b)
	for _, ref := range []bool{true, false} {
		name := "one-pass"
		if ref {
			name = "bleve"
		}
		b.Run(name, func(b *testing.B) {
			sch, err := newSchema()
			if err != nil {
				b.Fatal(err)
			}
			sch.refAnalysis = ref
			b.ReportAllocs()
			var a indexAnalyzer
			for b.Loop() {
				for _, p := range ps {
					d, err := sch.document(p, p.Source.File, true, 0)
					if err != nil {
						b.Fatal(err)
					}
					d.AddIDField()
					analyzeDocument(&a, d)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ps)), "ns/paragraph")
		})
	}
}
