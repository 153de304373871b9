// Package suite is countynews' benchmark suite: it measures our Bleve
// engine (internal/search, and searchd over HTTP) side by side with Lucene 8
// (bench/lucene) on the same corpus and the same query log, and writes the
// figures as a markdown table with the ratio ours/Lucene for each.
//
// The pieces, in the order Run uses them:
//
//   - Corpora (corpora.go): the real news-2023 export split into paragraphs
//     by the corpus JSONL reader, or N synthetic paragraphs from
//     corpus/synth. Both are written once to a cache folder as JSON lines
//     (for our builder) and as Lucene's paragraphs TSV.
//   - The query log (querylog.go): seeded 2-, 3- and 4-character Han
//     phrases from rare, medium and common document-frequency bands, ANDs,
//     NOTs and ORs, each with 0–3 facet filters; each entry is query text
//     in our language (parsed by package query) and the equivalent
//     lucene.Query.
//   - Children (child.go): every build and every in-process query run
//     happens in a child process, so that its peak RSS (rusage maxrss) is
//     its own and the engines never share a heap or a page cache warm-up
//     order they did not earn. The child is this program (or the test
//     binary) run again with the arguments of one job.
//   - HTTP (http.go): a built searchd binary serving the same index, loaded
//     by 1 and 8 concurrent clients.
//   - Run (suite.go) alternates the engines A B A B and Report (report.go)
//     renders the table, the targets of issue 6 and the hit-count check.
package suite
