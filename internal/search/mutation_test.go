package search

// Tests written to kill mutants that lived (docs/mutation.md, run with
// bench/cmd/mutants): each names the mutant it kills.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"countynews/corpus"
	"countynews/internal/text"
)

// TestCheckSpace: a build refuses to go on when its disk is all but full,
// and goes on otherwise. /proc reports no free space at all, which stands
// in for a full disk. Kills disk.go checkSpace's err == nil → !=.
func TestCheckSpace(t *testing.T) {
	if free, err := FreeBytes("/proc"); err != nil || free >= lowSpace {
		t.Skipf("no /proc with no free space here (%d, %v)", free, err)
	}
	err := (&Builder{path: "/proc"}).checkSpace()
	var de *DiskFullError
	if !errors.As(err, &de) || de.Path != "/proc" || !errors.Is(err, ErrNoSpace) {
		t.Errorf("checkSpace on a full disk: %v, want a *DiskFullError for /proc", err)
	}
	if err := (&Builder{path: t.TempDir()}).checkSpace(); err != nil {
		t.Errorf("checkSpace with room: %v", err)
	}
	if err := (&Builder{path: "/no/such/folder"}).checkSpace(); err != nil {
		t.Errorf("checkSpace where free space is unknown: %v, want nil (the build's own error tells)", err)
	}
}

// TestDiskError: which build errors are reported as a full disk.
func TestDiskError(t *testing.T) {
	other := errors.New("bad mapping")
	full := &DiskFullError{Path: "/x", Err: other}
	for _, c := range []struct {
		name     string
		path     string
		err      error
		wantFull bool
		same     bool // the error comes back as it is
	}{
		{"nil", t.TempDir(), nil, false, true},
		{"already one", "/proc", full, true, true},
		{"one wrapped", t.TempDir(), fmt.Errorf("index p1: %w", full), true, false},
		{"ENOSPC wrapped", t.TempDir(), fmt.Errorf("write: %w", syscall.ENOSPC), true, false},
		{"EDQUOT", t.TempDir(), syscall.EDQUOT, true, false},
		{"another error with room", t.TempDir(), other, false, true},
		{"another error on a full disk", "/proc", other, true, false},
	} {
		if c.path == "/proc" {
			if free, err := FreeBytes("/proc"); err != nil || free >= lowSpace {
				continue
			}
		}
		got := diskError(c.path, c.err)
		var de *DiskFullError
		if isFull := errors.As(got, &de); isFull != c.wantFull {
			t.Errorf("%s: %v, full %v; want full %v", c.name, got, isFull, c.wantFull)
		}
		if c.same && got != c.err {
			t.Errorf("%s: %v, want the error itself", c.name, got)
		}
		if c.err != nil && !errors.Is(got, c.err) && !errors.Is(c.err, got) {
			t.Errorf("%s: %v does not wrap %v", c.name, got, c.err)
		}
		if de != nil && !strings.HasPrefix(got.Error(), "no space left on device: "+de.Path) {
			t.Errorf("%s: %q, want it to start with no space left on device: %s", c.name, got, de.Path)
		}
	}
}

// TestHighlightPointNextToLetters: a point or comma joins a word only when
// digits stand on both sides of it (4.5, 1,000): "GDP.5" and "5.GDP" hold
// the word GDP whole, "第4.章" the number 4. Kills highlight.go joined's
// k-dir → k+dir and k+dir → k-dir; a letter at the text's first or last
// character joins too (k < 0 → <=).
func TestHighlightPointNextToLetters(t *testing.T) {
	for _, c := range []struct{ text, term, want string }{
		{"GDP.5增长", "gdp", "<mark>GDP</mark>.5增长"},
		{"增长5.GDP", "gdp", "增长5.<mark>GDP</mark>"},
		{"增长4.5%", "4", "增长4.5%"},
		{"共1,000人", "1", "共1,000人"},
		{"GDP,增长", "gdp", "<mark>GDP</mark>,增长"},
		{"第4.章", "4", "第<mark>4</mark>.章"},
		{"章.4", "4", "章.<mark>4</mark>"},
		{"agdp增长", "gdp", "agdp增长"},
		{"增长gdpa", "gdp", "增长gdpa"},
	} {
		if got := highlight(c.text, []string{c.term}, 120); got != c.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", c.text, c.term, got, c.want)
		}
	}
}

