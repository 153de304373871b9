package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// The tests of this file check, one by one, the assumptions about Bleve's
// scorch internals listed in scorch.go. Each failure names the assumption
// a Bleve upgrade broke: the document table, the one-pass collector and
// the split search depend on them.

// TestScorchDocumentNumbers checks assumption 1: every internal ID is an
// 8-byte big-endian number, below the document count of a merged
// generation, each number once; the collector sees them in ascending
// order; and internalID(n) names the same document as the ID it encodes.
func TestScorchDocumentNumbers(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	seen := map[int]bool{}
	last := -1
	err = visitHits(context.Background(), ix.bleve, matchAllRequest(), func(*search.SearchContext) (func(*search.DocumentMatch) error, error) {
		return func(d *search.DocumentMatch) error {
			n, ok := docNum(d.IndexInternalID)
			if !ok {
				return fmt.Errorf("assumption 1 broken: internal ID %x is not 8 bytes", []byte(d.IndexInternalID))
			}
			if !bytes.Equal(internalID(n), d.IndexInternalID) {
				return fmt.Errorf("assumption 1 broken: internal ID %x does not round-trip (%d)", []byte(d.IndexInternalID), n)
			}
			if n <= last {
				return fmt.Errorf("assumption 1 broken: hit %d after %d: not in ascending order", n, last)
			}
			last = n
			if seen[n] {
				return fmt.Errorf("assumption 1 broken: document number %d twice", n)
			}
			seen[n] = true
			want, err := rd.ExternalID(d.IndexInternalID)
			if err != nil {
				return err
			}
			got, err := rd.ExternalID(internalID(n))
			if err != nil || got != want {
				return fmt.Errorf("assumption 1 broken: number %d names %q (%v), the hit is %q", n, got, err, want)
			}
			return nil
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != ix.DocCount() {
		t.Fatalf("saw %d documents, the index holds %d", len(seen), ix.DocCount())
	}
	for n := range seen {
		if n >= ix.DocCount() {
			t.Errorf("assumption 1 broken: document number %d in a merged index of %d documents: numbers are not dense", n, ix.DocCount())
		}
	}
	if !ix.Table().Used {
		t.Errorf("the table is not used: %s", ix.Table().Reason)
	}
}

// TestScorchCollectorHook checks assumption 2: the handler set under
// MakeDocumentMatchHandlerKey sees every hit, ends with a nil call and
// leaves the result without hits; an error it returns stops the search
// and comes back from visitHits.
func TestScorchCollectorHook(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	ctx := context.Background()

	calls, ended := 0, false
	mk := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil {
				ended = true
				return nil
			}
			if ended {
				return errors.New("a hit after the nil end call")
			}
			calls++
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	req := bleve.NewSearchRequestOptions(bq.NewMatchAllQuery(), 10, 0, false)
	sr, err := ix.bleve.SearchInContext(context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(mk)), req)
	if err != nil {
		t.Fatal(err)
	}
	if calls != ix.DocCount() {
		t.Errorf("assumption 2 broken: the hook saw %d hits of %d documents", calls, ix.DocCount())
	}
	if !ended {
		t.Errorf("assumption 2 broken: the hook was not called with nil at the end")
	}
	if len(sr.Hits) != 0 {
		t.Errorf("assumption 2 broken: with the hook set Bleve still returned %d hits of its own", len(sr.Hits))
	}

	stop := errors.New("stop here")
	n := 0
	err = visitHits(ctx, ix.bleve, matchAllRequest(), func(*search.SearchContext) (func(*search.DocumentMatch) error, error) {
		return func(*search.DocumentMatch) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		}, nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("assumption 2 broken: a handler error gave %v after %d hits, want %v after 3", err, n, stop)
	}
}

// TestScorchTypes checks assumption 3: a built index is a *scorch.Scorch,
// its reader a *scorch.IndexSnapshot, and a closed index's reader is
// reported closed rather than handed out to panic.
func TestScorchTypes(t *testing.T) {
	ix := build(t, defaultParagraphs(t))
	adv, err := ix.bleve.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := adv.(*scorch.Scorch); !ok {
		t.Errorf("assumption 3 broken: Advanced() is a %T, not a *scorch.Scorch (forceMerge fails)", adv)
	}
	rd, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rd.(*scorch.IndexSnapshot); !ok {
		t.Errorf("assumption 3 broken: the reader is a %T, not a *scorch.IndexSnapshot", rd)
	}
	if closedSnapshot(rd) {
		t.Errorf("an open index's snapshot is reported closed")
	}
	rd.Close()

	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("assumption 3 broken: reading a closed index panics: %v", p)
			}
		}()
		if rd, err := ix.reader(); err == nil {
			rd.Close()
			t.Errorf("assumption 3 broken: a closed index hands out a reader that is not recognised as closed (%T)", rd)
		}
		if _, err := ix.Search(context.Background(), Request{Query: mustParse(t, "县"), Size: 1}); err == nil {
			t.Errorf("a search of a closed index succeeded")
		}
	}()
}

