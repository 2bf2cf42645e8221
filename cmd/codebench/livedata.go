package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"

	"codebench/codesets"
	"codebench/index"
	"codebench/tui"
)

// liveData is the code sets and search index `serve` gives its sessions.
// A watcher loads the data directory again when its imports change
// (`codebench data import` or `data remove` on this host): it builds the
// new search index in the background, logging its progress, and only then
// switches. Sessions take the new data when they open their next
// encounter (tui.Options.Current); an encounter already open keeps its
// release to the end.
type liveData struct {
	cur    atomic.Pointer[dataSnapshot]
	dir    string
	logger *log.Logger
	// load and open are codesets.Open and index.OpenOrBuild (tests
	// replace open, which builds a full index).
	load func(dir string) (*codesets.Set, error)
	open func(ctx context.Context, set *codesets.Set, progress func(done, total int)) (tui.Searcher, error)
	// checks makes the claim checks (payer tables, same-day encounters)
	// of a set.
	checks func(*codesets.Set) *claimChecks

	mu    sync.Mutex // one reload at a time
	stamp string     // the state of the files last loaded
	// switched, if set, hears of each switch (a node sharing a
	// PostgreSQL store tells its peers its new data key).
	switched func(*codesets.Set)
}

// dataSnapshot is one loaded state of the data directory.
type dataSnapshot struct {
	set    *codesets.Set
	ix     tui.Searcher
	checks *claimChecks
}

func newLiveData(dir string, set *codesets.Set, ix tui.Searcher, cacheRoot string, logger *log.Logger, checks func(*codesets.Set) *claimChecks) *liveData {
	l := &liveData{dir: dir, logger: logger, load: codesets.Open, checks: checks, stamp: dataStamp(dir)}
	l.open = func(ctx context.Context, set *codesets.Set, progress func(done, total int)) (tui.Searcher, error) {
		ix, err := index.OpenOrBuild(ctx, set, cacheRoot, progress)
		if err != nil {
			return nil, err
		}
		// Superseded indexes stay open: sessions keep searching theirs
		// until they open their next encounter.
		go ix.Warm(ctx)
		return ix, nil
	}
	l.cur.Store(&dataSnapshot{set: set, ix: ix, checks: checks(set)})
	return l
}

// dataStamp is the state of the files that decide the code sets: the
// imports' manifest and the CPT import (size and modification time).
func dataStamp(dir string) string {
	var b strings.Builder
	for _, p := range []string{codesets.ManifestPath(dir), filepath.Join(dir, "cpt.tsv")} {
		if st, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%s %d %d;", p, st.Size(), st.ModTime().UnixNano())
		}
	}
	return b.String()
}

// reload loads the data directory again when it changed since the last
// load, and switches once the new index is ready. A data directory that
// does not load is logged and the current data kept.
func (l *liveData) reload(ctx context.Context) (switched bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stamp := dataStamp(l.dir)
	if stamp == l.stamp {
		return false, nil
	}
	l.logger.Info("the data directory's imports changed: loading", "dir", l.dir)
	set, err := l.load(l.dir)
	if err != nil {
		l.stamp = stamp // do not retry a broken state every tick; the next change is seen
		l.logger.Error("new code sets do not load; keeping the current ones", "err", err)
		return false, err
	}
	start := time.Now()
	ix, err := l.open(ctx, set, func(done, total int) {
		if total > 0 && (done == total || done%(max(total/10, 1)) < 1000) {
			l.logger.Info("building the search index for the new code sets", "done", done, "total", total, "pct", done*100/total)
		}
	})
	if err != nil {
		l.logger.Error("the search index of the new code sets failed; keeping the current ones", "err", err)
		return false, err
	}
	l.cur.Store(&dataSnapshot{set: set, ix: ix, checks: l.checks(set)})
	l.stamp = stamp
	if l.switched != nil {
		l.switched(set)
	}
	var rels []string
	for _, r := range set.Releases() {
		rels = append(rels, r.Name)
	}
	l.logger.Info("switched to the new code sets: sessions take them at their next encounter",
		"icd10cm", strings.Join(rels, ", "), "index_took", time.Since(start).Round(time.Millisecond))
	for _, w := range set.Stale(time.Now()) {
		l.logger.Warn(w)
	}
	return true, nil
}

// watch reloads every interval until ctx ends.
func (l *liveData) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.reload(ctx)
		}
	}
}

// staleNotice is the first out-of-date warning, for a session's status
// line, with a count of the others.
func staleNotice(set *codesets.Set, now time.Time) string {
	w := set.Stale(now)
	switch len(w) {
	case 0:
		return ""
	case 1:
		return "data: " + w[0]
	}
	return fmt.Sprintf("data: %s (and %d more: codebench data status)", w[0], len(w)-1)
}
