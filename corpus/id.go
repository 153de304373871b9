package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// articleID derives an article's ID from its content alone (the export's id
// if any, headline, subtitle and paragraph texts), so that the same input
// yields the same ID on every run and machine, and the ID changes only when
// the article's text does. Re-wrapping a page at another column width does
// not change it.
func articleID(externalID, headline, subtitle string, paragraphs []string) string {
	h := sha256.New()
	for _, s := range append([]string{externalID, headline, subtitle}, paragraphs...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// paragraphID is the article ID and the paragraph's position.
func paragraphID(articleID string, pos int) string {
	return fmt.Sprintf("%s-%02d", articleID, pos)
}
