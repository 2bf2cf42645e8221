package sshserve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"
)

// greeter is a minimal session model: it greets the coder and records how
// it was stopped.
type greeter struct {
	coder   string
	remote  string
	stopped chan<- string
	sizes   chan<- [2]int
}

type stopMsg struct{ reason string }

func (g greeter) Init() tea.Cmd { return nil }

func (g greeter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case stopMsg:
		g.stopped <- g.coder + ": " + msg.reason
		return g, tea.Quit
	case tea.WindowSizeMsg:
		if g.sizes != nil {
			select {
			case g.sizes <- [2]int{msg.Width, msg.Height}:
			default:
			}
		}
	case tea.KeyPressMsg:
		if msg.String() == "q" {
			return g, tea.Quit
		}
	}
	return g, nil
}

func (g greeter) View() tea.View {
	v := tea.NewView("hello " + g.coder + " from " + g.remote + ".")
	v.AltScreen = true
	return v
}

type testServer struct {
	*Server
	addr    string
	stopped chan string
	keys    string
	hostKey string
	logs    *screen
	sizes   chan [2]int // sizes the session programs were given or sent
}

func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorizedLine(s gossh.Signer, coder string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + coder + "\n"
}

func startServer(t *testing.T, cfg Config, keys string) *testServer {
	t.Helper()
	dir := t.TempDir()
	keysPath := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keysPath, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	ak, err := LoadAuthorizedKeys(keysPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan string, 64)
	sizes := make(chan [2]int, 64)
	logs := &screen{}
	cfg.Keys = ak
	cfg.HostKeyPath = filepath.Join(dir, "host_ed25519")
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = log.New(logs)
	if cfg.NewSession == nil {
		cfg.NewSession = func(s Session) (tea.Model, []tea.ProgramOption, error) {
			sizes <- [2]int{s.Width, s.Height}
			return greeter{coder: s.Coder, remote: s.Remote, stopped: stopped, sizes: sizes}, nil, nil
		}
	}
	cfg.StopMsg = func(reason string) tea.Msg { return stopMsg{reason} }
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{Server: srv, addr: ln.Addr().String(), stopped: stopped, keys: keysPath, hostKey: cfg.HostKeyPath, logs: logs, sizes: sizes}
}

func dial(addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "coder",
		Auth:            auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
}

// mustDial connects with a key that must be accepted.
func mustDial(t *testing.T, addr string, key gossh.Signer) *gossh.Client {
	t.Helper()
	c, err := dial(addr, gossh.PublicKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// screen collects what a session prints.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.String(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("screen never showed %q; got %q", want, s.String())
}

// openTUI starts an interactive session with a terminal.
func openTUI(t *testing.T, c *gossh.Client) (*gossh.Session, *screen, io.WriteCloser) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &screen{}
	sess.Stdout = out
	sess.Stderr = out
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return sess, out, in
}

func TestKeyAcceptedAndMappedToCoder(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	c := mustDial(t, ts.addr, alice)
	sess, out, in := openTUI(t, c)
	out.waitFor(t, "hello alice")
	in.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("session did not end after q")
	}
}

func TestUnknownKeyAndPasswordRefused(t *testing.T) {
	alice, mallory := newKey(t), newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	if c, err := dial(ts.addr, gossh.PublicKeys(mallory)); err == nil {
		c.Close()
		t.Fatal("unknown key accepted")
	}
	if c, err := dial(ts.addr, gossh.Password("alice")); err == nil {
		c.Close()
		t.Fatal("password accepted")
	}
	// Keys added to the file work without a restart.
	f, _ := os.OpenFile(ts.keys, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(authorizedLine(mallory, "mal"))
	f.Close()
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(ts.keys, future, future)
	c, err := dial(ts.addr, gossh.PublicKeys(mallory))
	if err != nil {
		t.Fatalf("key added to the file refused: %v", err)
	}
	c.Close()
}

func TestCommandsAndMissingTerminalRefused(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	c := mustDial(t, ts.addr, alice)
	sess, _ := c.NewSession()
	out, err := sess.CombinedOutput("cat /etc/passwd")
	if err == nil || !strings.Contains(string(out), "commands are not available") {
		t.Errorf("command: err %v, output %q", err, out)
	}
	sess, _ = c.NewSession()
	buf := &screen{} // one writer for both streams, safe for their two goroutines
	sess.Stdout, sess.Stderr = buf, buf
	sess.Shell()
	if err := sess.Wait(); err == nil || !strings.Contains(buf.String(), "terminal is required") {
		t.Errorf("no pty: err %v, output %q", err, buf.String())
	}
	sess, _ = c.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp subsystem accepted")
	}
	if _, err := c.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Error("port forwarding accepted")
	}
}

