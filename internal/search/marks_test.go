package search

import (
	"reflect"
	"slices"
	"testing"

	"countynews/corpus"
)

// TestMarks: the spans an article view marks are the highlighter's, in
// byte offsets of the original text, for a real index's compiled query.
func TestMarks(t *testing.T) {
	ix := build(t, []corpus.Paragraph{{ID: "a-1", ArticleID: "a", County: "梁山", Year: 2021, Text: "第15级，第5级。"}})
	for _, tc := range []struct {
		name, q, text string
		want          []string
	}{
		{"number whole: not inside 第15级", "5级", "第15级，第5级，5级。", []string{"5级", "5级"}},
		{"width folding", "5级", "第５级。", []string{"５级"}},
		{"Latin case", "gdp", "GDP增长，gdpr不算", []string{"GDP"}},
		{"phrase merged", "红色物业 物业示范", "红色物业示范小区", []string{"红色物业示范"}},
		{"excluded term not marked", "红色 -物业", "红色物业，红色", []string{"红色", "红色"}},
		{"single character", "县", "县委县政府", []string{"县", "县"}},
		{"OR marks both", "网格 OR 物业", "网格员与物业", []string{"网格", "物业"}},
		{"browse marks nothing", "", "红色物业", nil},
		{"absent", "网格", "红色物业", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spans := ix.Marks(Request{Query: mustParse(t, tc.q)}, tc.text)
			var got []string
			last := 0
			for _, s := range spans {
				if s.Start < last || s.End <= s.Start || s.End > len(tc.text) {
					t.Fatalf("spans %v out of order or out of %q", spans, tc.text)
				}
				last = s.End
				got = append(got, tc.text[s.Start:s.End])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("marked %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRequestCacheKeyCoversFields sets each field of Request in turn to a
// non-zero value: every one must change the key, and differently from
// every other field. A field added to Request but not to CacheKey fails
// here (a cache keyed by it would answer two requests alike).
func TestRequestCacheKeyCoversFields(t *testing.T) {
	typ := reflect.TypeOf(Request{})
	zero := Request{}.CacheKey()
	seen := map[string]string{zero: "(zero)"}
	for i := range typ.NumField() {
		f := typ.Field(i)
		var r Request
		fill(t, reflect.ValueOf(&r).Elem().Field(i), f.Name)
		k := r.CacheKey()
		if other, dup := seen[k]; dup {
			t.Errorf("setting %s gives the key of %s: %q (CacheKey does not cover %s)", f.Name, other, k, f.Name)
			continue
		}
		seen[k] = f.Name
	}
}

// TestRequestCacheKeyLists: list values are quoted, so lists cannot run
// together or be confused with each other.
func TestRequestCacheKeyLists(t *testing.T) {
	pairs := []struct {
		name string
		a, b Request
	}{
		{"two counties vs one with a comma", Request{Counties: []string{"梁山", "金乡"}}, Request{Counties: []string{"梁山,金乡"}}},
		{"county vs program", Request{Counties: []string{"梁山"}}, Request{Programs: []string{"梁山"}}},
		{"quote inside a value", Request{Counties: []string{`a";program="b`}}, Request{Counties: []string{"a"}, Programs: []string{"b"}}},
		{"order of years", Request{Years: []int{2020, 2021}}, Request{Years: []int{2021, 2020}}},
		{"query", Request{Query: mustParse(t, "红色 物业")}, Request{Query: mustParse(t, "红色物业")}},
		{"excluded vs included", Request{Query: mustParse(t, "-梁山")}, Request{Query: mustParse(t, "梁山")}},
	}
	for _, p := range pairs {
		if p.a.CacheKey() == p.b.CacheKey() {
			t.Errorf("%s: same key %q", p.name, p.a.CacheKey())
		}
	}
	if a, b := (Request{Query: mustParse(t, "红色物业  网格")}), (Request{Query: mustParse(t, " 红色物业 网格")}); a.CacheKey() != b.CacheKey() {
		t.Errorf("the same query typed with other spaces gives keys %q and %q", a.CacheKey(), b.CacheKey())
	}
}

// fill sets v to a non-zero value of its type: strings "x", numbers 1,
// true, one-element slices and structs with every field filled.
func fill(t *testing.T, v reflect.Value, name string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0), name)
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), name)
			}
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), name)
		v.Set(p)
	default:
		t.Fatalf("field %s: cannot fill a %s; teach fill this kind", name, v.Kind())
	}
}
