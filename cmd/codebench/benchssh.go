package main

import (
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/store/sqlite"
	"codebench/index"
	"codebench/tui/sshserve/sshload"
)

// sshBench is one capacity measurement set-up: how to start serve, where,
// and what the coders do.
type sshBench struct {
	sessions     int
	rate         float64
	think        time.Duration
	warmup, dur  time.Duration
	cols, rows   int
	noColor      bool
	openParallel int
	cacheRoot    string
	serveArgs    []string
	profileDir   string
	serverCPUs   []int
	clientCPUs   []int
	pinNote      string
	nice         int
	progress     io.Writer
	// serveCmd builds the `codebench serve` child (the test binary in
	// go test -bench).
	serveCmd func(args ...string) *exec.Cmd
}

// benchSSHJSON is codebench bench ssh --json.
type benchSSHJSON struct {
	Sessions       int       `json:"sessions"`
	KeysPerSecond  float64   `json:"typing_keys_per_second_per_session"`
	ThinkSeconds   float64   `json:"pause_after_query_seconds"`
	SentPerSecond  float64   `json:"keys_sent_per_second_per_session"`
	Seconds        float64   `json:"seconds"`
	Size           string    `json:"terminal"`
	ServerCPUs     []int     `json:"server_cpus,omitempty"`
	ClientCPUs     []int     `json:"client_cpus,omitempty"`
	Pinning        string    `json:"pinning"`
	LoadBefore     float64   `json:"load_average_before"`
	LoadAfter      float64   `json:"load_average_after"`
	Keys           int       `json:"keys"`
	Unanswered     int       `json:"unanswered"`
	Held           int       `json:"held"`
	P50MS          float64   `json:"keystroke_to_frame_p50_ms"`
	P90MS          float64   `json:"keystroke_to_frame_p90_ms"`
	P99MS          float64   `json:"keystroke_to_frame_p99_ms"`
	MaxMS          float64   `json:"keystroke_to_frame_max_ms"`
	MeanMS         float64   `json:"keystroke_to_frame_mean_ms"`
	CPUPerKeyMS    float64   `json:"server_cpu_per_key_ms"`
	ServerCores    float64   `json:"server_cores_busy"`
	IdleCores      float64   `json:"server_cores_idle_with_sessions"`
	ClientCores    float64   `json:"client_cores_busy"`
	FramesPerKey   float64   `json:"reads_per_key"`
	BytesPerKey    float64   `json:"bytes_per_key"`
	ConnectP50MS   float64   `json:"connect_p50_ms"`
	ConnectP99MS   float64   `json:"connect_p99_ms"`
	OpenP50MS      float64   `json:"open_p50_ms"`
	OpenP99MS      float64   `json:"open_p99_ms"`
	OpenCPUMS      float64   `json:"server_cpu_per_session_open_ms"`
	RSSBaseMB      float64   `json:"server_rss_before_mb"`
	RSSOpenMB      float64   `json:"server_rss_open_mb"`
	RSSTypedMB     float64   `json:"server_rss_after_typing_mb"`
	PerSessionMB   float64   `json:"memory_per_session_mb"`
	Capacity       *capJSON  `json:"capacity,omitempty"`
	CapacityProbes []probeJS `json:"capacity_probes,omitempty"`
}

type capJSON struct {
	BudgetMS        float64 `json:"p99_budget_ms"`
	Sessions        int     `json:"sessions"`
	SessionsPerCore float64 `json:"sessions_per_core"`
}

type probeJS struct {
	Sessions    int     `json:"sessions"`
	P50MS       float64 `json:"p50_ms"`
	P99MS       float64 `json:"p99_ms"`
	CPUPerKeyMS float64 `json:"server_cpu_per_key_ms"`
	Unanswered  int     `json:"unanswered"`
	Pass        bool    `json:"pass"`
}

