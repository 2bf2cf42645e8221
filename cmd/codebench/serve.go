package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"

	"codebench/codesets"
	"codebench/encounter/exporter"
	"codebench/encounter/fees"
	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/encounter/store/postgres"
	"codebench/index"
	"codebench/tui"
	"codebench/tui/common"
	"codebench/tui/prefs"
	"codebench/tui/sshserve"
)

type serveConfig struct {
	addr, hostKey, authorizedKeys, storePath, queueSpec, cacheRoot, logPath string
	idle                                                                    time.Duration
	maxSessions                                                             int
	demo                                                                    bool
	shutdownGrace                                                           time.Duration
	format                                                                  formatFlags
	editSets                                                                editSetsFlag
	// storeFromArgs: the store came from --store, not $CODEBENCH_STORE.
	storeFromArgs bool
	leaseTTL      time.Duration
	node          string
	proxyFrom     string
	proxyPrefixes []netip.Prefix
	dataDir       string
	dataCheck     time.Duration
	limits        sshserve.Config // the connection limits only
	pprofAddr     string
	fps           int
	procs         int
}

func serveFlags(e *env, args []string) (serveConfig, int) {
	var c serveConfig
	data, err := codesets.DataDir()
	if err != nil {
		return c, e.errorf("%v", err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:2222", "address to listen on")
	fs.StringVar(&c.hostKey, "host-key", filepath.Join(data, "ssh", "host_ed25519"), "host private key; created on first start")
	fs.StringVar(&c.authorizedKeys, "authorized-keys", filepath.Join(data, "ssh", "authorized_keys"), "coders' public keys, OpenSSH format, the coder id after each key")
	fs.StringVar(&c.storePath, "store", "", "work store: a SQLite file, or postgres://... shared by several nodes (default: $"+StoreEnv+", else codebench.db in the data directory, or the demo store with --demo)")
	fs.DurationVar(&c.leaseTTL, "lease-ttl", 5*time.Minute, "how long a session's hold on an encounter lasts unless renewed (renewed every third of it): how soon another node may take over a dead node's encounters")
	fs.StringVar(&c.node, "node", "", "this node's name among the nodes sharing a PostgreSQL store (default: host name and --addr)")
	fs.StringVar(&c.proxyFrom, "proxy-protocol-from", "", "comma-separated addresses or CIDRs of TCP load balancers that send a PROXY protocol (v1 or v2) header; their connections must carry one, and the client address in it is the one checked and logged")
	fs.StringVar(&c.queueSpec, "queue", "", "billing queue: a directory, dir:PATH or nats://host:4222 (default: $CODEBENCH_QUEUE or billing-queue in the data directory)")
	fs.StringVar(&c.cacheRoot, "cache", "", "search index cache directory (default: $CODEBENCH_CACHE or the user cache directory)")
	fs.StringVar(&c.logPath, "log", "", "log file (default: standard error)")
	fs.DurationVar(&c.idle, "idle", 30*time.Minute, "close a session whose coder typed nothing for this long (its draft is saved)")
	fs.IntVar(&c.maxSessions, "max-sessions", 100, "most sessions at once")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", 10*time.Second, "on SIGTERM, how long sessions get to save and close")
	fs.BoolVar(&c.demo, "demo", false, "serve the demo store, seeded with the demo inbox")
	c.editSets.register(fs)
	fs.DurationVar(&c.dataCheck, "data-check", 15*time.Second, "how often to look for new code sets (codebench data import): new ones are indexed in the background and sessions take them at their next encounter")
	fs.IntVar(&c.fps, "fps", 60, "most frames a second a session draws for anything but the coder's keys (answered at once)")
	fs.IntVar(&c.procs, "procs", 0, "Go processors (GOMAXPROCS) serve runs on (default: the CPUs it may use)")
	fs.StringVar(&c.pprofAddr, "pprof", "", "serve Go runtime profiles (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; off by default")
	c.format.register(fs)
	l := &c.limits
	fs.IntVar(&l.MaxSessionsPerCoder, "max-sessions-per-coder", 3, "most sessions one coder may have open")
	fs.DurationVar(&l.HandshakeTimeout, "handshake-timeout", 20*time.Second, "close a connection that has not authenticated within this time")
	fs.IntVar(&l.MaxUnauthenticated, "max-preauth", 256, "most connections not yet authenticated, in total")
	fs.IntVar(&l.MaxUnauthenticatedPerSource, "max-preauth-per-source", 32, "most connections not yet authenticated from one address")
	fs.IntVar(&l.MaxAuthFailures, "max-auth-failures", 20, "failed authentications from one address within --auth-failure-window that block it until the window ends")
	fs.DurationVar(&l.AuthFailureWindow, "auth-failure-window", time.Minute, "window for --max-auth-failures")
	fs.IntVar(&l.MaxWidth, "max-width", 500, "terminal columns a session may have (larger sizes are clamped)")
	fs.IntVar(&l.MaxHeight, "max-height", 200, "terminal rows a session may have (larger sizes are clamped)")
	fs.IntVar(&l.MaxCells, "max-cells", 12000, "terminal cells (columns x rows) a session may have; past it both sides shrink alike (bounds memory per session: about 500 bytes a cell)")
	fs.IntVar(&l.MaxPendingOutput, "max-pending-output", 1<<20, "bytes of output that may wait for a client reading slower than its session draws; past it the session is saved and closed")
	fs.DurationVar(&l.StallTimeout, "stall-timeout", 20*time.Second, "how long a client may take no output while some waits before its session is saved and closed")
	fs.DurationVar(&l.KeyCheckEvery, "key-check", 30*time.Second, "how often open sessions are checked against the authorized keys file (a removed or expired key ends its sessions)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: codebench serve [flags]\n\nServes the workbench over SSH: ssh -p 2222 HOST. Each coder's key is listed in the\nauthorized keys file with the coder id after it.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parseNoArgs(fs, args); code >= 0 {
		return c, code
	}
	c.dataDir = data
	c.storePath, c.storeFromArgs = storeSpec(c.storePath)
	if err := checkNoSecret(c.storePath, c.storeFromArgs); err != nil {
		return c, e.errorf("%v", err)
	}
	if err := checkQueueNoSecret(c.queueSpec); err != nil {
		return c, e.errorf("%v", err)
	}
	if err := workPaths(data, c.demo, &c.storePath, &c.queueSpec, &c.cacheRoot); err != nil {
		return c, e.errorf("%v", err)
	}
	if c.proxyPrefixes, err = sshserve.ParseProxyFrom(c.proxyFrom); err != nil {
		return c, e.errorf("--proxy-protocol-from: %v", err)
	}
	if c.fps < 1 || c.fps > 240 {
		return c, e.errorf("--fps %d: between 1 and 240", c.fps)
	}
	if c.procs < 0 || c.procs > 1024 {
		return c, e.errorf("--procs %d: between 1 and 1024 (0: the default)", c.procs)
	}
	if c.leaseTTL < time.Second {
		return c, e.errorf("--lease-ttl %v: at least 1s", c.leaseTTL)
	}
	if c.node == "" {
		host, _ := os.Hostname()
		c.node = host + "/" + c.addr
	}
	return c, -1
}

// runServe serves the workbench over SSH until SIGINT/SIGTERM (ctx), then
// gives every session the grace period to save its draft and close.
func runServe(ctx context.Context, e *env, args []string) int {
	cfg, code := serveFlags(e, args)
	if code >= 0 {
		return code
	}
	var logOut io.Writer = e.stderr
	if cfg.logPath != "" {
		f, err := openLog(cfg.logPath, e.notice)
		if err != nil {
			return e.errorf("%v", err)
		}
		defer f.Close()
		logOut = f
	}
	logger := log.NewWithOptions(logOut, log.Options{ReportTimestamp: true, Prefix: "codebench serve"})
	logger.Info("go processors", "procs", setServeProcs(cfg.procs), "cpus", runtime.NumCPU())

	if cfg.pprofAddr != "" {
		stop, err := servePprof(cfg.pprofAddr, logger)
		if err != nil {
			return e.errorf("%v", err)
		}
		defer stop()
	}

	keys, err := sshserve.LoadAuthorizedKeys(cfg.authorizedKeys, logger)
	if err != nil {
		return e.errorf("%v\n(list each coder's public key with the coder id after it, as in ~/.ssh/authorized_keys)", err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.hostKey), 0o700); err != nil {
		return e.errorf("host key: %v", err)
	}
	set, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	st, err := openStore(ctx, cfg.storePath, cfg.storeFromArgs, func(m string) { logger.Warn(m) })
	if err != nil {
		return e.errorf("%v", err)
	}
	defer st.Close()
	if cfg.demo {
		if _, err := seedDemo(ctx, st); err != nil {
			return e.errorf("demo store %s: %v", storeName(cfg.storePath), err)
		}
	}
	var member *postgres.Membership
	if pg, ok := st.(*postgres.Store); ok {
		member, err = joinNodes(ctx, pg, cfg, index.DataKey(set), logger)
		if err != nil {
			return e.errorf("%v", err)
		}
		defer member.Leave()
		logger.Info("joined the nodes sharing the work store", "node", cfg.node, "store", pg.String(), "lease_ttl", cfg.leaseTTL.String())
	}
	feeSchedule, payers, err := claimPolicies(cfg.dataDir, cfg.demo)
	if err != nil {
		return e.errorf("%v", err)
	}
	prefsDir := filepath.Join(filepath.Dir(cfg.storePath), "prefs")
	if isPostgres(cfg.storePath) {
		prefsDir = filepath.Join(cfg.dataDir, "prefs")
	}
	q, err := openQueue(cfg.queueSpec, func(m string) { logger.Warn(m) })
	if err != nil {
		return e.errorf("billing queue %s: %v", queueName(cfg.queueSpec), err)
	}
	defer q.Close()
	var format exporter.Exporter // every session's exporter writes this format
	if err := cfg.format.configure(&format); err != nil {
		return e.errorf("%v", err)
	}
	// The payer tables decode in the background; sessions validate with
	// them and with each claim's same-day encounters in the store (one
	// claimChecks per loaded state of the code sets).
	newChecks := func(s *codesets.Set) *claimChecks {
		return newClaimChecks(s, st, cfg.editSets.sets, func(msg string, kv ...any) { logger.Warn(msg, kv...) })
	}

	// One read-only index for every session, ready before the first coder
	// connects.
	start := time.Now()
	ix, err := index.OpenOrBuild(ctx, set, cfg.cacheRoot, buildProgress(e.stderr))
	if err != nil {
		return e.errorf("search index: %v", err)
	}
	defer ix.Close()
	logger.Info("search index ready", "took", time.Since(start).Round(time.Millisecond))
	// Analyse every code for ranking now (about two seconds of one core),
	// so no coder's first queries pay for it.
	go func() {
		t0 := time.Now()
		if err := ix.Warm(ctx); err == nil {
			logger.Info("search index warmed", "took", time.Since(t0).Round(time.Millisecond))
		}
	}()

	for _, w := range set.Stale(time.Now()) {
		logger.Warn(w)
	}
	live := newLiveData(cfg.dataDir, set, ix, cfg.cacheRoot, logger, newChecks)
	if member != nil {
		live.switched = func(s *codesets.Set) { member.SetDataKey(index.DataKey(s)) }
	}
	if cfg.dataCheck > 0 {
		go live.watch(ctx, cfg.dataCheck)
	}

	sc := cfg.limits
	sc.Addr, sc.HostKeyPath, sc.Keys = cfg.addr, cfg.hostKey, keys
	sc.IdleTimeout, sc.MaxSessions, sc.Logger = cfg.idle, cfg.maxSessions, logger
	sc.NewSession = sessionFactory(live, st, q, format, queueName(cfg.queueSpec), prefsDir, cfg.leaseTTL, feeSchedule, payers)
	sc.StopMsg = tui.Stop
	sc.ProxyFrom = cfg.proxyPrefixes
	sc.FPS = cfg.fps
	srv, err := sshserve.New(sc)
	if err != nil {
		return e.errorf("%v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	select {
	case err := <-served:
		return e.errorf("%v", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		logger.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// buildProgress prints index build progress lines (the serve log is not a
// terminal to draw a bar on).
func buildProgress(w io.Writer) func(done, total int) {
	last := -1
	return func(done, total int) {
		if total == 0 {
			return
		}
		pct := done * 100 / total
		if pct/10 != last/10 || done == total {
			last = pct
			fmt.Fprintf(w, "building the search index: %d%% (%d of %d codes)\n", pct, done, total)
		}
	}
}

// sessionFactory builds each SSH session's workbench: its own TUI model and
// exporter for the session's coder, over the shared code sets, index, store
// and queue. The code sets and index are the live ones: a session takes
// the newest when it opens an encounter.
func sessionFactory(live *liveData, st store.Store, q queue.Queue, format exporter.Exporter, dest, prefsDir string, leaseTTL time.Duration, feeSchedule *fees.Schedule, payers exporter.Policies) func(sshserve.Session) (tea.Model, []tea.ProgramOption, error) {
	pr := prefs.NewDir(prefsDir)
	var results sharedResults
	return func(s sshserve.Session) (tea.Model, []tea.ProgramOption, error) {
		if err := checkCoderID(s.Coder); err != nil {
			return nil, nil, err
		}
		noColor := envValue(s.Environ, "NO_COLOR") != ""
		current := func() tui.Data {
			snap := live.cur.Load()
			x := &exporter.Exporter{Store: st, Queue: q, Codes: snap.set, Coder: s.Coder, Format: format.Format, Envelope: format.Envelope, Checks: snap.checks.options}
			return tui.Data{Codes: snap.set, Searcher: results.of(snap.ix), Exporter: tui.BillingExporter{X: x, Dest: dest, Policies: payers}, Validate: snap.checks.validate}
		}
		d := current()
		m := tui.New(tui.Options{
			Codes: d.Codes, Searcher: d.Searcher, Store: st, Fees: feeSchedule,
			Exporter: d.Exporter,
			Validate: d.Validate,
			Current:  current,
			Notice:   staleNotice(d.Codes, time.Now()),
			Prefs:    pr,
			Coder:    s.Coder,
			Logger:   s.Logger,
			NoColor:  noColor,
			Width:    s.Width, Height: s.Height,
			Context: s.Context,
			Timing:  tui.Timing{LeaseTTL: leaseTTL},
		})
		var opts []tea.ProgramOption
		if noColor {
			opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
		}
		return m, opts, nil
	}
}

// sharedResults is the search answers every session shares, for the
// index in use (a new index, after new code sets, starts a new cache).
type sharedResults struct {
	mu    sync.Mutex
	ix    tui.Searcher
	cache *common.ResultCache
}

// sharedSearches is how many recent searches serve keeps answers of
// (some 5 MB at 50 hits each).
const sharedSearches = 1024

func (r *sharedResults) of(ix tui.Searcher) tui.Searcher {
	if ix == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil || r.ix != ix {
		r.ix, r.cache = ix, common.NewResultCache(ix, sharedSearches)
	}
	return r.cache
}

// envValue reads one variable from a client's environment.
func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}
