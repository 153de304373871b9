package search

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrNotFound is returned when a paragraph or article ID is not in the
// index (searchd answers 404).
var ErrNotFound = errors.New("not found")

// ErrSchema is the sentinel every *SchemaError matches with errors.Is.
var ErrSchema = errors.New("index schema version mismatch")

// SchemaError reports an index written by a different version of the
// schema (see SchemaVersion): its fields or analyzers are not the ones this
// program queries, so it must be rebuilt rather than served.
type SchemaError struct {
	Path  string // the index folder
	Found int    // schema version recorded in the index's manifest
	Want  int    // SchemaVersion of this program
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("index %s was built by schema version %d, this program needs %d: rebuild it with `go run ./indexer -index %s`",
		e.Path, e.Found, e.Want, e.Path)
}

// Is makes errors.Is(err, ErrSchema) true for every *SchemaError.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// ErrPanic is the sentinel every *PanicError matches with errors.Is.
var ErrPanic = errors.New("panic inside the search engine")

// PanicError is a panic raised inside Bleve (or this package) while
// opening or searching an index, recovered so that one bad segment or one
// bug fails one request instead of the process. Stack is where it was
// raised, for the log.
type PanicError struct {
	Op    string // what was being done: "search", "open generation 2", ...
	Value any    // the value passed to panic
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("%s: panic: %v", e.Op, e.Value) }

// Is makes errors.Is(err, ErrPanic) true for every *PanicError.
func (e *PanicError) Is(target error) bool { return target == ErrPanic }

// recoverPanic, deferred, turns a panic into a *PanicError in *err.
func recoverPanic(op string, err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Op: op, Value: r, Stack: debug.Stack()}
	}
}

// ErrLimit is the sentinel every *LimitError matches with errors.Is.
var ErrLimit = errors.New("over a limit")

// LimitError reports a request or an answer over one of the documented
// limits (a query's terms, an article's paragraphs): what, the limit and
// what was asked.
type LimitError struct {
	What  string
	Limit string
	Got   string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: %s, over the limit of %s", e.What, e.Got, e.Limit)
}

// Is makes errors.Is(err, ErrLimit) true for every *LimitError.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
