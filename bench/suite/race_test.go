//go:build race

package suite_test

// raceDetector is true under -race, which slows Bleve indexing several
// times over: TestSuiteSmall then runs a smaller corpus and log.
const raceDetector = true
