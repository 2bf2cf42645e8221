package index

import (
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion names the index layout. Bump it whenever the mapping, the
// analyzers or the indexed text change: the cache directory is keyed by it,
// so old indexes are rebuilt rather than misread.
const MappingVersion = "3"

// Field names of an indexed code.
const (
	fieldCode     = "code"     // canonical code, keyword
	fieldPrefix   = "prefix"   // every prefix of the canonical code
	fieldSystem   = "system"   // ICD-10-CM, HCPCS, CPT
	fieldBillable = "billable" // bool
	fieldModifier = "modifier" // bool: a HCPCS Level II modifier
	fieldDated    = "dated"    // bool: effective or terminated on some date
	fieldEff      = "eff"      // first date of service as YYYYMMDD (0: always); ICD-10-CM: of the first release that has the code
	fieldEnd      = "end"      // last date of service as YYYYMMDD (99991231: never); ICD-10-CM: of the last release that has it
	// ICD-10-CM codes of every loaded release share one document; these
	// name the releases ("FY2026", "FY2027") that have the code and those
	// where it is billable. Codes of other systems carry "any" (anyRelease)
	// in both when valid: their dates are in eff and end.
	fieldReleases   = "releases"    // keyword, one value per release
	fieldBillableIn = "billable_in" // keyword, one value per release
	fieldTitle      = "title"       // long title
	fieldText       = "text"        // title, short title, inclusion terms, "includes" notes, index entries
	fieldWords      = "words"       // edge n-grams of every word of text, for as-you-type
)

// Analyzer names registered in the mapping.
const (
	analyzerText   = "cb_text"   // words: lower case, clinical stop words, Porter stems
	analyzerWords  = "cb_words"  // edge n-grams of lower-case words (index side only)
	analyzerPrefix = "cb_prefix" // edge n-grams of the whole code
)

// Edge n-gram bounds of the as-you-type field: one letter lists too much to
// be useful, and a typed prefix longer than maxGram is cut to maxGram.
const (
	minGram = 3
	maxGram = 10
)

// stopWords are dropped from titles and queries. The English list is not
// used: it drops "without", "no", "not", "other", "both", "below", "after"
// and "during", which tell ICD-10-CM codes apart.
var stopWords = []string{
	"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by",
	"from", "with", "into", "as", "is", "are", "was", "were", "be", "been",
	"its", "it", "this", "that", "these", "those", "than", "such", "which",
	"who", "whom", "per", "via", "any", "each", "s", "due",
}

// newMapping builds the index mapping. Only indexed fields, no stored ones:
// a hit's ID names the code, and the code sets are in memory.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := mapping.NewIndexMapping()
	tokens := make([]interface{}, len(stopWords))
	for i, w := range stopWords {
		tokens[i] = w
	}
	if err := m.AddCustomTokenMap("cb_stop_words", map[string]interface{}{
		"type": tokenmap.Name, "tokens": tokens,
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("cb_stop", map[string]interface{}{
		"type": stop.Name, "stop_token_map": "cb_stop_words",
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("cb_word_grams", map[string]interface{}{
		"type": edgengram.Name, "min": float64(minGram), "max": float64(maxGram),
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("cb_code_grams", map[string]interface{}{
		"type": edgengram.Name, "min": 1.0, "max": 7.0,
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerText, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{en.PossessiveName, lowercase.Name, "cb_stop", keepItisName, porter.Name},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerWords, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{en.PossessiveName, lowercase.Name, "cb_word_grams"},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerPrefix, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []interface{}{"cb_code_grams"},
	}); err != nil {
		return nil, err
	}

	keywordField := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	textField := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	boolField := func() *mapping.FieldMapping {
		f := mapping.NewBooleanFieldMapping()
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		return f
	}
	numField := func() *mapping.FieldMapping {
		f := mapping.NewNumericFieldMapping()
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		return f
	}

	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldCode, keywordField())
	prefix := textField(analyzerPrefix)
	prefix.SkipFreqNorm = true
	doc.AddFieldMappingsAt(fieldPrefix, prefix)
	doc.AddFieldMappingsAt(fieldSystem, keywordField())
	doc.AddFieldMappingsAt(fieldBillable, boolField())
	doc.AddFieldMappingsAt(fieldModifier, boolField())
	doc.AddFieldMappingsAt(fieldDated, boolField())
	doc.AddFieldMappingsAt(fieldEff, numField())
	doc.AddFieldMappingsAt(fieldEnd, numField())
	doc.AddFieldMappingsAt(fieldReleases, keywordField())
	doc.AddFieldMappingsAt(fieldBillableIn, keywordField())
	// Codes that have every word of a query are taken from Bleve unscored,
	// in index order, which Build makes shortest title first; scores only
	// rank codes that have some of the words. The fine ranking is done in
	// Go (rank.go).
	doc.AddFieldMappingsAt(fieldTitle, textField(analyzerText))
	doc.AddFieldMappingsAt(fieldText, textField(analyzerText))
	doc.AddFieldMappingsAt(fieldWords, textField(analyzerWords))

	// No composite "_all" field: queries name their fields.
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerText
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}
