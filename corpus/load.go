package corpus

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed pages/*.txt
var defaultPages embed.FS

// DefaultPrefix names the files of the embedded default corpus.
const DefaultPrefix = "default/"

// Format is the kind of an input file, told by its name.
type Format int

const (
	// FormatPage is an OCR'd page (any name not listed below, usually .txt).
	FormatPage Format = iota
	// FormatJSONL is a JSONL export: .jsonl or .ndjson, optionally .gz.
	FormatJSONL
)

// Input is one file of the corpus: a page or a JSONL export, on disk or
// embedded.
type Input struct {
	// Name is how the file is cited: the path as given (joined with the
	// folder it was found in), or default/NAME for the embedded corpus.
	Name   string
	Size   int64
	Format Format
	open   func() (io.ReadCloser, error)
}

// Open opens the input for reading, decompressing .gz files.
func (in Input) Open() (io.ReadCloser, error) {
	rc, err := in.open()
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(in.Name, ".gz") {
		return rc, nil
	}
	zr, err := gzip.NewReader(rc)
	if err != nil {
		rc.Close()
		return nil, &Error{File: in.Name, Err: fmt.Errorf("gzip: %w", err)}
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, rc}, nil
}

// Hash returns the SHA-256 of the input's bytes as stored (before any
// decompression), in hex: the manifest's record of what was indexed.
func (in Input) Hash() (string, error) {
	rc, err := in.open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("hash %s: %w", in.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DefaultInputs returns the embedded default corpus: the sample page of the
// regional daily's county news.
func DefaultInputs() []Input {
	var ins []Input
	entries, _ := fs.ReadDir(defaultPages, "pages")
	for _, e := range entries {
		name := "pages/" + e.Name()
		info, _ := e.Info()
		ins = append(ins, Input{
			Name:   DefaultPrefix + e.Name(),
			Size:   info.Size(),
			Format: FormatPage,
			open:   func() (io.ReadCloser, error) { return defaultPages.Open(name) },
		})
	}
	return ins
}

// FormatOf tells a file's format from its name.
func FormatOf(name string) Format {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	if strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".ndjson") {
		return FormatJSONL
	}
	return FormatPage
}

// Inputs expands paths (files and folders, searched recursively in name
// order) into inputs. In folders, hidden files and files that are neither
// pages (.txt) nor exports (.jsonl, .ndjson, optionally .gz) are passed
// over; a file named explicitly is always taken.
func Inputs(paths ...string) ([]Input, error) {
	var ins []Input
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("corpus path: %w", err)
		}
		if !info.IsDir() {
			ins = append(ins, fileInput(p, info.Size()))
			continue
		}
		var found []Input
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && fp != p {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !corpusFile(d.Name()) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			found = append(found, fileInput(fp, fi.Size()))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("corpus folder: %w", err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
		ins = append(ins, found...)
	}
	return ins, nil
}

func corpusFile(name string) bool {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	return path.Ext(n) == ".txt" || path.Ext(n) == ".jsonl" || path.Ext(n) == ".ndjson"
}

func fileInput(p string, size int64) Input {
	return Input{Name: p, Size: size, Format: FormatOf(p), open: func() (io.ReadCloser, error) { return os.Open(p) }}
}

// BytesInput makes an input of in-memory data, for tests and tools.
func BytesInput(name string, data []byte) Input {
	return Input{Name: name, Size: int64(len(data)), Format: FormatOf(name), open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// maxPage bounds a page file read into memory.
const maxPage = 64 << 20

// Read parses one input, calling visit for each article in order. Problems
// that skip part of the input (a bad JSONL line, a page read with a
// fallback) are returned as the slice; an input that cannot be read at all
// returns an *Error, and nothing of it is visited.
func (p *Parser) Read(ctx context.Context, in Input, visit func(Article) error) ([]*Error, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, asError(in.Name, err)
	}
	defer rc.Close()
	if in.Format == FormatJSONL {
		var visitErr error // the caller's own failure passes through unwrapped
		probs, err := p.ReadJSONL(ctx, in.Name, rc, func(a Article) error {
			visitErr = visit(a)
			return visitErr
		})
		if visitErr != nil {
			return probs, visitErr
		}
		if err != nil {
			return probs, asError(in.Name, err)
		}
		return probs, nil
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxPage+1))
	if err != nil {
		return nil, asError(in.Name, err)
	}
	if len(data) > maxPage {
		return nil, &Error{File: in.Name, Err: fmt.Errorf("page larger than %d MB", maxPage>>20)}
	}
	page, err := p.ParsePage(in.Name, data)
	if err != nil {
		return nil, err
	}
	for _, a := range page.Articles {
		if err := visit(a); err != nil {
			return page.Warnings, err
		}
	}
	return page.Warnings, nil
}

// asError locates err at the file unless it already names one.
func asError(file string, err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	return &Error{File: file, Err: err}
}

// Observed returns a copy of the input that calls fn with the number of
// bytes each read takes from the stored file (before decompression), so a
// caller can show progress inside a large export.
func (in Input) Observed(fn func(n int)) Input {
	open := in.open
	in.open = func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return observedReader{rc, fn}, nil
	}
	return in
}

type observedReader struct {
	io.ReadCloser
	fn func(int)
}

func (r observedReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if n > 0 {
		r.fn(n)
	}
	return n, err
}
