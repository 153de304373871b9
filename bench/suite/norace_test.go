//go:build !race

package suite_test

// raceDetector is true under -race (see race_test.go).
const raceDetector = false
