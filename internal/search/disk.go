package search

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrNoSpace is matched (errors.Is) by every error of a build that ran out
// of disk space.
var ErrNoSpace = syscall.ENOSPC

// DiskFullError is a build that failed because the disk holding the index
// folder is full. Bleve does not always say so: a failed write can
// surface later as a panic inside a segment, or as a parse error.
type DiskFullError struct {
	Path string // the index folder
	Err  error  // what the build saw
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("no space left on device: %s (%v)", e.Path, e.Err)
}

// Unwrap makes errors.Is(err, ErrNoSpace) true.
func (e *DiskFullError) Unwrap() []error { return []error{syscall.ENOSPC, e.Err} }

// lowSpace is the free space under which a failed build is blamed on the
// disk (1 MB: less than one segment of a batch).
const lowSpace = 1 << 20

// FreeBytes returns the space available to this user on the file system
// holding path.
func FreeBytes(path string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", path, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// diskError reports err as a *DiskFullError when it is one: an ENOSPC (or
// EDQUOT) anywhere in it, or any failure while the disk is all but full.
// A *DiskFullError inside err (the space check's, before a batch) is
// returned itself: it names the folder, and what was being indexed when
// the disk filled up does not matter.
func diskError(path string, err error) error {
	var de *DiskFullError
	if errors.As(err, &de) {
		return de
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &DiskFullError{Path: path, Err: err}
	}
	if free, ferr := FreeBytes(path); ferr == nil && free < lowSpace {
		return &DiskFullError{Path: path, Err: err}
	}
	return err
}

// checkSpace fails when the index folder's disk is all but full.
func (b *Builder) checkSpace() error {
	if free, err := FreeBytes(b.path); err == nil && free < lowSpace {
		return &DiskFullError{Path: b.path, Err: fmt.Errorf("%d bytes free", free)}
	}
	return nil
}
