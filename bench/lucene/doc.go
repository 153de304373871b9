// Package lucene drives the Lucene side of countynews' benchmarks: the anchor
// our Bleve engine is measured against.
//
// The Lucene work happens in Bench.java (embedded in this package), a
// single-file Java program compiled with plain javac against Debian's
// liblucene8-java jars; Go writes its inputs as TSV, runs it with
// exec.CommandContext and parses the one JSON line it prints.
//
//	h, err := lucene.Compile(ctx, workDir)           // javac, once
//	err = lucene.WriteParagraphs(f, paragraphs)      // paragraphs TSV
//	err = lucene.WriteQueries(f, queries)            // query log TSV
//	is, err := h.Index(ctx, tsv, indexDir, lucene.IndexOptions{Threads: 2})
//	qs, hits, err := h.Query(ctx, indexDir, log, lucene.QueryOptions{Clients: 8, Rounds: 3})
//
// Query semantics mirror our engine's query language: a phrase matches a
// paragraph whose text contains it. Lucene gets there with CJK bigrams (a
// PhraseQuery over the bigrams of the phrase) plus a second, unigram field for
// phrases holding a lone Han character, which bigrams cannot find inside a
// longer run. See README.md for the formats and for where Lucene's analysis
// and plain substring containment still differ (Latin and digit runs match
// whole tokens only; punctuation is dropped).
//
// The package imports no other countynews package, so it builds while the
// rest of the suite is being written.
package lucene
