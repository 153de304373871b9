package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFolder takes the build lock of an index folder: an exclusive flock
// on PATH/lock, so that two builds never clean up each other's temporary
// generation. The kernel drops the lock when the process dies, even by
// SIGKILL, so a killed build never leaves the folder locked.
func lockFolder(path string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(path, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock index folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("index %s: another build is running", path)
		}
		return nil, fmt.Errorf("lock index folder: %w", err)
	}
	return f, nil
}

// unlockFolder releases the build lock.
func unlockFolder(f *os.File) error {
	if f == nil {
		return nil
	}
	return f.Close() // closing the descriptor releases the flock
}
