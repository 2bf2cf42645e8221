package index

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"codebench/codesets"
)

// Index is an opened, read-only search index over a code set. It is safe
// for concurrent use: one Index serves every session of a server.
type Index struct {
	set  *codesets.Set
	bi   bleve.Index
	dir  string
	meta indexMeta

	text  analysis.Analyzer // the titles' analyzer, for queries and ranking
	abbr  abbreviations
	stems map[string][]string // analysed expansions, by expansion text

	docsOnce sync.Once
	docs     *docTable // internal document ID -> code and validity
	docsErr  error

	idsOnce sync.Once
	ids     map[byte]map[string]*codesets.Code // document ID's system letter -> code -> code

	familiesOnce sync.Once
	families     []*codesets.Code // every indexed code sorted by canonical code

	releasesOnce sync.Once
	releaseSet   *releaseSet // which releases have each ICD-10-CM code

	analysed sync.Map // *codesets.Code -> *codeWords, filled as codes are ranked
	dfs      sync.Map // field + "\x00" + term -> document frequency (uint64)
	memo     memo     // spelling corrections and completions, by word
	strings  interned // the words of analysed texts, shared

	primed chan struct{} // closed when prime has run

	markerOnce sync.Once
	markerSet  map[string]bool
	negStems   map[string]bool

	bodyIndex
	vocabHolder
	sideStems [4][]string // analysed side words, by side
}

// Open opens the index built into dir for set, read-only. Many processes
// may open the same directory at once.
func Open(set *codesets.Set, dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	var meta indexMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("index %s: %s: %w", dir, metaFile, err)
	}
	if meta.MappingVersion != MappingVersion {
		return nil, fmt.Errorf("index %s was built with mapping version %s, want %s: run codebench index build", dir, meta.MappingVersion, MappingVersion)
	}
	if key := DataKey(set); meta.DataKey != key {
		return nil, fmt.Errorf("index %s was built from other data (key %s, want %s): run codebench index build", dir, meta.DataKey, key)
	}
	bi, err := bleve.OpenUsing(dir, map[string]interface{}{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	ix, err := newIndex(set, bi)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	ix.dir, ix.meta = dir, meta
	// The code lookups the first searches need are built in the background,
	// so opening stays a matter of milliseconds and the first keystroke
	// does not wait for them.
	ix.primed = make(chan struct{})
	go ix.prime()
	return ix, nil
}

// Warm analyses every code for ranking, which queries otherwise do for the
// codes they meet first: about two seconds of one core and 100 MB, after
// which no query pays for it. A server shared by many coders calls it in the
// background after Open; a one-off search does not need it.
func (ix *Index) Warm(ctx context.Context) error {
	for i, c := range indexedCodes(ix.set) {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ix.wordsOf(c)
	}
	return nil
}

// reader is a reader of the index's current snapshot; the caller closes it.
func (ix *Index) reader() (bindex.IndexReader, error) {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// prime builds the lazily made lookups: document IDs to codes, codes in
// code order, the concepts' markers.
func (ix *Index) prime() {
	defer close(ix.primed)
	ix.codeOf("")
	if r, err := ix.reader(); err == nil {
		ix.docTable(r)
		r.Close()
	}
	ix.sortedCodes()
	ix.markers()
	ix.bodyWords()
	ix.vocab()
}

func newIndex(set *codesets.Set, bi bleve.Index) (*Index, error) {
	m, ok := bi.Mapping().(*mapping.IndexMappingImpl)
	if !ok {
		return nil, fmt.Errorf("unexpected mapping type %T", bi.Mapping())
	}
	text := m.AnalyzerNamed(analyzerText)
	if text == nil {
		return nil, fmt.Errorf("mapping has no analyzer %s", analyzerText)
	}
	abbr, err := parseTermLists(termLists)
	if err != nil {
		return nil, err
	}
	ix := &Index{set: set, bi: bi, text: text, abbr: abbr, stems: map[string][]string{}}
	for s := sideRight; s <= sideBoth; s++ {
		ix.sideStems[s] = ix.analyse(sideStem[s])
	}
	for _, list := range abbr {
		for _, a := range list {
			for _, e := range a.expansions {
				ix.stems[e] = ix.analyse(e)
			}
		}
	}
	return ix, nil
}

// Close releases the index files, once the lookups Open started building
// are done (they read the index).
func (ix *Index) Close() error {
	if ix.primed != nil {
		<-ix.primed
	}
	return ix.bi.Close()
}

// Dir is the directory the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Set is the code set the index searches.
func (ix *Index) Set() *codesets.Set { return ix.set }

// Stats describes the opened index.
type Stats struct {
	Dir          string
	Codes        int
	Bytes        int64 // size of the index files
	BuildSeconds float64
}

// Stats reports the index's size and how long it took to build.
func (ix *Index) Stats() Stats {
	var size int64
	filepath.WalkDir(ix.dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return Stats{Dir: ix.dir, Codes: ix.meta.Codes, Bytes: size, BuildSeconds: ix.meta.BuildSeconds}
}

// analyse runs the titles' analyzer over text: lower-case stems without
// stop words, as the index holds them.
func (ix *Index) analyse(text string) []string {
	ts := ix.text.Analyze([]byte(text))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

// memo remembers word lists worked out from the (read-only) index:
// spelling corrections and completions, which are dear to compute and
// asked for again at every keystroke. It forgets everything when full.
type memo struct {
	mu sync.Mutex
	m  map[string][]string
}

const memoSize = 20000

func (m *memo) get(key string, compute func() ([]string, error)) ([]string, error) {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.m == nil || len(m.m) >= memoSize {
		m.m = make(map[string][]string)
	}
	m.m[key] = v
	m.mu.Unlock()
	return v, nil
}
