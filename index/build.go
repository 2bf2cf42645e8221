package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"codebench/codesets"
)

// Scorch's offline builder writes one segment per builderBatch codes and
// merges them into a single segment at the end: no background persister or
// merger to wait for, and the result opens and searches fast.
const (
	builderBatch  = 5000
	progressEvery = 1000
)

// metaFile, written next to the Bleve files, records what the index was
// built from so Open can refuse an index of another layout.
const metaFile = "codebench-index.json"

type indexMeta struct {
	MappingVersion string    `json:"mapping_version"`
	DataKey        string    `json:"data_key"`
	Codes          int       `json:"codes"`
	Built          time.Time `json:"built"`
	BuildSeconds   float64   `json:"build_seconds"`
}

// Build indexes every code of set into dir, which must not exist yet.
// progress, when not nil, is called from the calling goroutine with the
// number of codes indexed so far and the total; the last call, (total,
// total), comes once the index is complete.
func Build(ctx context.Context, set *codesets.Set, dir string, progress func(done, total int)) error {
	start := time.Now()
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("index build: %s already exists", dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	m, err := newMapping()
	if err != nil {
		return fmt.Errorf("index mapping: %w", err)
	}
	// Segments are built next to the index so the final rename stays on
	// one file system.
	scratch, err := os.MkdirTemp(parent, ".segments-*")
	if err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	defer os.RemoveAll(scratch)
	// All segments are merged in one pass (mergeMax): merging in rounds
	// would reorder the documents, and their order is the static rank.
	b, err := bleve.NewBuilder(dir, m, map[string]interface{}{
		"batchSize":       builderBatch,
		"mergeMax":        1 << 20,
		"buildPathPrefix": scratch,
	})
	if err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	fail := func(err error) error {
		b.Close()
		os.RemoveAll(dir)
		return err
	}
	codes := staticOrder(m.AnalyzerNamed(analyzerText), indexedCodes(set))
	rs := newReleaseSet(set)
	// The final merge of the segments takes about a fifth of the build: it
	// is the last stretch of the progress, reported when done.
	total := len(codes) + len(codes)/5
	for i, c := range codes {
		if i%progressEvery == 0 {
			if progress != nil {
				progress(i, total)
			}
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
		}
		if err := b.Index(docID(c), document(c, rs)); err != nil {
			return fail(fmt.Errorf("index %s %s: %w", c.System, c.Code, err))
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if progress != nil {
		progress(len(codes), total)
	}
	if err := b.Close(); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("index build: %w", err)
	}
	meta := indexMeta{MappingVersion: MappingVersion, DataKey: DataKey(set), Codes: len(codes),
		Built: time.Now().UTC(), BuildSeconds: time.Since(start).Seconds()}
	data, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, metaFile), data, 0o644); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("index build: %w", err)
	}
	if progress != nil {
		progress(total, total)
	}
	return nil
}

// staticOrder sorts codes the way Bleve should return codes that match a
// query equally: shortest title first (see coreLength), ICD-10-CM before
// HCPCS before CPT, then by code.
func staticOrder(an analysis.Analyzer, codes []*codesets.Code) []*codesets.Code {
	markers := markerSet(an)
	core := make(map[*codesets.Code]int, len(codes))
	for _, c := range codes {
		core[c] = coreLength(an, markers, c)
	}
	out := append([]*codesets.Code(nil), codes...)
	rank := map[codesets.System]int{codesets.ICD10CM: 0, codesets.HCPCS: 1, codesets.CPT: 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if core[a] != core[b] {
			return core[a] < core[b]
		}
		if rank[a.System] != rank[b.System] {
			return rank[a.System] < rank[b.System]
		}
		return a.Code < b.Code
	})
	return out
}

// DataKey identifies the indexed data and layout: the embedded sources, the
// CPT import and the mapping version. Indexes are cached under it.
func DataKey(set *codesets.Set) string {
	h := sha256.New()
	fmt.Fprintf(h, "mapping %s\n", MappingVersion)
	for _, s := range set.Sources {
		fmt.Fprintf(h, "source %s %s\n", s.Name, s.SHA256)
	}
	fmt.Fprintf(h, "cpt %s\n", set.CPTSource)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// DefaultCacheRoot is where indexes are cached: $CODEBENCH_CACHE, else
// the user cache directory's codebench folder (~/.cache/codebench).
func DefaultCacheRoot() (string, error) {
	if d := os.Getenv("CODEBENCH_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: set CODEBENCH_CACHE (%w)", err)
	}
	return filepath.Join(d, "codebench"), nil
}

// CacheDir is the directory of the index of set under cacheRoot.
func CacheDir(set *codesets.Set, cacheRoot string) string {
	return filepath.Join(cacheRoot, "index-"+DataKey(set))
}

// OpenOrBuild opens the cached index of set under cacheRoot, building it
// first when it is missing. Several processes may start at once: each
// builds into a directory of its own and renames it into place; the first
// rename wins and the others open the winner's index.
func OpenOrBuild(ctx context.Context, set *codesets.Set, cacheRoot string, progress func(done, total int)) (*Index, error) {
	dir := CacheDir(set, cacheRoot)
	if ix, err := Open(set, dir); err == nil {
		return ix, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		// A damaged or foreign index: build a fresh one beside it.
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
	}
	if err := Rebuild(ctx, set, cacheRoot, progress); err != nil {
		return nil, err
	}
	return Open(set, dir)
}

// Rebuild builds the index of set and puts it in place under cacheRoot,
// replacing any index already there (other processes that have the old one
// open keep reading it until they close it). It also removes scratch
// directories left by builds that were interrupted.
func Rebuild(ctx context.Context, set *codesets.Set, cacheRoot string, progress func(done, total int)) error {
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return fmt.Errorf("index cache: %w", err)
	}
	removeStaleBuilds(cacheRoot)
	dir := CacheDir(set, cacheRoot)
	tmp, err := os.MkdirTemp(cacheRoot, ".build-"+filepath.Base(dir)+"-*")
	if err != nil {
		return fmt.Errorf("index cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "index")
	if err := Build(ctx, set, built, progress); err != nil {
		return err
	}
	// Move an existing index aside first: rename cannot replace a
	// non-empty directory.
	if _, err := os.Stat(dir); err == nil {
		old := filepath.Join(tmp, "old")
		if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index cache: %w", err)
		}
	}
	if err := os.Rename(built, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, metaFile)); statErr == nil {
			return nil // another process put the same index in place first
		}
		return fmt.Errorf("index cache: %w", err)
	}
	return nil
}

// removeStaleBuilds deletes scratch directories of builds that died more
// than an hour ago (a live build finishes in well under a minute).
func removeStaleBuilds(cacheRoot string) {
	entries, err := os.ReadDir(cacheRoot)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !(strings.HasPrefix(e.Name(), ".build-") || strings.HasPrefix(e.Name(), ".segments-")) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.RemoveAll(filepath.Join(cacheRoot, e.Name()))
		}
	}
}
