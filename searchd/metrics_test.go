package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countynews/internal/search"
)

// TestTableFallbackMetric requires an index that does not fit the
// document table (65 programs: more than its 64-bit masks hold) to be
// logged with the reason and exported in /metrics, and the default index
// to be reported on the table.
func TestTableFallbackMetric(t *testing.T) {
	f := defaultFixture(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	b, err := search.NewBuilder(ctx, dir, search.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 65 {
		p := f.paragraphs[i%len(f.paragraphs)]
		p.ID = fmt.Sprintf("p%03d", i)
		p.Programs = []string{fmt.Sprintf("项目%02d", i)}
		if err := b.Add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, dir  string
		used, fell string
		log        string
	}{
		{"fits", f.dir, "searchd_index_table_used 1", "searchd_index_table_fallbacks_total 0", ""},
		{"65 programs", dir, "searchd_index_table_used 0", "searchd_index_table_fallbacks_total 1", "more than 64 programs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			h, err := newHolderWith(ctx, tc.dir, log, loadedWords(t))
			if err != nil {
				t.Fatal(err)
			}
			defer h.close()
			e := newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != http.StatusOK {
				t.Fatalf("/metrics: %d", rec.Code)
			}
			for _, want := range []string{tc.used, tc.fell} {
				if !strings.Contains(string(body), want+"\n") {
					t.Errorf("/metrics lacks %q", want)
				}
			}
			if tc.log == "" && strings.Contains(logs.String(), "document table") {
				t.Errorf("a fallback logged for an index that fits: %s", logs.String())
			}
			if tc.log != "" && !(strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), tc.log)) {
				t.Errorf("the fallback is not logged as a warning with its reason %q: %q", tc.log, logs.String())
			}
		})
	}
}
