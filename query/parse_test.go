package query_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"countynews/query"
)

// Builders for expected values.
func bare(text string, pos int) query.Term   { return query.Term{Text: text, Pos: pos} }
func quoted(text string, pos int) query.Term { return query.Term{Text: text, Quoted: true, Pos: pos} }
func title(text string, pos int) query.Term {
	return query.Term{Text: text, Quoted: true, Title: true, Pos: pos}
}
func and(cs ...query.Clause) query.Query { return query.Query{Clauses: cs} }
func or(ts ...query.Term) query.Clause   { return query.Clause{Any: ts} }
func not(t query.Term) query.Clause      { return query.Clause{Negated: true, Any: []query.Term{t}} }

func TestParse(t *testing.T) {
	han256 := strings.Repeat("县", 256)
	tests := []struct {
		name string
		q    string
		want query.Query
	}{
		// Empty input means "browse everything".
		{"empty", "", query.Query{}},
		{"spaces", "   ", query.Query{}},
		{"ideographic spaces", "\u3000\u3000", query.Query{}},
		{"tabs and newlines", "\t\n\r \v\f", query.Query{}},
		{"NUL only", "\x00\x00", query.Query{}},
		{"zero-width space and BOM", "\u200B\uFEFF", query.Query{}},
		{"long whitespace", strings.Repeat(" ", 100_000), query.Query{}},

		// Terms, AND, exclusion, OR.
		{"one Chinese character", "县", and(or(bare("县", 1)))},
		{"one Latin letter", "a", and(or(bare("a", 1)))},
		{"digits", "2021", and(or(bare("2021", 1)))},
		{"Han number zero", "〇", and(or(bare("〇", 1)))},
		{"terms are ANDed", "红色物业 网格", and(or(bare("红色物业", 1)), or(bare("网格", 6)))},
		{"exclusion", "红色物业 -梁山", and(or(bare("红色物业", 1)), not(bare("梁山", 7)))},
		{"exclusions only", "-梁山", and(not(bare("梁山", 2)))},
		{"OR", "红色物业 OR 红帆驿站", and(or(bare("红色物业", 1), bare("红帆驿站", 9)))},
		{"A B OR C", "a b OR c", and(or(bare("a", 1)), or(bare("b", 3), bare("c", 8)))},
		{"A OR B OR C", "a OR b OR c", and(or(bare("a", 1), bare("b", 6), bare("c", 11)))},
		{"A OR B C OR D", "a OR b c OR d", and(or(bare("a", 1), bare("b", 6)), or(bare("c", 8), bare("d", 13)))},
		{"lower-case or is a term", "a or b", and(or(bare("a", 1)), or(bare("or", 3)), or(bare("b", 6)))},
		{"mixed-case Or is a term", "a Or b", and(or(bare("a", 1)), or(bare("Or", 3)), or(bare("b", 6)))},
		{"ORE is a term", "a ORE b", and(or(bare("a", 1)), or(bare("ORE", 3)), or(bare("b", 7)))},
		{"duplicate terms kept", "a a", and(or(bare("a", 1)), or(bare("a", 3)))},

		// Quotes.
		{"quoted phrase with punctuation", `"街呼县应、接诉即办"`, and(or(quoted("街呼县应、接诉即办", 1)))},
		{"quoted phrase collapses whitespace", "\"  红色 \t\n\u3000物业  \"", and(or(quoted("红色 物业", 1)))},
		{"quoted single term", `"梁山"`, and(or(quoted("梁山", 1)))},
		{"full-width quotes", "＂梁山 县＂", and(or(quoted("梁山 县", 1)))},
		{"mixed quotes", "\"梁山 县＂", and(or(quoted("梁山 县", 1)))},
		{"curly quotes", "“梁山 县”", and(or(quoted("梁山 县", 1)))},
		{"IME quotes", "“乡村振兴”", and(or(quoted("乡村振兴", 1)))},
		{"corner brackets", "「乡村振兴」", and(or(quoted("乡村振兴", 1)))},
		{"white corner brackets", "『乡村 振兴』", and(or(quoted("乡村 振兴", 1)))},
		{"title", "《乡村振兴》", and(or(title("乡村振兴", 1)))},
		{"title with a space", "《中华人民共和国  乡村振兴促进法》", and(or(title("中华人民共和国 乡村振兴促进法", 1)))},
		{"title inside quotes is text", "“学习《条例》”", and(or(quoted("学习《条例》", 1)))},
		{"ASCII quotes inside curly ones", "“他说\"好＂”", and(or(quoted(`他说"好"`, 1)))},
		{"curly quotes inside ASCII ones", "\"他说“好”\"", and(or(quoted("他说“好”", 1)))},
		{"curly quote closes only its own", "“a」b”", and(or(quoted("a」b", 1)))},
		{"marks inside a term are text", "推进“红色物业”建设", and(or(bare("推进“红色物业”建设", 1)))},
		{"phrase then term", "“微山”乡村振兴", and(or(quoted("微山", 1)), or(bare("乡村振兴", 5)))},
		{"stray closing mark", "乡村振兴” 》", and(or(bare("乡村振兴”", 1)))},
		{"excluded curly phrase", "火星村 -“梁山 县”", and(or(bare("火星村", 1)), not(quoted("梁山 县", 6)))},
		{"excluded title", "-《条例》", and(not(title("条例", 2)))},
		{"curly OR", "“a b” OR 「c」", and(or(quoted("a b", 1), quoted("c", 10)))},
		{"empty curly phrase dropped", "梁山 “”", and(or(bare("梁山", 1)))},
		{"quote splits a term", `abc"d e"fg`, and(or(bare("abc", 1)), or(quoted("d e", 4)), or(bare("fg", 9)))},
		{"OR between quotes", `"a b"OR"c d"`, and(or(quoted("a b", 1), quoted("c d", 8)))},
		{"quoted OR is a term", `a "OR" b`, and(or(bare("a", 1)), or(quoted("OR", 3)), or(bare("b", 8)))},
		{"quoted leading minus is a term", `"-a"`, and(or(quoted("-a", 1)))},
		{"empty phrase dropped", `梁山 ""`, and(or(bare("梁山", 1)))},
		{"phrase of NULs dropped", "梁山 \"\x00\"", and(or(bare("梁山", 1)))},

		// Minus.
		{"hyphen inside a term", "1-2 2021-05-01", and(or(bare("1-2", 1)), or(bare("2021-05-01", 5)))},
		{"trailing hyphen inside a term", "a- b", and(or(bare("a-", 1)), or(bare("b", 4)))},
		{"excluded phrase", `-"梁山 县"`, and(not(quoted("梁山 县", 2)))},
		{"double minus excludes -a", "--a", and(not(bare("-a", 2)))},
		{"excluded word OR", "a -OR", and(or(bare("a", 1)), not(bare("OR", 4)))},
		{"minus after a closing quote", `"a"-b`, and(or(quoted("a", 1)), not(bare("b", 5)))},
		{"excluded punctuation dropped", "梁山 -，", and(or(bare("梁山", 1)))},

		// Width folding.
		{"full-width everything", "２０２１年\u3000ＡＢＣ", and(or(bare("2021年", 1)), or(bare("ABC", 7)))},
		{"full-width minus excludes", "梁山 －网格", and(or(bare("梁山", 1)), not(bare("网格", 5)))},
		{"full-width OR", "a ＯＲ b", and(or(bare("a", 1), bare("b", 6)))},
		{"full-width decimal point", "１．５亿", and(or(bare("1.5亿", 1)))},
		{"full-width symbols", "５０％ ａ＋ｂ", and(or(bare("50%", 1)), or(bare("a+b", 5)))},
		{"Chinese punctuation kept", "梁山，县", and(or(bare("梁山，县", 1)))},
		{"folded inside quotes", "＂ＡＢ　ＣＤ＂", and(or(quoted("AB CD", 1)))},

		// Punctuation-only terms.
		{"punctuation terms dropped", "梁山 ，， *", and(or(bare("梁山", 1)))},
		{"dropped inside OR group", "a OR ， OR b", and(or(bare("a", 1), bare("b", 11)))},
		{"whole OR group dropped", "a ， OR *", and(or(bare("a", 1)))},

		// Other scripts and hostile characters.
		{"emoji inside a term", "梁山😀", and(or(bare("梁山😀", 1)))},
		{"emoji term dropped", "😀 梁山", and(or(bare("梁山", 3)))},
		{"RTL Arabic", "مرحبا عالم", and(or(bare("مرحبا", 1)), or(bare("عالم", 7)))},
		{"RTL override kept in a term", "\u202Eשלום", and(or(bare("\u202Eשלום", 1)))},
		{"combining mark", "cafe\u0301", and(or(bare("cafe\u0301", 1)))},
		{"replacement character in a term", "a\uFFFD", and(or(bare("a\uFFFD", 1)))},
		{"NUL separates", "a\x00b", and(or(bare("a", 1)), or(bare("b", 3)))},
		{"control characters separate", "a\x01\x7f\u0085b", and(or(bare("a", 1)), or(bare("b", 5)))},
		{"zero-width space separates", "梁山\u200B县", and(or(bare("梁山", 1)), or(bare("县", 4)))},
		{"leading whitespace counts in positions", " \u3000县", and(or(bare("县", 3)))},

		// Bleve/Lucene query-string syntax is literal.
		{"field syntax", "county:梁山", and(or(bare("county:梁山", 1)))},
		{"field with phrase", `county:"梁山 县"`, and(or(bare("county:", 1)), or(quoted("梁山 县", 8)))},
		{"fuzziness", "梁山~2", and(or(bare("梁山~2", 1)))},
		{"bare fuzziness", "~2", and(or(bare("~2", 1)))},
		{"regexp", "/regex/", and(or(bare("/regex/", 1)))},
		{"boost", "^5", and(or(bare("^5", 1)))},
		{"must prefix", "+a -b", and(or(bare("+a", 1)), not(bare("b", 5)))},
		{"wildcard inside a term", "梁*", and(or(bare("梁*", 1)))},
		{"parentheses", "(a OR b)", and(or(bare("(a", 1), bare("b)", 7)))},
		{"AND and NOT are terms", "a AND NOT b", and(or(bare("a", 1)), or(bare("AND", 3)), or(bare("NOT", 7)), or(bare("b", 11)))},
		{"boolean operators dropped", "a && b || c", and(or(bare("a", 1)), or(bare("b", 6)), or(bare("c", 11)))},
		{"backslash", `a\ b`, and(or(bare(`a\`, 1)), or(bare("b", 4)))},

		// Length limit.
		{"256 characters", han256, and(or(bare(han256, 1)))},
		{"surrounding whitespace not counted", "   " + han256 + "\n\n", and(or(bare(han256, 4)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := query.Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tt.q, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const (
		unbalanced = "unbalanced quote in q"
		noExclude  = `nothing to exclude after "-" in q`
		orBefore   = "OR with no term before it in q"
		orAfter    = "OR with no term after it in q"
		orExcluded = "an excluded term cannot be joined with OR in q"
		nothing    = "q has no searchable characters (no letter, digit or Chinese character) in the term"
		invalid    = "q is not valid UTF-8"
		tooLong    = "q exceeds the limit of 256 characters"
	)
	tests := []struct {
		name string
		q    string
		pos  int
		msg  string
	}{
		{"three quotes", `"""`, 3, unbalanced},
		{"unclosed quote", `"abc`, 1, unbalanced},
		{"unclosed quote after a term", `abc "def`, 5, unbalanced},
		{"unclosed full-width quote", "梁山 ＂县", 4, unbalanced},
		{"unclosed excluded phrase", `-"abc`, 2, unbalanced},
		{"lone quote after a phrase", `"a" "`, 5, unbalanced},
		{"unclosed quote after OR", `x OR "y`, 6, unbalanced},
		{"unclosed curly quote", "乡村 “振兴", 4, unbalanced},
		{"curly quote closed by the wrong mark", "“振兴」", 1, unbalanced},
		{"curly quote closed by ASCII", "“振兴\"", 1, unbalanced},
		{"unclosed title", "-《条例", 2, unbalanced},
		{"unclosed corner bracket after a phrase", "“a”「b", 4, unbalanced},

		{"minus alone", "-", 1, noExclude},
		{"minus at the end", "a -", 3, noExclude},
		{"minus between terms", "a - b", 3, noExclude},
		{"minus before ideographic space", "-\u3000a", 1, noExclude},
		{"full-width minus alone", "－", 1, noExclude},
		{"double minus alone", "--", 2, nothing},

		{"OR alone", "OR", 1, orBefore},
		{"OR OR OR", "OR OR OR", 1, orBefore},
		{"OR first", "OR x", 1, orBefore},
		{"full-width OR alone", "ＯＲ", 1, orBefore},
		{"OR last", "x OR", 3, orAfter},
		{"OR twice", "x OR OR y", 3, orAfter},
		{"OR after exclusion", "-x OR y", 1, orExcluded},
		{"OR before exclusion", "x OR -y", 6, orExcluded},
		{"OR after excluded phrase", `-"x y" OR z`, 1, orExcluded},

		{"only punctuation", "，，", 1, nothing},
		{"only an asterisk", "*", 1, nothing},
		{"only Bleve operators", "&& || ! :", 1, nothing},
		{"only an emoji", "😀", 1, nothing},
		{"only a combining mark", "\u0301", 1, nothing},
		{"only the replacement character", "\uFFFD", 1, nothing},
		{"punctuation after spaces", "   ，", 4, nothing},
		{"empty phrase", `""`, 1, nothing},
		{"excluded punctuation", "-，", 2, nothing},
		{"punctuation OR punctuation", "， OR 。", 1, nothing},
		{"empty title", "《》", 1, nothing},
		{"curly quoted punctuation", "“，”", 1, nothing},

		{"invalid byte", "ab\xffc", 3, invalid},
		{"invalid byte after Chinese", "梁\xff", 2, invalid},
		{"only an invalid byte", "\xff", 1, invalid},
		{"truncated character", "\xe6\xa2", 1, invalid},
		{"invalid byte inside quotes", "\"a\xc0\"", 3, invalid},

		{"257 characters", strings.Repeat("县", 257), 257, tooLong},
		{"257 ASCII characters", strings.Repeat("a", 257), 257, tooLong},
		{"100,000 characters", strings.Repeat("梁山县 ", 25_000), 257, tooLong},
		{"too long after leading spaces", "  " + strings.Repeat("a", 257), 259, tooLong},
		{"NUL bytes do not hide length", strings.Repeat("a\x00", 200), 257, tooLong},
	}
	// Each message has its stable code, the API's error code.
	codes := map[string]string{
		unbalanced: query.CodeUnbalancedQuote, noExclude: query.CodeNothingToExclude,
		orBefore: query.CodeDanglingOR, orAfter: query.CodeDanglingOR, orExcluded: query.CodeExcludedOR,
		nothing: query.CodeNothingSearchable, invalid: query.CodeInvalidUTF8, tooLong: query.CodeTooLong,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := query.Parse(tt.q)
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) = %#v, %v; want *query.Error", tt.q, got, err)
			}
			if qe.Pos != tt.pos || qe.Msg != tt.msg {
				t.Fatalf("Parse(%q) error = {%d %q}, want {%d %q}", tt.q, qe.Pos, qe.Msg, tt.pos, tt.msg)
			}
			if qe.Code != codes[tt.msg] {
				t.Fatalf("Parse(%q) error code %q, want %q", tt.q, qe.Code, codes[tt.msg])
			}
			if !reflect.DeepEqual(got, query.Query{}) {
				t.Fatalf("Parse(%q) returned %#v with an error", tt.q, got)
			}
		})
	}
}

// TestErrorMessage checks the wording users see.
func TestErrorMessage(t *testing.T) {
	tests := map[string]string{
		`梁山 "县`:                  "unbalanced quote in q at character 4",
		"abc -":                  `nothing to exclude after "-" in q at character 5`,
		"x OR":                   "OR with no term after it in q at character 3",
		"OR x":                   "OR with no term before it in q at character 1",
		"x OR -y":                "an excluded term cannot be joined with OR in q at character 6",
		"a\xff":                  "q is not valid UTF-8 at character 2",
		strings.Repeat("a", 300): "q exceeds the limit of 256 characters at character 257",
		"，":                      "q has no searchable characters (no letter, digit or Chinese character) in the term at character 1",
	}
	for q, want := range tests {
		_, err := query.Parse(q)
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%.20q) error = %v, want %q", q, err, want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name, q, want string
	}{
		{"empty", "", ""},
		{"spaces collapse", "  a \t b  ", "a b"},
		{"OR group", "a OR b   c", "a OR b c"},
		{"phrase", "\"a  \n b\"", `"a b"`},
		{"quoted single term stays quoted", `"梁山"`, `"梁山"`},
		{"full-width folded", "２０２１年\u3000ＡＢＣ －梁山 ａ ＯＲ ｂ", "2021年 ABC -梁山 a OR b"},
		{"excluded phrase", `-"a b"`, `-"a b"`},
		{"double minus", "--a", "--a"},
		{"excluded OR", "a -OR", "a -OR"},
		{"quoted OR", `"OR"`, `"OR"`},
		{"quoted minus", `"-a"`, `"-a"`},
		{"full-width quotes become ASCII", "＂a b＂", `"a b"`},
		{"curly quotes become ASCII", "“a  b”", `"a b"`},
		{"curly quotes kept around ASCII quotes", "“a\"b”", "“a\"b”"},
		{"corner brackets around both", "「a\"b”」", "「a\"b”」"},
		{"title", "-《a 》 《b》", "-《a》 《b》"},
		{"marks inside a term", "a“b”", "a“b”"},
		{"stray closer", "”a", "”a"},
		{"dropped terms vanish", "a OR ， OR b *", "a OR b"},
		{"group reduced to one term", "a ， OR b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := query.Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if got := q.String(); got != tt.want {
				t.Fatalf("Parse(%q).String() = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

// TestStringHandBuilt: String writes hand-built queries, which Parse could
// not have produced, as something Parse accepts.
func TestStringHandBuilt(t *testing.T) {
	tests := []struct {
		name string
		q    query.Query
		want string
	}{
		{"zero", query.Query{}, ""},
		{"word OR needs quotes", and(or(bare("OR", 0))), `"OR"`},
		{"full-width OR needs quotes", and(or(bare("ＯＲ", 0))), `"ＯＲ"`},
		{"leading minus needs quotes", and(or(bare("-a", 0))), `"-a"`},
		{"leading full-width minus needs quotes", and(or(bare("－a", 0))), `"－a"`},
		{"space needs quotes", and(or(bare("a b", 0))), `"a b"`},
		{"quote characters dropped", and(or(bare(`a"b＂c`, 0))), "abc"},
		{"only quotes skipped", and(or(bare(`"`, 0)), or(bare("x", 0))), "x"},
		{"empty term skipped", and(or(bare("", 0), bare("a", 0))), "a"},
		{"empty clause skipped", and(or(), or(bare("a", 0))), "a"},
		{"bare leading opener needs quotes", and(or(bare("“a", 0))), `"“a"`},
		{"excluded leading opener needs quotes", and(not(bare("《a", 0))), `-"《a"`},
		{"quoted with every closer", and(or(quoted(`a"”」』`, 0))), `"a”」』"`},
		{"quoted with ASCII and curly closers", and(or(quoted(`a"”`, 0))), `「a"”」`},
		{"title drops its closer", and(or(title("a》b", 0))), "《ab》"},
		{"empty title skipped", and(or(title("》", 0)), or(bare("x", 0))), "x"},
		{"negated group split", and(query.Clause{Negated: true, Any: []query.Term{bare("a", 0), bare("b", 0)}}), "-a -b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.String()
			if got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			if _, err := query.Parse(got); err != nil && got != "" {
				t.Fatalf("Parse(%q): %v", got, err)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	q, err := query.Parse(`a b OR "c d" -e`)
	if err != nil {
		t.Fatal(err)
	}
	if q.IsEmpty() || !q.HasPositive() {
		t.Fatalf("IsEmpty=%v HasPositive=%v for %v", q.IsEmpty(), q.HasPositive(), q)
	}
	want := []query.Term{bare("a", 1), bare("b", 3), quoted("c d", 8)}
	if got := q.Positive(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Positive() = %#v, want %#v", got, want)
	}

	neg, err := query.Parse("-e")
	if err != nil {
		t.Fatal(err)
	}
	if neg.IsEmpty() || neg.HasPositive() || neg.Positive() != nil {
		t.Fatalf("exclusion only: IsEmpty=%v HasPositive=%v Positive=%v", neg.IsEmpty(), neg.HasPositive(), neg.Positive())
	}

	var zero query.Query
	if !zero.IsEmpty() || zero.HasPositive() || zero.Positive() != nil {
		t.Fatal("zero Query: want empty, no positive terms")
	}
}

// TestMaxTerms: a query of MaxTerms terms parses; one more is refused with
// query.CodeTooManyTerms at the first term past the limit, however the terms
// are joined.
func TestMaxTerms(t *testing.T) {
	chars := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经")
	for _, join := range []string{" OR ", " ", " -"} {
		terms := make([]string, query.MaxTerms+1)
		for i := range terms {
			terms[i] = string(chars[i])
		}
		ok := strings.Join(terms[:query.MaxTerms], join)
		if _, err := query.Parse(ok); err != nil {
			t.Errorf("%d terms joined by %q: %v", query.MaxTerms, join, err)
		}
		q := strings.Join(terms, join)
		_, err := query.Parse(q)
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Code != query.CodeTooManyTerms || !strings.Contains(err.Error(), "more than 24 terms") {
			t.Errorf("%d terms joined by %q: %v, want %s", query.MaxTerms+1, join, err, query.CodeTooManyTerms)
			continue
		}
		if want := len([]rune(q)); qe.Pos != want {
			t.Errorf("%q: error at %d, want %d (the last term)", join, qe.Pos, want)
		}
	}
}