// TestScorchLeafAdvance checks assumption 4 at the leaves: a term and a
// phrase searcher Advanced before their first Next return the first hit
// at or after the target, and then go on through the rest in order.
func TestScorchLeafAdvance(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	bigram, phrase := sampleTerms(t, ix)
	for _, term := range []string{bigram, phrase} {
		leaf, _ := ix.termQuery(term)
		all := leafHits(t, ix, rd, leaf, -1)
		if len(all) < 4 {
			t.Fatalf("%q: only %d hits, too few to test", term, len(all))
		}
		for _, target := range []int{0, all[1], all[1] + 1, all[len(all)/2], all[len(all)-1], all[len(all)-1] + 1} {
			var want []int
			for _, n := range all {
				if n >= target {
					want = append(want, n)
				}
			}
			got := leafHits(t, ix, rd, leaf, target)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("assumption 4 broken: %q (%T) Advanced to %d before Next: %v, want %v", term, leaf, target, got, want)
			}
		}
	}
}

// TestScorchRangeRestriction checks assumption 4 where it is used: a
// search restricted to a range of document numbers at its leaves finds
// exactly the hits of the whole search in that range, with the same
// scores, for terms, phrases, conjunctions, alternatives and exclusions
// under the BooleanQuery the pass runs.
func TestScorchRangeRestriction(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	ctx := context.Background()
	bigram, phrase := sampleTerms(t, ix)
	other := string([]rune(phrase)[2:4])
	n := len(ix.table.live)
	for _, q := range []string{bigram, `"` + phrase + `"`, bigram + " " + other, bigram + " OR " + other, bigram + " -" + other, "县"} {
		c := ix.compile(mustParse(t, q))
		text := c.build(nil)
		whole := map[int]float64{}
		if err := ix.eachHit(ctx, text, true, 0, n, func(d int, s float64) { whole[d] = s }); err != nil {
			t.Fatal(err)
		}
		if len(whole) == 0 && q != bigram+" -"+other {
			t.Fatalf("%q: no hits", q)
		}
		for _, b := range [][2]int{{0, n / 2}, {n / 2, n}, {n / 3, 2 * n / 3}, {1, n - 1}} {
			got := map[int]float64{}
			if err := ix.eachHit(ctx, text, true, b[0], b[1], func(d int, s float64) { got[d] = s }); err != nil {
				t.Fatal(err)
			}
			want := 0
			for d, s := range whole {
				if d < b[0] || d >= b[1] {
					continue
				}
				want++
				g, ok := got[d]
				if !ok {
					t.Errorf("assumption 4 broken: %q in [%d,%d): document %d missing", q, b[0], b[1], d)
				} else if math.Abs(g-s) > 1e-12*math.Max(1, s) {
					t.Errorf("assumption 4 broken: %q in [%d,%d): document %d scores %v, %v in the whole search", q, b[0], b[1], d, g, s)
				}
			}
			if len(got) != want {
				t.Errorf("assumption 4 broken: %q in [%d,%d): %d hits, want %d", q, b[0], b[1], len(got), want)
			}
		}
	}
}

// sampleTerms picks from the index's own text a frequent Han bigram and a
// four-character run starting with it.
func sampleTerms(t *testing.T, ix *Index) (bigram, phrase string) {
	t.Helper()
	ps := tableParagraphs(t)
	count := map[string]int{}
	for _, p := range ps {
		rs := []rune(p.Text)
		for i := 0; i+4 <= len(rs); i++ {
			run := rs[i : i+4]
			han := true
			for _, r := range run {
				han = han && utf8.RuneLen(r) == 3 && r >= 0x4e00 && r <= 0x9fff
			}
			if han {
				count[string(run)]++
			}
		}
	}
	best := ""
	for run, c := range count {
		if c > count[best] || (c == count[best] && run < best) {
			best = run
		}
	}
	if count[best] < 4 {
		t.Fatalf("no four-character run occurs four times")
	}
	return string([]rune(best)[:2]), best
}

