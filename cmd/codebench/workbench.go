package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"

	"codebench/codesets"
	"codebench/encounter/demo"
	"codebench/encounter/exporter"
	"codebench/encounter/phifile"
	"codebench/encounter/store"
	"codebench/encounter/store/sqlite"
	"codebench/index"
	"codebench/tui"
	"codebench/tui/prefs"
)

// workbenchConfig is where the local workbench keeps its data.
type workbenchConfig struct {
	storePath, queueSpec, prefsDir, cacheRoot, coder, logPath, dataDir string
	demo                                                               bool
	timings                                                            bool
	format                                                             formatFlags
	editSets                                                           editSetsFlag
}

// The workbench without --store works on a demo store of its own, so the
// demo encounters never mix with a real inbox imported into the default
// store (codebench import).
const demoDir = "demo"

func workbenchFlags(e *env, args []string) (workbenchConfig, int) {
	var c workbenchConfig
	fs := flag.NewFlagSet("codebench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.storePath, "store", "", "work store (SQLite file), as for codebench import/export; default: the demo store, seeded with the demo inbox")
	fs.StringVar(&c.queueSpec, "queue", "", "billing queue: a directory, dir:PATH or nats://host:4222 (default: with --store, $CODEBENCH_QUEUE or billing-queue in the data directory; else the demo queue)")
	fs.StringVar(&c.coder, "coder", "", "coder id recorded on leases, drafts and overrides (default: the login name)")
	fs.StringVar(&c.cacheRoot, "cache", "", "search index cache directory (default: $CODEBENCH_CACHE or the user cache directory)")
	fs.StringVar(&c.logPath, "log", "", "log file (default: codebench.log next to the store)")
	fs.BoolVar(&c.timings, "timings", false, "print start-up timings to stderr on exit")
	c.format.register(fs)
	c.editSets.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: codebench [--store PATH] [--queue SPEC] [--format fhir|837p] [--x12-envelope PATH] [--edit-sets SPEC] [--coder ID] [--cache DIR] [--log FILE] [--timings]")
		fmt.Fprintln(e.stderr, "\nOpens the coding workbench; without --store, on the demo inbox. Press ? in it for every key.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parseNoArgs(fs, args); code >= 0 {
		return c, code
	}
	if err := checkQueueNoSecret(c.queueSpec); err != nil { // from the command line
		return c, e.errorf("%v", err)
	}
	data, err := codesets.DataDir()
	if err != nil {
		return c, e.errorf("%v", err)
	}
	c.demo = c.storePath == ""
	if err := workPaths(data, c.demo, &c.storePath, &c.queueSpec, &c.cacheRoot); err != nil {
		return c, e.errorf("%v", err)
	}
	if c.logPath == "" {
		c.logPath = filepath.Join(filepath.Dir(c.storePath), "codebench.log")
	}
	c.dataDir, c.prefsDir = data, filepath.Join(data, "prefs")
	if c.coder == "" {
		c.coder = defaultCoder()
	}
	if err := checkCoderID(c.coder); err != nil {
		return c, e.errorf("%v", err)
	}
	return c, -1
}

// parseNoArgs parses flags of a command that takes no arguments: -1 to go
// on, else the exit code (0 after -h, 2 on a bad flag or argument).
func parseNoArgs(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	return -1
}

// checkCoderID refuses ids that would be ambiguous in the audit log or
// unsafe as a file name (favourites are kept per coder).
func checkCoderID(id string) error {
	if id == "" || len(id) > 64 || strings.ContainsAny(id, "/\\ \t\r\n") || id == "." || id == ".." {
		return fmt.Errorf("coder id %q: use 1-64 characters without spaces or slashes", id)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("coder id %q: control characters are not allowed", id)
		}
	}
	return nil
}

// queueName is the queue as the export confirmation names it, without any
// credentials a URL may carry.
func queueName(spec string) string {
	if u, err := url.Parse(spec); err == nil && u.Scheme != "" && u.Host != "" {
		u.User = nil
		return "billing queue " + u.Redacted()
	}
	return "billing queue " + strings.TrimPrefix(spec, "dir:")
}

