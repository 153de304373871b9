// Package cnzap is the index's segment format: a fork of zapx v17
// (github.com/blevesearch/zapx/v17 at v17.2.5, Couchbase, Apache License
// 2.0: see LICENSE in this folder), registered with Bleve's scorch as the
// segment plugin of type "cnzap", version 1 (package search registers it).
// It keeps zap v17's segment API, file layout, dictionaries (vellum FSTs),
// roaring document bitmaps, chunked streams, stored fields and doc values,
// and changes only what a Chinese bigram index pays for most, the
// postings' frequencies, norms and locations (measured in BENCHMARKS.md,
// "cnzap"):
//
//   - Locations. zap v17 wrote every location as five uvarints (field
//     number, position, start and end byte offsets, the number of array
//     positions) after a byte length per posting. Our analyzers give
//     positions only (offsets 0, no array positions, the term's own
//     field), in ascending order: such a posting's locations are written
//     as its positions alone, delta coded (the first as it is, each next
//     as the difference to the one before), with neither a length nor a
//     count (the count is the frequency; skipping a posting counts its
//     uvarints). Any other posting keeps zap's encoding (the exact mode),
//     so that the plugin round-trips whatever Bleve hands it.
//   - The mode. A posting's entry in the frequency stream is freq<<2 |
//     mode (0: no locations, 1: compact, 2: exact), where zap had
//     freq<<1 | hasLocs.
//   - Norms. zap v17 wrote after every posting's frequency the field's
//     length in the document ("norm bits": Posting.Norm is
//     float32(1/sqrt(length))). Here each field's section ends with a
//     length table, the field's length in every document of the segment
//     (fieldLens: one byte, two or four a document, or one value for
//     all), written once, and a posting's norm is computed from it on read,
//     bit for bit the same. A field's section address now holds four
//     uvarints: doc values start and end, dictionary, length table.
//   - Merges copy each posting's frequency entry and location bytes, as
//     zap's did when the segments share a field numbering (compact
//     locations hold no field number); otherwise they are decoded and
//     re-encoded (mergeTermFreqNormLocs). The length tables are merged
//     through the documents' new numbers.
//   - Reading. Cursor reads a postings list straight from the segment's
//     bytes (the direct evaluator's reader, package search), and the
//     uvarint readers and chunk loads check their bounds: corrupt chunk
//     bytes give ErrFormat, never a panic or a read out of range
//     (FuzzPostingsChunks).
//   - Writing a new segment from an Inverted (inverted.go): the postings
//     of a batch's fields accumulated as the analyser puts out its tokens
//     (term, document, position), sorted once, written by the same steps
//     as New's (fieldsWriter) without New's token frequency maps, interim
//     per-document maps and per-term bitmaps; the same bytes as New's for
//     the same documents (package search's TestInvertedSegmentsMatchBleve).
//     The sections are written, and listed per field, in the order of
//     their keys, not zap's map order, so that the same documents always
//     make the same bytes.
//
// Left out of the fork: the faiss vector section (zap builds it only with
// the "vectors" build tag) and zap's tests and command-line tool. The
// geo-shape and synonym sections are kept as zap has them (the index
// defines neither; taking them out would touch zap's section registry and
// merge code for no bytes saved). Changed lines are marked "cnzap" in the
// forked files.
package cnzap
