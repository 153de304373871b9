package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"countynews/corpus"
	"countynews/internal/search"
)

// Export of a result list: GET /api/export takes the search parameters
// and streams every hit, in the search's order, up to maxExport, as CSV
// (format=csv, the default) or JSON Lines (format=jsonl).
//
// The hits are fetched exportBatch at a time (pages of the same search on
// the one generation the request holds, so the pages fit together) and
// each batch is written and flushed before the next is fetched: memory
// stays that of one batch whatever the export's length, and the first
// rows reach the client at once.
const (
	maxExport     = 50_000
	exportBatch   = 500
	exportTimeout = 2 * time.Minute // a whole export, searches and writing
)

// exportColumns are the CSV header; exportRow gives a hit's cells in this
// order. The citation columns (date, county, headline, source file and
// lines, the citation of corpus.Paragraph.Citation) come first.
var exportColumns = []string{
	"id", "article_id", "date", "year", "county", "county_name", "headline", "source_file",
	"source_first_line", "source_last_line", "citation", "url", "topic", "text", "programs", "initiatives",
}

// exportJSON is one JSON Lines record: the paragraph as the API gives it,
// with its citation and the URL of its place in the article view.
type exportJSON struct {
	corpus.Paragraph
	Citation string `json:"citation"`
	URL      string `json:"url"`
}

// export handles GET /api/export.
func (a *api) export(c echo.Context) error {
	v := c.QueryParams()
	p, err := bindSearch(v)
	if err != nil {
		return err
	}
	format := strings.TrimSpace(v.Get("format"))
	switch format {
	case "":
		format = "csv"
	case "csv", "jsonl":
	default:
		return badParam(codeInvalidFormat, []string{"format"}, "format must be csv or jsonl, not %q", clipValue(format))
	}
	limit, err := intValue(v, "limit", maxExport, 1, maxExport)
	if err != nil {
		return err
	}
	// The export has its own time limit (exportTimeout, set on the
	// route), longer than a search's; the write deadline moves with it.
	ctx := c.Request().Context()
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now().Add(exportTimeout))

	ix, release := a.index()
	defer release()
	r := p.request()
	r.From, r.Size, r.Highlight, r.Facets = 0, min(exportBatch, limit), false, false
	r.Collapse = search.CollapseNone // an export is every matching paragraph, whatever the list showed
	res, err := ix.Search(ctx, r)
	if err != nil {
		return err // nothing written yet: a normal error answer
	}
	n := min(res.Total, limit)
	base := c.Scheme() + "://" + c.Request().Host
	h := c.Response().Header()
	name := "countynews-" + time.Now().UTC().Format("20060102")
	if format == "csv" {
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	} else {
		h.Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.jsonl"`)
	}
	h.Set("X-Total-Count", strconv.Itoa(res.Total)) // hits of the search
	h.Set("X-Export-Count", strconv.Itoa(n))        // rows that follow
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}

	w := c.Response()
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if format == "csv" {
		// The byte-order mark makes Excel read the file as UTF-8 (without
		// it, Chinese comes out garbled); other readers skip it.
		if _, err := w.Write([]byte("\uFEFF")); err != nil {
			return nil // the client left
		}
		cw = csv.NewWriter(w)
		cw.UseCRLF = true // RFC 4180
		if err := cw.Write(exportColumns); err != nil {
			return nil
		}
	}
	written := 0
	for written < n {
		for _, hit := range res.Hits {
			if written == n {
				break
			}
			p := hit.Paragraph
			cite := p.Citation()
			u := base + paragraphURL(p.ArticleID, p.ID)
			if cw != nil {
				err = cw.Write(exportRow(p, cite, u))
			} else {
				err = enc.Encode(exportJSON{Paragraph: p, Citation: cite, URL: u})
			}
			if err != nil {
				return nil // the client left: nothing more to say to it
			}
			written++
		}
		if cw != nil {
			cw.Flush()
			if cw.Error() != nil {
				return nil
			}
		}
		w.Flush()
		if written == n {
			break
		}
		if len(res.Hits) == 0 {
			// The search shrank under us (it cannot on one generation):
			// end the response as broken rather than pass it off as whole.
			panic(http.ErrAbortHandler)
		}
		r.From += len(res.Hits)
		r.Size = min(exportBatch, n-written)
		if res, err = ix.Search(ctx, r); err != nil {
			// Headers are sent: the only way to tell the client the file
			// is incomplete is to break the connection (the row count is
			// in X-Export-Count).
			panic(http.ErrAbortHandler)
		}
	}
	return nil
}

// exportRow returns a paragraph's CSV cells, in exportColumns order.
func exportRow(p corpus.Paragraph, cite, u string) []string {
	year := ""
	if p.Year > 0 {
		year = strconv.Itoa(p.Year)
	}
	cells := []string{
		p.ID, p.ArticleID, string(p.Date), year, p.County, p.CountyName, p.Headline, p.Source.File,
		strconv.Itoa(p.Source.Lines[0]), strconv.Itoa(p.Source.Lines[1]), cite, u, p.Topic, p.Text,
		strings.Join(p.Programs, "；"), strings.Join(p.Initiatives, "；"),
	}
	for i, s := range cells {
		cells[i] = spreadsheetSafe(s)
	}
	return cells
}

// spreadsheetSafe keeps a cell from being read as a formula by Excel or
// LibreOffice: text starting with = + - @ or a tab or carriage return gets
// a leading apostrophe, which they show as text (OWASP's advice for CSV
// injection). News text almost never starts so; the IDs, dates and
// numbers never do.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
