package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"countynews/corpus"
)

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
	Name string
	// Key is the input's identity in an index: the absolute path with
	// symbolic links resolved (one file is one input however it is
	// named), or Name for embedded and in-memory inputs. The manifest
	// records inputs by Key.
	Key    string
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
		return nil, &corpus.Error{File: in.Name, Err: fmt.Errorf("gzip: %w", err)}
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, rc}, nil
}

// Hash returns the SHA-256 of the input's bytes as stored (before any
// decompression), in hex: the manifest's record of what was indexed. It
// honours ctx.
func (in Input) Hash(ctx context.Context) (string, error) {
	rc, err := in.open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, rc}); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", cerr
		}
		return "", &corpus.Error{File: in.Name, Err: fmt.Errorf("hash: %w", err)}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading when ctx ends, so that a huge input cannot hold
// a cancelled build.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// DefaultInputs returns the embedded default corpus: the sample page of the
// regional daily's county news.
func DefaultInputs() []Input {
	pages := corpus.DefaultPages()
	var ins []Input
	entries, _ := fs.ReadDir(pages, ".")
	for _, e := range entries {
		name := e.Name()
		info, _ := e.Info()
		ins = append(ins, Input{
			Name:   corpus.DefaultPrefix + name,
			Key:    corpus.DefaultPrefix + name,
			Size:   info.Size(),
			Format: FormatPage,
			open:   func() (io.ReadCloser, error) { return pages.Open(name) },
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
// over; a file named explicitly is always taken. A file reached twice
// (two names of one folder, a symbolic link) is one input, the first
// name it was found under. Anything but a regular file (a FIFO, a device,
// a socket, a link to one: reading /dev/zero never ends, opening a FIFO
// blocks) is skipped and reported among the problems, as *corpus.Error.
//
// Inputs are named (Name, which citations show) relative to the corpus
// root: the deepest folder holding every path given (a folder given is
// its own root, a file given alone is named by its base name). See
// InputsUnder to give the root.
func Inputs(paths ...string) ([]Input, []error, error) {
	return InputsUnder("", paths...)
}

// InputsUnder is Inputs with the corpus root given ("" for the deepest
// folder holding every path): every input is named by its path relative
// to root, with forward slashes, never by an absolute path of the
// machine, and a path outside root is an error.
func InputsUnder(root string, paths ...string) ([]Input, []error, error) {
	ins, problems, err := inputs(paths...)
	if err != nil || len(ins) == 0 {
		return ins, problems, err
	}
	if root == "" {
		if root, err = commonRoot(paths); err != nil {
			return nil, nil, err
		}
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, fmt.Errorf("corpus root: %w", err)
	}
	for i := range ins {
		abs, err := filepath.Abs(ins[i].Name)
		if err != nil {
			return nil, nil, fmt.Errorf("corpus path: %w", err)
		}
		rel, err := filepath.Rel(absRoot, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, nil, fmt.Errorf("corpus path %s is outside the corpus root %s", ins[i].Name, root)
		}
		ins[i].Name = filepath.ToSlash(rel)
	}
	return ins, problems, nil
}

// commonRoot is the deepest folder holding every path: a folder counts as
// itself, a file as the folder it is in.
func commonRoot(paths []string) (string, error) {
	root := ""
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("corpus path: %w", err)
		}
		if info, err := os.Stat(abs); err != nil || !info.IsDir() {
			abs = filepath.Dir(abs)
		}
		if root == "" {
			root = abs
			continue
		}
		for root != filepath.Dir(root) {
			if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				break
			}
			root = filepath.Dir(root)
		}
	}
	return root, nil
}

func inputs(paths ...string) ([]Input, []error, error) {
	var ins []Input
	var problems []error
	seen := map[string]bool{}
	add := func(p string) {
		in, err := fileInput(p)
		if err != nil {
			problems = append(problems, err)
			return
		}
		if !seen[in.Key] {
			seen[in.Key] = true
			ins = append(ins, in)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("corpus path: %w", err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
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
			found = append(found, fp)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("corpus folder: %w", err)
		}
		sort.Strings(found)
		for _, fp := range found {
			add(fp)
		}
	}
	return ins, problems, nil
}

func corpusFile(name string) bool {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	return path.Ext(n) == ".txt" || path.Ext(n) == ".jsonl" || path.Ext(n) == ".ndjson"
}

// fileInput makes the input of the file at p, refusing anything but a
// regular file.
func fileInput(p string) (Input, error) {
	info, err := os.Stat(p)
	if err != nil {
		return Input{}, &corpus.Error{File: p, Err: err}
	}
	if !info.Mode().IsRegular() {
		return Input{}, &corpus.Error{File: p, Err: fmt.Errorf("not a regular file (%s): skipped", kindOf(info.Mode()))}
	}
	key, err := filepath.EvalSymlinks(p)
	if err == nil {
		key, err = filepath.Abs(key)
	}
	if err != nil {
		return Input{}, &corpus.Error{File: p, Err: err}
	}
	return Input{Name: p, Key: key, Size: info.Size(), Format: FormatOf(p), open: func() (io.ReadCloser, error) { return openRegular(p) }}, nil
}

// openRegular opens p for reading without blocking (a FIFO put in the
// file's place since it was listed would block open forever) and makes sure
// it is still a regular file.
func openRegular(p string) (io.ReadCloser, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%s)", kindOf(fi.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return "not a regular file"
}

// BytesInput makes an input of in-memory data, for tests and tools.
func BytesInput(name string, data []byte) Input {
	return Input{Name: name, Key: name, Size: int64(len(data)), Format: FormatOf(name), open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// maxPage bounds a page file read into memory.
const maxPage = 64 << 20

// Read parses one input with p, calling visit for each article in order.
// Problems that skip part of the input (a bad JSONL line, a page read with
// a fallback) are returned as the slice; an input that cannot be read at
// all returns a *corpus.Error, and nothing of it is visited.
func Read(ctx context.Context, p *corpus.Parser, in Input, visit func(corpus.Article) error) ([]*corpus.Error, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, asError(in.Name, err)
	}
	defer rc.Close()
	if in.Format == FormatJSONL {
		var visitErr error // the caller's own failure passes through unwrapped
		probs, err := p.ReadJSONL(ctx, in.Name, ctxReader{ctx, rc}, func(a corpus.Article) error {
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
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx, rc}, maxPage+1))
	if err != nil {
		return nil, asError(in.Name, err)
	}
	if len(data) > maxPage {
		return nil, &corpus.Error{File: in.Name, Err: fmt.Errorf("page larger than %d MB", maxPage>>20)}
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
	var ce *corpus.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &corpus.Error{File: file, Err: err}
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
