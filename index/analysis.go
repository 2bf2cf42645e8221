package index

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// keepItisName is a token filter that shields words ending in "-itis"
// from the Porter stemmer, which would otherwise cut "esophagitis" and
// "diverticulitis" to the stems of "esophageal" and "diverticulum": an
// inflammation is not its organ.
const keepItisName = "cb_keep_itis"

type keepItis struct{}

func (keepItis) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if bytes.HasSuffix(t.Term, []byte("itis")) || bytes.HasSuffix(t.Term, []byte("itides")) {
			t.KeyWord = true
		}
	}
	return input
}

func init() {
	err := registry.RegisterTokenFilter(keepItisName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return keepItis{}, nil
	})
	if err != nil {
		panic(err)
	}
}
