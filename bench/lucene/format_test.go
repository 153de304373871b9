package lucene

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWriteParagraphs(t *testing.T) {
	tests := []struct {
		name string
		in   []Paragraph
		want string
	}{
		{"plain", []Paragraph{{"p1", "梁山", 2021, []string{"红色物业", "党建引领"}, "梁山县推进红色物业。"}},
			"p1\t梁山\t2021\t红色物业|党建引领\t梁山县推进红色物业。\n"},
		{"unknown year and county, no programs", []Paragraph{{"p2", "", 0, nil, "文本"}},
			"p2\t\t\t\t文本\n"},
		{"tabs and newlines in text become spaces", []Paragraph{{"p3", "邹城", 2020, nil, "第一行\n第二行\t第三\r\n行"}},
			"p3\t邹城\t2020\t\t第一行 第二行 第三  行\n"},
		{"separators in fields are escaped, text is verbatim", []Paragraph{{`a|b;c\d`, "x\ty", 2022, []string{"党建|引领", "a;b"}, `路径 C:\x|y;z`}},
			"a\\|b\\;c\\\\d\tx\\ty\t2022\t党建\\|引领|a\\;b\t路径 C:\\x|y;z\n"},
		{"several", []Paragraph{{"a", "", 0, nil, "一"}, {"b", "", 0, nil, "二"}},
			"a\t\t\t\t一\nb\t\t\t\t二\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteParagraphs(&buf, tt.in); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got  %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}

func TestWriteParagraphsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []Paragraph
		want string
	}{
		{"empty ID", []Paragraph{{Text: "x"}}, `paragraph 0 (""): empty ID`},
		{"duplicate ID", []Paragraph{{ID: "a"}, {ID: "a"}}, `paragraph 1: duplicate ID "a"`},
		{"negative year", []Paragraph{{ID: "a", Year: -1}}, "negative year -1"},
		{"empty program", []Paragraph{{ID: "a", Programs: []string{"x", ""}}}, "empty program name"},
		{"invalid UTF-8", []Paragraph{{ID: "a", Text: "\xff"}}, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteParagraphs(&bytes.Buffer{}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWriteQueries(t *testing.T) {
	tests := []struct {
		name string
		in   Query
		want string
	}{
		{"match all", Query{ID: "q0"}, "q0\t\t\t\t\n"},
		{"the brief's example", Query{ID: "q1", Clauses: []Clause{{Any: []string{"红色物业", "红帆驿站"}}, {Negated: true, Any: []string{"梁山"}}}},
			"q1\t+红色物业|红帆驿站;-梁山\t\t\t\n"},
		{"filters", Query{ID: "q2", Clauses: []Clause{{Any: []string{"县"}}}, Counties: []string{"梁山", "邹城"}, Years: []int{2021, 2022}, Programs: []string{"乡村振兴"}},
			"q2\t+县\t梁山|邹城\t2021|2022\t乡村振兴\n"},
		{"escaped phrase and values", Query{ID: "q;3", Clauses: []Clause{{Any: []string{`a|b;c\`, "x\ty"}}}, Programs: []string{"党建|引领"}},
			"q\\;3\t+a\\|b\\;c\\\\|x y\t\t\t党建\\|引领\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteQueries(&buf, []Query{tt.in}); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got  %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}

func TestWriteQueriesErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []Query
		want string
	}{
		{"empty ID", []Query{{}}, "empty ID"},
		{"duplicate ID", []Query{{ID: "a"}, {ID: "a"}}, `query 1: duplicate ID "a"`},
		{"clause without phrases", []Query{{ID: "a", Clauses: []Clause{{Negated: true}}}}, "clause 0 has no phrases"},
		{"empty phrase", []Query{{ID: "a", Clauses: []Clause{{Any: []string{"x"}}, {Any: []string{""}}}}}, "clause 1: empty phrase"},
		{"empty filter", []Query{{ID: "a", Counties: []string{""}}}, "empty county filter value"},
		{"invalid UTF-8", []Query{{ID: "a", Programs: []string{"\xfe"}}}, "invalid UTF-8 in program filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteQueries(&bytes.Buffer{}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// splitRaw mirrors Bench.java's splitRaw: split on sep unless escaped.
func splitRaw(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// FuzzEscape checks that escaped fields survive the TSV: no raw tab or line
// break, and joining escaped parts with '|' or ';' splits back into the same
// parts (the property Bench.java's parser relies on).
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "红色物业", `a|b;c\d`, "x\ty\nz\r", `\`, `\\|`, "党建|引领"} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			t.Skip()
		}
		ea, eb := string(appendEscaped(nil, a)), string(appendEscaped(nil, b))
		if strings.ContainsAny(ea, "\t\n\r") {
			t.Fatalf("escape(%q) = %q holds a raw tab or line break", a, ea)
		}
		for _, sep := range []byte{'|', ';'} {
			parts := splitRaw(ea+string(sep)+eb, sep)
			if len(parts) != 2 {
				t.Fatalf("split %q on %c: %d parts, want 2", ea+string(sep)+eb, sep, len(parts))
			}
			ua, err := unescape(parts[0])
			if err != nil || ua != a {
				t.Fatalf("unescape(%q) = %q, %v; want %q", parts[0], ua, err, a)
			}
			ub, err := unescape(parts[1])
			if err != nil || ub != b {
				t.Fatalf("unescape(%q) = %q, %v; want %q", parts[1], ub, err, b)
			}
		}
	})
}

func TestUnescapeTrailingBackslash(t *testing.T) {
	if _, err := unescape(`abc\`); err == nil {
		t.Error("unescape of a trailing backslash: no error")
	}
}
