package search

import (
	"bufio"
	"cmp"
	"context"
	"encoding/gob"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/internal/wordvec"
)

// TestSemanticFit is the prototype of issue 11's beyond-lexical features,
// run by hand like TestRerankFit (same variables; COUNTYNEWS_SEMANTIC_WORDS
// caches the corpus's words).
func TestSemanticFit(t *testing.T) { semanticFit(t, false) }

// TestExpansionFit: the first stage with expansion clauses (the
// question's words' nearest corpus words, or RM3's feedback bigrams),
// reranked by the kept weights and by a refit.
func TestExpansionFit(t *testing.T) { semanticFit(t, true) }

func semanticFit(t *testing.T, expand bool) {
	depth := 30
	if s := os.Getenv("COUNTYNEWS_RERANK_DEPTH"); s != "" {
		depth, _ = strconv.Atoi(s)
	}
	fb := openFitBench(t)
	ctx := context.Background()
	ix, rd := fb.ix, fb.rd
	seg, err := ix.words.get(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The corpus's words, cached.
	type corpusWords struct {
		IDs  []string
		Docs [][]string
	}
	var cw corpusWords
	wpath := os.Getenv("COUNTYNEWS_SEMANTIC_WORDS")
	if f, err := os.Open(wpath); err == nil {
		err = gob.NewDecoder(bufio.NewReader(f)).Decode(&cw)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	} else {
		n, _ := rd.DocCount()
		t0 := time.Now()
		for i := 0; i < int(n); i++ {
			p, err := ix.storedAt(rd, i)
			if err != nil {
				continue
			}
			cw.IDs = append(cw.IDs, p.ID)
			cw.Docs = append(cw.Docs, contentWords(seg, p.Text))
		}
		t.Logf("cut %d paragraphs in %v", len(cw.Docs), time.Since(t0))
		if wpath != "" {
			f, err := os.Create(wpath)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(f)
			if err := gob.NewEncoder(bw).Encode(&cw); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			f.Close()
		}
	}
	docOf := map[string]int{}
	for i, id := range cw.IDs {
		docOf[id] = i
	}
	opts := wordvec.DefaultOptions()
	if s := os.Getenv("COUNTYNEWS_SEMANTIC_DIM"); s != "" {
		opts.Dim, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("COUNTYNEWS_SEMANTIC_WINDOW"); s != "" {
		opts.Window, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("COUNTYNEWS_SEMANTIC_WORDSMAX"); s != "" {
		opts.MaxWords, _ = strconv.Atoi(s)
	}
	sample := cw.Docs
	if s := os.Getenv("COUNTYNEWS_SEMANTIC_SAMPLE"); s != "" {
		k, _ := strconv.Atoi(s)
		sample = sample[:min(k, len(sample))]
	}
	t0 := time.Now()
	vecs, err := wordvec.Train(ctx, sample, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained %d words × %d on %d paragraphs in %v", len(vecs.Words), vecs.Dim, len(sample), time.Since(t0))
	for _, probe := range []string{"乌克兰", "降息", "地震", "新能源", "医保"} {
		t.Logf("near %s: %v", probe, nearest(vecs, probe, 8))
	}
	if expand {
		expansionFit(t, fb, vecs)
		return
	}

	// Question features: the kept ones, then the vectors' and the answer
	// types'.
	var qv []float32
	var qws []string
	var qt [4]bool
	var last *Result
	qs := fb.collect(t, depth, nil, func(q string, res *Result, rq *rerankQuery, h Hit) []float64 {
		if res != last {
			last = res
			qt = questionTypes(q)
			qv, qws = questionVec(vecs, res.Words)
		}
		var dw []string
		if d, ok := docOf[h.ID]; ok {
			dw = cw.Docs[d]
		}
		out := semFeatures(vecs, qv, qws, dw)
		out = append(out, softScan(vecs, qws, h.Paragraph.Text, false), softScan(vecs, qws, h.Paragraph.Text, true))
		return append(out, typeFeatures(rq, h.Paragraph.Text, qt)...)
	})
	names := append(append(append([]string{}, featureNames[:]...), semNames...), typeNames...)
	base := names[:numFeatures]
	runs := []struct {
		name string
		use  []string
	}{
		{"base", base},
		{"base+sem", append(slices.Clone(base), "sem")},
		{"base+soft", append(slices.Clone(base), "soft")},
		{"base+softmiss", append(slices.Clone(base), "softmiss")},
		{"base+allsem", append(slices.Clone(base), semNames...)},
		{"base+softscan", append(slices.Clone(base), "softscan")},
		{"base+softfmm", append(slices.Clone(base), "softfmm")},
		{"base+softscan+types", append(append(slices.Clone(base), "softscan"), typeNames...)},
		{"base+types", append(slices.Clone(base), typeNames...)},
		{"all", names},
	}
	for _, d := range []int{10, 20, depth} {
		if d > depth {
			continue
		}
		cut := truncate(qs, d)
		for _, r := range runs {
			use := make([]bool, len(names))
			for _, n := range r.use {
				use[slices.Index(names, n)] = true
			}
			w := softmaxFit(cut, use)
			ro, mo := evalFit(cut, w, true)
			re, me := evalFit(cut, w, false)
			t.Logf("depth %2d %-14s odd %.3f / %.3f | even %.3f / %.3f | all %.3f / %.3f", d, r.name, ro, mo, re, me, (ro+re)/2, (mo+me)/2)
			if r.name == "all" {
				var b strings.Builder
				for i, x := range w {
					if use[i] {
						b.WriteString(" " + names[i] + "=" + strconv.FormatFloat(x, 'g', 4, 64))
					}
				}
				t.Logf("  weights:%s", b.String())
			}
		}
	}
}

func truncate(qs []fitQuestion, d int) []fitQuestion {
	out := make([]fitQuestion, len(qs))
	for i, q := range qs {
		out[i] = q
		if len(q.feats) > d {
			out[i].feats, out[i].rel = q.feats[:d], q.rel[:d]
		}
	}
	return out
}

func nearest(v *wordvec.Vectors, w string, k int) []string {
	x := v.Of(w)
	if x == nil {
		return nil
	}
	type sc struct {
		w string
		s float32
	}
	var all []sc
	for i, o := range v.Words {
		all = append(all, sc{o, dot(x, v.Vec[i*v.Dim:(i+1)*v.Dim])})
	}
	slices.SortFunc(all, func(a, b sc) int {
		if a.s > b.s {
			return -1
		}
		if a.s < b.s {
			return 1
		}
		return 0
	})
	var out []string
	for _, s := range all[1:min(k+1, len(all))] {
		out = append(out, s.w+":"+strconv.FormatFloat(float64(s.s), 'f', 2, 32))
	}
	return out
}

func dot(a, b []float32) float32 {
	s := float32(0)
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

var semNames = []string{"sem", "soft", "softmiss", "softscan", "softfmm"}

func questionVec(v *wordvec.Vectors, ws []string) ([]float32, []string) {
	q := make([]float32, v.Dim)
	var in []string
	for _, w := range ws {
		x := v.Of(w)
		if x == nil {
			continue
		}
		in = append(in, w)
		idf := v.IDF[v.Index[w]]
		for k := range q {
			q[k] += idf * x[k]
		}
	}
	normalize(q)
	return q, in
}

func normalize(x []float32) {
	n := float32(0)
	for _, a := range x {
		n += a * a
	}
	if n > 0 {
		s := float32(1 / math.Sqrt(float64(n)))
		for i := range x {
			x[i] *= s
		}
	}
}

func semFeatures(v *wordvec.Vectors, qv []float32, qws, dw []string) []float64 {
	out := make([]float64, len(semNames)-2)
	if len(qws) == 0 || len(dw) == 0 {
		return out
	}
	pv := make([]float32, v.Dim)
	has := map[string]bool{}
	var dvs [][]float32
	for _, w := range dw {
		has[w] = true
		x := v.Of(w)
		if x == nil {
			continue
		}
		idf := v.IDF[v.Index[w]]
		for k := range pv {
			pv[k] += idf * x[k]
		}
	}
	for w := range has {
		if x := v.Of(w); x != nil {
			dvs = append(dvs, x)
		}
	}
	normalize(pv)
	out[0] = float64(dot(qv, pv))
	var tot, soft, miss float64
	for _, w := range qws {
		idf := float64(v.IDF[v.Index[w]])
		tot += idf
		if has[w] {
			soft += idf
			continue
		}
		x := v.Of(w)
		best := float32(0)
		for _, y := range dvs {
			best = max(best, dot(x, y))
		}
		soft += idf * float64(best)
		miss += idf * float64(best)
	}
	out[1] = soft / tot
	out[2] = miss / tot
	return out
}

var typeNames = []string{"num", "date", "place", "who"}

// questionTypes: what kind of answer the question asks for.
func questionTypes(q string) [4]bool {
	has := func(ss ...string) bool {
		for _, s := range ss {
			if strings.Contains(q, s) {
				return true
			}
		}
		return false
	}
	when := has("何时", "什么时候", "哪年", "哪一年", "哪天", "哪一天", "几月", "几号", "什么时间", "日期")
	return [4]bool{
		!when && has("多少", "几", "多大", "多久", "多高", "多长", "多远", "比例", "百分之"),
		when,
		has("哪里", "哪儿", "什么地方", "何地", "哪个地区", "哪个国家", "哪个城市", "哪座", "地点", "哪个省", "哪些地区", "哪些国家"),
		has("谁", "哪位", "什么人", "何人", "哪些人"),
	}
}

func isNumeral(r rune) bool {
	return r >= '0' && r <= '9' || strings.ContainsRune("一二三四五六七八九十百千万亿两零", r)
}

// typeFeatures: for each answer type the question asks, log1p of how
// many characters of that type lie near the question's tokens in text.
func typeFeatures(rq *rerankQuery, txt string, qt [4]bool) []float64 {
	out := make([]float64, len(typeNames))
	if !slices.Contains(qt[:], true) {
		return out
	}
	rs := foldInto(nil, txt)
	ms := rq.matches(rs, nil)
	near := make([]bool, len(rs))
	const reach = 12
	for _, m := range ms {
		for i := max(0, int(m.pos)-reach); i < min(len(rs), int(m.pos)+reach); i++ {
			near[i] = true
		}
	}
	var c [4]float64
	for i, r := range rs {
		if !near[i] {
			continue
		}
		if isNumeral(r) && (i == 0 || !isNumeral(rs[i-1])) {
			c[0]++
		}
		if (r == '年' || r == '月' || r == '日') && i > 0 && isNumeral(rs[i-1]) {
			c[1]++
		}
		if strings.ContainsRune("省市县区镇村州国", r) && i > 0 && isHan(rs[i-1]) {
			c[2]++
		}
		if (r == '说' || r == '称') || (r == '表' && i+1 < len(rs) && rs[i+1] == '示') {
			c[3]++
		}
	}
	for k := range out {
		if qt[k] {
			out[k] = math.Log1p(c[k])
		}
	}
	return out
}

// softScan is soft without the paragraph's segmentation: the vocabulary's
// words of 2 to 4 characters found in the folded text at any position; a
// question word held verbatim counts 1. fmm: the words by forward maximum
// matching (the longest vocabulary word of up to 4 characters at each
// position, then past it), a cheap stand-in for the segmenter.
func softScan(v *wordvec.Vectors, qws []string, txt string, fmm bool) float64 {
	if len(qws) == 0 {
		return 0
	}
	rs := foldInto(nil, txt)
	folded := string(rs)
	var tot, soft float64
	var missing [][]float32
	var missIDF []float64
	for _, w := range qws {
		idf := float64(v.IDF[v.Index[w]])
		tot += idf
		if strings.Contains(folded, w) {
			soft += idf
			continue
		}
		missing = append(missing, v.Of(w))
		missIDF = append(missIDF, idf)
	}
	if len(missing) == 0 {
		return soft / tot
	}
	best := make([]float32, len(missing))
	seen := map[int32]bool{}
	use := func(id int32) {
		if seen[id] {
			return
		}
		seen[id] = true
		y := v.Vec[int(id)*v.Dim : (int(id)+1)*v.Dim]
		for k, x := range missing {
			best[k] = max(best[k], dot(x, y))
		}
	}
	for i := 0; i < len(rs); {
		if fmm {
			l := 4
			for ; l >= 2; l-- {
				if i+l > len(rs) {
					continue
				}
				if id, ok := v.Index[string(rs[i:i+l])]; ok {
					use(id)
					break
				}
			}
			i += max(l, 1)
			continue
		}
		for l := 2; l <= 4 && i+l <= len(rs); l++ {
			if id, ok := v.Index[string(rs[i:i+l])]; ok {
				use(id)
			}
		}
		i++
	}
	for k := range missing {
		soft += missIDF[k] * float64(best[k])
	}
	return soft / tot
}

// expansionFit runs the questions with each expansion variant of
// COUNTYNEWS_EXPAND (comma-separated: emb:K:TAU:BETA, the K nearest
// corpus words of each content word with a cosine of at least TAU as
// optional clauses boosted BETA × cosine; rm3:K:M:BETA, the M heaviest
// bigrams of the first K hits, RM3's weights, boosted BETA × weight /
// heaviest), and reports the first stage, the kept reranker and a refit
// on both halves.
func expansionFit(t *testing.T, fb *fitBench, vecs *wordvec.Vectors) {
	ctx := context.Background()
	ix, rdr := fb.ix, fb.rd
	n, err := rdr.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	dfOf := func(term string) float64 {
		tfr, err := rdr.TermFieldReader(ctx, []byte(term), fieldText, false, false, false)
		if err != nil {
			t.Fatal(err)
		}
		defer tfr.Close()
		return float64(tfr.Count())
	}
	type neighbour struct {
		w string
		c float32
	}
	neigh := map[string][]neighbour{}
	neighbours := func(w string, k int, tau float32) []neighbour {
		key := w + "|" + strconv.Itoa(k) + "|" + strconv.FormatFloat(float64(tau), 'f', 2, 32)
		if ns, ok := neigh[key]; ok {
			return ns
		}
		var ns []neighbour
		for _, s := range nearest(vecs, w, k) {
			i := strings.LastIndexByte(s, ':')
			c, _ := strconv.ParseFloat(s[i+1:], 32)
			if float32(c) >= tau && len([]rune(s[:i])) >= 2 {
				ns = append(ns, neighbour{s[:i], float32(c)})
			}
		}
		neigh[key] = ns
		return ns
	}
	type expander func(q string, first []Hit) func(ws []string) []bq.Query
	emb := func(k int, tau float32, beta float64) expander {
		return func(string, []Hit) func(ws []string) []bq.Query {
			return func(ws []string) []bq.Query {
				var out []bq.Query
				seen := map[string]bool{}
				for _, w := range ws {
					seen[w] = true
				}
				for _, w := range ws {
					for _, nb := range neighbours(w, k, tau) {
						if seen[nb.w] {
							continue
						}
						seen[nb.w] = true
						if tq, _ := ix.termQuery(nb.w); tq != nil {
							out = append(out, boosted(tq, beta*float64(nb.c)))
						}
					}
				}
				return out
			}
		}
	}
	// RM3 as BENCHMARKS.md's (rank2) rows: the first k hits' bigrams by
	// Σ tf/len × score share × idf, not in the question, the m heaviest.
	rm3 := func(k, m int, beta float64) expander {
		return func(q string, first []Hit) func(ws []string) []bq.Query {
			qb := map[string]bool{}
			for _, tk := range ix.sch.cjk.Analyze([]byte(strings.ToLower(q))) {
				qb[string(tk.Term)] = true
			}
			first = first[:min(k, len(first))]
			sum := 0.0
			for _, h := range first {
				sum += h.Score
			}
			wt := map[string]float64{}
			for _, h := range first {
				toks := ix.sch.cjk.Analyze([]byte(strings.ToLower(h.Paragraph.Text)))
				tf := map[string]float64{}
				for _, tk := range toks {
					if len([]rune(string(tk.Term))) == 2 {
						tf[string(tk.Term)]++
					}
				}
				for b, c := range tf {
					if !qb[b] {
						wt[b] += c / float64(len(toks)) * h.Score / sum
					}
				}
			}
			type bw struct {
				b string
				w float64
			}
			var all []bw
			for b, w := range wt {
				if df := dfOf(b); df > 0 {
					all = append(all, bw{b, w * math.Log(1+(float64(n)-df+0.5)/(df+0.5))})
				}
			}
			slices.SortFunc(all, func(a, b bw) int {
				if c := cmp.Compare(b.w, a.w); c != 0 {
					return c
				}
				return strings.Compare(a.b, b.b)
			})
			all = all[:min(m, len(all))]
			return func([]string) []bq.Query {
				var out []bq.Query
				for _, e := range all {
					out = append(out, boosted(termOn(fieldText, e.b), beta*e.w/all[0].w))
				}
				return out
			}
		}
	}
	type variant struct {
		name string
		exp  expander
	}
	variants := []variant{{"none", nil}}
	for _, s := range strings.Split(os.Getenv("COUNTYNEWS_EXPAND"), ",") {
		f := strings.Split(s, ":")
		if len(f) != 4 {
			continue
		}
		a, _ := strconv.Atoi(f[1])
		b, _ := strconv.ParseFloat(f[2], 64)
		beta, _ := strconv.ParseFloat(f[3], 64)
		switch f[0] {
		case "emb":
			variants = append(variants, variant{s, emb(a, float32(b), beta)})
		case "rm3":
			variants = append(variants, variant{s, rm3(a, int(b), beta)})
		}
	}
	for _, v := range variants {
		qs := fb.collect(t, 10, v.exp, nil)
		first := make([]float64, numFeatures)
		first[featScore] = 1
		use := make([]bool, numFeatures)
		for i := range use {
			use[i] = true
		}
		for _, w := range []struct {
			name string
			w    []float64
		}{{"first stage", first}, {"kept weights", rerankWeights[:]}, {"refit", softmaxFit(qs, use)}} {
			ro, mo := evalFit(qs, w.w, true)
			re, me := evalFit(qs, w.w, false)
			t.Logf("%-18s %-13s odd %.3f / %.3f | even %.3f / %.3f", v.name, w.name, ro, mo, re, me)
		}
	}
}