// leafHits returns the document numbers of the hits of leaf, Advanced to
// from before the first Next (from < 0: Next only).
func leafHits(t *testing.T, ix *Index, rd index.IndexReader, leaf bq.Query, from int) []int {
	t.Helper()
	s, err := leaf.Searcher(context.Background(), rd, ix.bleve.Mapping(), search.SearcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: rd}
	var dm *search.DocumentMatch
	if from >= 0 {
		dm, err = s.Advance(sctx, internalID(from))
	} else {
		dm, err = s.Next(sctx)
	}
	var out []int
	for err == nil && dm != nil {
		n, _ := docNum(dm.IndexInternalID)
		out = append(out, n)
		sctx.DocumentMatchPool.Put(dm)
		dm, err = s.Next(sctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func matchAllRequest() *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(bq.NewMatchAllQuery(), 0, 0, false)
	req.Score = bleve.ScoreNone
	return req
}

// TestScorchSegments checks assumption 5 on an index of several segments
// with deleted documents: segment offsets (the sum of the full counts of
// the segments before) name the same documents as scorch's own numbers;
// a postings list with the deleted bitmap lists only live documents,
// ascending, and counts what scorch's term field reader counts; Advance
// lands on the first posting at or after its target; a posting's
// locations are of the dictionary's field.
func TestScorchSegments(t *testing.T) {
	ix := segmentedIndex(t)
	rd, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	segs, ok := snapshotSegments(rd)
	if !ok || len(segs) < 2 {
		t.Fatalf("assumption 5 broken: %d segments from %T", len(segs), rd)
	}
	deleted := 0
	for _, s := range segs {
		for k := uint64(0); k < s.seg.Count(); k++ {
			if s.deleted != nil && s.deleted.Contains(uint32(k)) {
				deleted++
				continue
			}
			local, err := s.seg.DocID(k)
			if err != nil {
				t.Fatal(err)
			}
			global, err := rd.ExternalID(internalID(int(s.offset + k)))
			if err != nil || global != string(local) {
				t.Fatalf("assumption 5 broken: document %d of the segment at %d is %q, number %d is %q (%v)", k, s.offset, local, s.offset+k, global, err)
			}
		}
	}
	if deleted == 0 {
		t.Fatal("no deleted document: the test checks nothing of them")
	}
	ctx := context.Background()
	for _, term := range []string{"工作", "发展", "县", "党员"} {
		field := fieldText
		if utf8.RuneCountInString(term) == 1 {
			field = fieldText1
		}
		tfr, err := rd.TermFieldReader(ctx, []byte(term), field, true, true, true)
		if err != nil {
			t.Fatal(err)
		}
		want := tfr.Count()
		var wantDocs []uint64
		for d, err := tfr.Next(nil); d != nil || err != nil; d, err = tfr.Next(nil) {
			if err != nil {
				t.Fatal(err)
			}
			wantDocs = append(wantDocs, d.ID.Value())
		}
		tfr.Close()
		var got uint64
		var gotDocs []uint64
		for _, s := range segs {
			d, err := s.seg.Dictionary(field)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := d.PostingsList([]byte(term), s.deleted, nil)
			if err != nil {
				t.Fatal(err)
			}
			got += pl.Count()
			it := pl.Iterator(true, true, true, nil)
			for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
				if err != nil {
					t.Fatal(err)
				}
				gotDocs = append(gotDocs, s.offset+p.Number())
				for _, l := range p.Locations() {
					if l.Field() != field {
						t.Fatalf("assumption 5 broken: a location of %s in field %s", field, l.Field())
					}
				}
			}
			// Advance to every other posting lands on it, and past the
			// last one on nothing.
			var nums []uint64
			it = pl.Iterator(false, false, false, nil)
			for p, _ := it.Next(); p != nil; p, _ = it.Next() {
				nums = append(nums, p.Number())
			}
			it = pl.Iterator(false, false, false, nil)
			for i := 1; i < len(nums); i += 2 {
				p, err := it.Advance(nums[i-1] + 1)
				if err != nil || p == nil || p.Number() != nums[i] {
					t.Fatalf("assumption 5 broken: Advance(%d) gave %v (%v), want %d", nums[i-1]+1, p, err, nums[i])
				}
			}
			if len(nums) > 0 {
				if p, _ := it.Advance(nums[len(nums)-1] + 1); p != nil {
					t.Fatalf("assumption 5 broken: Advance past the last posting gave %d", p.Number())
				}
			}
		}
		if got != want || fmt.Sprint(gotDocs) != fmt.Sprint(wantDocs) {
			t.Errorf("assumption 5 broken: %s:%s counts %d in %v from the segments, scorch %d in %v", field, term, got, gotDocs, want, wantDocs)
		}
	}
}
