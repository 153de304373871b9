package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// SchemaVersion is the version of the index layout and mapping this
// program writes and reads. Bump it whenever a field, an analyzer or the
// stored document changes: Open then refuses older indexes with a
// *SchemaError instead of answering wrongly.
const SchemaVersion = 9

// Field names of the Bleve documents.
const (
	fieldText       = "text"       // paragraph text, cjk bigrams, positions
	fieldText1      = "text1"      // paragraph text, one token per Han character
	fieldTopic      = "topic"      // topic sentence, cjk bigrams, positions
	fieldHeadline   = "headline"   // article headline, cjk bigrams, positions
	fieldCounty     = "county"     // keyword, doc values (facet)
	fieldYear       = "year"       // keyword "2021", doc values (facet)
	fieldYearNum    = "year_num"   // number, doc values (range filter, sort)
	fieldProgram    = "program"    // keyword, multi-valued, doc values (facet)
	fieldInitiative = "initiative" // keyword, multi-valued
	fieldReporter   = "reporter"   // keyword, multi-valued
	fieldKind       = "kind"       // keyword
	fieldArticleID  = "article_id" // keyword, doc values (stories, collapse)
	fieldSignature  = "signature"  // keyword: the article's story.Signature in hex, doc values
	fieldFile       = "file"       // keyword: source file, for updates
	fieldDate       = "date"       // keyword YYYY-MM-DD, doc values (sort)
	fieldDoc        = "doc"        // the corpus.Paragraph as JSON, zstd-compressed (stored.go), stored only
)

// Analyzer names. cjk is Bleve's: the unicode tokenizer, cjk_width,
// to_lower and cjk_bigram, so 红色物业 is indexed as 红色 色物 物业. A run
// of Han characters in a query analysed the same way and searched as a
// phrase matches exactly the texts that contain the run. unigramAnalyzer
// leaves out the bigram filter: the unicode tokenizer already emits every
// Han character as a token of its own, which is what a one-character query
// needs (in the bigram field a character inside a longer run exists only
// as part of pairs).
const (
	cjkAnalyzer     = cjk.AnalyzerName
	unigramAnalyzer = "cjk_unigram"
)

// Indexing options of each kind of field.
const (
	optPhrase  = index.IndexField | index.IncludeTermVectors // cjk fields: phrases need positions
	optTerms   = index.IndexField                            // text1: term queries only
	optKeyword = index.IndexField                            // exact-value filters
	optFacet   = index.IndexField | index.DocValues          // keyword facets and sorts
	optNumber  = index.IndexField | index.DocValues          // year_num: ranges and sorts
	optStored  = index.StoreField                            // doc: returned, never searched
)

// schema is the mapping and the analyzers resolved from it, shared by
// builders and open indexes. It is immutable once made.
type schema struct {
	mapping *mapping.IndexMappingImpl
	cjk     analysis.Analyzer // queries and dictionary lookups
	unigram analysis.Analyzer
	// indexCJK is cjk for indexing: cjk's tokens plus run-edge markers,
	// without byte offsets (see runEdges).
	indexCJK analysis.Analyzer
	stored   *storedCodec // the stored paragraph's encoding
	// refAnalysis makes documents analysed by Bleve's chains (indexCJK,
	// unigram) instead of indexAnalyzer, which produces the same tokens
	// in one pass (indexanalysis.go): for benchmarks that swap indexCJK,
	// and tests comparing the two.
	refAnalysis bool
}

// newSchema returns the index mapping: BM25 scoring, no dynamic fields and
// no _all field, every field declared with its analyzer and options. The
// builder makes documents directly (indexdoc.go) with the same options;
// the mapping is what Bleve stores with the index and what it uses when
// documents go through reflection (only the benchmark does that).
func newSchema() (*schema, error) {
	m := mapping.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	m.DefaultAnalyzer = cjkAnalyzer
	m.DefaultField = fieldText
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	if err := m.AddCustomAnalyzer(unigramAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}

	field := func(typ, analyzer, name string, opt index.FieldIndexingOptions) *mapping.FieldMapping {
		return &mapping.FieldMapping{
			Type:               typ,
			Name:               name,
			Analyzer:           analyzer,
			Index:              opt.IsIndexed(),
			Store:              opt.IsStored(),
			IncludeTermVectors: opt.IncludeTermVectors(),
			DocValues:          opt.IncludeDocValues(),
		}
	}
	dm := mapping.NewDocumentStaticMapping()
	// text feeds two fields: the bigram field and the unigram field.
	dm.AddFieldMappingsAt(fieldText,
		field("text", cjkAnalyzer, fieldText, optPhrase),
		field("text", unigramAnalyzer, fieldText1, optTerms))
	dm.AddFieldMappingsAt(fieldTopic, field("text", cjkAnalyzer, fieldTopic, optPhrase))
	dm.AddFieldMappingsAt(fieldHeadline, field("text", cjkAnalyzer, fieldHeadline, optPhrase))
	for _, f := range []string{fieldCounty, fieldYear, fieldProgram, fieldDate, fieldArticleID, fieldSignature} {
		dm.AddFieldMappingsAt(f, field("text", keyword.Name, f, optFacet))
	}
	for _, f := range []string{fieldInitiative, fieldReporter, fieldKind, fieldFile} {
		dm.AddFieldMappingsAt(f, field("text", keyword.Name, f, optKeyword))
	}
	dm.AddFieldMappingsAt(fieldYearNum, field("number", "", fieldYearNum, optNumber))
	dm.AddFieldMappingsAt(fieldDoc, field("text", keyword.Name, fieldDoc, optStored))
	m.DefaultMapping = dm

	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	s := &schema{mapping: m, cjk: m.AnalyzerNamed(cjkAnalyzer), unigram: m.AnalyzerNamed(unigramAnalyzer)}
	if s.cjk == nil || s.unigram == nil {
		return nil, fmt.Errorf("mapping: analyzers %q and %q not available", cjkAnalyzer, unigramAnalyzer)
	}
	s.indexCJK = runEdges{s.cjk}
	stored, err := newStoredCodec()
	if err != nil {
		return nil, err
	}
	s.stored = stored
	return s, nil
}