func runBenchSSH(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("bench ssh", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	b := sshBench{progress: e.stderr}
	fs.IntVar(&b.sessions, "sessions", 50, "SSH sessions typing at once (with --capacity: the first probe)")
	fs.Float64Var(&b.rate, "rate", 6, "keys a second per session while typing")
	fs.DurationVar(&b.think, "think", time.Second, "mean pause after each query, reading the results (0: type without pauses)")
	fs.DurationVar(&b.dur, "duration", 30*time.Second, "typing measured")
	fs.DurationVar(&b.warmup, "warmup", 5*time.Second, "typing before the measurement")
	size := fs.String("size", "80x24", "every client's terminal, COLSxROWS")
	fs.BoolVar(&b.noColor, "no-color", false, "clients send NO_COLOR=1")
	fs.IntVar(&b.openParallel, "open-parallel", 10, "sessions opening at once")
	fs.StringVar(&b.cacheRoot, "cache", "", "search index cache directory (default: $CODEBENCH_CACHE or the user cache directory)")
	serverCPUs := fs.String("server-cpus", "", "CPUs for serve, e.g. 0 or 0-1 (default: the first allowed CPU)")
	clientCPUs := fs.String("client-cpus", "", "CPUs for the SSH clients (default: the other allowed CPUs)")
	noPin := fs.Bool("no-pin", false, "run serve and the clients unpinned")
	fs.IntVar(&b.nice, "nice", 0, "nice value for serve and the clients, e.g. -10 to keep most of their CPUs on a busy machine (negative needs CAP_SYS_NICE)")
	capacity := fs.Bool("capacity", false, "search for the most sessions at which p99 keystroke-to-frame stays within --p99 (a fresh server per probe)")
	limit := fs.Int("max", 400, "with --capacity: the most sessions tried")
	budget := fs.Duration("p99", 16*time.Millisecond, "with --capacity: the p99 budget (one frame at 60 Hz)")
	fs.StringVar(&b.profileDir, "profile", "", "write serve's CPU and allocation profiles of the measured typing to this directory")
	var serveArgs multiFlag
	fs.Var(&serveArgs, "serve-flag", "an extra flag for serve (repeatable), e.g. --serve-flag=--max-sessions=500")
	serveBin := fs.String("serve", "", "the codebench binary to run as serve, to compare builds (default: this one)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: codebench bench ssh [flags]\n\nRuns `codebench serve` on a scratch store and index cache, pinned to its own CPU, and\nSSH clients in this process on the others; every session opens its own encounter and\ntypes searches. Reports keystroke-to-frame latency (key sent to the frame showing it),\nserver CPU per key, memory per session and, with --capacity, sessions per core.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parseNoArgs(fs, args); code >= 0 {
		return code
	}
	b.serveArgs = serveArgs
	if _, err := fmt.Sscanf(*size, "%dx%d", &b.cols, &b.rows); err != nil || b.cols < 80 || b.rows < 24 || b.cols > 400 || b.rows > 200 {
		return e.errorf("--size %q: COLSxROWS, at least 80x24", *size)
	}
	if b.sessions < 1 || b.rate <= 0 || b.dur <= 0 || b.warmup < 0 || b.think < 0 || b.openParallel < 1 || *limit < b.sessions {
		return e.errorf("--sessions, --rate, --duration and --open-parallel must be positive and --max at least --sessions")
	}
	exe, err := os.Executable()
	if err != nil {
		return e.errorf("%v", err)
	}
	if *serveBin != "" {
		exe = *serveBin
	}
	b.serveCmd = func(args ...string) *exec.Cmd { return exec.Command(exe, append([]string{"serve"}, args...)...) }
	if err := b.pinning(*noPin, *serverCPUs, *clientCPUs); err != nil {
		return e.errorf("%v", err)
	}
	if b.nice != 0 {
		restore, err := sshload.Renice(os.Getpid(), b.nice)
		defer restore()
		if err != nil {
			return e.errorf("--nice %d: %v", b.nice, err)
		}
		b.pinNote += fmt.Sprintf(", nice %d", b.nice)
	}
	if b.profileDir != "" {
		if err := os.MkdirAll(b.profileDir, 0o755); err != nil {
			return e.errorf("--profile: %v", err)
		}
	}

	out := benchSSHJSON{KeysPerSecond: b.rate, ThinkSeconds: b.think.Seconds(), Seconds: b.dur.Seconds(), Size: *size, ServerCPUs: b.serverCPUs, ClientCPUs: b.clientCPUs, Pinning: b.pinNote}
	out.LoadBefore = loadAverage()
	res, err := b.run(ctx, b.sessions)
	if err != nil {
		return e.errorf("bench ssh: %v", err)
	}
	out.LoadAfter = loadAverage()
	fillBenchJSON(&out, res)
	if *capacity {
		cores := max(len(b.serverCPUs), 1)
		if len(b.serverCPUs) == 0 {
			cores = runtime.NumCPU()
		}
		quick := b
		quick.profileDir = ""
		quick.dur = min(b.dur, 20*time.Second)
		quick.warmup = min(b.warmup, 3*time.Second)
		best, err := sshload.Capacity(b.sessions, *limit, func(n int) (bool, error) {
			r := res
			if n != b.sessions || len(out.CapacityProbes) > 0 {
				var err error
				if r, err = quick.run(ctx, n); err != nil {
					return false, err
				}
			}
			pass := r.Latency.P99 <= *budget && r.Unanswered == 0
			out.CapacityProbes = append(out.CapacityProbes, probeJS{Sessions: n, P50MS: ms(r.Latency.P50), P99MS: ms(r.Latency.P99), CPUPerKeyMS: ms(r.CPUPerKey), Unanswered: r.Unanswered, Pass: pass})
			fmt.Fprintf(e.stderr, "probe: %d sessions: p50 %.1f ms, p99 %.1f ms, %.2f ms CPU per key, %d unanswered: %s\n",
				n, ms(r.Latency.P50), ms(r.Latency.P99), ms(r.CPUPerKey), r.Unanswered, map[bool]string{true: "within", false: "over"}[pass])
			return pass, nil
		})
		if err != nil {
			return e.errorf("bench ssh --capacity: %v", err)
		}
		out.Capacity = &capJSON{BudgetMS: ms(*budget), Sessions: best, SessionsPerCore: float64(best) / float64(cores)}
		out.LoadAfter = loadAverage()
	}
	if *asJSON {
		if err := writeJSON(e.stdout, out); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	printBenchSSH(e.stdout, out)
	return 0
}

func fillBenchJSON(out *benchSSHJSON, r sshload.Result) {
	out.Sessions, out.Keys, out.Unanswered, out.Held = r.Sessions, r.Keys, r.Unanswered, r.Held
	out.P50MS, out.P90MS, out.P99MS, out.MaxMS, out.MeanMS = ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max), ms(r.Latency.Mean)
	out.CPUPerKeyMS = ms(r.CPUPerKey)
	if r.Elapsed > 0 && r.Sessions > 0 {
		out.SentPerSecond = float64(r.Keys) / r.Elapsed.Seconds() / float64(r.Sessions)
	}
	if r.Elapsed > 0 {
		out.ServerCores = float64(r.CPU) / float64(r.Elapsed)
	}
	out.IdleCores, out.ClientCores = r.IdleCPU, r.ClientCPU
	if r.Keys > 0 {
		out.FramesPerKey, out.BytesPerKey = float64(r.Reads)/float64(r.Keys), float64(r.Bytes)/float64(r.Keys)
	}
	out.ConnectP50MS, out.ConnectP99MS = ms(r.Connect.P50), ms(r.Connect.P99)
	out.OpenP50MS, out.OpenP99MS = ms(r.Open.P50), ms(r.Open.P99)
	out.OpenCPUMS = ms(r.OpenCPU)
	const mb = 1 << 20
	out.RSSBaseMB, out.RSSOpenMB, out.RSSTypedMB = float64(r.RSSBase)/mb, float64(r.RSSOpen)/mb, float64(r.RSSTyped)/mb
	out.PerSessionMB = r.PerSession() / mb
}

func printBenchSSH(w io.Writer, o benchSSHJSON) {
	fmt.Fprintf(w, "%d sessions typing %.1f keys/s each with %.1f s pauses after each query (%.1f keys/s sent on average) for %.0f s, %s terminals; %s; load average %.2f before, %.2f after\n",
		o.Sessions, o.KeysPerSecond, o.ThinkSeconds, o.SentPerSecond, o.Seconds, o.Size, o.Pinning, o.LoadBefore, o.LoadAfter)
	fmt.Fprintf(w, "keystroke-to-frame   p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms  (%d keys, %d unanswered, %d held)\n",
		o.P50MS, o.P90MS, o.P99MS, o.MaxMS, o.MeanMS, o.Keys, o.Unanswered, o.Held)
	fmt.Fprintf(w, "server CPU per key   %.3f ms (%.0f%% of a core while typing; %.1f%% idle with the sessions open)\n",
		o.CPUPerKeyMS, 100*o.ServerCores, 100*o.IdleCores)
	fmt.Fprintf(w, "session opening      connect p50 %.0f ms p99 %.0f ms; encounter open p50 %.0f ms p99 %.0f ms; server CPU %.1f ms per session\n",
		o.ConnectP50MS, o.ConnectP99MS, o.OpenP50MS, o.OpenP99MS, o.OpenCPUMS)
	fmt.Fprintf(w, "server memory        %.0f MB before sessions, %.0f MB open, %.0f MB after typing: %.2f MB per session\n",
		o.RSSBaseMB, o.RSSOpenMB, o.RSSTypedMB, o.PerSessionMB)
	fmt.Fprintf(w, "clients              %.0f%% of a core; received %.1f reads (about a frame each) and %.0f bytes per key\n", 100*o.ClientCores, o.FramesPerKey, o.BytesPerKey)
	if c := o.Capacity; c != nil {
		fmt.Fprintf(w, "capacity             %d sessions within p99 %.0f ms: %.0f sessions per core\n", c.Sessions, c.BudgetMS, c.SessionsPerCore)
	}
}

// pinning picks the CPUs for serve and for the clients: the first allowed
// CPU for serve and the rest for the clients unless told; unpinned, with
// a note, where the machine has one CPU or pinning is refused.
func (b *sshBench) pinning(off bool, server, client string) error {
	if off {
		b.pinNote = "unpinned (--no-pin)"
		return nil
	}
	allowed, err := sshload.AllowedCPUs()
	if err != nil || len(allowed) < 2 {
		b.pinNote = fmt.Sprintf("unpinned: %d CPU(s) available (%v)", len(allowed), err)
		fmt.Fprintln(b.progress, "note: serve and the clients run unpinned: "+b.pinNote)
		return nil
	}
	b.serverCPUs, b.clientCPUs = allowed[:1], allowed[1:]
	if server != "" {
		if b.serverCPUs, err = parseCPUs(server, allowed); err != nil {
			return fmt.Errorf("--server-cpus: %w", err)
		}
	}
	if client != "" {
		if b.clientCPUs, err = parseCPUs(client, allowed); err != nil {
			return fmt.Errorf("--client-cpus: %w", err)
		}
	} else if server != "" {
		b.clientCPUs = slices.DeleteFunc(slices.Clone(allowed), func(c int) bool { return slices.Contains(b.serverCPUs, c) })
	}
	if len(b.clientCPUs) == 0 {
		return fmt.Errorf("no CPU left for the clients (allowed %v, serve on %v)", allowed, b.serverCPUs)
	}
	if err := sshload.Pin(os.Getpid(), b.clientCPUs); err != nil {
		b.serverCPUs, b.clientCPUs = nil, nil
		b.pinNote = "unpinned: " + err.Error()
		fmt.Fprintln(b.progress, "note: serve and the clients run unpinned: "+err.Error())
		return nil
	}
	runtime.GOMAXPROCS(len(b.clientCPUs))
	b.pinNote = fmt.Sprintf("serve on CPU %s, clients on CPU %s", cpuList(b.serverCPUs), cpuList(b.clientCPUs))
	return nil
}

// parseCPUs reads "0", "0-1" or "0,2" and checks them against allowed.
func parseCPUs(s string, allowed []int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || b < a {
			return nil, fmt.Errorf("%q: CPU numbers such as 0, 0-1 or 0,2", s)
		}
		for c := a; c <= b; c++ {
			if !slices.Contains(allowed, c) {
				return nil, fmt.Errorf("CPU %d is not available (allowed %v)", c, allowed)
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}

// loadAverage is the one-minute load average (0 where unknown).
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// run measures n sessions on a fresh server with a fresh store.
func (b *sshBench) run(ctx context.Context, n int) (sshload.Result, error) {
	dir, err := os.MkdirTemp("", "codebench-bench-ssh-")
	if err != nil {
		return sshload.Result{}, err
	}
	defer os.RemoveAll(dir)
	ids, err := seedBenchStore(ctx, filepath.Join(dir, "work.db"), n)
	if err != nil {
		return sshload.Result{}, err
	}
	coders := make([]string, n)
	for i := range coders {
		coders[i] = fmt.Sprintf("coder%03d", i)
	}
	signers, keysPath, err := benchKeys(dir, coders)
	if err != nil {
		return sshload.Result{}, err
	}
	addr, err := loopbackPort()
	if err != nil {
		return sshload.Result{}, err
	}
	args := []string{"--addr", addr, "--store", filepath.Join(dir, "work.db"), "--queue", filepath.Join(dir, "queue"),
		"--authorized-keys", keysPath, "--host-key", filepath.Join(dir, "host_ed25519"), "--log", filepath.Join(dir, "serve.log"),
		"--max-sessions", strconv.Itoa(n + 10), "--idle", "1h"}
	if b.cacheRoot != "" {
		args = append(args, "--cache", b.cacheRoot)
	}
	var pprofAddr string
	if b.profileDir != "" {
		if pprofAddr, err = loopbackPort(); err != nil {
			return sshload.Result{}, err
		}
		args = append(args, "--pprof", pprofAddr)
	}
	cmd := b.serveCmd(append(args, b.serveArgs...)...)
	cmd.Env = append(cmd.Environ(), "CODEBENCH_DATA="+dir)
	if len(b.serverCPUs) > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("GOMAXPROCS=%d", len(b.serverCPUs)))
	}
	stderr := &syncWriter{b: &strings.Builder{}}
	cmd.Stderr = stderr
	cmd.Stdout = io.Discard
	ownSession(cmd)
	if err := cmd.Start(); err != nil {
		return sshload.Result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		// SIGTERM first: every session saves and releases, as in service.
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	if len(b.serverCPUs) > 0 {
		if err := sshload.Pin(cmd.Process.Pid, b.serverCPUs); err != nil {
			return sshload.Result{}, err
		}
	}
	if b.nice != 0 {
		// serve leads a session of its own (Setsid), so its scheduling
		// group is its own too.
		if _, err := sshload.Renice(cmd.Process.Pid, b.nice); err != nil {
			return sshload.Result{}, fmt.Errorf("--nice: %w", err)
		}
	}
	fmt.Fprintf(b.progress, "serve started (pid %d); waiting for its search index…\n", cmd.Process.Pid)
	if err := waitWarm(ctx, filepath.Join(dir, "serve.log"), exited, stderr); err != nil {
		return sshload.Result{}, err
	}
	cfg := sshload.Config{
		Addr: addr, PID: cmd.Process.Pid, Coders: coders, Keys: signers, Encounters: ids,
		Cols: b.cols, Rows: b.rows, OpenParallel: b.openParallel, Rate: b.rate, Think: b.think, Warmup: b.warmup, Duration: b.dur,
		Queries: benchTypedQueries(), Placeholder: "words or a code", ListMark: "load-", Progress: b.progress,
	}
	if b.noColor {
		cfg.Env = []string{"NO_COLOR=1"}
	}
	if pprofAddr != "" {
		// The live heap before any session, after a collection: against
		// heap-start (every session open, collected), the heap a session
		// holds, which RSS, grown by garbage not yet collected, overstates.
		file := filepath.Join(b.profileDir, fmt.Sprintf("heap-base-%d.pprof", n))
		if err := fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", pprofAddr), file); err != nil {
			fmt.Fprintf(b.progress, "profile %s: %v\n", file, err)
		}
		cfg.During = func(ctx context.Context, d time.Duration) { b.profile(ctx, pprofAddr, n, d) }
	}
	return sshload.Measure(ctx, cfg)
}

// profile fetches serve's CPU and allocation profiles of the measured
// window, then a heap profile. A collection is forced first: the heap
// profile counts allocations as of the last collection, and the opening
// and warm-up (often a few hundred MB with no collection between) would
// otherwise be counted in the window's allocations. Its CPU (about half a
// second with the index's live heap) is in a profiled run's CPU per key.
func (b *sshBench) profile(ctx context.Context, addr string, n int, d time.Duration) {
	secs := max(int(d.Seconds())-1, 1)
	file := filepath.Join(b.profileDir, fmt.Sprintf("heap-start-%d.pprof", n))
	if err := fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", addr), file); err != nil {
		fmt.Fprintf(b.progress, "profile %s: %v\n", file, err)
	}
	done := make(chan struct{}, 2)
	for _, p := range []struct{ path, file string }{
		{"/debug/pprof/profile", fmt.Sprintf("cpu-%d.pprof", n)},
		{"/debug/pprof/allocs", fmt.Sprintf("allocs-%d.pprof", n)},
	} {
		go func() {
			defer func() { done <- struct{}{} }()
			if err := fetch(ctx, fmt.Sprintf("http://%s%s?seconds=%d", addr, p.path, secs), filepath.Join(b.profileDir, p.file)); err != nil {
				fmt.Fprintf(b.progress, "profile %s: %v\n", p.file, err)
				return
			}
			fmt.Fprintf(b.progress, "wrote %s\n", filepath.Join(b.profileDir, p.file))
		}()
	}
	<-done
	<-done
	// What the sessions hold, after a collection.
	file = filepath.Join(b.profileDir, fmt.Sprintf("heap-%d.pprof", n))
	if err := fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", addr), file); err != nil {
		fmt.Fprintf(b.progress, "profile %s: %v\n", file, err)
	}
}

