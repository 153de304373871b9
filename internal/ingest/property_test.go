package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"countynews/corpus"
	"countynews/internal/ingest"
	"countynews/internal/search"
	"countynews/internal/story"
	"countynews/query"
)

// The update property: after any sequence of adds, changes, renames and
// removals of inputs that share articles, `indexer -update` leaves the
// index a fresh build of the same inputs would: the same documents (each
// paragraph, as stored), the same total and the same facets. The
// reference is a model of a fresh build computed from the parse alone
// (every paragraph once, from the input with the smallest key), and a real
// fresh build is compared with it every few steps and at the end.

// propArticles is the pool of articles the inputs draw from: small JSONL
// records, several counties and years, some sharing sentences.
func propArticles(r *rand.Rand, n int) []string {
	counties := []string{"梁山", "金乡", "邹城", "嘉祥", "微山", ""}
	sentences := []string{
		"推行红色物业服务，小区治理见实效。", "开展乡村振兴示范村建设。", "网格员上门走访群众。",
		"落实河长制，清理河道垃圾。", "建设智慧社区平台。", "组织志愿服务活动。", "推进厕所革命。",
		"完善便民服务中心。", "开展文明实践活动。", "培育特色产业。",
	}
	var out []string
	for i := range n {
		var text strings.Builder
		for range 1 + r.IntN(4) {
			text.WriteString(sentences[r.IntN(len(sentences))])
		}
		date := "null"
		if r.IntN(4) > 0 {
			date = fmt.Sprintf("%q", fmt.Sprintf("%d-%02d-%02d", 2020+r.IntN(4), 1+r.IntN(12), 1+r.IntN(28)))
		}
		rec := fmt.Sprintf(`{"id":"a%d","title":"标题%d","date":%s,"county":%q,"text":%q}`, i, i, date, counties[r.IntN(len(counties))], text.String())
		out = append(out, rec)
	}
	return out
}

// propWorld is the inputs folder under test.
type propWorld struct {
	t        *testing.T
	r        *rand.Rand
	dir      string
	articles []string
	files    map[string]bool // names in dir
	next     int
}

func (w *propWorld) write(name string) {
	var lines []string
	for range 1 + w.r.IntN(4) {
		lines = append(lines, w.articles[w.r.IntN(len(w.articles))])
	}
	if w.r.IntN(5) == 0 { // a line that is not JSON: reported, the rest kept
		lines = append(lines, "not json")
	}
	data := []byte(strings.Join(lines, "\n") + "\n")
	if strings.HasSuffix(name, ".gz") {
		// A broken export: its records decompress, then the gzip
		// trailer is missing. Read part-way, it is left out whole.
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()[:b.Len()-8]
	}
	if err := os.WriteFile(filepath.Join(w.dir, name), data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.files[name] = true
}

func (w *propWorld) pick() string {
	names := make([]string, 0, len(w.files))
	for n := range w.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names[w.r.IntN(len(names))]
}

// step makes one random change and says what it did.
func (w *propWorld) step() string {
	op := w.r.IntN(10)
	switch {
	case len(w.files) == 0 || op < 3:
		w.next++
		name := fmt.Sprintf("f%03d.jsonl", w.next)
		if w.r.IntN(6) == 0 {
			name += ".gz"
		}
		w.write(name)
		return "add " + name
	case op < 6:
		name := w.pick()
		w.write(name)
		return "change " + name
	case op < 8:
		name := w.pick()
		w.next++
		to := fmt.Sprintf("f%03d.jsonl", w.next)
		if strings.HasSuffix(name, ".gz") {
			to += ".gz"
		}
		if err := os.Rename(filepath.Join(w.dir, name), filepath.Join(w.dir, to)); err != nil {
			w.t.Fatal(err)
		}
		delete(w.files, name)
		w.files[to] = true
		return "rename " + name + " " + to
	default:
		name := w.pick()
		if err := os.Remove(filepath.Join(w.dir, name)); err != nil {
			w.t.Fatal(err)
		}
		delete(w.files, name)
		return "remove " + name
	}
}

// model is what a fresh build of paths holds: each paragraph ID once, as
// read from the input with the smallest key, by ID.
func model(t *testing.T, paths []string) map[string]corpus.Paragraph {
	t.Helper()
	ins, _, err := ingest.Inputs(paths...)
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].Key < ins[j].Key })
	p, _ := corpus.NewParser(corpus.Options{})
	out := map[string]corpus.Paragraph{}
	var articles []story.Member
	for _, in := range ins {
		var got []corpus.Paragraph
		var arts []story.Member
		_, err := ingest.Read(context.Background(), p, in, func(a corpus.Article) error {
			got = append(got, a.Paragraphs...)
			arts = append(arts, story.Member{ID: a.ID, Sig: story.SignArticle(a)})
			return nil
		})
		var ce *corpus.Error
		if errors.As(err, &ce) {
			continue // an input broken part-way is left out whole
		}
		if err != nil {
			t.Fatal(err)
		}
		articles = append(articles, arts...)
		for _, para := range got {
			if _, ok := out[para.ID]; !ok {
				out[para.ID] = para
			}
		}
	}
	// Stories: a function of the set of articles held (package story).
	storyOf := map[string]string{}
	for i, s := range story.Group(articles) {
		storyOf[articles[i].ID] = s
	}
	for id, para := range out {
		para.StoryID = storyOf[para.ArticleID]
		out[id] = para
	}
	return out
}

