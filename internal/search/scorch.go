package search

import (
	"context"
	"encoding/binary"
	"fmt"

	"countynews/internal/search/cnzap"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// This file is the adapter to Bleve's scorch index: every assumption the
// package makes about scorch's internals, beyond Bleve's documented API,
// is here, each with a comment, and scorch_test.go fails loudly when a
// Bleve upgrade breaks one. The assumptions:
//
//  1. Document numbers. Scorch's internal document ID is the document's
//     number in its snapshot, an 8-byte big-endian uint64 (docNum,
//     internalID), so numbers are dense from 0 and byte order is number
//     order. The document table (table.go) is indexed by it, the
//     range-restricted leaves (rangeleaves.go) advance by it, and the
//     phrase searcher (phrase.go) compares IDs with bytes.Compare. A
//     published generation is read-only, so its numbers never change.
//     If an ID is not 8 bytes, loadTable gives up the table (and says
//     why, TableStatus) rather than guess.
//  2. The collector hook. Bleve's TopN collector hands every hit to a
//     handler set under search.MakeDocumentMatchHandlerKey in the
//     search's context instead of its own top-N store, then calls it
//     once with nil at the end (visitHits). The pass (pass.go) and the
//     table's loader use it to see all hits without Bleve sorting them,
//     reading doc values or loading IDs.
//  3. The concrete types. bleve.Index.Advanced returns a *scorch.Scorch
//     (forceMerge needs its ForceMerge), and a closed scorch index hands
//     out a nil *scorch.IndexSnapshot in a non-nil index.IndexReader
//     (closedSnapshot), which would panic on use.
//  4. Searcher Advance. Bleve's leaf searchers (term, and our phrase
//     searcher) may be Advanced before their first Next and return the
//     first hit at or after the target; composite searchers above them
//     only see the hits the leaves return and score them as in a whole
//     search (BM25 statistics come from the index, not from the hits).
//     Bleve's BooleanSearcher was seen to drop its optional clauses'
//     first match at or after the target when Advanced before its first
//     Next (not reproduced with v2.6.3 by the queries of
//     TestScorchRangeRestriction): so a search is restricted to a range of
//     documents at its leaves (rangeLeaves), never at its root, which
//     needs only the leaves' Advance to be right.
//  5. Segments and postings (the direct evaluator, direct.go). A
//     *scorch.IndexSnapshot lists its segments in document number order
//     (Segments); the first number of segment i is the sum of the full
//     Count() of the segments before it, deleted documents included (as
//     scorch's introducer builds its private offsets), and the number of
//     local document k of segment i is that offset plus k (snapshotSegments).
//     A segment's Dictionary(field).PostingsList(term, deleted, nil) lists
//     the live documents holding term in field in ascending local number
//     (what scorch's own term field reader does, with the segment's
//     deleted bitmap), its Count() is what the term searcher's BM25 uses
//     as the term's document frequency, and an iterator's Advance(k)
//     returns the first posting at or after k. A posting's Locations are
//     those of the dictionary's field only. The scorer's statistics (the
//     snapshot's DocCount, FieldCardinality as the field length, the
//     formulas of BM25, query norms and coord) are mirrored in direct.go
//     from Bleve's scorer and searcher packages, as of v2.6.3; the mapping
//     never changes a field after it is built (scorch's updatedFields
//     would hide one), and it defines no synonyms (which replace term
//     searchers).

//  6. Segment plugins. Scorch chooses a segment format from a registry
//     of plugins that is global to the library (RegisterSegmentPlugin);
//     a new index writes its default or the one forced by its
//     configuration (forceSegmentType/forceSegmentVersion, kept in the
//     index's metadata, so that updates of a copied generation write it
//     too), and each segment's type and version are recorded in
//     root.bolt, so that a reader opens every segment with the plugin
//     that wrote it. Ours is cnzap (registered below); zap's versions
//     stay registered, so an index of an older schema still opens (and
//     is then rebuilt: SchemaVersion).

// init registers cnzap, our segment format, with scorch, once for the
// process, as the default for new indexes: the registry is Bleve's
// library-level state, and every index this package creates also forces
// the plugin in its configuration (segmentConfig, wrapConfig).
func init() {
	scorch.RegisterSegmentPlugin(&cnzap.ZapPlugin{}, true)
}

// segmentConfig is the scorch configuration of a new index: the segment
// format of segmentPlugin, kept in the index's metadata.
func segmentConfig() map[string]any {
	return map[string]any{
		"forceSegmentType":    segmentPlugin.Type(),
		"forceSegmentVersion": int(segmentPlugin.Version()),
	}
}

// docIDLen is the length of a scorch internal document ID.
const docIDLen = 8

// docNum returns the number of a scorch internal ID (big-endian uint64),
// or false if the ID is not of that layout.
func docNum(id index.IndexInternalID) (int, bool) {
	if len(id) != docIDLen {
		return 0, false
	}
	return int(binary.BigEndian.Uint64(id)), true
}

// internalID returns the scorch internal ID of document number n.
func internalID(n int) index.IndexInternalID {
	b := make([]byte, docIDLen)
	binary.BigEndian.PutUint64(b, uint64(n))
	return b
}

// visitHits runs req on b and hands each of its hits to the function mk
// returns (called once per search, with the search's context) instead of
// to Bleve's top-N store: the search result holds no hits. A hit is only
// valid during the call (it goes back to Bleve's pool after it). An error
// from the function stops the search and is returned as it is.
func visitHits(ctx context.Context, b bleve.Index, req *bleve.SearchRequest, mk func(*search.SearchContext) (func(*search.DocumentMatch) error, error)) error {
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		fn, err := mk(sctx)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d == nil { // the end of the hits
				return nil
			}
			err := fn(d)
			sctx.DocumentMatchPool.Put(d)
			return err // Bleve's collector stops and returns it as it is
		}, false, nil // false: do not load external IDs
	}
	hctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
	_, err := b.SearchInContext(hctx, req)
	return err
}

// closedSnapshot reports whether rd is the nil snapshot a closed scorch
// index hands out.
func closedSnapshot(rd index.IndexReader) bool {
	s, ok := rd.(*scorch.IndexSnapshot)
	return ok && s == nil
}

// scorchOf returns the scorch index under idx.
func scorchOf(idx bleve.Index) (*scorch.Scorch, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil, fmt.Errorf("merge: not a scorch index (%T)", adv)
	}
	return s, nil
}

// forceMerge runs one round of scorch's single-segment force merge, which
// leaves out segments not yet persisted (a full build uses mergeToOne).
func forceMerge(ctx context.Context, idx bleve.Index) error {
	s, err := scorchOf(idx)
	if err != nil {
		return err
	}
	if err := s.ForceMerge(ctx, nil); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return nil
}

// snapSegment is one segment of a snapshot: its postings, its deleted
// documents and the number of its first document (assumption 5).
type snapSegment struct {
	seg     segment.Segment
	deleted *roaring.Bitmap
	offset  uint64
}

// snapshotSegments returns the segments of rd, or false if rd is not a
// scorch snapshot.
func snapshotSegments(rd index.IndexReader) ([]snapSegment, bool) {
	s, ok := rd.(*scorch.IndexSnapshot)
	if !ok || s == nil {
		return nil, false
	}
	var out []snapSegment
	var off uint64
	for _, ss := range s.Segments() {
		out = append(out, snapSegment{seg: ss.Segment(), deleted: ss.Deleted(), offset: off})
		off += ss.Segment().Count()
	}
	return out, true
}
