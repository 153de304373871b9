package search

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

func TestZZMerge(t *testing.T) {
	dir := os.Getenv("ZZ_DIR")
	if dir == "" {
		t.Skip()
	}
	b, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before %d MB", dirSize(dir)>>20)
	start := time.Now()
	adv, _ := b.Advanced()
	if err := adv.(*scorch.Scorch).ForceMerge(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("merge %v", time.Since(start))
	out := dir + ".copy"
	if err := b.(bleve.IndexCopyable).CopyTo(bleve.FileSystemDirectory(out)); err != nil {
		t.Fatal(err)
	}
	t.Logf("merged copy %d MB after %v", dirSize(out)>>20, time.Since(start))
	b.Close()
}