// indexed returns every paragraph of the index folder, by ID, with its
// facets.
func indexed(t *testing.T, index string) (map[string]corpus.Paragraph, search.Facets) {
	t.Helper()
	ctx := context.Background()
	ix, err := search.Open(ctx, index)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(ctx, search.Request{Query: query.Query{}, Size: 10000, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]corpus.Paragraph{}
	for _, h := range res.Hits {
		out[h.ID] = h.Paragraph
	}
	if res.Total != len(out) || ix.DocCount() != len(out) {
		t.Fatalf("index: total %d, %d documents, %d distinct hits", res.Total, ix.DocCount(), len(out))
	}
	return out, res.Facets
}

// modelFacets counts the facets of a model.
func modelFacets(m map[string]corpus.Paragraph) map[string]map[string]int {
	c := map[string]map[string]int{"county": {}, "year": {}, "program": {}}
	for _, p := range m {
		if p.County != "" {
			c["county"][p.County]++
		}
		c["year"][strconv.Itoa(p.Year)]++ // no year: search.UnknownYear, "0"
		for _, prog := range p.Programs {
			c["program"][prog]++
		}
	}
	return c
}

func facetMap(fs search.Facets) map[string]map[string]int {
	c := map[string]map[string]int{"county": {}, "year": {}, "program": {}}
	for name, vs := range map[string][]search.FacetValue{"county": fs.County, "year": fs.Year, "program": fs.Program} {
		for _, v := range vs {
			c[name][v.Value] = v.Count
		}
	}
	return c
}

// compare fails the test with the first difference between an index and
// the model.
func compare(t *testing.T, what string, m map[string]corpus.Paragraph, index string) {
	t.Helper()
	got, facets := indexed(t, index)
	lost := 0
	for id, want := range m {
		g, ok := got[id]
		if !ok {
			lost++
			continue
		}
		if !reflect.DeepEqual(g, want) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(want)
			t.Fatalf("%s: paragraph %s differs:\n got %s\nwant %s", what, id, gj, wj)
		}
	}
	if lost > 0 || len(got) != len(m) {
		t.Fatalf("%s: %d paragraphs lost, %d documents, want %d", what, lost, len(got), len(m))
	}
	// The facets the index reports carry only values with counts; the
	// model may not know the county names the index spells: compare the
	// counts of the values the index reports with the model's.
	fm, mm := facetMap(facets), modelFacets(m)
	for name := range mm {
		if !reflect.DeepEqual(fm[name], mm[name]) {
			t.Fatalf("%s: %s facet %v, want %v", what, name, fm[name], mm[name])
		}
	}
}