func TestSessionCap(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{MaxSessions: 2}, authorizedLine(alice, "alice"))
	var clients []*gossh.Client
	for i := range 3 {
		c := mustDial(t, ts.addr, alice)
		clients = append(clients, c)
		_, out, _ := openTUI(t, c)
		if i < 2 {
			out.waitFor(t, "hello alice")
		} else {
			out.waitFor(t, "all 2 sessions are in use")
		}
	}
	if n := ts.Sessions(); n != 2 {
		t.Errorf("sessions: %d", n)
	}
}

func TestIdleSessionIsStoppedCleanly(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{IdleTimeout: 300 * time.Millisecond}, authorizedLine(alice, "alice"))
	c := mustDial(t, ts.addr, alice)
	sess, out, _ := openTUI(t, c)
	out.waitFor(t, "hello alice")
	select {
	case why := <-ts.stopped:
		if !strings.HasPrefix(why, "alice: idle for") {
			t.Errorf("stopped: %q", why)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("idle session not stopped")
	}
	sess.Wait()
}

func TestShutdownStopsEverySession(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice")+authorizedLine(bob, "bob"))
	for _, k := range []gossh.Signer{alice, bob} {
		c := mustDial(t, ts.addr, k)
		_, out, _ := openTUI(t, c)
		out.waitFor(t, "hello")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for range 2 {
		select {
		case why := <-ts.stopped:
			got[why] = true
		case <-time.After(time.Second):
			t.Fatal("a session was not stopped")
		}
	}
	if !got["alice: the server is shutting down"] || !got["bob: the server is shutting down"] {
		t.Errorf("stopped: %v", got)
	}
	if _, err := dial(ts.addr, gossh.PublicKeys(alice)); err == nil {
		t.Error("server still accepts after shutdown")
	}
}

func TestHostKeyPersists(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	first, err := os.ReadFile(ts.hostKey)
	if err != nil {
		t.Fatalf("host key not written: %v", err)
	}
	ak, _ := LoadAuthorizedKeys(ts.keys, nil)
	if _, err := New(Config{Keys: ak, HostKeyPath: ts.hostKey, Logger: log.New(io.Discard), NewSession: func(Session) (tea.Model, []tea.ProgramOption, error) { return nil, nil, nil }}); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(ts.hostKey)
	if !bytes.Equal(first, again) {
		t.Error("host key changed on restart")
	}
}

func TestAuthorizedKeysLinesSkippedWithReasons(t *testing.T) {
	k, other := newKey(t), newKey(t)
	data := "# coders\nnot a key\n" + // 2
		strings.TrimSuffix(authorizedLine(k, ""), " \n") + "\n" + // 3: no coder
		authorizedLine(other, "a") + authorizedLine(other, "b") + // 4, 5: one key, two coders
		authorizedLine(k, "carol") // 6
	entries, skipped := ParseAuthorizedKeys([]byte(data), time.UTC)
	if len(entries) != 1 || entries[0].Coder != "carol" || entries[0].Line != 6 || entries[0].Fingerprint != gossh.FingerprintSHA256(k.PublicKey()) {
		t.Fatalf("entries: %+v", entries)
	}
	want := map[int]string{2: "not a public key line", 3: "no coder id", 4: "same key is listed for coders", 5: "same key is listed for coders"}
	if len(skipped) != len(want) {
		t.Fatalf("skipped: %+v", skipped)
	}
	for _, sk := range skipped {
		if !strings.Contains(sk.Reason, want[sk.Line]) {
			t.Errorf("line %d: %q, want %q", sk.Line, sk.Reason, want[sk.Line])
		}
	}
}
