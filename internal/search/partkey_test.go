package search

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestPartKey: parts that analyse alike share a key (and then match the
// same paragraphs, scored alike: checked on the test index), parts that
// do not have different ones.
func TestPartKey(t *testing.T) {
	ix := build(t, tableParagraphs(t))
	key := func(p string, in Field) string {
		var b strings.Builder
		ix.writePartKey(&b, p, in)
		return b.String()
	}
	same := [][2]string{
		{"乡村振兴！", "乡村振兴"},
		{"“红色物业”", "红色物业"},
		{"哪些县开展了志愿服务？", "哪些县开展了志愿服务"},
		{"２０２３年", "2023年"},
		{"紅色物業", "红色物业"},
	}
	differ := [][2]string{
		{"乡村振兴", "乡村振"},
		{"红色物业", "物业红色"},
		{"2023年", "2023"},
		{"县", "县城"},
		{"志愿服务", "志愿 服务"},
		{"6.3", "63"},
	}
	ctx := context.Background()
	for _, c := range same {
		if key(c[0], InText) != key(c[1], InText) {
			t.Errorf("%q and %q: keys %q and %q, want the same", c[0], c[1], key(c[0], InText), key(c[1], InText))
		}
		r0 := Request{Query: mustParse(t, `"`+c[0]+`"`), Size: 50, Facets: true}
		r1 := Request{Query: mustParse(t, `"`+c[1]+`"`), Size: 50, Facets: true}
		a, err := ix.Search(ctx, r0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ix.Search(ctx, r1)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total != b.Total || !reflect.DeepEqual(ids(a.Hits), ids(b.Hits)) || !reflect.DeepEqual(a.Facets, b.Facets) {
			t.Errorf("%q and %q share a key but find %d %v and %d %v", c[0], c[1], a.Total, ids(a.Hits), b.Total, ids(b.Hits))
		}
	}
	for _, c := range differ {
		if key(c[0], InText) == key(c[1], InText) {
			t.Errorf("%q and %q share the key %q", c[0], c[1], key(c[0], InText))
		}
	}
	if key("红色物业", InText) == key("红色物业", InHeadline) {
		t.Error("text and headline parts share a key")
	}
}
