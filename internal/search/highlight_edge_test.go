package search

import (
	"strings"
	"testing"
)

// TestHighlightWindowAfterAMark checks the fragment that starts right
// where a mark ends (the window chosen starts at the sentence after the
// first occurrence of a term ending in 。): that occurrence is outside the
// fragment and leaves no empty <mark></mark> at its start.
func TestHighlightWindowAfterAMark(t *testing.T) {
	text := "甲乙。文文丁戊" + strings.Repeat("文", 13) + "甲乙。" + strings.Repeat("文", 10)
	got := highlight(text, []string{"甲乙。", "丁戊"}, 20)
	want := "…文文<mark>丁戊</mark>" + strings.Repeat("文", 13) + "<mark>甲乙。</mark>…"
	if got != want {
		t.Errorf("highlight:\n got %s\nwant %s", got, want)
	}
}
