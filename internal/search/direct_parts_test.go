package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// TestDirectParts requires a search evaluated in parts, each part's
// leaves reading only its range of document numbers (directParts), to
// give exactly the hits and scores of the whole evaluation, bit for bit,
// every part's hits ascending and inside its range: on a merged index, on
// one left in several segments (parts that end inside a segment and ones
// that span several) and on that one after an update (deleted documents,
// a new segment), with the relaxed modes' statistics on every other
// query, without the leaf cache, with the whole leaves cached (the parts
// take their range out of them), and with the parts' own leaves cached
// (read, then from the cache).
func TestDirectParts(t *testing.T) {
	ps := tableParagraphs(t)
	ctx := context.Background()
	merged := build(t, ps)
	dir := filepath.Join(t.TempDir(), "index")
	buildAt(t, dir, BuildOptions{noMerge: true, BatchSize: 97}, ps[:len(ps)-40])
	segmented, err := Open(ctx, dir, WithWords(testWords))
	if err != nil {
		t.Fatal(err)
	}
	defer segmented.Close()
	updated := segmentedIndex(t)
	stats, err := merged.relaxedStats()
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		ix   *Index
	}{{"merged", merged}, {"segmented", segmented}, {"updated", updated}} {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.ix
			keep := ix.leaves
			defer func() { ix.leaves, ix.minParallel = keep, 0 }()
			ix.minParallel = 1
			n := len(ix.table.live)
			splits := [][]int{{0, n / 2, n}, {0, n / 3, 2 * n / 3, n}, {0, 1, n - 1, n}, {0, 0, n}, {n / 4, n / 2, 3 * n / 4}}
			qs := directQueries(t, ix, ps)
			stats := stats
			if tc.ix != merged {
				if stats, err = ix.relaxedStats(); err != nil {
					t.Fatal(err)
				}
			}
			checked, split := 0, 0
			for _, cache := range []string{"none", "whole", "parts"} {
				for i, q := range qs {
					ctx := ctx
					if i%2 == 1 {
						ctx = context.WithValue(ctx, search.BM25StatsKey, stats)
					}
					switch cache {
					case "none":
						ix.leaves = nil
					case "whole":
						ix.leaves = newLeafCache(1, 1<<30) // filled by the whole evaluation below
					case "parts":
						ix.leaves = newLeafCache(1, 1<<30)
					}
					var whole hitList
					if cache != "parts" {
						whole = directAll(t, ctx, ix, q)
					}
					for _, b := range splits {
						for round := range 2 { // "parts": the second round from the parts' own entries
							got := make([]hitList, len(b)-1)
							handled, err := ix.directParts(ctx, q, b, func(p int, res hitList) error {
								got[p] = hitList{docs: append([]uint32(nil), res.docs...), scores: append([]float64(nil), res.scores...)}
								return nil
							})
							if !handled || err != nil {
								t.Fatalf("query %d %s, parts %v: handled %v, %v", i, describe(q), b, handled, err)
							}
							if cache == "parts" && whole.docs == nil {
								c := ix.leaves
								ix.leaves, whole = nil, directAll(t, ctx, ix, q)
								ix.leaves = c
							}
							name := fmt.Sprintf("cache %s, query %d %s, parts %v, round %d", cache, i, describe(q), b, round)
							comparePartsToWhole(t, name, b, got, whole)
							checked++
							if len(got[0].docs) > 0 && len(got[1].docs) > 0 {
								split++
							}
							if cache != "parts" {
								break
							}
						}
					}
					whole = hitList{}
				}
			}
			if split < 100 {
				t.Errorf("only %d of %d evaluations found hits in more than one part: the comparison hardly covers the split", split, checked)
			}
		})
	}
}

// directAll is the whole evaluation of q, copied.
func directAll(t *testing.T, ctx context.Context, ix *Index, q bq.Query) hitList {
	t.Helper()
	var out hitList
	handled, err := ix.directRun(ctx, q, func(res hitList) error {
		out = hitList{docs: append([]uint32{}, res.docs...), scores: append([]float64{}, res.scores...)}
		return nil
	})
	if !handled || err != nil {
		t.Fatalf("%s: handled %v, %v", describe(q), handled, err)
	}
	return out
}

// comparePartsToWhole requires the parts' hits to be the whole's within
// the bounds, each part's inside its range, with the same scores.
func comparePartsToWhole(t *testing.T, name string, bounds []int, got []hitList, whole hitList) {
	t.Helper()
	var want hitList
	for j, d := range whole.docs {
		if int(d) >= bounds[0] && int(d) < bounds[len(bounds)-1] {
			want.add(d, whole.scores[j])
		}
	}
	k := 0
	for p, l := range got {
		for j, d := range l.docs {
			if int(d) < bounds[p] || int(d) >= bounds[p+1] {
				t.Errorf("%s: part %d holds document %d, outside [%d,%d)", name, p, d, bounds[p], bounds[p+1])
				return
			}
			if k >= len(want.docs) || want.docs[k] != d {
				t.Errorf("%s: part %d hit %d is document %d, the whole evaluation's is %v", name, p, j, d, want.docs[k:min(k+1, len(want.docs))])
				return
			}
			if l.scores[j] != want.scores[k] {
				t.Errorf("%s: document %d scores %v in part %d, %v in the whole evaluation", name, d, l.scores[j], p, want.scores[k])
				return
			}
			k++
		}
	}
	if k != len(want.docs) {
		t.Errorf("%s: %d hits in the parts, %d in the whole evaluation", name, k, len(want.docs))
	}
}
