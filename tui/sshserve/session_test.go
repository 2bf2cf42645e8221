package sshserve

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// nextSize waits for the next size a session program was given.
func (ts *testServer) nextSize(t *testing.T, want [2]int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-ts.sizes:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("the program was never given %v", want)
		}
	}
}

// TestHostileTerminalSizesClamped: a pty-req and window-change of
// 4294967295x4294967295 reach the program as the configured maximum.
func TestHostileTerminalSizesClamped(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{MaxWidth: 300, MaxHeight: 100, MaxCells: 300 * 100}, authorizedLine(alice, "alice"))
	c := mustDial(t, ts.addr, alice)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &screen{}
	sess.Stdout = out
	if _, err := sess.StdinPipe(); err != nil { // no stdin would be an EOF: the session ends
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 1<<32-1, 1<<32-1, gossh.TerminalModes{gossh.ECHO: 1}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "hello alice")
	ts.nextSize(t, [2]int{300, 100})
	if err := sess.WindowChange(1<<32-1, 7); err != nil {
		t.Fatal(err)
	}
	ts.nextSize(t, [2]int{7, 100})
	if err := sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	ts.nextSize(t, [2]int{80, 24})
	ts.logs.waitFor(t, "terminal size clamped")
	// A terminal name that is not one is refused.
	s2, _ := c.NewSession()
	if err := s2.RequestPty("xterm\x1b[2J", 24, 80, nil); err == nil {
		t.Fatal("a terminal name with an escape was accepted")
	}
}

func TestClampKeepsTheShape(t *testing.T) {
	s := &Server{cfg: Config{}}
	s.cfg.defaults()
	for _, tc := range []struct{ cols, rows, w, h uint32 }{
		{80, 24, 80, 24},
		{0, 0, 0, 0},
		{1<<32 - 1, 1<<32 - 1, 173, 69},
		{300, 100, 189, 63},
		{1<<32 - 1, 10, 500, 10},
		{3, 1<<32 - 1, 3, 200},
	} {
		w, h := s.clamp(tc.cols, tc.rows)
		if uint32(w) != tc.w || uint32(h) != tc.h || w*h > s.cfg.MaxCells {
			t.Errorf("%dx%d -> %dx%d, want %dx%d", tc.cols, tc.rows, w, h, tc.w, tc.h)
		}
	}
}

func TestAgentForwardingRefused(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	c := mustDial(t, ts.addr, alice)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Fatal("agent forwarding accepted")
	}
	ok, err := sess.SendRequest("x11-req", true, gossh.Marshal(struct {
		Single           bool
		Protocol, Cookie string
		Screen           uint32
	}{false, "MIT-MAGIC-COOKIE-1", "00", 0}))
	if err != nil || ok {
		t.Fatalf("X11 forwarding: %v %v", ok, err)
	}
	ts.logs.waitFor(t, "agent forwarding is not offered")
}

// TestLostConnectionStopsTheSession: the client vanishes (kill -9: the TCP
// connection drops without an SSH goodbye); the program is stopped the
// clean way, so a real session saves and releases its lease.
func TestLostConnectionStopsTheSession(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := gossh.NewClientConn(raw, ts.addr, clientConfig(gossh.PublicKeys(alice)))
	if err != nil {
		t.Fatal(err)
	}
	c := gossh.NewClient(sc, chans, reqs)
	_, out, _ := openTUI(t, c)
	out.waitFor(t, "hello alice")
	raw.(*net.TCPConn).SetLinger(0)
	raw.Close() // a reset, as when the client process dies
	select {
	case why := <-ts.stopped:
		if why != "alice: the connection ended" {
			t.Fatalf("stopped: %q", why)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session was not stopped when its connection died")
	}
	waitFor(t, "session gone", func() bool { return ts.Sessions() == 0 })
}

// TestRevokedKeyEndsItsSessions: a key taken out of the file is refused at
// once and its running sessions are stopped; a missing file lets nobody in.
func TestRevokedKeyEndsItsSessions(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	ts := startServer(t, Config{KeyCheckEvery: 50 * time.Millisecond}, authorizedLine(alice, "alice")+authorizedLine(bob, "bob"))
	_, out, _ := openTUI(t, mustDial(t, ts.addr, alice))
	out.waitFor(t, "hello alice")
	_, bobOut, _ := openTUI(t, mustDial(t, ts.addr, bob))
	bobOut.waitFor(t, "hello bob")

	// alice's line replaced by a malformed one: she is out, bob stays.
	rewrite(t, ts.keys, "ssh-ed25519 AAAA-not-base64 alice\n"+authorizedLine(bob, "bob"))
	select {
	case why := <-ts.stopped:
		if why != "alice: your access was revoked" {
			t.Fatalf("stopped: %q", why)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the revoked key's session kept running")
	}
	out.waitFor(t, "session closed: your access was revoked")
	ts.logs.waitFor(t, "authorized keys line skipped")
	if c, err := dial(ts.addr, gossh.PublicKeys(alice)); err == nil {
		c.Close()
		t.Fatal("a removed key still logs in")
	}
	if ts.Sessions() != 1 {
		t.Fatalf("sessions: %d, want bob's", ts.Sessions())
	}

	os.Remove(ts.keys)
	if c, err := dial(ts.addr, gossh.PublicKeys(bob)); err == nil {
		c.Close()
		t.Fatal("a key logs in with the authorized keys file gone")
	}
	ts.logs.waitFor(t, "does not exist: nobody is let in")
	bobOut.waitFor(t, "session closed: your access was revoked")
}

func rewrite(t *testing.T, path, data string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownRestoresTheTerminal: at shutdown each client gets its
// terminal back (the alternate screen left, the cursor shown) and a line
// saying why the session ended.
func TestShutdownRestoresTheTerminal(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	sess, out, _ := openTUI(t, mustDial(t, ts.addr, alice))
	out.waitFor(t, "hello alice")
	if !strings.Contains(out.String(), "\x1b[?1049h") {
		t.Fatalf("the session never entered the alternate screen: %q", out.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the client's session did not end")
	}
	got := out.String()
	leave := strings.LastIndex(got, "\x1b[?1049l")
	bye := strings.LastIndex(got, "session closed: the server is shutting down; your work is saved")
	if leave < 0 || bye < leave || !strings.Contains(got[leave:], "\x1b[?25h") {
		t.Fatalf("terminal not restored before the goodbye: %q", got[max(0, len(got)-300):])
	}
}
