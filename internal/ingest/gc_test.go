package ingest

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that a build's collector settings are set and then
// restored, and that settings given in the environment are left alone.
func TestTuneGC(t *testing.T) {
	current := func() (int, int64) {
		pct := debug.SetGCPercent(100)
		debug.SetGCPercent(pct)
		return pct, debug.SetMemoryLimit(-1) // -1 reads the limit
	}
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	pct0, limit0 := current()
	restore := TuneGC()
	if pct, limit := current(); pct != buildGCPercent || limit != buildMemoryLimit {
		t.Errorf("while building: GOGC %d, memory limit %d; want %d, %d", pct, limit, buildGCPercent, buildMemoryLimit)
	}
	restore()
	if pct, limit := current(); pct != pct0 || limit != limit0 {
		t.Errorf("restored: GOGC %d, memory limit %d; want %d, %d", pct, limit, pct0, limit0)
	}
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env+" set by hand", func(t *testing.T) {
			t.Setenv(env, "off")
			restore := TuneGC()
			defer restore()
			if pct, limit := current(); pct != pct0 || limit != limit0 {
				t.Errorf("GOGC %d, memory limit %d; want them left at %d, %d", pct, limit, pct0, limit0)
			}
		})
	}
}
