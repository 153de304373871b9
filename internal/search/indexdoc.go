package search

import (
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"

	"countynews/corpus"
	"countynews/internal/story"
	"countynews/internal/text"
)

// document builds the Bleve document of a paragraph of input (the key
// RemoveFile deletes by) directly, field by
// field, instead of letting Bleve's mapping reflect over a struct (see
// BenchmarkDocument for the difference). The options and analyzers are the
// mapping's (mapping.go).
//
// Indexed text goes through text.Fold: widths are folded again (corpus
// already folds them, and FoldWidth returns its input unchanged when there
// is nothing to fold, but the CJK analyzer silently drops full-width digits,
// ２０２１年 → 年, so an unfolded text reaching it would lose words), and
// traditional characters are folded to simplified (紅色物業 is indexed as
// 红色物业), as query terms are. The stored paragraph stays as printed.
//
// sig is the article's story signature (0: none), stored with every
// paragraph so that the index can group stories when it is opened
// (stories.go). The paragraph's StoryID is never stored: it depends on
// the other articles of the index. The paragraph is stored compressed
// (stored.go).
func (s *schema) document(p corpus.Paragraph, input string, unigrams bool, sig story.Signature) (*document.Document, error) {
	if p.ID == "" {
		return nil, fmt.Errorf("paragraph without an ID (article %q, position %d)", p.ArticleID, p.Position)
	}
	p.StoryID = ""
	raw, err := s.stored.encode(p)
	if err != nil {
		return nil, err
	}
	d := document.NewDocument(p.ID)
	folded := []byte(text.Fold(p.Text))
	if s.refAnalysis {
		d.AddField(document.NewTextFieldCustom(fieldText, nil, folded, optPhrase, s.indexCJK))
		if unigrams {
			d.AddField(document.NewTextFieldCustom(fieldText1, nil, folded, optTerms, s.unigram))
		}
	} else {
		tf := s.cjkField(fieldText, folded, optPhrase, true)
		d.AddField(tf)
		if unigrams {
			// analysed with text, from the same tokens (indexanalysis.go)
			tf.uni = s.cjkField(fieldText1, folded, optTerms, false)
			tf.uni.sibling = true
			d.AddField(tf.uni)
		}
	}
	cjk := func(name, value string) {
		if s.refAnalysis {
			d.AddField(document.NewTextFieldCustom(name, nil, []byte(text.Fold(value)), optPhrase, s.indexCJK))
		} else {
			d.AddField(s.cjkField(name, []byte(text.Fold(value)), optPhrase, true))
		}
	}
	if p.Topic != "" {
		cjk(fieldTopic, p.Topic)
	}
	if p.Headline != "" && !p.HeadlineDerived { // a derived headline is the lead's own words, not a headline
		cjk(fieldHeadline, p.Headline)
	}
	keyword := func(name, value string, opt index.FieldIndexingOptions) {
		if value != "" {
			// A nil analyzer makes the whole value one token.
			d.AddField(document.NewTextFieldCustom(name, nil, []byte(value), opt, nil))
		}
	}
	keyword(fieldCounty, p.County, optFacet)
	if p.Year > 0 {
		keyword(fieldYear, strconv.Itoa(p.Year), optFacet)
		d.AddField(document.NewNumericFieldWithIndexingOptions(fieldYearNum, nil, float64(p.Year), optNumber))
	} else { // no year: faceted and filtered as UnknownYear, outside every year range
		keyword(fieldYear, strconv.Itoa(UnknownYear), optFacet)
	}
	keyword(fieldDate, string(p.Date), optFacet)
	for _, v := range p.Programs {
		keyword(fieldProgram, v, optFacet)
	}
	for _, v := range p.Initiatives {
		keyword(fieldInitiative, v, optKeyword)
	}
	for _, v := range p.Reporters {
		keyword(fieldReporter, v, optKeyword)
	}
	keyword(fieldKind, string(p.Kind), optKeyword)
	keyword(fieldArticleID, p.ArticleID, optFacet)
	if sig != 0 {
		keyword(fieldSignature, strconv.FormatUint(uint64(sig), 16), optFacet)
	}
	keyword(fieldFile, input, optKeyword)
	d.AddField(document.NewTextFieldWithIndexingOptions(fieldDoc, nil, raw, optStored))
	return d, nil
}

// cjkField is a CJK text field analysed by indexAnalyzer (bigrams: the
// cjk analyzer with run-edge markers, else cjk_unigram), with Bleve's
// chains for what it leaves to them.
func (s *schema) cjkField(name string, value []byte, opts index.FieldIndexingOptions, bigrams bool) *indexField {
	f := &indexField{name: name, opts: opts, value: value, bigrams: bigrams, ref: s.unigram, refUni: s.unigram}
	if bigrams {
		f.ref = s.indexCJK
	}
	return f
}
