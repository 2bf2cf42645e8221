package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/hinshun/vt10x"
	gossh "golang.org/x/crypto/ssh"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/exporter"
	"codebench/encounter/fhir"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/store"
	"codebench/encounter/store/postgres/pgtest"
	"codebench/encounter/store/sqlite"
	"codebench/index"
	"codebench/tui"
	"codebench/tui/sshserve"
)

// The SSH tests run the real serve wiring (sessionFactory over the full
// index, a SQLite store seeded with the demo inbox and a directory queue)
// and connect real SSH clients on 127.0.0.1 with terminals emulated by
// vt10x, so they read the screen a coder sees.

var (
	serveIndexOnce sync.Once
	serveIndex     *index.Index
	serveIndexErr  error
)

// testCache is the index cache the tests share across runs: the full
// index is built on the first run (15-30 s) and opened after.
func testCache() string {
	if root := os.Getenv("CODEBENCH_CACHE"); root != "" {
		return root
	}
	return filepath.Join(os.TempDir(), "codebench-test-index-cache")
}

func testIndex(t testing.TB) (*codesets.Set, *index.Index) {
	t.Helper()
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	serveIndexOnce.Do(func() {
		serveIndex, serveIndexErr = index.OpenOrBuild(context.Background(), set, testCache(), nil)
	})
	if serveIndexErr != nil {
		t.Fatal(serveIndexErr)
	}
	return set, serveIndex
}

type sshRig struct {
	srv      *sshserve.Server
	addr     string
	st       *sqlite.Store
	queueDir string
	keys     map[string]gossh.Signer
}

func newSSHRig(t testing.TB, coders ...string) *sshRig {
	t.Helper()
	return newSSHRigWith(t, nil, coders...)
}

// newSSHRigWith is newSSHRig with the server's configuration changed by
// configure (limits).
func newSSHRigWith(t testing.TB, configure func(*sshserve.Config), coders ...string) *sshRig {
	t.Helper()
	set, ix := testIndex(t)
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "work.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := seedDemo(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	queueDir := filepath.Join(dir, "queue")
	q, err := dirqueue.Open(queueDir)
	if err != nil {
		t.Fatal(err)
	}
	r := &sshRig{st: st, queueDir: queueDir}
	var keysPath string
	r.keys, keysPath = writeKeys(t, dir, coders...)
	keys, err := sshserve.LoadAuthorizedKeys(keysPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sshserve.Config{
		HostKeyPath: filepath.Join(dir, "host_ed25519"), Keys: keys,
		Logger:     log.New(io.Discard),
		NewSession: sessionFactory(newLiveData(t.TempDir(), set, ix, testCache(), log.New(io.Discard), func(s *codesets.Set) *claimChecks { return newClaimChecks(s, st, nil, nil) }), st, q, exporter.Exporter{}, "billing queue "+queueDir, filepath.Join(dir, "prefs"), 0, nil, exporter.Policies{}),
		StopMsg:    tui.Stop,
		// The tests' coders all come from 127.0.0.1, all at once.
		MaxUnauthenticatedPerSource: 128,
	}
	if configure != nil {
		configure(&cfg)
	}
	r.srv, err = sshserve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go r.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.srv.Shutdown(ctx)
	})
	return r
}

// writeKeys makes a key per coder and the authorized keys file naming them.
func writeKeys(t testing.TB, dir string, coders ...string) (map[string]gossh.Signer, string) {
	t.Helper()
	keys := map[string]gossh.Signer{}
	var authorized strings.Builder
	for _, c := range coders {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := gossh.NewSignerFromKey(priv)
		keys[c] = signer
		authorized.WriteString(strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + c + "\n")
	}
	path := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(path, []byte(authorized.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return keys, path
}

// startServe runs `codebench serve` as a child process (this test binary,
// see TestMain) on the store and keys in dir, and waits until it listens.
func startServe(t *testing.T, dir, storePath, keysPath string) (cmd *exec.Cmd, addr string, exited <-chan error, stderr *strings.Builder) {
	t.Helper()
	return startServeWith(t, dir, nil, "--store", storePath, "--queue", filepath.Join(dir, "queue"),
		"--authorized-keys", keysPath, "--host-key", filepath.Join(dir, "host_ed25519"), "--log", filepath.Join(dir, "serve.log"))
}

// startServeWith runs `codebench serve` with args (and --addr, --cache)
// and env added to the test's environment, with dir as its data
// directory, and waits until it listens.
func startServeWith(t *testing.T, dir string, env []string, args ...string) (cmd *exec.Cmd, addr string, exited <-chan error, stderr *strings.Builder) {
	t.Helper()
	addr = freePort(t)
	cmd = exec.Command(os.Args[0], append([]string{"serve", "--addr", addr, "--cache", testCache(),
		// The tests' coders all come from 127.0.0.1, all at once.
		"--max-preauth-per-source", "128"}, args...)...)
	cmd.Env = append(append(os.Environ(), "CODEBENCH_TEST_MAIN=1", "CODEBENCH_DATA="+dir), env...)
	stderr = &strings.Builder{}
	cmd.Stderr = &syncWriter{b: stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return cmd, addr, done, stderr
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited before listening: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen: %v\n%s", err, stderr.String())
		}
	}
}

// term is one coder's SSH session with an emulated terminal.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	vt     vt10x.Terminal

	mu      sync.Mutex
	written time.Time     // when the last key was sent
	frames  chan struct{} // signalled on output
}

