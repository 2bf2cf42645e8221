package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/index"
)

// parseInterspersed parses flags placed before, between or after the
// positional arguments ("search 'chf' --json"), returning the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isTerminal tells whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressPrinter reports an index build: a redrawn bar on a terminal,
// otherwise a plain line every tenth.
func progressPrinter(w io.Writer) func(done, total int) {
	tty := isTerminal(w)
	start := time.Now()
	lastTenth := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		pct := done * 100 / total
		if tty {
			const width = 40
			fill := done * width / total
			fmt.Fprintf(w, "\rbuilding search index [%s%s] %3d%% %d/%d codes", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pct, done, total)
			if done == total {
				fmt.Fprintf(w, " in %.1fs\n", time.Since(start).Seconds())
			}
			return
		}
		if tenth := pct / 10; tenth != lastTenth || done == total {
			lastTenth = tenth
			fmt.Fprintf(w, "building search index: %d%% (%d/%d codes, %.1fs)\n", pct, done, total, time.Since(start).Seconds())
		}
	}
}

// openIndex opens the cached index of the user's code sets, building it
// on first use with progress on stderr.
func openIndex(ctx context.Context, e *env) (*index.Index, *codesets.Set, error) {
	set, err := openCodesets()
	if err != nil {
		return nil, nil, err
	}
	root, err := index.DefaultCacheRoot()
	if err != nil {
		return nil, nil, err
	}
	ix, err := index.OpenOrBuild(ctx, set, root, progressPrinter(e.stderr))
	if err != nil {
		return nil, nil, err
	}
	return ix, set, nil
}

func runIndex(ctx context.Context, e *env, args []string) int {
	if len(args) != 1 || args[0] != "build" {
		return e.errorf("usage: codebench index build")
	}
	set, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	root, err := index.DefaultCacheRoot()
	if err != nil {
		return e.errorf("%v", err)
	}
	start := time.Now()
	if err := index.Rebuild(ctx, set, root, progressPrinter(e.stderr)); err != nil {
		return e.errorf("index build: %v", err)
	}
	took := time.Since(start)
	ix, err := index.Open(set, index.CacheDir(set, root))
	if err != nil {
		return e.errorf("index build: %v", err)
	}
	defer ix.Close()
	st := ix.Stats()
	fmt.Fprintf(e.stdout, "indexed %d codes in %.1fs into %s (%.1f MB, mapping version %s)\n",
		st.Codes, took.Seconds(), st.Dir, float64(st.Bytes)/(1<<20), index.MappingVersion)
	return 0
}
