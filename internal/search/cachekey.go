package search

import (
	"strconv"
	"strings"
)

// CacheKey returns a string that is equal for two requests exactly when
// they ask for the same answer: every field of Request is in it (the
// query in its canonical form, which Parse reads back to the same query),
// each value quoted so that no two lists run together (county 梁山,金乡
// is not the counties 梁山 and 金乡). A cache of answers keyed by it cannot
// serve one request's answer to another. TestRequestCacheKeyCoversFields
// fails when a field is added to Request and not to the key.
func (r Request) CacheKey() string {
	var b strings.Builder
	str := func(name string, vs ...string) {
		b.WriteString(name)
		b.WriteByte('=')
		for i, v := range vs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(';')
	}
	num := func(name string, vs ...int) {
		b.WriteString(name)
		b.WriteByte('=')
		for i, v := range vs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(v))
		}
		b.WriteByte(';')
	}
	flag := func(name string, v bool) {
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatBool(v))
		b.WriteByte(';')
	}
	str("q", r.Query.String())
	str("county", r.Counties...)
	str("program", r.Programs...)
	num("year", r.Years...)
	num("year_from", r.YearFrom)
	num("year_to", r.YearTo)
	str("date_from", string(r.DateFrom))
	str("date_to", string(r.DateTo))
	num("in", int(r.In))
	num("sort", int(r.Sort))
	num("from", r.From)
	num("size", r.Size)
	flag("highlight", r.Highlight)
	flag("facets", r.Facets)
	num("collapse", int(r.Collapse))
	num("match", int(r.Match))
	return b.String()
}
