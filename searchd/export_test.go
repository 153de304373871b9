package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// readCSV checks the BOM and the header of an export and returns its rows.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 BOM: % x", body[:min(8, len(body))])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], exportColumns) {
		t.Fatalf("CSV header %v, want %v", rows[:min(1, len(rows))], exportColumns)
	}
	return rows[1:]
}

// TestExport: an export holds exactly the search's hits in the search's
// order, with the citation columns filled, as CSV (with a BOM) or JSON
// Lines; limit cuts it and the headers say how many there are.
func TestExport(t *testing.T) {
	e := datedServer(t)
	for _, params := range []url.Values{
		{"q": {"网格"}, "sort": {"newest"}},
		{"q": {"红色物业"}},
		{"date_from": {"2023-07-01"}, "date_to": {"2023-07-31"}, "sort": {"oldest"}},
		{"q": {"乡村振兴"}, "in": {"headline"}},
	} {
		search := params
		search.Set("size", "100")
		want := doSearch(t, e, search)
		if want.Total == 0 || want.Total > 100 {
			t.Fatalf("%v: %d hits; the test needs 1 to 100", params, want.Total)
		}
		var wantIDs []string
		for _, h := range want.Hits {
			wantIDs = append(wantIDs, h.ID)
		}
		params.Del("size")

		rec := fetch(e, http.MethodGet, "/api/export?"+params.Encode(), "*/*", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), ".csv") || rec.Header().Get("X-Export-Count") != strconv.Itoa(want.Total) {
			t.Fatalf("%v: %d %v", params, rec.Code, rec.Header())
		}
		rows := readCSV(t, rec.Body.Bytes())
		var got []string
		for i, row := range rows {
			got = append(got, row[0])
			h := want.Hits[min(i, len(want.Hits)-1)]
			if row[0] == h.ID && (row[2] != string(h.Date) || row[4] != h.County || row[6] != h.Headline || row[7] != h.Source.File ||
				row[8] != strconv.Itoa(h.Source.Lines[0]) || row[10] != h.Paragraph.Citation() || !strings.Contains(row[11], "/articles/"+h.ArticleID) || row[13] != h.Text) {
				t.Errorf("%v: row %d %q does not match hit %+v", params, i, row, h.Paragraph)
			}
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%v: CSV rows %v, want the search's %v", params, got, wantIDs)
		}

		params.Set("format", "jsonl")
		rec = fetch(e, http.MethodGet, "/api/export?"+params.Encode(), "*/*", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/x-ndjson") {
			t.Fatalf("%v: %d %v", params, rec.Code, rec.Header())
		}
		got = nil
		for _, line := range strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n") {
			var x exportJSON
			if err := json.Unmarshal([]byte(line), &x); err != nil {
				t.Fatalf("%v: line %q: %v", params, line, err)
			}
			if x.Citation == "" || x.Citation != x.Paragraph.Citation() || !strings.HasSuffix(x.URL, "#p-"+x.ID) {
				t.Errorf("%v: record %s without citation or URL: %q %q", params, x.ID, x.Citation, x.URL)
			}
			got = append(got, x.ID)
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%v: JSON Lines %v, want %v", params, got, wantIDs)
		}

		params.Set("format", "csv")
		params.Set("limit", "2")
		rec = fetch(e, http.MethodGet, "/api/export?"+params.Encode(), "*/*", "")
		if rows := readCSV(t, rec.Body.Bytes()); len(rows) != min(2, want.Total) || rec.Header().Get("X-Total-Count") != strconv.Itoa(want.Total) {
			t.Errorf("%v: %d rows, X-Total-Count %s", params, len(rows), rec.Header().Get("X-Total-Count"))
		}
	}
	for _, bad := range []string{"format=xml", "limit=0", "limit=50001", "date_from=2023-13-01", "q=%22x"} {
		if code, msg := apiMessage(t, e, "/api/export?"+bad); code != http.StatusBadRequest || msg == "" {
			t.Errorf("%s: %d %q", bad, code, msg)
		}
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM": "'@SUM", "\tx": "'\tx",
		"红色物业": "红色物业", "": "", "2023-07-01": "2023-07-01",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// manyHits is a stand-in index whose every search matches n synthetic
// paragraphs; it counts the hits it has handed out.
type manyHits struct {
	Index
	n        int
	mu       sync.Mutex
	produced int
}

func (m *manyHits) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	res := &search.Result{Total: m.n, Hits: []search.Hit{}}
	for i := r.From; i < min(r.From+r.Size, m.n); i++ {
		res.Hits = append(res.Hits, search.Hit{Paragraph: corpus.Paragraph{
			ID: fmt.Sprintf("a%05d-01", i), ArticleID: fmt.Sprintf("a%05d", i), Headline: "标题" + strconv.Itoa(i),
			Text: strings.Repeat("县域新闻段落。", 40), Date: "2023-07-01", Year: 2023, County: "梁山",
			Source: corpus.Provenance{File: "x.jsonl", Lines: [2]int{i + 1, i + 1}},
		}})
	}
	m.mu.Lock()
	m.produced = max(m.produced, r.From+len(res.Hits))
	m.mu.Unlock()
	return res, nil
}