func (r *sshRig) connect(t testing.TB, coder string, cols, rows int) *term {
	t.Helper()
	client, err := gossh.Dial("tcp", r.addr, r.clientConfig(coder))
	if err != nil {
		t.Fatal(err)
	}
	return attach(t, client, cols, rows)
}

func (r *sshRig) clientConfig(coder string) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User: coder, Auth: []gossh.AuthMethod{gossh.PublicKeys(r.keys[coder])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	}
}

// attach opens an interactive session with an emulated terminal on a
// connected client.
func attach(t testing.TB, client *gossh.Client, cols, rows int) *term {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: client, sess: sess, vt: vt10x.New(vt10x.WithSize(cols, rows)), frames: make(chan struct{}, 1)}
	out, _ := sess.StdoutPipe()
	tm.in, _ = sess.StdinPipe()
	sess.Setenv("NO_COLOR", "1")
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				tm.mu.Lock()
				tm.vt.Write(buf[:n])
				tm.mu.Unlock()
				select {
				case tm.frames <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { client.Close() })
	return tm
}

func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.vt.String()
}

// waitFor waits until every text is on screen.
func (tm *term) waitFor(texts ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tm.screen()
		missing := ""
		for _, want := range texts {
			if !strings.Contains(s, want) {
				missing = want
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Keys as a terminal sends them.
const (
	keyEnter = "\r"
	keyEsc   = "\x1b"
	keyCtrlU = "\x15"
	keyCtrlX = "\x18"
)

func (tm *term) send(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		if _, err := tm.in.Write([]byte(k)); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
		// Escape alone must not merge with the next key into a sequence.
		if k == keyEsc {
			time.Sleep(120 * time.Millisecond)
		}
	}
}

// open finds an encounter on the worklist by its id and opens it (enter
// opens the one match).
func (tm *term) open(id string) {
	tm.t.Helper()
	tm.send("/", keyCtrlU, id, keyEnter)
}

// search types a query into the search pane and waits for a result.
func (tm *term) search(query, expect string) {
	tm.t.Helper()
	tm.send("/", keyCtrlU, query)
	tm.waitFor(expect)
	time.Sleep(150 * time.Millisecond) // let the debounced search settle
}

func TestSSHTwoCodersCannotLeaseOneEncounter(t *testing.T) {
	r := newSSHRig(t, "alice", "bob")
	alice := r.connect(t, "alice", 80, 24)
	alice.waitFor("Worklist", "enc-1015")
	alice.send(keyEnter) // the first row: enc-1015
	alice.waitFor("enc-1015 · Chloe Anderson", "1 Documentation")

	bob := r.connect(t, "bob", 80, 24)
	bob.waitFor("Worklist", "enc-1015", "locked")
	bob.send(keyEnter)
	bob.waitFor("alice")
	if strings.Contains(bob.screen(), "1 Documentation") {
		t.Fatalf("bob opened an encounter alice is coding:\n%s", bob.screen())
	}
	// The store agrees: the lease is alice's.
	if _, err := r.st.Lease(context.Background(), "enc-1015", "carol", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("lease for a third coder: %v", err)
	}
	_, sum, _ := r.st.Get(context.Background(), "enc-1015")
	if sum.LeasedBy != "alice" {
		t.Fatalf("lease holder %q", sum.LeasedBy)
	}
}

// TestSSHCodeAndExport codes demo encounter enc-1012 (strep throat) over
// SSH by keys alone and checks the claim in the billing queue and the
// audit log.
func TestSSHCodeAndExport(t *testing.T) {
	r := newSSHRig(t, "alice")
	a := r.connect(t, "alice", 80, 24)
	a.waitFor("Worklist", "enc-1012")
	a.send("j", "j", keyEnter)
	a.waitFor("enc-1012 · Sofia Delgado", "sore throat")

	a.search("strep pharyngitis", "J02.0")
	a.send(keyEnter)
	a.waitFor("A J02.0")
	a.search("99213", "99213")
	a.send(keyEnter)
	a.waitFor("1 99213")
	a.search("87880", "87880")
	a.send(keyEnter)
	a.waitFor("2 87880")
	// Link both lines to A: claim pane, last line, then the one above.
	a.send(keyEsc, "4", "G", "p", keyCtrlU, "a", keyEnter)
	a.send("k", "p", keyCtrlU, "a", keyEnter)
	a.waitFor("0 err")
	a.send(keyCtrlX)
	a.waitFor("Export enc-1012", "A J02.0")
	a.send("J") // the JSON view shows once the document is built
	a.waitFor(`"resourceType"`)
	a.send("y")

	deadline := time.Now().Add(10 * time.Second)
	var files []string
	for len(files) == 0 && time.Now().Before(deadline) {
		files, _ = filepath.Glob(filepath.Join(r.queueDir, "enc-1012-r*.json"))
		time.Sleep(50 * time.Millisecond)
	}
	if len(files) != 1 {
		t.Fatalf("queue: %v\n%s", files, a.screen())
	}
	data, _ := os.ReadFile(files[0])
	doc, err := fhir.Summarize(data)
	if err != nil || doc.Coder != "alice" || len(doc.Diagnoses) != 1 || doc.Diagnoses[0] != "J02.0" || len(doc.Items) != 2 {
		t.Fatalf("claim (%v): %s", err, data)
	}
	entries, err := r.st.Audit(context.Background(), "enc-1012")
	if err != nil {
		t.Fatal(err)
	}
	var exported bool
	for _, e := range entries {
		exported = exported || (e.Action == "export" && e.Coder == "alice")
	}
	if !exported {
		t.Fatalf("no export by alice in the audit log: %+v", entries)
	}
}

// TestMain lets a test run this binary as the codebench command itself, so
// the SIGTERM test signals a real serving process.
func TestMain(m *testing.M) {
	if os.Getenv("CODEBENCH_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSSHSIGTERMKeepsTheDraft runs `codebench serve` as a child process,
// codes over SSH, sends SIGTERM right after a change reaches the screen and
// checks the store after the process exits: the change is saved and the
// lease released.
func TestSSHSIGTERMKeepsTheDraft(t *testing.T) {
	testIndex(t) // built here once, so the child opens it from the cache
	dir := t.TempDir()
	storePath := filepath.Join(dir, "work.db")
	st, err := sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seedDemo(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	st.Close()

	keys, keysPath := writeKeys(t, dir, "alice")
	cmd, addr, exited, stderr := startServe(t, dir, storePath, keysPath)
	r := &sshRig{addr: addr, keys: keys}
	a := r.connect(t, "alice", 80, 24)
	a.waitFor("Worklist", "enc-1015")
	a.send(keyEnter)
	a.waitFor("enc-1015 · Chloe Anderson")
	a.search("ankle sprain", "S93")
	a.send(keyEnter)
	a.waitFor("A S93")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not exit on SIGTERM")
	}
	logData, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
	if !strings.Contains(string(logData), "session stopping") || !strings.Contains(string(logData), "shut down") {
		t.Errorf("serve log:\n%s", logData)
	}

	st, err = sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	enc, sum, err := st.Get(context.Background(), "enc-1015")
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.Diagnoses) == 0 || !strings.HasPrefix(enc.Diagnoses[0].Code, "S93") {
		t.Fatalf("draft lost: diagnoses %+v", enc.Diagnoses)
	}
	if sum.LeasedBy != "" {
		t.Errorf("lease still held by %q after shutdown", sum.LeasedBy)
	}
}

// TestSSHLoad50Sessions serves 50 coders at once from a child process; each
// opens its own encounter and types searches at a fast typist's pace. It
// fails when a session cannot open its encounter or gets no frame for a
// key, and reports keystroke-to-frame latency (key sent to the next screen
// update received) and the server's memory per session.
func TestSSHLoad50Sessions(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const sessions = 50
	cmd, r, _ := startLoadServer(t, sessions)
	defer cmd.Process.Signal(syscall.SIGTERM)
	// Warm the server (first session pays one-off costs), then measure.
	warm := r.connect(t, "coder00", 80, 24)
	warm.waitFor("Worklist")
	rssBefore := rssKB(t, cmd.Process.Pid)

	queries := []string{"type 2 diabetes", "chf", "colles fx", "pnuemonia", "htn", "ankle sprain", "copd exac", "uti", "afib", "e11.6"}
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			coder := fmt.Sprintf("coder%02d", i)
			var tm *term
			if i == 0 {
				tm = warm
			} else {
				tm = r.connect(t, coder, 80, 24)
			}
			tm.waitFor("Worklist", "load-00")
			// The cursor starts on the first chart to do, which moves as
			// other coders open theirs: count rows from the top.
			tm.send("g")
			for range i {
				tm.send("j")
			}
			tm.send(keyEnter)
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(tm.screen(), fmt.Sprintf("load-%02d ·", i)) {
				if time.Now().After(deadline) {
					errs <- fmt.Errorf("%s did not open load-%02d:\n%s", coder, i, tm.screen())
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			tm.send("/")
			// Coders do not type in step: start at different moments.
			time.Sleep(time.Duration(i*37%1000) * time.Millisecond)
			var mine []time.Duration
			for _, q := range []string{queries[i%len(queries)], queries[(i+3)%len(queries)]} {
				tm.send(keyCtrlU)
				for _, ch := range q {
					mine = append(mine, tm.keyToFrame(string(ch)))
					// A fast typist: about eight keys a second.
					time.Sleep(time.Duration(80+len(mine)*37%90) * time.Millisecond)
				}
				time.Sleep(100 * time.Millisecond)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rssAfter := rssKB(t, cmd.Process.Pid)
	slices.Sort(latencies)
	p := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	perSession := float64(rssAfter-rssBefore) / float64(sessions-1) / 1024
	t.Logf("%d sessions, %d keystrokes: keystroke-to-frame p50 %v p99 %v max %v; server RSS %d MB before, %d MB after: %.1f MB per session",
		sessions, len(latencies), p(0.5).Round(time.Microsecond), p(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond),
		rssBefore/1024, rssAfter/1024, perSession)
	// The latency is reported, not asserted: a budget in a unit test fails
	// on a loaded machine. BenchmarkKeystrokeToFrame (tui) and codebench
	// bench hold the budgets.
}

// seedLoad adds one encounter per coder (load-NN), dated before the demo
// inbox and in order, so coder i finds theirs i rows down the worklist.
func seedLoad(t *testing.T, st store.Store, n int) {
	t.Helper()
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var enc encounter.Encounter
		data, _ := json.Marshal(encs[i%len(encs)])
		json.Unmarshal(data, &enc)
		enc.ID = fmt.Sprintf("load-%02d", i)
		enc.Service.From = encounter.NewDate(2025, 1, 1+i)
		enc.Service.To = enc.Service.From
		if err := st.Add(context.Background(), &enc); err != nil {
			t.Fatal(err)
		}
	}
}

// loadCoders names coder00, coder01, ...
func loadCoders(n int) []string {
	coders := make([]string, n)
	for i := range coders {
		coders[i] = fmt.Sprintf("coder%02d", i)
	}
	return coders
}

// startLoadServer runs `codebench serve` as a child process with one
// encounter (load-NN) and one coder (coderNN) per session, and waits until
// its search index is warmed, so memory measured after counts sessions
// only.
func startLoadServer(t *testing.T, sessions int) (*exec.Cmd, *sshRig, string) {
	t.Helper()
	testIndex(t)
	dir := t.TempDir()
	storePath := filepath.Join(dir, "work.db")
	st, err := sqlite.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	seedLoad(t, st, sessions)
	st.Close()
	keys, keysPath := writeKeys(t, dir, loadCoders(sessions)...)
	cmd, addr, _, _ := startServe(t, dir, storePath, keysPath)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		logData, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
		if strings.Contains(string(logData), "search index warmed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("index not warmed:\n%s", logData)
		}
	}
	return cmd, &sshRig{addr: addr, keys: keys}, dir
}

// keyToFrame sends one key and waits for the next screen update.
func (tm *term) keyToFrame(key string) time.Duration {
	select { // drop an update that arrived before the key
	case <-tm.frames:
	default:
	}
	start := time.Now()
	tm.send(key)
	select {
	case <-tm.frames:
		return time.Since(start)
	case <-time.After(5 * time.Second):
		tm.t.Errorf("no frame within 5s of key %q", key)
		return 5 * time.Second
	}
}

// rssKB reads a process's resident set size from /proc.
func rssKB(t *testing.T, pid int) int { return procStatusKB(t, pid, "VmRSS") }

// procStatusKB reads one kB field of /proc/PID/status (VmRSS, VmHWM: the
// peak resident set).
func procStatusKB(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