// TestBestWindowTie: of windows equal in terms, marks, sentence start and
// the mark's offset, the earliest is shown. Kills highlight.go
// bestWindow's sc.offset < best.offset → <=.
func TestBestWindowTie(t *testing.T) {
	pad := strings.Repeat("好", 60)
	// Both occurrences sit two characters (width/10) into a sentence.
	text := "甲乙红色" + pad + "。丙丁红色" + pad
	rs := []rune(text)
	spans := findSpans(foldRunes(text), []string{"红色"})
	if len(spans) != 2 {
		t.Fatalf("spans %v, want 2", spans)
	}
	st, end := bestWindow(rs, spans, 20)
	if st != 0 || end != 20 {
		t.Errorf("bestWindow = %d, %d; want 0, 20 (the first of two equal windows)", st, end)
	}
}

// TestVocabHasCachedAbsent: a bigram whose document frequency was looked
// up and found 0 is not in the dictionary. Kills didyoumean.go vocab.has's
// df > 0 → >=.
func TestVocabHasCachedAbsent(t *testing.T) {
	v := &vocab{df: map[string]uint64{"红色": 0, "物业": 3}}
	for bigram, want := range map[string]bool{"红色": false, "物业": true} {
		got, err := v.has(bigram)
		if err != nil || got != want {
			t.Errorf("has(%q) = %v, %v; want %v", bigram, got, err, want)
		}
	}
}

