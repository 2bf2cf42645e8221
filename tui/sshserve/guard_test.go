package sshserve

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// dialFrom connects from a chosen loopback address (all of 127/8 is local
// on Linux), so tests can stand for several sources.
func dialFrom(from, addr string, cfg *gossh.ClientConfig) (*gossh.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	sc, chans, reqs, err := gossh.NewClientConn(c, addr, cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return gossh.NewClient(sc, chans, reqs), nil
}

func clientConfig(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{User: "coder", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}
}

// silent opens a TCP connection that never speaks SSH.
func silent(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reads until the server closes the connection (its
// version line may come first) and reports whether it did within limit.
func closedByServer(c net.Conn, limit time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

func TestHandshakeDeadline(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{HandshakeTimeout: 300 * time.Millisecond}, authorizedLine(alice, "alice"))
	c := silent(t, "127.0.0.1", ts.addr)
	if !closedByServer(c, 10*time.Second) {
		t.Fatal("a silent connection outlived the handshake deadline")
	}
	ts.logs.waitFor(t, "not authenticated in time")
	// A coder who authenticates keeps the connection past the deadline. A
	// handshake that a loaded machine slowed past the 300 ms is closed by
	// the deadline, as it should be, and tried again.
	var cl *gossh.Client
	for attempt := 1; cl == nil; attempt++ {
		c, err := dial(ts.addr, gossh.PublicKeys(alice))
		switch {
		case err == nil:
			cl = c
			t.Cleanup(func() { c.Close() })
		case attempt == 20:
			t.Fatalf("no handshake within the deadline in %d attempts: %v", attempt, err)
		}
	}
	_, out, _ := openTUI(t, cl)
	out.waitFor(t, "hello alice")
	// A silent connection opened after it is closed at its deadline, so
	// the coder's deadline has passed too.
	if !closedByServer(silent(t, "127.0.0.1", ts.addr), 10*time.Second) {
		t.Fatal("second silent connection held")
	}
	if _, _, err := cl.SendRequest("keepalive@openssh.com", true, nil); err != nil {
		t.Fatalf("authenticated connection closed by the handshake deadline: %v", err)
	}
}

func TestPreAuthCaps(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{MaxUnauthenticatedPerSource: 3, MaxUnauthenticated: 5, HandshakeTimeout: time.Minute}, authorizedLine(alice, "alice"))
	for range 3 {
		silent(t, "127.0.0.1", ts.addr)
	}
	waitFor(t, "3 connections held", func() bool { return ts.Connections() == 3 })
	if c := silent(t, "127.0.0.1", ts.addr); !closedByServer(c, 10*time.Second) {
		t.Fatal("a fourth silent connection from one source was held")
	}
	ts.logs.waitFor(t, "too many connections not yet authenticated from this source")
	// Another source still gets in, past the first source's cap.
	cl, err := dialFrom("127.0.0.2", ts.addr, clientConfig(gossh.PublicKeys(alice)))
	if err != nil {
		t.Fatalf("a coder from another source refused: %v", err)
	}
	cl.Close()
	// The total cap: two more silent ones from a third source fill it.
	silent(t, "127.0.0.3", ts.addr)
	silent(t, "127.0.0.3", ts.addr)
	waitFor(t, "5 connections held", func() bool { return ts.Connections() == 5 })
	if c := silent(t, "127.0.0.4", ts.addr); !closedByServer(c, 10*time.Second) {
		t.Fatal("a connection past the total cap was held")
	}
	ts.logs.waitFor(t, "too many connections not yet authenticated\"")
}

func TestFailedAuthenticationsBlockTheSource(t *testing.T) {
	alice, mallory := newKey(t), newKey(t)
	ts := startServer(t, Config{MaxAuthFailures: 3, AuthFailureWindow: time.Hour}, authorizedLine(alice, "alice"))
	for range 4 {
		if c, err := dialFrom("127.0.0.5", ts.addr, clientConfig(gossh.PublicKeys(mallory))); err == nil {
			c.Close()
			t.Fatal("unknown key let in")
		}
	}
	ts.logs.waitFor(t, "source blocked: too many failed authentications")
	// Blocked: even the right key is refused from there now.
	if c, err := dialFrom("127.0.0.5", ts.addr, clientConfig(gossh.PublicKeys(alice))); err == nil {
		c.Close()
		t.Fatal("a blocked source let in")
	}
	ts.logs.waitFor(t, "source blocked after too many failed authentications")
	cl, err := dialFrom("127.0.0.6", ts.addr, clientConfig(gossh.PublicKeys(alice)))
	if err != nil {
		t.Fatalf("another source refused: %v", err)
	}
	cl.Close()
}

func TestSessionsPerCoderCapped(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	ts := startServer(t, Config{MaxSessionsPerCoder: 2}, authorizedLine(alice, "alice")+authorizedLine(bob, "bob"))
	for range 2 {
		_, out, _ := openTUI(t, mustDial(t, ts.addr, alice))
		out.waitFor(t, "hello alice")
	}
	_, out, _ := openTUI(t, mustDial(t, ts.addr, alice))
	out.waitFor(t, "you have 2 sessions open")
	_, out, _ = openTUI(t, mustDial(t, ts.addr, bob))
	out.waitFor(t, "hello bob")
	// One connection cannot open channels past the cap either.
	c := mustDial(t, ts.addr, bob)
	var opened int
	for range 4 {
		if s, err := c.NewSession(); err == nil {
			opened++
			defer s.Close()
		}
	}
	if opened != 2 {
		t.Fatalf("%d session channels on one connection, want 2", opened)
	}
}

func TestAlgorithmPolicy(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaSigner, _ := gossh.NewSignerFromKey(rsaKey)
	ts := startServer(t, Config{}, authorizedLine(rsaSigner, "rsa"))
	sha1Only, _ := gossh.NewSignerWithAlgorithms(rsaSigner.(gossh.AlgorithmSigner), []string{gossh.KeyAlgoRSA})
	if c, err := dial(ts.addr, gossh.PublicKeys(sha1Only)); err == nil {
		c.Close()
		t.Fatal("an ssh-rsa (SHA-1) signature was accepted")
	}
	sha2, _ := gossh.NewSignerWithAlgorithms(rsaSigner.(gossh.AlgorithmSigner), []string{gossh.KeyAlgoRSASHA256})
	c, err := dial(ts.addr, gossh.PublicKeys(sha2))
	if err != nil {
		t.Fatalf("rsa-sha2-256 refused: %v", err)
	}
	c.Close()
	for name, cfg := range map[string]gossh.Config{
		"SHA-1 key exchange": {KeyExchanges: []string{gossh.InsecureKeyExchangeDH14SHA1}},
		"SHA-1 MAC":          {MACs: []string{gossh.HMACSHA1}, Ciphers: []string{gossh.CipherAES128CTR}},
		"CBC cipher":         {Ciphers: []string{gossh.InsecureCipherAES128CBC}},
	} {
		cc := clientConfig(gossh.PublicKeys(sha2))
		cc.Config = cfg
		if c, err := gossh.Dial("tcp", ts.addr, cc); err == nil {
			c.Close()
			t.Errorf("%s accepted", name)
		}
	}
	// A 1024-bit RSA key is skipped in the file and refused.
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallSigner, _ := gossh.NewSignerFromKey(small)
	ts = startServer(t, Config{}, authorizedLine(smallSigner, "weak"))
	ts.logs.waitFor(t, "RSA key of 1024 bits")
	if c, err := dial(ts.addr, gossh.PublicKeys(smallSigner)); err == nil {
		c.Close()
		t.Fatal("a 1024-bit RSA key was let in")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

func TestLogsEscapeWhatClientsSend(t *testing.T) {
	alice, mallory := newKey(t), newKey(t)
	ts := startServer(t, Config{}, authorizedLine(alice, "alice"))
	cc := clientConfig(gossh.PublicKeys(mallory))
	cc.User = "x\x1b]0;owned\x07\n\u202e"
	if c, err := gossh.Dial("tcp", ts.addr, cc); err == nil {
		c.Close()
	}
	ts.logs.waitFor(t, "key refused")
	c := mustDial(t, ts.addr, alice)
	sess, _ := c.NewSession()
	sess.CombinedOutput("echo \x1b[2J\u2028gone")
	ts.logs.waitFor(t, "command refused")
	logs := ts.logs.String()
	if strings.ContainsAny(logs, "\x1b\x07\u202e\u2028") {
		t.Fatalf("raw control characters in the log:\n%q", logs)
	}
	if !strings.Contains(logs, `\x1b]0;owned\a\n\u202e`) || !strings.Contains(logs, `\x1b[2J\u2028gone`) {
		t.Fatalf("client strings not escaped in the log:\n%s", logs)
	}
}
