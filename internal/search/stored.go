package search

import (
	"encoding/json"
	"fmt"
	"sync"

	gojson "github.com/goccy/go-json"
	"github.com/klauspost/compress/zstd"

	"countynews/corpus"
)

// The only stored field of a document is the paragraph (fieldDoc): its
// corpus.Paragraph JSON compressed as one zstd frame against a fixed raw
// dictionary, the JSON of an empty paragraph (storedDict).
//
// zap compresses each document's stored fields on its own with snappy,
// which has no entropy coding: UTF-8 Chinese text (three bytes a
// character, the first of them almost always E4–E9) and the field names
// repeated in every document stay nearly as they are, 0.85 of the JSON on
// 1,000,000 synthetic paragraphs. zstd's entropy coding and the
// dictionary of field names bring it to 0.60 (snappy then finds nothing
// more to take), 29% less stored data, for about 10 µs a paragraph at
// build time and 5 µs a hit decoded (see BenchmarkStored).
//
// The dictionary is a constant: a frame can only be decoded with the
// dictionary it was written with, so it must not follow corpus.Paragraph
// when a field is added (a new field only compresses a little less). A
// change of the dictionary is a change of the stored format: bump
// SchemaVersion.
const storedDict = `{"id":"","article_id":"","position":0,"kind":"","topic":"","text":"","headline":"","headline_derived":false,"subtitle":"","county":"","county_name":"","year":0,"year_inferred":false,"date":null,"programs":null,"initiatives":null,"reporters":null,"dateline":"","outlet":"","page":"","source":{"file":"","lines":[0,0]},"story_id":""}`

// storedDictID is the dictionary's ID in the frames' headers.
const storedDictID = 1

// storedCodec encodes and decodes the stored paragraph. Its encoder and
// decoder are safe for concurrent use (EncodeAll, DecodeAll); it is part
// of the immutable schema.
type storedCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
	// bufs pools decode's buffers of decompressed JSON.
	bufs sync.Pool
}

func newStoredCodec() (*storedCodec, error) {
	// The fastest level compresses these small documents as well as the
	// default one (0.598 against 0.597) in half the time.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<16),
		zstd.WithEncoderDictRaw(storedDictID, []byte(storedDict)))
	if err != nil {
		return nil, fmt.Errorf("stored paragraphs: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(storedDictID, []byte(storedDict)),
		zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		return nil, fmt.Errorf("stored paragraphs: %w", err)
	}
	return &storedCodec{enc: enc, dec: dec}, nil
}

// encode returns the stored form of p.
func (c *storedCodec) encode(p corpus.Paragraph) ([]byte, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode paragraph %s: %w", p.ID, err)
	}
	return c.enc.EncodeAll(raw, make([]byte, 0, len(raw)*3/4)), nil
}

// decode decodes a stored paragraph.
//
// It is the cost of every hit shown (ten a page, and the copies of
// collapsed stories): the JSON is decoded with github.com/goccy/go-json,
// 4–7 times faster than encoding/json on these paragraphs (BenchmarkStored:
// 35–48 µs → 5–11 µs), into the same corpus.Paragraph
// (TestStoredDecodeMatchesEncodingJSON); what it refuses is decoded again
// by encoding/json, whose error is reported. The decompressed JSON goes
// to a pooled buffer (the decoded strings are copies).
func (c *storedCodec) decode(stored []byte) (corpus.Paragraph, error) {
	var p corpus.Paragraph
	buf, _ := c.bufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	defer c.bufs.Put(buf)
	raw, err := c.dec.DecodeAll(stored, (*buf)[:0])
	if err != nil {
		return p, fmt.Errorf("decompress: %w", err)
	}
	*buf = raw
	if err := gojson.Unmarshal(raw, &p); err != nil {
		p = corpus.Paragraph{}
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, err
		}
	}
	return p, nil
}
