package query

import "testing"

// TestParserNextPastEnd: past the last item the parser keeps returning it
// (itemEOF), never reading beyond the slice.
func TestParserNextPastEnd(t *testing.T) {
	items := lex("红色", 0)
	p := &parser{items: items}
	for i := range len(items) + 3 {
		it := p.next()
		want := items[min(i, len(items)-1)]
		if it != want {
			t.Fatalf("next #%d = %v, want %v", i, it, want)
		}
	}
	if last := p.peek(); last.typ != itemEOF {
		t.Errorf("peek past the end = %v, want EOF", last)
	}
}

// TestParseNothing: an empty or blank q is the empty query, not an error;
// a q of only unsearchable terms is an error naming the first one.
func TestParseNothing(t *testing.T) {
	for _, q := range []string{"", "   ", "\u3000"} {
		got, err := Parse(q)
		if err != nil || len(got.Clauses) != 0 {
			t.Errorf("Parse(%q) = %+v, %v; want the empty query", q, got, err)
		}
	}
	_, err := Parse("!!! ???")
	if e, ok := err.(*Error); !ok || e.Pos != 1 {
		t.Errorf(`Parse("!!! ???") error %v, want one at position 1`, err)
	}
}

// TestHasPositiveHandBuilt: a clause with no terms is not positive, even
// when not negated (a hand-built Query may hold one).
func TestHasPositiveHandBuilt(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    Query
		want bool
	}{
		{"empty", Query{}, false},
		{"empty clause", Query{Clauses: []Clause{{}}}, false},
		{"exclusion only", Query{Clauses: []Clause{{Negated: true, Any: []Term{{Text: "梁山"}}}}}, false},
		{"positive", Query{Clauses: []Clause{{}, {Any: []Term{{Text: "梁山"}}}}}, true},
	} {
		if got := tc.q.HasPositive(); got != tc.want {
			t.Errorf("%s: HasPositive = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFormatSpaces: a bare term holding a space anywhere, the first
// character included, is quoted, or it would read back as two terms.
func TestFormatSpaces(t *testing.T) {
	for _, text := range []string{" 红色", "红色 物业", "红色 "} {
		if got, want := (Term{Text: text}).Format(), `"`+text+`"`; got != want {
			t.Errorf("Format(%q) = %s, want %s", text, got, want)
		}
	}
}
