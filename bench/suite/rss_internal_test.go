package suite

import (
	"context"
	"os"
	"testing"
)

func TestParseRSS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     string
		anon, file float64
	}{
		{"both", "Name:\tx\nVmRSS:\t  3072 kB\nRssAnon:\t  2048 kB\nRssFile:\t  1024 kB\nRssShmem:\t0 kB\n", 2, 1},
		{"no file pages", "RssAnon:\t 512 kB\nRssFile:\t 0 kB\n", 0.5, 0},
		{"kernel thread (no Rss lines)", "Name:\tkthreadd\nState:\tS\n", 0, 0},
		{"garbage", "RssAnon:\tlots kB\nRssFile:\n", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			anon, file := parseRSS([]byte(tc.status))
			if anon != tc.anon || file != tc.file {
				t.Errorf("parseRSS = %v, %v MB; want %v, %v", anon, file, tc.anon, tc.file)
			}
		})
	}
}

// TestSampleRSS checks that the sampler sees this process's heap grow.
func TestSampleRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	stop := sampleRSS(context.Background())
	buf := make([]byte, 64<<20)
	for i := range buf { // touch every page
		buf[i] = byte(i)
	}
	p := stop()
	if p.AnonMB < 64 {
		t.Errorf("peak anonymous RSS %.1f MB after touching 64 MB", p.AnonMB)
	}
	if p.FileMB <= 0 {
		t.Errorf("peak file-backed RSS %.1f MB: the test binary itself is mapped", p.FileMB)
	}
	_ = buf[len(buf)-1]
}
