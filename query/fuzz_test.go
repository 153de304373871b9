package query_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"countynews/query"
)

// FuzzParse: Parse never panics; an error is an *Error located inside q;
// a Query has valid, non-empty terms at positions inside q (a bare term
// holds no " or ＂ and starts with no opening mark, no term holds ＂, a
// title holds no 》 and is quoted),
// exclusions of exactly one term, and survives String and Parse again.
// Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		n := len([]rune(src))
		q, err := query.Parse(src)
		if err != nil {
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q): error %v is not a *query.Error", src, err)
			}
			if qe.Pos < 1 || qe.Pos > n+1 || qe.Msg == "" {
				t.Fatalf("Parse(%q): error %+v outside [1, %d]", src, qe, n+1)
			}
			if !q.IsEmpty() {
				t.Fatalf("Parse(%q): Query %#v returned with an error", src, q)
			}
			return
		}
		for _, c := range q.Clauses {
			if len(c.Any) == 0 || c.Negated && len(c.Any) != 1 {
				t.Fatalf("Parse(%q): bad clause %#v", src, c)
			}
			for _, tm := range c.Any {
				if tm.Text == "" || !utf8.ValidString(tm.Text) || strings.Contains(tm.Text, "＂") ||
					!tm.Quoted && (strings.Contains(tm.Text, `"`) || strings.IndexAny(tm.Text, "“「『《") == 0) ||
					tm.Title && (!tm.Quoted || strings.Contains(tm.Text, "》")) {
					t.Fatalf("Parse(%q): bad term %+v", src, tm)
				}
				if tm.Pos < 1 || tm.Pos > n {
					t.Fatalf("Parse(%q): term %q at %d outside [1, %d]", src, tm.Text, tm.Pos, n)
				}
			}
		}
		checkRoundTrip(t, src, q)
	})
}
