//go:build !linux

package search

// releaseMapped does nothing outside Linux (see release_linux.go).
func releaseMapped(dir string) {}