// runWorkbench opens the TUI: code sets, the work store (the demo store,
// seeded from the embedded demo inbox when empty), the billing queue and
// the program. The search index opens (or, on a first run, builds) in the
// background while the worklist is already on screen.
func runWorkbench(ctx context.Context, e *env, args []string) int {
	cfg, code := workbenchFlags(e, args)
	if code >= 0 {
		return code
	}
	start := time.Now()
	var marks []string
	mark := func(what string) {
		marks = append(marks, fmt.Sprintf("%-22s %6.1f ms", what, float64(time.Since(start).Microseconds())/1000))
	}

	logFile, err := openLog(cfg.logPath, e.notice)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer logFile.Close()
	logger := log.NewWithOptions(logFile, log.Options{ReportTimestamp: true, Prefix: "codebench"})

	set, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	mark("code sets")
	st, err := sqlite.Open(cfg.storePath, sqlite.WithNotice(func(m string) { logger.Warn(m) }))
	if err != nil {
		return e.errorf("%v", err)
	}
	defer st.Close()
	if cfg.demo {
		n, err := seedDemo(ctx, st)
		if err != nil {
			return e.errorf("demo store %s: %v", cfg.storePath, err)
		}
		if n > 0 {
			logger.Info("demo store seeded", "encounters", n, "store", cfg.storePath)
		}
	}
	mark("work store")
	q, err := openQueue(cfg.queueSpec, func(m string) { logger.Warn(m) })
	if err != nil {
		return e.errorf("billing queue %s: %v", queueName(cfg.queueSpec), err)
	}
	defer q.Close()
	// The payer tables decode in the background while the worklist shows.
	checks := newClaimChecks(set, st, cfg.editSets.sets, func(msg string, kv ...any) { logger.Warn(msg, kv...) })
	x := &exporter.Exporter{Store: st, Queue: q, Codes: set, Coder: cfg.coder, Checks: checks.options}
	if err := cfg.format.configure(x); err != nil {
		return e.errorf("%v", err)
	}

	noColor := os.Getenv("NO_COLOR") != ""
	feeSchedule, payers, err := claimPolicies(cfg.dataDir, cfg.demo)
	if err != nil {
		return e.errorf("%v", err)
	}
	model := tui.New(tui.Options{
		Codes: set, Store: st, Fees: feeSchedule,
		Exporter: tui.BillingExporter{X: x, Dest: queueName(cfg.queueSpec), Policies: payers},
		Validate: checks.validate,
		Prefs:    prefs.NewDir(cfg.prefsDir),
		Coder:    cfg.coder,
		Logger:   logger,
		NoColor:  noColor,
		Context:  ctx,
		Notice:   staleNotice(set, time.Now()),
	})
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if noColor {
		// no-color.org: any non-empty NO_COLOR, which colorprofile reads
		// as a boolean only.
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	first := &firstFrame{Model: model, mark: func() { mark("first frame") }}
	p := tea.NewProgram(first, opts...)
	mark("program ready")

	// The index opens in the background: a first run builds it (several
	// seconds) while the coder already sees the worklist.
	idxCtx, stopIndex := context.WithCancel(ctx)
	defer stopIndex()
	indexDone := make(chan *index.Index, 1)
	go func() {
		t0 := time.Now()
		var last time.Time
		ix, err := index.OpenOrBuild(idxCtx, set, cfg.cacheRoot, func(done, total int) {
			if time.Since(last) > 100*time.Millisecond || done == total {
				last = time.Now()
				p.Send(tui.IndexProgress{Done: done, Total: total})
			}
		})
		logger.Info("search index", "took", time.Since(t0).Round(time.Millisecond), "err", err)
		if err != nil {
			indexDone <- nil
			p.Send(tui.IndexReady{Err: err})
			return
		}
		p.Send(tui.IndexReady{Searcher: ix})
		// While the coder reads the worklist, analyse every code for
		// ranking so the first searches are as fast as later ones.
		ix.Warm(idxCtx)
		indexDone <- ix
	}()

	_, runErr := p.Run()
	stopIndex()
	if ix := <-indexDone; ix != nil {
		ix.Close()
	}
	if cfg.timings {
		for _, m := range marks {
			fmt.Fprintln(e.stderr, m)
		}
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, context.Canceled) {
		return e.errorf("%v", runErr)
	}
	return 0
}

// firstFrame records when the first frame is drawn (start-up time).
type firstFrame struct {
	*tui.Model
	mark func()
}

func (f *firstFrame) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *firstFrame) View() tea.View {
	if f.mark != nil {
		f.mark()
		f.mark = nil
	}
	return f.Model.View()
}

// openLog opens a log file for appending. Logs name encounters, patients'
// charts and coders: 0600 in a 0700 directory, tightened if found looser
// (notice says so).
func openLog(path string, notice func(string)) (io.WriteCloser, error) {
	f, err := phifile.OpenAppend(path, notice)
	if err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	return f, nil
}

// seedDemo fills an empty store with the embedded demo inbox.
func seedDemo(ctx context.Context, st store.Store) (int, error) {
	items, err := st.List(ctx)
	if err != nil || len(items) > 0 {
		return 0, err
	}
	encs, err := demo.Encounters()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, enc := range encs {
		if err := st.Add(ctx, enc); err != nil && !errors.Is(err, store.ErrExists) {
			return n, err
		}
		n++
	}
	return n, nil
}
