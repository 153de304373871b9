package query_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"countynews/query"
)

// fragments are the pieces randomQuery glues together: syntax, its
// full-width forms, literal look-alikes, several scripts and whitespace.
var fragments = []string{
	"梁山", "县", "红色物业", "a", "Ab", "2021", "1-2", "〇",
	"OR", "or", "-", "--", `"`, "＂", "“", "”", "「", "」", "『", "』", "《", "》", "“”", "－", "ＯＲ", "ＡＢ", "１．５",
	" ", " ", " ", "\u3000", "\t", "\n", "\x00", "\u200B",
	"，", "。", "*", ":", "(", ")", "~", "^", "/", "+", `\`, "😀", "e\u0301", "مرحبا", "\uFFFD",
}

// randomQuery returns a query of up to 14 fragments.
func randomQuery(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(15) {
		b.WriteString(fragments[r.IntN(len(fragments))])
	}
	return b.String()
}

// withoutPos returns q with every Term.Pos zeroed, for comparisons where
// only the meaning counts.
func withoutPos(q query.Query) query.Query {
	var out query.Query
	for _, c := range q.Clauses {
		c2 := query.Clause{Negated: c.Negated, Any: make([]query.Term, len(c.Any))}
		for i, t := range c.Any {
			t.Pos = 0
			c2.Any[i] = t
		}
		out.Clauses = append(out.Clauses, c2)
	}
	return out
}

// checkRoundTrip fails unless q, parsed from src, survives String and
// Parse again (positions aside), and String is a fixed point.
func checkRoundTrip(t *testing.T, src string, q query.Query) {
	t.Helper()
	s := q.String()
	q2, err := query.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) = %#v, but Parse(its String %q): %v", src, q, s, err)
	}
	if !reflect.DeepEqual(withoutPos(q2), withoutPos(q)) {
		t.Fatalf("round trip of %q through %q:\n got %#v\nwant %#v", src, s, q2, q)
	}
	if s2 := q2.String(); s2 != s {
		t.Fatalf("String not canonical for %q: %q then %q", src, s, s2)
	}
}

// TestRoundTrip: for generated queries that parse, Parse(q.String())
// equals q with positions aside. The test also insists that the generator
// reaches both outcomes often, so it cannot pass by parsing nothing.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20_000
	ok, failed := 0, 0
	for range n {
		src := randomQuery(r)
		q, err := query.Parse(src)
		if err != nil {
			failed++
			continue
		}
		if !q.IsEmpty() {
			ok++
		}
		checkRoundTrip(t, src, q)
	}
	if ok < n/5 || failed < n/20 {
		t.Fatalf("generator too lopsided: %d non-empty queries, %d errors of %d", ok, failed, n)
	}
}

// widen rewrites q the way an IME in full-width mode types it: ASCII
// letters, digits, space, quote and minus in full-width form. FoldWidth
// undoes this character for character, so the parse must be identical,
// positions and errors included.
func widen(q string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r - '!' + '！'
		case r == ' ':
			return '\u3000'
		case r == '"':
			return '＂'
		}
		return r
	}, q)
}

func TestFullWidthIsTheSameQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		src := randomQuery(r)
		wide := widen(src)
		q1, err1 := query.Parse(src)
		q2, err2 := query.Parse(wide)
		if !reflect.DeepEqual(q1, q2) || !reflect.DeepEqual(err1, err2) {
			t.Fatalf("Parse(%q) = %#v, %v\nParse(%q) = %#v, %v", src, q1, err1, wide, q2, err2)
		}
	}
}

// TestExtraWhitespaceIsTheSameQuery: widening every space into a run of
// mixed whitespace changes positions only, inside quotes too.
func TestExtraWhitespaceIsTheSameQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20_000 {
		src := randomQuery(r)
		spaced := strings.ReplaceAll(src, " ", " \t\u3000\x00 ")
		q1, err1 := query.Parse(src)
		q2, err2 := query.Parse(spaced)
		var e1, e2 *query.Error
		switch {
		case err1 == nil && err2 == nil:
			if !reflect.DeepEqual(withoutPos(q1), withoutPos(q2)) {
				t.Fatalf("Parse(%q) = %#v\nParse(%q) = %#v", src, q1, spaced, q2)
			}
		case errors.As(err1, &e1) && errors.As(err2, &e2):
			if e1.Msg != e2.Msg {
				t.Fatalf("Parse(%q): %v\nParse(%q): %v", src, err1, spaced, err2)
			}
		default:
			t.Fatalf("Parse(%q): %v\nParse(%q): %v", src, err1, spaced, err2)
		}
	}
}
