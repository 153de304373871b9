package query

import (
	"reflect"
	"testing"
)

// TestLex checks the item stream, positions in characters included.
func TestLex(t *testing.T) {
	tests := []struct {
		name  string
		input string
		base  int
		want  []item
	}{
		{"empty", "", 0, []item{{itemEOF, 1, ""}}},
		{"terms", "梁山 县", 0, []item{{itemTerm, 1, "梁山"}, {itemTerm, 4, "县"}, {itemEOF, 5, ""}}},
		{"base offsets positions", "县", 3, []item{{itemTerm, 4, "县"}, {itemEOF, 5, ""}}},
		{"OR keyword", "a OR b", 0, []item{{itemTerm, 1, "a"}, {itemOR, 3, "OR"}, {itemTerm, 6, "b"}, {itemEOF, 7, ""}}},
		{"minus then OR is a term", "-OR", 0, []item{{itemMinus, 1, "-"}, {itemTerm, 2, "OR"}, {itemEOF, 4, ""}}},
		{"minus then phrase", `-"a b"`, 0, []item{{itemMinus, 1, "-"}, {itemPhrase, 2, "a b"}, {itemEOF, 7, ""}}},
		{"phrase keeps raw text", "＂ a\tb ＂x", 0, []item{{itemPhrase, 1, " a\tb "}, {itemTerm, 8, "x"}, {itemEOF, 9, ""}}},
		{"quote ends a term", `ab"c"`, 0, []item{{itemTerm, 1, "ab"}, {itemPhrase, 3, "c"}, {itemEOF, 6, ""}}},
		{"unbalanced", `a "b`, 0, []item{{itemTerm, 1, "a"}, {itemError, 3, "unbalanced quote in q"}}},
		{"curly quotes", "“a b”c", 0, []item{{itemPhrase, 1, "a b"}, {itemTerm, 6, "c"}, {itemEOF, 7, ""}}},
		{"corner brackets", "「a」『b』", 0, []item{{itemPhrase, 1, "a"}, {itemPhrase, 4, "b"}, {itemEOF, 7, ""}}},
		{"title", "-《a b》", 0, []item{{itemMinus, 1, "-"}, {itemTitle, 2, "a b"}, {itemEOF, 7, ""}}},
		{"own partner closes", "“a\"b”", 0, []item{{itemPhrase, 1, "a\"b"}, {itemEOF, 6, ""}}},
		{"mark inside a term is text", "a“b”", 0, []item{{itemTerm, 1, "a“b”"}, {itemEOF, 5, ""}}},
		{"stray closer is text", "”a", 0, []item{{itemTerm, 1, "”a"}, {itemEOF, 3, ""}}},
		{"unclosed curly quote", "a “b", 0, []item{{itemTerm, 1, "a"}, {itemError, 3, "unbalanced quote in q"}}},
		{"dangling minus", "a - b", 0, []item{{itemTerm, 1, "a"}, {itemMinus, 3, "-"}, {itemError, 3, `nothing to exclude after "-" in q`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lex(tt.input, tt.base); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("lex(%q)\n got %v\nwant %v", tt.input, got, tt.want)
			}
		})
	}
}