// TestUpdateEqualsFreshBuild runs random sequences of changes over
// overlapping inputs (200 steps in all; more with -long-property) and
// checks, after each update, that the index is what a fresh build makes.
func TestUpdateEqualsFreshBuild(t *testing.T) {
	steps := 200
	if testing.Short() {
		steps = 40
	}
	const seqs = 4
	for seq := range seqs {
		t.Run(fmt.Sprint("seed", seq), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seq), 13))
			root := memDir(t)
			w := &propWorld{t: t, r: r, dir: filepath.Join(root, "corpus"), articles: propArticles(r, 12), files: map[string]bool{}}
			if err := os.Mkdir(w.dir, 0o755); err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(w.dir)
			index := filepath.Join(root, "index")
			var log []string
			for i := range steps / seqs {
				log = append(log, w.step())
				paths := []string{w.dir}
				switch r.IntN(3) { // the same folder under another name, or twice
				case 1:
					paths = []string{abs}
				case 2:
					paths = []string{w.dir, abs}
				}
				if _, err := ingest.Run(context.Background(), ingest.Options{Index: index, Paths: paths, Update: true}); err != nil {
					t.Fatalf("after %v: update: %v", log, err)
				}
				m := model(t, paths)
				compare(t, fmt.Sprintf("step %d %v", i, log), m, index)
				if i%10 == 9 || i == steps/seqs-1 {
					fresh := filepath.Join(root, fmt.Sprint("fresh", i))
					if _, err := ingest.Run(context.Background(), ingest.Options{Index: fresh, Paths: paths}); err != nil {
						t.Fatal(err)
					}
					compare(t, fmt.Sprintf("fresh build at step %d", i), m, fresh)
				}
			}
		})
	}
}

// TestUpdateSharedArticle is the case, named: an article printed
// in two files is one paragraph set; removing, changing or renaming one
// file keeps it while the other holds it.
func TestUpdateSharedArticle(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "corpus")
	os.Mkdir(dir, 0o755)
	shared := `{"id":"s","title":"共同","date":"2023-01-02","county":"梁山","text":"梁山县推行红色物业。网格员上门走访群众。"}`
	own := `{"id":"o","title":"独有","date":"2023-01-03","county":"金乡","text":"金乡县培育特色产业。"}`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(shared+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(own+"\n"+shared+"\n"), 0o644)
	index := filepath.Join(root, "index")
	run := func(update bool) *ingest.Summary {
		t.Helper()
		sum, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{dir}, Update: update})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	first := run(false)
	if first.Total != 2 || first.Duplicates != 1 {
		t.Fatalf("fresh build: %d paragraphs, %d duplicates; want 2 and 1", first.Total, first.Duplicates)
	}
	compare(t, "fresh", model(t, []string{dir}), index)
	os.Remove(filepath.Join(dir, "a.jsonl"))
	sum := run(true)
	if sum.Total != 2 || sum.Reread != 1 {
		t.Errorf("after removing a.jsonl: %d paragraphs, %d inputs read again; want 2 and 1 (b.jsonl)", sum.Total, sum.Reread)
	}
	compare(t, "a removed", model(t, []string{dir}), index)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(shared+"\n"), 0o644)
	run(true)
	compare(t, "a back", model(t, []string{dir}), index)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(own+"\n"), 0o644)
	if sum := run(true); sum.Total != 2 {
		t.Errorf("after b.jsonl dropped the shared article: %d paragraphs, want 2", sum.Total)
	}
	compare(t, "b changed", model(t, []string{dir}), index)
	abs, _ := filepath.Abs(dir)
	if sum := run(true); sum.Changed != 0 {
		t.Errorf("an update of nothing changed %d", sum.Changed)
	}
	sum, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{abs}, Update: true})
	if err != nil || sum.Changed != 0 || sum.Total != 2 {
		t.Errorf("the same folder by its absolute path: %+v, %v; want nothing changed and 2 paragraphs", sum, err)
	}
}

// memDir is a temporary folder in memory (/dev/shm) when there is one:
// every build syncs its files, which on a disk costs most of the test's
// time.
func memDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "ingest-prop-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}
