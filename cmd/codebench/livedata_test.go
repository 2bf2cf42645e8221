package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/log/v2"

	"codebench/codesets"
	"codebench/codesets/dataimport"
	"codebench/index"
	"codebench/tui"
)

// fakeSearcher stands in for an index built for one set.
type fakeSearcher struct{ set *codesets.Set }

func (f fakeSearcher) Search(context.Context, string, index.Options) (index.Result, error) {
	return index.Result{}, nil
}

// serve's live data: an import on disk is loaded, indexed and switched to;
// nothing happens while the data directory is unchanged; a data directory
// that does not load keeps the current data.
func TestLiveDataSwitchesAfterAnImport(t *testing.T) {
	dir := t.TempDir()
	set, err := codesets.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	l := newLiveData(dir, set, fakeSearcher{set}, t.TempDir(), log.New(&logs), func(s *codesets.Set) *claimChecks { return newClaimChecks(s, nil, nil, nil) })
	builds := 0
	l.open = func(_ context.Context, s *codesets.Set, progress func(done, total int)) (tui.Searcher, error) {
		builds++
		progress(10, 10)
		return fakeSearcher{s}, nil
	}
	var told []*codesets.Set // what a node sharing a PostgreSQL store tells its peers
	l.switched = func(s *codesets.Set) { told = append(told, s) }
	if ok, err := l.reload(t.Context()); ok || err != nil || builds != 0 {
		t.Fatalf("unchanged data reloaded: %v %v", ok, err)
	}
	hcpcs := filepath.Join("..", "..", "codesets", "dataimport", "testdata", "HCPC2026_JAN_ANWEB_excerpt.txt")
	if _, err := dataimport.Import(dir, set, []string{hcpcs}, dataimport.Options{}); err != nil {
		t.Fatal(err)
	}
	ok, err := l.reload(t.Context())
	snap := l.cur.Load()
	if !ok || err != nil || builds != 1 || snap.set.HCPCSRelease().Name != "2026 January" || snap.ix.(fakeSearcher).set != snap.set || snap.checks.set != snap.set {
		t.Fatalf("after the import: switched %v, %v, builds %d, HCPCS %s", ok, err, builds, snap.set.HCPCSRelease().Name)
	}
	if len(told) != 1 || told[0] != snap.set {
		t.Fatalf("switch not told: %d", len(told))
	}
	if !strings.Contains(logs.String(), "switched to the new code sets") || !strings.Contains(logs.String(), "building the search index") {
		t.Errorf("log:\n%s", logs.String())
	}
	// A damaged manifest: logged, the current data kept.
	if err := os.WriteFile(codesets.ManifestPath(dir), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := l.reload(t.Context()); ok || err == nil || l.cur.Load() != snap {
		t.Errorf("broken data: switched %v, %v", ok, err)
	}
	if !strings.Contains(logs.String(), "keeping the current ones") {
		t.Errorf("log:\n%s", logs.String())
	}
	// A build that fails keeps the current data too.
	os.Remove(codesets.ManifestPath(dir))
	l.open = func(context.Context, *codesets.Set, func(int, int)) (tui.Searcher, error) {
		return nil, errors.New("disk full")
	}
	if ok, err := l.reload(t.Context()); ok || err == nil || l.cur.Load() != snap {
		t.Errorf("failed build: switched %v, %v", ok, err)
	}
}
