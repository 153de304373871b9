// Package search holds all of the project's Bleve code: the index mapping,
// building generations of an index folder, opening one, compiling queries
// of package query, facets, highlighting, documents and similar
// initiatives. Callers (the indexer, searchd) see paragraphs, requests and
// results only.
//
// # Index folder
//
// An index path is a folder of generations (layout.go):
//
//	PATH/current -> gen-N       symlink, swapped atomically
//	PATH/gen-N/bleve/           the Bleve scorch index, read-only once published
//	PATH/gen-N/inputs.json      the paragraph IDs each input holds (SetHolds),
//	                            for updates
//	PATH/gen-N/manifest.json    schema version, generation, build time,
//	                            source files (SHA-256, paragraph count), total,
//	                            size and SHA-256 of every other file of gen-N,
//	                            and its own checksum
//
// Open verifies a generation before serving it: every file its manifest
// lists must be there with its size and checksum, no other, and the
// manifest must match its own checksum; otherwise it fails with a
// *CorruptError naming the file ("bleve/store/000000000002.zap: checksum
// mismatch"), never with a misleading parse error from Bleve.
// OpenFallback serves the newest intact earlier generation instead (a
// build keeps the one it replaced). A panic inside Bleve while opening or
// searching is recovered into a *PanicError.
//
// A Builder writes generation N+1 in PATH/gen-N+1.tmp, publishes it by
// renaming it and swapping current, then removes all generations but the
// new one and the one it replaced (readers may still hold it). The previous
// generation is untouched until then, so a build killed at any moment
// leaves a servable index; the next build removes what it left, and any
// generation but the current one and the one before it. A full disk is
// reported as a *DiskFullError (errors.Is ErrNoSpace), checked before each
// batch, since scorch retries failed writes for minutes. A folder
// that is not of this layout is refused, never cleaned. One build at a time
// holds PATH/lock. Open refuses a generation written by another
// SchemaVersion with a *SchemaError.
//
// # Documents and fields
//
// Each paragraph is one document, built field by field (indexdoc.go)
// rather than by Bleve's reflection. The only stored field, doc, is the
// paragraph as JSON: hits, highlights, articles and Similar are all served
// from it. Counties, years (as the keyword "2021": keyword facets are
// cheaper than numeric ones) and programs are keyword fields with doc
// values for facets; year_num and date sort; file lets an update delete a
// file's paragraphs. Scoring is BM25.
//
// # Chinese text
//
// Chinese has no spaces between words, and a county paper's vocabulary
// (红色物业, 街呼县应) is not in any segmenter's dictionary, so the text is
// indexed as overlapping character bigrams with Bleve's cjk analyzer
// (红色物业 → 红色 色物 物业) and with positions. A run of Han characters in
// a query becomes the phrase of its bigrams, which matches exactly the
// paragraphs containing that run (TestPhraseExactness checks this on real
// text). Bleve's own query-string and match queries OR the bigrams
// instead, which finds paragraphs holding 红色 and 物业 far apart.
//
// Three consequences are handled here:
//
//   - A character inside a run exists only within bigrams, so a
//     one-character query (县) searches text1, a second copy of the text
//     indexed one character per token without positions (it costs about
//     a fifth of indexing throughput and 13% of index size: BenchmarkIndex
//     and BenchmarkBuilder, no-text1 variants). Schemas 6 and 7 went
//     without it, answering a lone character with the disjunction of the
//     bigrams that hold it: 14% smaller, but one-character queries 5-44x
//     slower and the natural questions' one-character words (人, 年) tripled
//     their p99 (BENCHMARKS.md), so schema 8 indexes text1 again.
//   - A term mixing scripts (2023年, 区7) ends in a lone character that the
//     text may hold inside a longer run (2023年度 is indexed 2023 年度). The
//     text fields therefore also index a marker of the edge character of
//     each run next to a number or word, and such a term compiles to a
//     phrase ending in the marker (analysis.go). Expanding 年 into every
//     bigram that starts with it, the alternative, made 2023年 take 100 ms.
//   - Full-width digits and letters (２０２１) are dropped by the analyzer;
//     corpus folds them before indexing, and documents, queries and
//     highlighting fold again (text.Fold, which also folds traditional
//     characters to simplified).
//
// Digits and Latin words are whole tokens: 5级 finds 第5级 but not 4.5级 or
// 15级. Punctuation is not indexed, so a quoted phrase with punctuation
// matches the same words under other punctuation; a phrase of Han
// characters never matches across punctuation, since the bigram spanning it
// does not exist.
//
// # Searching
//
// A query.Query compiles (compile.go) to a BooleanQuery: every positive
// clause must match (a clause of several terms is a disjunction), excluded
// terms must not, and optional phrase queries on the topic sentence and
// the headline add a little to the score. Every term of two or more
// characters is a phrase of bigrams, run by our own phrase searcher
// (phrase.go: Bleve's term searchers, positions merged from sorted
// slices; same hits and scores as Bleve's PhraseQuery, several times
// faster on common phrases).
//
// The text query of a search is run by the direct evaluator (direct.go)
// when it is of the shapes the compiler produces (term and phrase leaves
// under conjunctions, disjunctions with a minimum and boolean queries,
// with boosts): it reads the scorch segments' postings itself, term at a
// time, with no DocumentMatch per term per hit, phrases by a leapfrog
// over their terms' postings with the positions merged, optional and
// excluded clauses only within the required hits, and it scores exactly
// as Bleve's searchers do (TestDirectMatchesBleve). The decoded hits of
// common leaves are kept per generation (leafcache.go). Other queries go
// through Bleve's searchers, the reference.
//
// When an index is opened, a document table (table.go) is read: county,
// year, date, program bits and ID rank of every document number. A search
// (pass.go) runs the text query once, without filters, through the direct
// evaluator or Bleve's document-match handler hook, and in that one pass
// filters each hit,
// counts the three disjunctive facets (each with every filter but its
// own) and keeps the top hits (tophits.go), from array reads. Filters never change
// scores. A query without positive terms never asks Bleve for hits: they
// are the table's documents minus the excluded ones, newest first. On a
// big index, when a core is spare, a pass through Bleve's searchers is
// split over two halves of the document numbers run at once
// (rangeleaves.go). Every assumption
// about scorch's internals this needs (the document number layout, the
// collector hook, the concrete types, searchers' Advance, segments and
// postings) is in one
// adapter, scorch.go, checked by scorch_test.go. An index whose facets do
// not fit a table (Index.Table says why) is searched correctly but
// slower; searchd logs it and exports it in /metrics. The same request through Bleve's own
// collector, facets (one extra search per active filter) and sorts is
// kept (searchBleve) for an index whose facets do not fit a table, and as
// the reference the table path is tested against (TestTableMatchesBleve).
// A full build builds its cnzap segments itself, each batch's from the
// inverted index its analysis fills (cnzap.Inverted: no Bleve token
// frequency maps), and merges them into one (segbuild.go); an update goes
// through scorch's online index (build.go).
//
// # Stories and collapsing
//
// Syndicated copies of one story are grouped when a generation is opened
// (stories.go), not when it is built: every paragraph stores its
// article's SimHash signature (package story; Builder.AddArticle computes
// it), and Open reads the signatures from doc values and groups the
// articles whose signatures are within story.MaxDistance bits, naming
// each story by its smallest article ID. The grouping is thus a function
// of the set of articles in the generation, so an -update gives every
// paragraph the same story_id as a fresh build of the same inputs
// (TestStoriesGroupCopies); the stored paragraph never holds a story ID,
// it is filled in from the grouping when a paragraph is returned.
//
// Request.Collapse (collapse.go) returns the best paragraph of each
// article or story, with the count of the group's other matches and,
// for a story, its other copies. The table path groups in the same one
// pass (a map by article ordinal instead of the top-hits heap); the
// Bleve path groups Bleve's own sorted hits (collapseSorted), and
// TestTableMatchesBleve compares them. Totals and facets stay paragraph
// counts; Result.Groups counts the groups, which From and Size page.
//
// Highlighting (highlight.go) is our own: terms are found as substrings of
// the stored text, overlapping and touching occurrences become one
// <mark>, the fragment with the most distinct terms is chosen, and all
// else is HTML-escaped. Bleve's highlighter works from bigram locations
// and splits or truncates Chinese matches. Index.Marks (marks.go) gives the
// same spans for a whole text, so that a page showing a whole paragraph (the
// article view) marks exactly what a hit's highlight marks.
//
// Request.CacheKey (cachekey.go) holds every field of a request: a cache of
// answers keyed by it (searchd's front page) cannot answer one request with
// another's; a test fails when a field is added to Request and not to it.
//
// # Match modes
//
// Request.Match relaxes how terms must occur (match.go). MatchExact is the
// query language's semantics. MatchAll cuts each unquoted term into words
// (package words: gse plus the gazetteer's and taxonomy's names) and
// requires each word as an exact phrase; MatchAny ORs the words (stop words
// left out) with BM25 and a minimum-should-match of a third. MatchAuto
// runs exact, then the terms split at punctuation, then all (not for a
// sentence or question: a query holding a stop word), then any, until one
// finds something; every step is an ordinary compiled query, so
// the document-table pass, totals and facets work alike for all of them
// (TestTableMatchesBleve draws the modes too). Text and queries are folded
// traditional to simplified (text.Fold) before analysis. The relaxed modes
// score with the fields' true average lengths (bm25.go: Bleve's own
// estimate, dictionary size over documents, is 30 times too small for a
// bigram field), handed to Bleve's searchers in the context; exact
// matching keeps Bleve's statistics. MatchAny's first ten hits are then
// reordered by a second stage over their stored text (rerank.go: the
// question's coverage, its densest window, the headline, the story's
// size and the BM25 score, a linear model fitted on half the relevance
// questions); the rest, totals and facets are the first stage's.
//
// # Similar initiatives
//
// Similar (similar.go) is a "more like this" query: the paragraph's
// bigrams weighted by tf × idf from the index's document frequencies,
// stop-like and unshared ones dropped, the top 25 ORed with BM25 and
// boosted by weight, together with the paragraph's named initiatives (as
// phrases) and programs; the paragraph, its article and, by default, its
// county are excluded.
package search