// streamRecorder is a ResponseWriter that keeps of the body only the
// first cell of each line (a row's ID) and, at each Flush, records how
// many bytes had been written, how many hits the index had handed out and
// the live heap (after a collection).
type streamRecorder struct {
	header  http.Header
	code    int
	ix      *manyHits
	bytes   int
	partial []byte
	lines   []string // first cell of each line
	flushes []flushPoint
}

type flushPoint struct{ bytes, produced, heap int }

func (s *streamRecorder) Header() http.Header  { return s.header }
func (s *streamRecorder) WriteHeader(code int) { s.code = code }

func (s *streamRecorder) Write(p []byte) (int, error) {
	s.bytes += len(p)
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		first, _, _ := strings.Cut(string(s.partial[:i]), ",")
		s.lines = append(s.lines, strings.Clone(strings.TrimSuffix(first, "\r"))) // not a slice of the whole line
		s.partial = append(s.partial[:0], s.partial[i+1:]...)
	}
	return len(p), nil
}

func (s *streamRecorder) Flush() {
	s.ix.mu.Lock()
	p := s.ix.produced
	s.ix.mu.Unlock()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.flushes = append(s.flushes, flushPoint{s.bytes, p, int(m.HeapAlloc)})
}

// TestExportStreams: an export of 12,000 hits is complete (every row, in
// order) and streamed: it is flushed batch by batch, each flush holding
// every hit fetched so far and the index never more than a batch ahead of
// what was sent, and the live heap stays flat while megabytes go out.
func TestExportStreams(t *testing.T) {
	f := defaultFixture(t)
	h, err := newHolderWith(context.Background(), f.dir, slog.New(slog.DiscardHandler), loadedWords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	const n = 12_000
	ix := &manyHits{n: n}
	e := newServerWith(config{Timeout: 5 * time.Second, Reload: time.Hour}, h, func() (Index, func()) { return ix, func() {} }, slog.New(slog.DiscardHandler))

	rec := &streamRecorder{header: http.Header{}, ix: ix}
	req := httptest.NewRequest(http.MethodGet, "/api/export?q="+url.QueryEscape("县"), nil)
	req.Header.Set(echo.HeaderAccept, "*/*")
	e.ServeHTTP(rec, req)

	if rec.code != http.StatusOK || len(rec.partial) != 0 || len(rec.lines) != n+1 || rec.lines[0] != "\uFEFF"+exportColumns[0] {
		t.Fatalf("status %d, %d lines (want %d), first %q, %d bytes unterminated", rec.code, len(rec.lines), n+1, rec.lines[:1], len(rec.partial))
	}
	for i, id := range rec.lines[1:] {
		if want := fmt.Sprintf("a%05d-01", i); id != want {
			t.Fatalf("row %d is %s, want %s", i, id, want)
		}
	}
	if len(rec.flushes) < n/exportBatch {
		t.Fatalf("%d flushes for %d hits in batches of %d: not streamed", len(rec.flushes), n, exportBatch)
	}
	for i, fp := range rec.flushes {
		if fp.produced > (i+1)*exportBatch || (i > 0 && fp.bytes <= rec.flushes[i-1].bytes) {
			t.Fatalf("flush %d: %d bytes with %d hits fetched (previous %+v): the export is not written batch by batch", i, fp.bytes, fp.produced, rec.flushes[max(0, i-1)])
		}
	}
	// The kept IDs grow the heap by about 40 bytes a row; anything
	// gathering the rows (over 1 KB each) before writing them would show.
	first, last := rec.flushes[0], rec.flushes[len(rec.flushes)-1]
	if grew := last.heap - first.heap; grew > 2<<20 {
		t.Errorf("live heap grew by %d bytes from the first flush to the last, while %d bytes were sent", grew, last.bytes-first.bytes)
	}
	t.Logf("%d bytes in %d flushes; live heap %d at the first, %d at the last", rec.bytes, len(rec.flushes), first.heap, last.heap)
}
