package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// TestZapCursor checks zapread.go: on every term of every indexed field
// of a merged and of a segmented index (cnzap segments), a cursor reading
// the segment's bytes walks the same postings as the plugin's iterator
// (document numbers, frequencies, norms, positions), and advancing it to
// random targets, near and far (across chunks), lands where the
// iterator's Advance does; the lists it cannot take (a deleted document in
// the segment) are read through the iterator. On the merged index every
// list but the single-hit ones must be taken.
func TestZapCursor(t *testing.T) {
	big := build(t, manyParagraphs(t, 3000))
	updated := segmentedIndex(t)
	for _, tc := range []struct {
		name    string
		ix      *Index
		deleted bool
	}{{"merged", big, false}, {"updated", updated, true}} {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := tc.ix.reader()
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			segs, ok := snapshotSegments(rd)
			if !ok {
				t.Fatal("not a scorch snapshot")
			}
			rng := rand.New(rand.NewPCG(3, 4))
			taken, fallback, postings, chunked := 0, 0, 0, 0
			// The keyword fields' lists are the long ones (several chunks):
			// no bigram is in a third of the paragraphs.
			for _, field := range []string{fieldText, fieldTopic, fieldHeadline, fieldCounty, fieldYear} {
				for si, s := range segs {
					d, err := s.seg.Dictionary(field)
					if err != nil {
						t.Fatal(err)
					}
					it := d.AutomatonIterator(nil, nil, nil)
					for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
						if err != nil {
							t.Fatal(err)
						}
						pl, err := d.PostingsList([]byte(e.Term), s.deleted, nil)
						if err != nil {
							t.Fatal(err)
						}
						zl := zapListOf(pl)
						hasDeleted := s.deleted != nil && !s.deleted.IsEmpty()
						switch {
						case zl != nil && hasDeleted:
							t.Fatalf("%s:%s in segment %d: taken though the segment has deleted documents", field, e.Term, si)
						case zl == nil && !hasDeleted && pl.Count() > 1:
							t.Fatalf("%s:%s in segment %d (%d postings): not taken", field, e.Term, si, pl.Count())
						case zl == nil:
							fallback++
						default:
							taken++
							if zl.Docs().GetCardinality() > zl.ChunkSize() {
								chunked++
							}
						}
						// BM25 of a made-up term: the table of docScores of
						// frequency 1 (fillOnes) against the formula.
						st := &termStats{pls: []segment.PostingsList{pl}, zap: []*zapList{zl}, count: pl.Count(), idf: 1.7, avgLen: 40}
						st.fillOnes()
						name := fmt.Sprintf("%s:%s segment %d", field, e.Term, si)
						postings += compareCursors(t, name, st, field != fieldCounty && field != fieldYear, rng)
					}
				}
			}
			if taken == 0 || postings < 10_000 || (!tc.deleted && chunked == 0) || (tc.deleted && fallback == 0) {
				t.Errorf("%d lists read from their bytes (%d of several chunks), %d through zap: %d postings compared: too few", taken, chunked, fallback, postings)
			}
		})
	}
}

// compareCursors walks st's list in segment 0 with both kinds of cursor
// and requires the same postings, then advances both to random targets.
// It returns the postings compared.
func compareCursors(t *testing.T, name string, st *termStats, locs bool, rng *rand.Rand) int {
	t.Helper()
	type post struct {
		doc, freq uint64
		norm, bm  float64
		pos       []uint64
	}
	read := func(c cursor, ok bool) (post, bool) {
		if !ok {
			return post{}, false
		}
		f, n := c.freqNorm()
		p := post{doc: c.doc(), freq: f, norm: n, bm: c.docScore(st)}
		if p.bm != st.docScore(f, n) {
			t.Fatalf("%s: document %d: docScore %v, the formula's %v", name, p.doc, p.bm, st.docScore(f, n))
		}
		if locs {
			p.pos = c.positions(nil)
		}
		return p, true
	}
	got, want := st.cursor(0, locs, nil), st.iterCursor(0, locs, nil)
	n := 0
	var docs []uint64
	for {
		g, gok := read(got, got.next())
		w, wok := read(want, want.next())
		if gok != wok || fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("%s: posting %d: bytes %v (%v), zap %v (%v)", name, n, g, gok, w, wok)
		}
		if !gok {
			break
		}
		docs = append(docs, g.doc)
		n++
	}
	if err := got.fail(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(docs) == 0 {
		return 0
	}
	// Advance both, fresh, to ascending random targets: some on
	// postings, some between, some past the end; reading a posting's
	// entry or not before moving on.
	got, want = st.cursor(0, locs, got), st.iterCursor(0, locs, want)
	var target uint64
	last := docs[len(docs)-1]
	for range 1 + rng.IntN(8) {
		switch rng.IntN(3) {
		case 0:
			target = max(target, docs[rng.IntN(len(docs))])
		case 1:
			target += uint64(rng.IntN(3))
		default:
			target += uint64(rng.IntN(int(last) + 2))
		}
		g, gok := read(got, got.advance(target))
		w, wok := read(want, want.advance(target))
		if gok != wok || fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("%s: advanced to %d: bytes %v (%v), zap %v (%v)", name, target, g, gok, w, wok)
		}
		if !gok {
			break
		}
		if i, found := slices.BinarySearch(docs, target); g.doc != docs[min(i, len(docs)-1)] || (found && g.doc != target) {
			t.Fatalf("%s: advanced to %d: at %d", name, target, g.doc)
		}
		if rng.IntN(2) == 0 {
			g, gok := read(got, got.next())
			w, wok := read(want, want.next())
			if gok != wok || fmt.Sprint(g) != fmt.Sprint(w) {
				t.Fatalf("%s: next after %d: bytes %v (%v), zap %v (%v)", name, target, g, gok, w, wok)
			}
			if !gok {
				break
			}
			target = g.doc
		}
	}
	return n
}

// TestDirectZapIterMatches runs the direct evaluator's comparison with
// Bleve (compareDirect) reading zap's iterators only, so that the
// fallback of zapread.go stays right on lists it would take too.
func TestDirectZapIterMatches(t *testing.T) {
	ps := tableParagraphs(t)
	ix := build(t, ps)
	keep := ix.leaves
	defer func() { ix.leaves, ix.zapIter = keep, false }()
	ix.leaves, ix.zapIter = nil, true
	compareDirect(t, ix, ps)
}