// waitWarm waits until serve's log says the index is warmed.
func waitWarm(ctx context.Context, logPath string, exited <-chan error, stderr *syncWriter) error {
	for deadline := time.Now().Add(10 * time.Minute); ; {
		data, _ := os.ReadFile(logPath)
		if strings.Contains(string(data), "search index warmed") {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("serve exited (%v):\n%s%s", err, stderr.String(), data)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("serve's index not ready after 10 minutes:\n%s", data)
		}
	}
}

// seedBenchStore makes a store of n encounters, load-000 on, copied from the
// demo inbox in turn with their dates of service a day apart.
func seedBenchStore(ctx context.Context, path string, n int) ([]string, error) {
	st, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	encs, err := demo.Encounters()
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i := range n {
		var enc encounter.Encounter
		data, err := json.Marshal(encs[i%len(encs)])
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &enc); err != nil {
			return nil, err
		}
		enc.ID = fmt.Sprintf("load-%03d", i)
		enc.Service.From = encounter.NewDate(2026, 1, 1+i%300)
		enc.Service.To = enc.Service.From
		if err := st.Add(ctx, &enc); err != nil {
			return nil, err
		}
		ids[i] = enc.ID
	}
	return ids, nil
}

// benchKeys makes a key per coder and the authorized keys file.
func benchKeys(dir string, coders []string) ([]gossh.Signer, string, error) {
	signers := make([]gossh.Signer, len(coders))
	var authorized strings.Builder
	for i, c := range coders {
		s, line, err := newCoderKey()
		if err != nil {
			return nil, "", err
		}
		signers[i] = s
		authorized.WriteString(line + " " + c + "\n")
	}
	path := filepath.Join(dir, "authorized_keys")
	return signers, path, os.WriteFile(path, []byte(authorized.String()), 0o600)
}

func loopbackPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// benchTypedQueries are what the benchmark's coders type: the development
// set's typed queries (not the phrases selected in notes), short enough
// for the search input at 80 columns, in a fixed shuffled order.
func benchTypedQueries() []string {
	cases, err := index.DevSet()
	var out []string
	seen := map[string]bool{}
	for _, c := range cases {
		q := strings.TrimSpace(c.Query)
		if seen[q] || len(q) < 3 || len(q) > 30 || strings.ContainsFunc(q, func(r rune) bool { return r < ' ' || r > '~' }) {
			continue
		}
		seen[q] = true
		out = append(out, q)
	}
	if err != nil || len(out) == 0 {
		out = []string{"type 2 diabetes", "chf", "colles fx", "pnuemonia", "htn", "ankle sprain", "copd exac", "uti", "afib", "e11.6"}
	}
	rand.New(rand.NewPCG(3, 5)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// newCoderKey makes an ed25519 key and its authorized_keys line.
func newCoderKey() (gossh.Signer, string, error) {
	_, priv, err := ed25519.GenerateKey(crand.Reader)
	if err != nil {
		return nil, "", err
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, "", err
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))), nil
}

// fetch saves an HTTP GET's body to a file.
func fetch(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("%s: %s %q", url, resp.Status, body)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncWriter lets a child's output be read while it runs.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