// memVocab is a vocab over a dictionary held in memory: every bigram of
// the alphabet's characters has its document frequency in df (0 when
// absent), and the neighbour lists follow from it, so that no lookup
// reaches an index.
func memVocab(alphabet string, df map[string]uint64) *vocab {
	v := &vocab{ctx: context.Background(), budget: suggestBudget, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	rs := []rune(alphabet)
	for _, a := range rs {
		v.after[a], v.before[a] = []rune{}, []rune{}
	}
	for _, a := range rs {
		for _, b := range rs {
			bg := string([]rune{a, b})
			v.df[bg] = df[bg]
			if df[bg] > 0 {
				v.after[a] = append(v.after[a], b)
				v.before[b] = append(v.before[b], a)
			}
		}
	}
	return v
}

// TestEditsMade: an edit's made frequency is the least of the bigrams the
// edit creates (for a substitution at i those starting at i-1 and i, for a
// character dropped at i the one at i-1), and its score when it creates
// none (a character dropped at an edge). 物业 is the rarest bigram, so
// made and score differ. Kills didyoumean.go vocab.edits's i-1 → i+1 (a
// substitution's and a drop's) and m == 0 → != 0.
func TestEditsMade(t *testing.T) {
	df := map[string]uint64{"红色": 5, "色物": 50, "物业": 2}
	for _, tc := range []struct {
		name, typo  string
		kind        editKind
		score, made uint64
	}{
		{"substituted", "红包物业", substituted, 2, 5},
		{"dropped inside", "红色包物业", dropped, 2, 50},
		{"dropped at the start", "包红色物业", dropped, 2, 2},
	} {
		v := memVocab("红色包物业", df)
		edits, err := v.edits([]rune(tc.typo))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range edits {
			if e.text == "红色物业" && e.kind == tc.kind {
				found = true
				if e.score != tc.score || e.made != tc.made {
					t.Errorf("%s: %s → 红色物业 scored %d, made %d; want %d, %d", tc.name, tc.typo, e.score, e.made, tc.score, tc.made)
				}
			}
		}
		if !found {
			t.Errorf("%s: edits of %s lack 红色物业 (kind %d): %+v", tc.name, tc.typo, tc.kind, edits)
		}
	}
}

// TestWholeFound: a split of a term is dropped only when a correction of
// the whole term (of the same clause and term) has hits. Kills
// didyoumean.go wholeFound's d.total > 0 → <= 0.
func TestWholeFound(t *testing.T) {
	c := candidate{clause: 1, term: 2, kind: split}
	for _, tc := range []struct {
		name string
		d    candidate
		want bool
	}{
		{"whole with hits", candidate{clause: 1, term: 2, kind: substituted, total: 3}, true},
		{"whole without hits", candidate{clause: 1, term: 2, kind: substituted, total: 0}, false},
		{"another split", candidate{clause: 1, term: 2, kind: split, total: 3}, false},
		{"another term", candidate{clause: 1, term: 1, kind: substituted, total: 3}, false},
		{"another clause", candidate{clause: 0, term: 2, kind: substituted, total: 3}, false},
	} {
		if got := wholeFound([]candidate{c, tc.d}, c); got != tc.want {
			t.Errorf("%s: wholeFound = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestNeighboursKeepFrequencies: the prefix scan that lists a character's
// followers also records each bigram's document frequency, so that scoring
// a candidate costs no second lookup (and no budget). Kills didyoumean.go
// vocab.neighbours's e.Count > 0 → <= 0.
func TestNeighboursKeepFrequencies(t *testing.T) {
	ix := build(t, []corpus.Paragraph{
		para("p1", "f.txt", "红色物业进社区"), para("p2", "f.txt", "红色物业"), para("p3", "f.txt", "红旗飘扬"),
	})
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	v := &vocab{ctx: context.Background(), rd: rd, budget: suggestBudget, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	cs, err := v.neighbours('红', true)
	if err != nil {
		t.Fatal(err)
	}
	if string(cs) != "色旗" && string(cs) != "旗色" {
		t.Fatalf("followers of 红: %q, want 色 and 旗", string(cs))
	}
	if v.df["红色"] != 2 || v.df["红旗"] != 1 {
		t.Errorf("frequencies kept: 红色 %d, 红旗 %d; want 2 and 1", v.df["红色"], v.df["红旗"])
	}
	budget := v.budget
	if df, err := v.freq("红色"); err != nil || df != 2 || v.budget != budget {
		t.Errorf("freq(红色) = %d, %v, budget %d → %d; want 2 from the scan, no lookup", df, err, budget, v.budget)
	}
}

// TestSignificantWordsOrder: a paragraph's significant words come heaviest
// first (tf × idf), so that the cut to similarWords keeps the heaviest.
// Kills similar.go significantWords's weight > → <=.
func TestSignificantWordsOrder(t *testing.T) {
	base := defaultParagraphs(t)[0]
	var ps []corpus.Paragraph
	for i := range 20 {
		p := base
		p.ID, p.ArticleID, p.Position = fmt.Sprintf("w%02d-00", i), fmt.Sprintf("w%02d", i), 0
		switch {
		case i == 0:
			p.Text = "合作社带动群众，合作社联系志愿者，图书馆开放。"
		case i < 4:
			p.Text = "合作社和志愿者走进图书馆。"
		default:
			p.Text = "其他内容。"
		}
		p.Topic, p.Initiatives, p.Programs = p.Text, nil, nil
		ps = append(ps, p)
	}
	ix := build(t, ps)
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	got, err := ix.significantWords(context.Background(), rd, ps[0].Text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0].term != "合作社" {
		t.Fatalf("significantWords = %v, want 合作社 (tf 2) first of several", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].weight > got[i-1].weight {
			t.Errorf("significantWords = %v: not heaviest first", got)
		}
	}
}

// TestStoriesOrder: articles are numbered in ID order, and each story of
// copies lists its articles once each in that order, its own (the
// smallest ID) first, so that a story's size counts its articles. Kills
// stories.go loadStories's sort (-1 → +1).
func TestStoriesOrder(t *testing.T) {
	real := realParagraphs(t)
	var ps []corpus.Paragraph
	for articles, i := 0, 0; i < len(real) && articles <= 7; i++ {
		if i == 0 || real[i].ArticleID != real[i-1].ArticleID {
			articles++
		}
		ps = append(ps, real[i])
	}
	ix := build(t, syndicatedCopies(ps, 3))
	st := ix.stories
	if !slices.IsSorted(st.ids) || len(st.ids) < 8 {
		t.Fatalf("article IDs %q: not in ID order", st.ids)
	}
	byStory := map[string][]string{}
	for _, id := range st.ids {
		s := st.storyID(id)
		byStory[s] = append(byStory[s], id)
	}
	big := 0
	for s, ids := range byStory {
		if ids[0] != s {
			t.Errorf("story %s: its articles %q do not start with it", s, ids)
		}
		for _, id := range ids {
			if got := st.size(id); got != len(ids) {
				t.Errorf("size(%s) = %d, want %d (%q)", id, got, len(ids), ids)
			}
		}
		if len(ids) >= 3 {
			big++
		}
	}
	if big == 0 {
		t.Fatalf("no story of three articles: the test tests nothing (%v)", byStory)
	}
}

// TestTermPiecesEdges: a point or comma stays inside a run only between two
// digits (the one before it and the one after), also at the ends of the
// text. Kills words.go termPieces's rs[i-1] → rs[i+1].
func TestTermPiecesEdges(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"6.", []string{"6"}},
		{".5", []string{"5"}},
		{"增长6.3%", []string{"增长6.3"}},
		{"共1,000人,", []string{"共1,000人"}},
		{"街呼县应、接诉即办", []string{"街呼县应", "接诉即办"}},
		{"a.b", []string{"a", "b"}},
		{"a.5", []string{"a", "5"}},
		{"5.a", []string{"5", "a"}},
	} {
		if got := termPieces(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("termPieces(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPredecessorCacheBound: the cache holds at most maxCachedPredecessors
// lists, starting again when full. Kills didyoumean.go
// predecessorCache.put's len(c.m) >= max → >.
func TestPredecessorCacheBound(t *testing.T) {
	var c predecessorCache
	for i := range maxCachedPredecessors + 1 {
		c.put(rune('一'+i), []rune{'甲'})
		if len(c.m) > maxCachedPredecessors {
			t.Fatalf("after %d lists the cache holds %d, more than %d", i+1, len(c.m), maxCachedPredecessors)
		}
	}
	if cs, ok := c.get(rune('一' + maxCachedPredecessors)); !ok || string(cs) != "甲" {
		t.Errorf("the last list put is not kept: %q, %v", string(cs), ok)
	}
}

// TestBatcherCheck: the check (the Builder's free-space test) runs before
// each batch is dispatched, and its failure stops the batch and is
// returned. Kills batcher.go dispatch's bt.err == nil → !=.
func TestBatcherCheck(t *testing.T) {
	idx, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	full := errors.New("disk full")
	checks := 0
	bt := newBatcher(idx, 1, 1)
	bt.check = func() error {
		checks++
		if checks == 2 {
			return full
		}
		return nil
	}
	ctx := context.Background()
	if err := bt.index(ctx, document.NewDocument("a")); err != nil {
		t.Fatalf("first batch: %v", err)
	}
	if err := bt.index(ctx, document.NewDocument("b")); !errors.Is(err, full) {
		t.Errorf("second batch: %v, want the check's error", err)
	}
	if checks != 2 {
		t.Errorf("check ran %d times, want once per batch (2)", checks)
	}
}

// TestHighlightPiecesAtEnd: a term holding punctuation (红色、物业) matches
// its pieces one after the other; a text that ends after the first piece
// and the punctuation holds no match (and is not read past its end); other
// punctuation between the pieces matches, none does not. Kills
// highlight.go piecesAt's at < len(text) → <= and → >=.
func TestHighlightPiecesAtEnd(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"物业红色、", "物业红色、"},
		{"物业红色，物业", "物业<mark>红色，物业</mark>"},
		{"物业红色物业", "物业红色物业"},
	} {
		if got := highlight(c.text, []string{"红色、物业"}, 120); got != c.want {
			t.Errorf("highlight(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestArticleSourceLines: an article's provenance runs from the smallest
// known first line of its paragraphs (0: unknown) to the largest last line
// (in its file), whatever the paragraphs' order. Kills lookup.go Article's
// l > 0 → <= and a.Source.Lines[0] == 0 → !=.
func TestArticleSourceLines(t *testing.T) {
	texts := []string{"梁山县红色物业", "金乡县大蒜", "嘉祥县石雕"}
	cases := []struct {
		article string
		lines   [][2]int
		want    [2]int
	}{
		{"in-order", [][2]int{{3, 4}, {6, 7}, {9, 12}}, [2]int{3, 12}},
		{"reversed", [][2]int{{9, 12}, {6, 7}, {3, 4}}, [2]int{3, 12}},
		{"first-unknown", [][2]int{{0, 0}, {6, 7}, {3, 4}}, [2]int{3, 7}},
	}
	var ps []corpus.Paragraph
	for _, c := range cases {
		for i, lines := range c.lines {
			p := para(fmt.Sprintf("%s-%02d", c.article, i), "f.txt", texts[i])
			p.ArticleID, p.Position, p.Source.Lines = c.article, i, lines
			ps = append(ps, p)
		}
	}
	ix := build(t, ps)
	for _, c := range cases {
		a, err := ix.Article(context.Background(), c.article)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Paragraphs) != 3 || a.Source.Lines != c.want {
			t.Errorf("%s: %d paragraphs, lines %v; want 3, %v", c.article, len(a.Paragraphs), a.Source.Lines, c.want)
		}
	}
}

// TestEditsFirstCharacter: a mistyped first character is substituted (no
// left neighbour: only its right one constrains it). Kills didyoumean.go
// vocab.edits's left = -1 → +1.
func TestEditsFirstCharacter(t *testing.T) {
	v := memVocab("红色包物业", map[string]uint64{"红色": 5, "色物": 50, "物业": 2})
	edits, err := v.edits([]rune("包色物业"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if e.text == "红色物业" && e.kind == substituted {
			return
		}
	}
	t.Errorf("edits of 包色物业 lack the substitution 红色物业: %+v", edits)
}

// TestSimilarInitiativeWeight: a named initiative weighs as much as the
// paragraph's heaviest bigram, so a paragraph sharing only the initiative
// (a phrase of two rare bigrams) outranks one sharing only that bigram;
// weighed 1, it would not. Kills similar.go Similar's top == 0 → !=.
func TestSimilarInitiativeWeight(t *testing.T) {
	base := defaultParagraphs(t)[0]
	var ps []corpus.Paragraph
	for i := range 20 {
		p := base
		p.ID, p.ArticleID, p.Position = fmt.Sprintf("s%02d-00", i), fmt.Sprintf("s%02d", i), 0
		p.Initiatives, p.Programs = nil, nil
		switch i {
		case 0:
			p.Text, p.Initiatives = "稀少，稀少，稀少。", []string{"网格化"}
		case 1:
			p.Text = "稀少。"
		case 2:
			p.Text = "推行网格化。"
		default:
			p.Text = "其他内容。"
		}
		p.Topic = p.Text
		ps = append(ps, p)
	}
	ix := build(t, ps)
	_, hits, err := ix.Similar(context.Background(), "s00-00", ScopeAll, 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.ID)
	}
	if len(got) != 2 || got[0] != "s02-00" || got[1] != "s01-00" {
		t.Errorf("similar to s00-00: %q, want s02-00 (the initiative) before s01-00 (the bigram)", got)
	}
}

// TestBatcherKeepsFailure: a batch that fails (here on a closed index)
// fails the flush that follows, with the batch's error. Kills batcher.go
// reap's bt.err == nil → !=.
func TestBatcherKeepsFailure(t *testing.T) {
	idx, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	bt := newBatcher(idx, 1, 1)
	idx.Close()
	ctx := context.Background()
	bt.index(ctx, document.NewDocument("a")) // dispatched: fails in flight
	if err := bt.flush(ctx); err == nil || !strings.Contains(err.Error(), "index batch") {
		t.Errorf("flush after a failed batch: %v, want the batch's error", err)
	}
}

// TestSignificantWordsRarestBigram: a word's df is its rarest bigram's,
// whichever of its bigrams that is: 合作社's weight is tf × idf of 合作
// (df 4), not of 作社 (df 9, from 工作社区). Kills similar.go
// significantWords's df < 0 → >=.
func TestSignificantWordsRarestBigram(t *testing.T) {
	base := defaultParagraphs(t)[0]
	const n = 20
	var ps []corpus.Paragraph
	for i := range n {
		p := base
		p.ID, p.ArticleID, p.Position = fmt.Sprintf("r%02d-00", i), fmt.Sprintf("r%02d", i), 0
		switch {
		case i == 0:
			p.Text = "合作社带动群众，合作社联系志愿者。"
		case i < 4:
			p.Text = "合作社和志愿者。"
		case i < 9:
			p.Text = "工作社区。"
		default:
			p.Text = "其他内容。"
		}
		p.Topic, p.Initiatives, p.Programs = p.Text, nil, nil
		ps = append(ps, p)
	}
	ix := build(t, ps)
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	got, err := ix.significantWords(context.Background(), rd, ps[0].Text)
	if err != nil {
		t.Fatal(err)
	}
	want := 2 * math.Log(1+(n-4+0.5)/(4+0.5))
	for _, w := range got {
		if w.term == "合作社" {
			if math.Abs(w.weight-want) > 1e-9 {
				t.Errorf("合作社 weighs %.4f, want %.4f (tf 2, df 4 of 合作)", w.weight, want)
			}
			return
		}
	}
	t.Errorf("significantWords = %v: no 合作社", got)
}

// TestMatchAnyManyWords: with four words or more, MatchAny wants
// anyMinShould of them (two of four) in a paragraph, checked against a
// scan of the corpus (TestMatchAllIsConjunctionOfWords has queries of
// three words at most, for which one word is enough). Kills match.go
// compileAny's minShould <= 0 → <.
func TestMatchAnyManyWords(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	ctx := context.Background()
	for _, q := range []string{"梁山红色物业党员志愿服务", "微山乡村振兴基层治理网格化"} {
		res, err := ix.Search(ctx, Request{Query: mustParse(t, q), Match: MatchAny, Size: 1000})
		if err != nil {
			t.Fatal(err)
		}
		need := anyMinShould(len(res.Words))
		if res.Match != MatchAny || need < 2 {
			t.Fatalf("%s: match %v, words %q (need %d): the test wants two words or more needed", q, res.Match, res.Words, need)
		}
		var want []string
		for _, p := range ps {
			folded, n := text.Fold(p.Text), 0
			for _, w := range res.Words {
				if strings.Contains(folded, w) {
					n++
				}
			}
			if n >= need {
				want = append(want, p.ID)
			}
		}
		got := ids(res.Hits)
		slices.Sort(got)
		slices.Sort(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s (words %q, %d needed): %d hits %v, the scan finds %v", q, res.Words, need, len(got), got, want)
		}
	}
}

// TestFreeBytes: the free space of an existing folder's file system, and an
// error naming a folder that does not exist. Kills disk.go FreeBytes's
// err != nil → ==.
func TestFreeBytes(t *testing.T) {
	if free, err := FreeBytes(t.TempDir()); err != nil || free <= 0 {
		t.Errorf("FreeBytes(temp folder) = %d, %v; want some free space", free, err)
	}
	if _, err := FreeBytes("/no/such/folder"); err == nil || !strings.Contains(err.Error(), "/no/such/folder") {
		t.Errorf("FreeBytes(missing folder): %v, want an error naming it", err)
	}
}

// TestUnanalysableTermsMatchNothing: a term of characters the analyser
// keeps no token of (a circled digit, a Roman numeral, a superscript, a
// fraction) matches nothing in every mode, never every paragraph. Kills
// match.go compileAny's len(ws) > 0 → <= 0.
func TestUnanalysableTermsMatchNothing(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	for _, q := range []string{"①", "Ⅷ", "²", "½", "ℌ"} {
		for _, m := range []Match{MatchExact, MatchAll, MatchAny, MatchAuto} {
			res, err := ix.Search(context.Background(), Request{Query: mustParse(t, q), Match: m, Size: 5})
			if err != nil {
				t.Fatalf("%s %v: %v", q, m, err)
			}
			if res.Total != 0 {
				t.Errorf("%s %v: %d hits (words %q), want none", q, m, res.Total, res.Words)
			}
		}
	}
}

// TestFreqOutOfBudget: with no budget left a bigram not yet looked up is
// taken as absent, without a lookup. Kills didyoumean.go freq's
// v.budget <= 0 → < 0 (here the lookup would reach a nil reader).
func TestFreqOutOfBudget(t *testing.T) {
	v := &vocab{ctx: context.Background(), budget: 0, df: map[string]uint64{"物业": 4}}
	if df, err := v.freq("红色"); df != 0 || err != nil || v.budget != 0 {
		t.Errorf("freq(红色) out of budget = %d, %v, budget %d; want 0, nil, 0", df, err, v.budget)
	}
	if df, err := v.freq("物业"); df != 4 || err != nil {
		t.Errorf("freq(物业) cached = %d, %v; want 4", df, err)
	}
}

// TestCorrectableLength: DidYouMean corrects Chinese terms of
// suggestMinRunes to suggestMaxRunes characters, both ends included.
// Kills didyoumean.go correctable's len(rs) > suggestMaxRunes → >=.
func TestCorrectableLength(t *testing.T) {
	han := func(n int) []rune { return []rune(strings.Repeat("红", n)) }
	for _, c := range []struct {
		rs   []rune
		want bool
	}{
		{han(suggestMinRunes - 1), false},
		{han(suggestMinRunes), true},
		{han(suggestMaxRunes), true},
		{han(suggestMaxRunes + 1), false},
		{[]rune("红色a物业"), false},
	} {
		if got := correctable(c.rs); got != c.want {
			t.Errorf("correctable(%q) = %v, want %v", string(c.rs), got, c.want)
		}
	}
}

// TestMatchAnyBigramBoosts: in MatchAny over the text, each distinct
// character bigram of the unquoted terms is an optional clause boosted by
// anyBigramBoost (paragraphs keeping more of the typed sequence rank
// higher); over headlines there are none. Kills match.go compileAny's
// in == InText → !=.
func TestMatchAnyBigramBoosts(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	seg, err := ix.words.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	q := mustParse(t, "红色物业建设 -邹城")
	count := func(in Field) int {
		c, _ := ix.compileAny(q, in, seg, 0)
		n := 0
		for _, s := range c.should {
			if tq, ok := s.(*bq.TermQuery); ok && tq.FieldVal == fieldText && tq.BoostVal != nil && float64(*tq.BoostVal) == anyBigramBoost {
				n++
			}
		}
		return n
	}
	if got := count(InText); got != 5 { // 红色 色物 物业 业建 建设
		t.Errorf("in text: %d bigram boosts, want 5", got)
	}
	if got := count(InHeadline); got != 0 {
		t.Errorf("in headlines: %d bigram boosts, want none", got)
	}
}

// TestMatchAnyQuotedOnly: a query of one quoted term finds in MatchAny
// what it finds exactly (no words left to relax, no empty disjunction
// required). Kills match.go compileAny's len(should) > 0 → >=.
func TestMatchAnyQuotedOnly(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()
	q := mustParse(t, `"红色物业"`)
	exact, err := ix.Search(ctx, Request{Query: q, Match: MatchExact, Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	anyRes, err := ix.Search(ctx, Request{Query: q, Match: MatchAny, Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if exact.Total == 0 || anyRes.Total != exact.Total {
		t.Errorf(`"红色物业": exact %d hits, any %d; want the same, more than none`, exact.Total, anyRes.Total)
	}
}

// TestOnlyExclusions: a query of exclusions alone returns every paragraph
// but those holding an excluded term, checked against a scan (the pass
// marks the excluded documents in a bitset of the index's size). Kills
// pass.go searchTable's (len(t.live)+63)/64 → -63 (not in the sample).
func TestOnlyExclusions(t *testing.T) {
	ps := defaultParagraphs(t)
	ix := build(t, ps)
	res, err := ix.Search(context.Background(), Request{Query: mustParse(t, "-邹城 -红色物业"), Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range ps {
		if f := text.Fold(p.Text); !strings.Contains(f, "邹城") && !strings.Contains(f, "红色物业") {
			want = append(want, p.ID)
		}
	}
	got := ids(res.Hits)
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || len(want) == len(ps) || !slices.Equal(got, want) {
		t.Errorf("-邹城 -红色物业: %d hits, the scan finds %d of %d", len(got), len(want), len(ps))
	}
}

// TestAutoAllMinHits: under MatchAuto, MatchAll answers a query of three
// words or more only when it finds allMinHits paragraphs or more; fewer,
// and MatchAny answers. Kills search.go Search's res.Total > 0 → <= 0 and
// res.Total < allMinHits → <=.
func TestAutoAllMinHits(t *testing.T) {
	base := defaultParagraphs(t)[0]
	var ps []corpus.Paragraph
	add := func(text string, n int) {
		for range n {
			p := base
			i := len(ps)
			p.ID, p.ArticleID, p.Position = fmt.Sprintf("m%02d-00", i), fmt.Sprintf("m%02d", i), 0
			p.Text, p.Topic, p.Initiatives, p.Programs = text, text, nil, nil
			ps = append(ps, p)
		}
	}
	add("合作社组织志愿者走进图书馆。", 1)
	add("合作社开展活动。", 12)
	add("养老院联合卫生室和文化站服务。", allMinHits)
	add("养老院开展活动。", 8)
	ix := build(t, ps)
	for _, c := range []struct {
		q     string
		match Match
		total int
	}{
		{"合作社志愿者图书馆", MatchAny, 13},
		{"养老院卫生室文化站", MatchAll, allMinHits},
	} {
		res, err := ix.Search(context.Background(), Request{Query: mustParse(t, c.q), Match: MatchAuto, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Words) != 3 {
			t.Fatalf("%s: words %q, the test wants three", c.q, res.Words)
		}
		if res.Match != c.match || res.Total != c.total {
			t.Errorf("%s: answered by %v with %d hits, want %v with %d", c.q, res.Match, res.Total, c.match, c.total)
		}
	}
}

// TestVocabBudget: each dictionary lookup spends the budget, and with none
// left no candidate is looked up or made: a bigram not yet looked up is
// absent, between lists nothing. Kills didyoumean.go freq's budget-- → ++
// and between's v.budget <= 0 → < 0.
func TestVocabBudget(t *testing.T) {
	ix := build(t, []corpus.Paragraph{para("b1", "f.txt", "红色物业"), para("b2", "f.txt", "物业服务")})
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	v := &vocab{ctx: context.Background(), rd: rd, budget: 1, df: map[string]uint64{}, after: map[rune][]rune{}, before: map[rune][]rune{}}
	if df, err := v.freq("红色"); df != 1 || err != nil || v.budget != 0 {
		t.Fatalf("freq(红色) = %d, %v, budget left %d; want 1, nil, 0", df, err, v.budget)
	}
	if df, err := v.freq("物业"); df != 0 || err != nil {
		t.Errorf("freq(物业) with no budget = %d, %v; want 0 (not looked up)", df, err)
	}
	m := memVocab("红色物业", map[string]uint64{"红色": 5, "色物": 50, "物业": 2})
	m.budget = 0
	if cs, err := m.between('红', '物'); len(cs) != 0 || err != nil {
		t.Errorf("between(红, 物) with no budget = %q, %v; want nothing", string(cs), err)
	}
	m.budget = 10
	if cs, err := m.between('红', '物'); string(cs) != "色" || err != nil {
		t.Errorf("between(红, 物) = %q, %v; want 色", string(cs), err)
	}
}

// TestCorrectionsOrder: corrections of equal score come in order of the
// frequency of the bigrams they make (made), then text: 红色物业 (made 6)
// before 红旗物业 (made 4), though 旗 sorts before 色. Kills didyoumean.go
// corrections's made comparison c != 0 → ==.
func TestCorrectionsOrder(t *testing.T) {
	var ps []corpus.Paragraph
	add := func(text string, n int) {
		for range n {
			ps = append(ps, para(fmt.Sprintf("c%02d", len(ps)), "f.txt", text))
		}
	}
	add("红色物业", 1)
	add("红旗物业", 1)
	add("景色物美", 5) // 色物 df 6
	add("红色文化", 5) // 红色 df 6
	add("国旗物品", 3) // 旗物 df 4
	add("红旗飘扬", 3) // 红旗 df 4
	ix := build(t, ps)
	cands, err := ix.corrections(context.Background(), mustParse(t, "红包物业"))
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]int{}
	for i, c := range cands {
		if _, ok := at[c.text]; !ok {
			at[c.text] = i
		}
	}
	se, ok1 := at["红色物业"]
	qi, ok2 := at["红旗物业"]
	if !ok1 || !ok2 || se > qi {
		t.Errorf("corrections of 红包物业: %v; want 红色物业 before 红旗物业", cands)
	}
}

// TestSyncTreeMissing: syncing a folder that is not there is an error, not
// a crash. Kills layout.go syncTree's err != nil → ==.
func TestSyncTreeMissing(t *testing.T) {
	if err := syncTree(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("syncTree of a missing folder: no error")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syncTree(dir); err != nil {
		t.Errorf("syncTree: %v", err)
	}
}

// TestSearchWindowBound: a window may end at maxWindow, not past it.
// Kills search.go Search's r.From+r.Size > maxWindow → >=.
func TestSearchWindowBound(t *testing.T) {
	ix := build(t, []corpus.Paragraph{para("w1", "f.txt", "梁山县红色物业")})
	ctx := context.Background()
	q := mustParse(t, "红色物业")
	if _, err := ix.Search(ctx, Request{Query: q, From: maxWindow - 10, Size: 10}); err != nil {
		t.Errorf("a window ending at maxWindow: %v", err)
	}
	if _, err := ix.Search(ctx, Request{Query: q, From: maxWindow - 10, Size: 11}); err == nil {
		t.Error("a window past maxWindow: no error")
	}
}

// TestHeavyCost: a query is expensive past twice the index's paragraphs
// in postings (at least 2, for an empty index). Kills cost.go HeavyCost's
// 2 * n → 2 / n.
func TestHeavyCost(t *testing.T) {
	ix := build(t, []corpus.Paragraph{para("h1", "f.txt", "红色物业"), para("h2", "f.txt", "金乡大蒜"), para("h3", "f.txt", "嘉祥石雕")})
	if n := ix.DocCount(); n != 3 || ix.HeavyCost() != 6 {
		t.Errorf("%d paragraphs: HeavyCost %d, want 6", n, ix.HeavyCost())
	}
}

// TestMatchString: every mode has its API name, an unknown one a
// placeholder, and ParseMatch reads the names back. Kills match.go
// Match.String's m < 0 → <=.
func TestMatchString(t *testing.T) {
	for m, want := range map[Match]string{MatchExact: "exact", MatchAll: "all", MatchAny: "any", MatchAuto: "auto", Match(-1): "Match(-1)", Match(99): "Match(99)"} {
		if got := m.String(); got != want {
			t.Errorf("Match(%d).String() = %q, want %q", int(m), got, want)
		}
		if m >= MatchExact && m <= MatchAuto {
			if back, err := ParseMatch(want); err != nil || back != m {
				t.Errorf("ParseMatch(%q) = %v, %v; want %v", want, back, err, m)
			}
		}
	}
}

// TestBestWindowStartsBound: at most maxStarts window starts are tried
// (bounded work on pathological texts): after maxStarts sentence starts
// each holding a mark, the start of a denser run further on is not tried
// (a window from the last start tried may reach into it). Kills highlight.go bestWindow's
// len(starts) < maxStarts → <=.
func TestBestWindowStartsBound(t *testing.T) {
	const width = 20
	var b strings.Builder
	for range 256 {
		b.WriteString("红" + strings.Repeat("好", 9) + "。")
	}
	dense := b.Len()
	b.WriteString(strings.Repeat("红好", 10))
	text := b.String()
	rs := []rune(text)
	st, _ := bestWindow(rs, findSpans(foldRunes(text), []string{"红"}), width)
	if denseAt := len([]rune(text[:dense])); st >= denseAt {
		t.Errorf("window at %d: the run's own start %d, past maxStarts starts, was tried", st, denseAt)
	}
}

// TestBestWindowFirstMarkAtStart: a window's offset is measured from its
// first mark, also when that mark opens the text: the window at 0 (marks
// at 0 and 10, offset 2) ties with the one at 20 (marks at 24 and 28,
// offset 2) and, earlier, wins. Kills highlight.go bestWindow's
// first < 0 → <= 0.
func TestBestWindowFirstMarkAtStart(t *testing.T) {
	text := "红" + strings.Repeat("好", 9) + "红" + strings.Repeat("好", 8) + "。" +
		"好好好好红好好好红" + strings.Repeat("好", 10) + "。"
	rs := []rune(text)
	st, end := bestWindow(rs, findSpans(foldRunes(text), []string{"红"}), 20)
	if st != 0 || end != 20 {
		t.Errorf("bestWindow = %d, %d; want 0, 20", st, end)
	}
}
