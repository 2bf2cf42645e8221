package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"codebench/codesets"
)

// withSmallIndex makes Build index a few thousand codes (the E chapter and
// the E HCPCS codes), so cache tests build in a moment.
func withSmallIndex(t *testing.T) {
	t.Helper()
	full := indexedCodes
	indexedCodes = func(set *codesets.Set) []*codesets.Code {
		var out []*codesets.Code
		for _, c := range full(set) {
			if c.Code[0] == 'E' || c.Code[0] == 'J' {
				out = append(out, c)
			}
		}
		return out
	}
	t.Cleanup(func() { indexedCodes = full })
}

func TestOpenOrBuildCachesAndReopens(t *testing.T) {
	withSmallIndex(t)
	set, _ := codesets.Embedded()
	root := t.TempDir()
	var calls, last, total int
	ix, err := OpenOrBuild(context.Background(), set, root, func(done, n int) {
		if done < last {
			t.Errorf("progress went back from %d to %d", last, done)
		}
		calls++
		last, total = done, n
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last != total || total == 0 {
		t.Errorf("progress: %d calls, last %d of %d", calls, last, total)
	}
	if res, err := ix.Search(context.Background(), "E11.9", Options{}); err != nil || len(res.Hits) != 1 {
		t.Errorf("search in the small index: %v %v", res.Hits, err)
	}
	st := ix.Stats()
	ix.Close()
	if st.Codes == 0 || st.Codes >= total || st.Bytes == 0 || st.Dir != CacheDir(set, root) {
		t.Errorf("stats %+v", st)
	}
	// The second open finds the cache and does not build.
	ix, err = OpenOrBuild(context.Background(), set, root, func(done, n int) { t.Error("rebuilt a cached index") })
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
}

func TestConcurrentOpenOrBuild(t *testing.T) {
	withSmallIndex(t)
	set, _ := codesets.Embedded()
	root := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ix, err := OpenOrBuild(context.Background(), set, root, nil)
			if err == nil {
				_, err = ix.Search(context.Background(), "diabetes", Options{})
				ix.Close()
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != filepath.Base(CacheDir(set, root)) {
		t.Errorf("cache holds %v, want only the index", names)
	}
}

func TestOpenRefusesAnotherLayout(t *testing.T) {
	withSmallIndex(t)
	set, _ := codesets.Embedded()
	root := t.TempDir()
	ix, err := OpenOrBuild(context.Background(), set, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	dir := CacheDir(set, root)
	metaPath := filepath.Join(dir, metaFile)
	data, _ := os.ReadFile(metaPath)
	var meta indexMeta
	json.Unmarshal(data, &meta)
	meta.MappingVersion = "0"
	data, _ = json.Marshal(meta)
	os.WriteFile(metaPath, data, 0o644)
	if _, err := Open(set, dir); err == nil || !strings.Contains(err.Error(), "mapping version") {
		t.Errorf("open of an old layout: %v", err)
	}
	// OpenOrBuild replaces it.
	ix, err = OpenOrBuild(context.Background(), set, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	// A directory that is no index at all.
	if _, err := Open(set, t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("open of an empty directory: %v", err)
	}
}

func TestBuildStopsWhenCancelled(t *testing.T) {
	withSmallIndex(t)
	set, _ := codesets.Embedded()
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	err := Rebuild(ctx, set, root, func(done, total int) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled build: %v", err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestBuildRefusesExistingDir(t *testing.T) {
	set, _ := codesets.Embedded()
	if err := Build(context.Background(), set, t.TempDir(), nil); err == nil {
		t.Error("built into an existing directory")
	}
}

func TestDefaultCacheRoot(t *testing.T) {
	t.Setenv("CODEBENCH_CACHE", "/tmp/somewhere")
	if d, err := DefaultCacheRoot(); err != nil || d != "/tmp/somewhere" {
		t.Errorf("with CODEBENCH_CACHE: %q %v", d, err)
	}
	t.Setenv("CODEBENCH_CACHE", "")
	if runtime.GOOS != "linux" {
		return
	}
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg")
	if d, err := DefaultCacheRoot(); err != nil || d != "/tmp/xdg/codebench" {
		t.Errorf("from the user cache directory: %q %v", d, err)
	}
}

func TestDataKeyFollowsCPTImport(t *testing.T) {
	set, _ := codesets.Embedded()
	full, err := testSet()
	if err != nil {
		t.Fatal(err)
	}
	if DataKey(set) == DataKey(full) {
		t.Error("a CPT import does not change the cache key")
	}
	if DataKey(set) != DataKey(set) {
		t.Error("key not stable")
	}
}

func TestStaleBuildsRemoved(t *testing.T) {
	withSmallIndex(t)
	set, _ := codesets.Embedded()
	root := t.TempDir()
	stale := filepath.Join(root, ".build-index-x-123")
	os.MkdirAll(stale, 0o755)
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, past, past); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(root, ".build-index-y-456")
	os.MkdirAll(fresh, 0o755)
	if err := Rebuild(context.Background(), set, root, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Error("stale build directory kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a build directory of a live build removed")
	}
}
