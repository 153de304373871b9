package main

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"countynews/internal/search"
	"countynews/internal/text"
)

// Completions while typing: GET /api/suggest?q=红色 answers what the index
// holds that starts with q (search.Complete): words, named initiatives,
// counties and programs, each with its paragraph count. The page's search
// box (static/suggest.js) asks for the last word being typed and offers
// the answers as an ARIA combobox.

// Bounds of /api/suggest.
const (
	defaultSuggestSize = 8
	maxSuggestSize     = 20
	maxSuggestRunes    = 32
)

type completionJSON struct {
	Text  string `json:"text"`
	Kind  string `json:"kind"`
	Count int    `json:"count"`
	// Query is what to put in q to search a word or an initiative (quoted
	// when it holds punctuation or spaces); "" for a county or program,
	// which are filters (county=…, program=…).
	Query string `json:"query"`
}

type suggestJSON struct {
	Q           string           `json:"q"`
	Completions []completionJSON `json:"completions"`
}

// suggest handles GET /api/suggest.
func (a *api) suggest(c echo.Context) error {
	q := c.QueryParam("q")
	if !utf8.ValidString(q) {
		return badParam(codeInvalidUTF8, []string{"q"}, "q is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > maxSuggestRunes {
		return badParam(codeQueryTooLong, []string{"q"}, "q is %d characters long; completions take at most %d", n, maxSuggestRunes)
	}
	n, err := intValue(c.QueryParams(), "size", defaultSuggestSize, 1, maxSuggestSize)
	if err != nil {
		return err
	}
	ix, release := a.index()
	defer release()
	cs, err := ix.Complete(c.Request().Context(), q, n)
	if err != nil {
		return err
	}
	out := suggestJSON{Q: q, Completions: make([]completionJSON, 0, len(cs))}
	for _, x := range cs {
		cj := completionJSON{Text: x.Text, Kind: string(x.Kind), Count: x.Count}
		if x.Kind == search.CompleteWord || x.Kind == search.CompleteInitiative {
			cj.Query = queryTerm(x.Text)
		}
		out.Completions = append(out.Completions, cj)
	}
	return c.JSON(http.StatusOK, out)
}

// queryTerm is s as one term of the query language: as it is when it is
// made of Han characters, letters and digits only, else quoted (a name
// such as 1+N or 网格·家 would otherwise be split or misread).
func queryTerm(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !(text.IsCJK(r) || unicode.IsLetter(r) || unicode.IsDigit(r)) }) && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return s
}
