package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	gojson "github.com/goccy/go-json"
	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"

	"countynews/corpus"
)

// The only stored field of a document is the paragraph (fieldDoc): its
// corpus.Paragraph JSON compressed as one zstd frame against the
// generation's dictionary (storedDictFile, beside its Bleve folder).
//
// zap compresses each document's stored fields on its own with snappy,
// which has no entropy coding: UTF-8 Chinese text (three bytes a
// character, the first of them almost always E4–E9) and the field names
// repeated in every document stay nearly as they are, 0.85 of the JSON on
// 1,000,000 synthetic paragraphs. zstd's entropy coding and a fixed
// dictionary of the field names (storedDict) bring it to 0.60 (snappy then
// finds nothing more to take), for about 10 µs a paragraph at build time
// and 5 µs a hit decoded (see BenchmarkStored).
//
// A full build does better with a dictionary trained on the corpus's own
// paragraphs (github.com/klauspost/compress/dict): the first
// storedSamples paragraphs it is given are held back, the dictionary is
// trained on their JSON, written to the generation and used for every
// paragraph (0.60 → 0.49 of the JSON on synthetic paragraphs, 0.71 of the
// field-name dictionary's frames on the real sample: the vocabulary
// county news repeats, its counties, programs and datelines, and entropy
// tables fitted to its characters), for about 2 µs more a hit decoded. An update
// keeps the dictionary of the generation it starts from, whose frames it
// copies. Too few paragraphs to train on (or a training that fails)
// leave the field-name dictionary, written to the file all the same.
//
// The field-name dictionary must not follow corpus.Paragraph when a field
// is added (a new field only compresses a little less): a frame can only
// be decoded with the dictionary it was written with. A change of it is
// a change of the stored format: bump SchemaVersion.
const storedDict = `{"id":"","article_id":"","position":0,"kind":"","topic":"","text":"","headline":"","headline_derived":false,"subtitle":"","county":"","county_name":"","year":0,"year_inferred":false,"date":null,"programs":null,"initiatives":null,"reporters":null,"dateline":"","outlet":"","page":"","source":{"file":"","lines":[0,0]},"story_id":""}`

// storedDictID is the field-name dictionary's ID in the frames' headers;
// trainedDictID a trained dictionary's.
const (
	storedDictID  = 1
	trainedDictID = 2
)

// storedDictFile is the file of a generation holding its dictionary:
// a zstd dictionary (trained) or storedDict's bytes.
const storedDictFile = "stored.dict"

// Training: the paragraphs held back (about 2.4 MB of JSON), the
// dictionary's size, and the fewest paragraphs worth training on. 2,000
// samples and 32 KB compress within 4% of 20,000 and 1 MB (0.489 against
// 0.472 of the JSON on synthetic paragraphs) and train in about a
// second; 64 KB gains 1.5% and decodes slower (15 against 11 µs a frame).
const (
	storedSamples    = 2000
	storedDictSize   = 32 << 10
	storedMinSamples = 200
)

// zstdDictMagic opens a zstd dictionary (RFC 8878, 5).
var zstdDictMagic = []byte{0x37, 0xa4, 0x30, 0xec}

// storedCodec encodes and decodes the stored paragraph. Its encoder and
// decoder are safe for concurrent use (EncodeAll, DecodeAll); it is
// immutable once made.
type storedCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
	// dict is the dictionary, as storedDictFile holds it.
	dict []byte
	// bufs pools decode's buffers of decompressed JSON.
	bufs sync.Pool
}

// newStoredCodec returns the codec of the field-name dictionary.
func newStoredCodec() (*storedCodec, error) { return newStoredCodecFrom([]byte(storedDict)) }

// newStoredCodecFrom returns the codec of dict, a trained zstd dictionary
// or storedDict's bytes.
func newStoredCodecFrom(dict []byte) (*storedCodec, error) {
	// The fastest level compresses these small documents as well as the
	// default one (0.598 against 0.597) in half the time.
	eopts := []zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1 << 16)}
	dopts := []zstd.DOption{zstd.WithDecoderMaxMemory(64 << 20)}
	switch {
	case bytes.HasPrefix(dict, zstdDictMagic):
		eopts = append(eopts, zstd.WithEncoderDict(dict))
		dopts = append(dopts, zstd.WithDecoderDicts(dict))
	case string(dict) == storedDict:
		eopts = append(eopts, zstd.WithEncoderDictRaw(storedDictID, dict))
		dopts = append(dopts, zstd.WithDecoderDictRaw(storedDictID, dict))
	default:
		return nil, errors.New("stored paragraphs: not a dictionary")
	}
	enc, err := zstd.NewWriter(nil, eopts...)
	if err != nil {
		return nil, fmt.Errorf("stored paragraphs: %w", err)
	}
	dec, err := zstd.NewReader(nil, dopts...)
	if err != nil {
		return nil, fmt.Errorf("stored paragraphs: %w", err)
	}
	return &storedCodec{enc: enc, dec: dec, dict: dict}, nil
}

// trainStoredCodec returns the codec of a dictionary trained on ps (the
// field-name dictionary's if they are fewer than least or training
// fails). Training takes a second or more and cannot be interrupted: a
// cancelled ctx returns at once, leaving it to finish unused.
func trainStoredCodec(ctx context.Context, ps []corpus.Paragraph, least int) (*storedCodec, error) {
	if len(ps) < least {
		return newStoredCodec()
	}
	samples := make([][]byte, 0, len(ps))
	for _, p := range ps {
		raw, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode paragraph %s: %w", p.ID, err)
		}
		samples = append(samples, raw)
	}
	type trained struct {
		d   []byte
		err error
	}
	done := make(chan trained, 1)
	go func() {
		d, err := dict.BuildZstdDict(samples, dict.Options{MaxDictSize: storedDictSize, HashBytes: 6,
			ZstdDictID: trainedDictID, ZstdLevel: zstd.SpeedFastest})
		done <- trained{d, err}
	}()
	var d []byte
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case t := <-done:
		if t.err != nil {
			return newStoredCodec()
		}
		d = t.d
	}
	c, err := newStoredCodecFrom(d)
	if err != nil {
		return newStoredCodec()
	}
	return c, nil
}

// readStoredCodec returns the codec of generation dir's dictionary; a
// missing or invalid file is a *CorruptError.
func readStoredCodec(dir string) (*storedCodec, error) {
	d, err := os.ReadFile(filepath.Join(dir, storedDictFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &CorruptError{Dir: dir, File: storedDictFile, Problem: "missing"}
	}
	if err != nil {
		return nil, &CorruptError{Dir: dir, File: storedDictFile, Problem: err.Error()}
	}
	c, err := newStoredCodecFrom(d)
	if err != nil {
		return nil, &CorruptError{Dir: dir, File: storedDictFile, Problem: err.Error()}
	}
	return c, nil
}

// write writes the codec's dictionary into generation dir.
func (c *storedCodec) write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, storedDictFile), c.dict, 0o644); err != nil {
		return fmt.Errorf("write stored dictionary: %w", err)
	}
	return nil
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
