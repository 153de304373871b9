package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/internal/ingest"
)

// fetch sends a GET (or HEAD) with the given If-None-Match.
func fetch(e http.Handler, method, target, accept, inm string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set(echo.HeaderAccept, accept)
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// TestConditionalRequests: API answers and pages carry a weak ETag and
// Cache-Control: no-cache; the same request with If-None-Match gets 304
// with no body (GET and HEAD); another request, or the same one after a
// new generation is swapped in, gets another tag and a full answer;
// errors carry no tag.
func TestConditionalRequests(t *testing.T) {
	ctx := context.Background()
	corpora := [2]string{writeSwapCorpus(t, 0, 11, 2), writeSwapCorpus(t, 1, 12, 2)}
	index := filepath.Join(t.TempDir(), "index")
	h := newSwapHolder(t, index, corpora[0])
	defer h.close()
	e := newServer(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, slog.New(slog.DiscardHandler))

	const jsonAccept, htmlAccept = echo.MIMEApplicationJSON, "text/html"
	targets := []struct{ target, accept string }{
		{"/api/search?q=" + url.QueryEscape("工作"), jsonAccept},
		{"/api/search?q=" + url.QueryEscape("工作") + "&county=" + url.QueryEscape("梁山"), jsonAccept},
		{"/api/facets", jsonAccept},
		{"/api/openapi.json", jsonAccept},
		{"/?q=" + url.QueryEscape("工作"), htmlAccept},
		{"/compare?q=" + url.QueryEscape("工作"), htmlAccept},
	}
	tags := map[string]string{}
	for _, tc := range targets {
		first := fetch(e, http.MethodGet, tc.target, tc.accept, "")
		tag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || !strings.HasPrefix(tag, `W/"`) || first.Header().Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", tc.target, first.Code, tag, first.Header().Get("Cache-Control"))
		}
		for other, ot := range tags {
			if ot == tag {
				t.Errorf("%s and %s share the tag %s", tc.target, other, tag)
			}
		}
		tags[tc.target] = tag
		for _, inm := range []string{tag, strings.TrimPrefix(tag, "W/"), `"nope", ` + tag} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				again := fetch(e.Server.Handler, method, tc.target, tc.accept, inm)
				if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != tag {
					t.Errorf("%s %s If-None-Match %s: %d, %d bytes, ETag %q", method, tc.target, inm, again.Code, again.Body.Len(), again.Header().Get("ETag"))
				}
			}
		}
		if other := fetch(e, http.MethodGet, tc.target, tc.accept, `W/"0123"`); other.Code != http.StatusOK || other.Body.Len() == 0 {
			t.Errorf("%s with a foreign tag: %d", tc.target, other.Code)
		}
	}
	for _, bad := range []string{"/api/search?size=0", "/api/articles/0000000000000000", "/?year_from=2024&year_to=2020"} {
		rec := fetch(e, http.MethodGet, bad, jsonAccept, "")
		if rec.Code < 400 || rec.Header().Get("ETag") != "" {
			t.Errorf("%s: %d with ETag %q", bad, rec.Code, rec.Header().Get("ETag"))
		}
	}

	// A new generation: every tag changes, and the old ones get full
	// answers.
	if _, err := ingest.Run(ctx, ingest.Options{Index: index, Paths: []string{corpora[1]}}); err != nil {
		t.Fatal(err)
	}
	if swapped, err := h.reload(ctx, "test"); !swapped || err != nil {
		t.Fatalf("reload: %v, %v", swapped, err)
	}
	for _, tc := range targets {
		rec := fetch(e, http.MethodGet, tc.target, tc.accept, tags[tc.target])
		if rec.Code != http.StatusOK || rec.Header().Get("ETag") == tags[tc.target] {
			t.Errorf("%s after a swap: %d, tag %q (was %q)", tc.target, rec.Code, rec.Header().Get("ETag"), tags[tc.target])
		}
	}
}

func TestMatchesETag(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{``, false}, {`W/"abc"`, true}, {`"abc"`, true}, {`"abd"`, false}, {`"x", W/"abc"`, true},
		{`*`, false}, {`W/"ab"`, false}, {`abc`, false},
	} {
		if got := matchesETag(tc.header, `W/"abc"`); got != tc.want {
			t.Errorf("matchesETag(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
