package corpus

import (
	"embed"
	"io/fs"
)

//go:embed pages/*.txt
var defaultPages embed.FS

// DefaultPrefix names the files of the embedded default corpus.
const DefaultPrefix = "default/"

// DefaultPages returns the embedded default corpus, the sample page of the
// regional daily's county news, as a folder of page files. Reading files
// from disk and folders of inputs is package ingest's.
func DefaultPages() fs.FS {
	sub, err := fs.Sub(defaultPages, "pages")
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return sub
}
