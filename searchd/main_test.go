package main

import (
	"fmt"
	"os"
	"testing"
)

// testRoot is the folder of the fixtures built once per test binary
// (defaultFixture, datedServer): they outlive any one test, so t.TempDir
// cannot hold them; TestMain removes the folder when the tests end.
var testRoot string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "searchd-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchd tests:", err)
		return 1
	}
	testRoot = dir
	defer os.RemoveAll(dir)
	return m.Run()
}
