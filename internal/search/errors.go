package search

import (
	"errors"
	"fmt"
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
