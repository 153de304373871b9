// Package text holds the character-level rules for Chinese text that the
// corpus parsers, the query parser, the search index and the daemon must
// all apply the same way: width folding, what counts as a Han character,
// as Chinese punctuation and as whitespace, and the clean-up of running
// text and of short lines. It is a leaf: it imports no other package of
// the project.
//
// Every rule here maps one character to at most one character, or drops
// whitespace, so that positions in folded text can be mapped back to the
// printed text (highlighting marks the printed characters).
package text
