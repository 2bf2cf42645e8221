package sshserve

import (
	"crypto/rand"
	"crypto/rsa"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func keyText(s gossh.Signer) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

func TestOptionsHonouredOrRefused(t *testing.T) {
	k := keyText(newKey(t))
	for _, tc := range []struct {
		options string
		skip    string // "" = accepted
	}{
		{"", ""},
		{`from="10.0.0.0/8,!10.1.2.3"`, ""},
		{`FROM="127.0.0.1"`, ""},
		{`expiry-time="20270101"`, ""},
		{`expiry-time="202701011530Z"`, ""},
		{`no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc`, ""},
		{`permitopen="db:5432",permitlisten="localhost:8080"`, ""},
		{`restrict,pty`, ""},
		{`command="/bin/sh"`, "command= keys are refused"},
		{`no-pty`, "no-pty keys are refused"},
		{`restrict`, "restrict without pty"},
		{`environment="PATH=/tmp"`, "environment= keys are refused"},
		{`agent-forwarding`, "unknown option"},
		{`cert-authority`, "unknown option"},
		{`tunnel="0"`, "unknown option"},
		{`from="*.example.org"`, "names a host"},
		{`from="10.0.0.1,gateway"`, "names a host"},
		{`from=""`, "empty pattern"},
		{`expiry-time="2027-01-01"`, "YYYYMMDD"},
		{`expiry-time="20271399"`, "not a valid time"},
		{`expiry-time`, "needs a time"},
	} {
		line := k + " alice\n"
		if tc.options != "" {
			line = tc.options + " " + line
		}
		entries, skipped := ParseAuthorizedKeys([]byte(line), time.UTC)
		switch {
		case tc.skip == "" && (len(entries) != 1 || len(skipped) != 0):
			t.Errorf("%s: refused: %+v", tc.options, skipped)
		case tc.skip != "" && (len(entries) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, tc.skip)):
			t.Errorf("%s: entries %d, skipped %+v, want %q", tc.options, len(entries), skipped, tc.skip)
		}
	}
}

func TestWeakKeysAndBadCoderIDsSkipped(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallSigner, _ := gossh.NewSignerFromKey(small)
	k := keyText(newKey(t))
	for _, tc := range []struct{ line, skip string }{
		{keyText(smallSigner) + " bob", "RSA key of 1024 bits"},
		{k + " two words", "one word"},
		{k + " \x1b[31mred", "one word"},
	} {
		entries, skipped := ParseAuthorizedKeys([]byte(tc.line), time.UTC)
		if len(entries) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, tc.skip) {
			t.Errorf("%q: %+v %+v, want %q", tc.line, entries, skipped, tc.skip)
		}
		if len(skipped) == 1 && strings.ContainsRune(skipped[0].Reason, 0x1b) {
			t.Errorf("reason carries a raw escape: %q", skipped[0].Reason)
		}
	}
}

func TestFromPatterns(t *testing.T) {
	for _, tc := range []struct {
		from string
		ip   string
		ok   bool
	}{
		{"10.9.9.9", "127.0.0.1", false},
		{"10.9.9.9", "10.9.9.9", true},
		{"127.0.0.0/8", "127.0.0.1", true},
		{"10.0.0.0/8,!10.1.2.3", "10.1.2.3", false},
		{"10.0.0.0/8,!10.1.2.3", "10.1.2.4", true},
		{"!10.1.2.3,10.0.0.0/8", "10.1.2.3", false},
		{"!10.1.2.3", "10.9.9.9", false}, // a negation alone allows nothing
		{"10.1.*", "10.1.200.3", true},
		{"10.1.?.3", "10.1.22.3", false},
		{"2001:db8::/32", "2001:db8::1", true},
		{"::ffff:10.0.0.0/104", "10.2.3.4", true},
		{"10.0.0.0/8", "::ffff:10.2.3.4", true},
		{"*", "192.0.2.1", true},
	} {
		ps, err := ParseFrom(tc.from)
		if err != nil {
			t.Fatalf("%s: %v", tc.from, err)
		}
		e := Entry{From: ps}
		if got := e.AllowsFrom(netip.MustParseAddr(tc.ip)); got != tc.ok {
			t.Errorf("from=%q, source %s: %v, want %v", tc.from, tc.ip, got, tc.ok)
		}
	}
}

func TestExpiry(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	for in, want := range map[string]time.Time{
		"20270102":        time.Date(2027, 1, 2, 0, 0, 0, 0, loc),
		"202701021530":    time.Date(2027, 1, 2, 15, 30, 0, 0, loc),
		"20270102153045Z": time.Date(2027, 1, 2, 15, 30, 45, 0, time.UTC),
	} {
		got, err := ParseExpiry(in, loc)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
}

// TestAuthorizeAppliesTheFile: expiry and from= against a source, and the
// file as it is now (a key taken out is refused at once; a file gone or
// made group-writable lets nobody in).
func TestAuthorizeAppliesTheFile(t *testing.T) {
	alice, bob := newKey(t), newKey(t)
	path := t.TempDir() + "/authorized_keys"
	write := func(data string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		future := time.Now().Add(time.Duration(len(data)) * time.Second) // a new mtime for every version
		os.Chtimes(path, future, future)
	}
	write(`expiry-time="20261130120000Z" ` + authorizedLine(alice, "alice") + `from="10.0.0.0/8" ` + authorizedLine(bob, "bob"))
	a, err := LoadAuthorizedKeys(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5000}
	office := &net.TCPAddr{IP: net.ParseIP("10.2.3.4"), Port: 5000}
	before := time.Date(2026, 11, 30, 11, 59, 0, 0, time.UTC)
	after := before.Add(2 * time.Minute)
	check := func(k gossh.Signer, from net.Addr, at time.Time, coder, reason string) {
		t.Helper()
		got, err := a.Authorize(k.PublicKey(), from, at)
		switch {
		case coder != "" && (err != nil || got != coder):
			t.Fatalf("want %s let in: %q %v", coder, got, err)
		case coder == "" && (err == nil || !strings.Contains(err.Error(), reason)):
			t.Fatalf("want refused with %q: %q %v", reason, got, err)
		}
	}
	check(alice, local, before, "alice", "")
	check(alice, local, after, "", "expired")
	check(bob, local, before, "", "not allowed from 127.0.0.1")
	check(bob, office, before, "bob", "")

	// alice's line replaced by a malformed line and another key: she is
	// out, the rest of the file stands.
	carol := newKey(t)
	write("ssh-ed25519 AAAA-broken alice\n" + authorizedLine(carol, "carol") + `from="10.0.0.0/8" ` + authorizedLine(bob, "bob"))
	check(alice, local, before, "", "not in the authorized keys file")
	check(carol, local, before, "carol", "")
	check(bob, office, before, "bob", "")

	os.Chmod(path, 0o620)
	check(carol, local, before, "", "writable by group or others")
	os.Chmod(path, 0o600)
	check(carol, local, before, "carol", "")
	os.Remove(path)
	check(carol, local, before, "", "does not exist")
	check(bob, office, before, "", "does not exist")
	write(authorizedLine(carol, "carol"))
	check(carol, local, before, "carol", "")
}

// FuzzParseAuthorizedKeys: any file parses without panicking; every key
// let in has a one-word coder id without controls and every skipped line
// a reason without raw control characters.
func FuzzParseAuthorizedKeys(f *testing.F) {
	seed := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzmBH9yR9lgmHr3YmS8Lq7k0j6n2xWcTiA0fNfmSbk1 alice\n"
	for _, s := range []string{
		seed,
		`from="10.0.0.0/8,!10.1.2.3",expiry-time="20270101" ` + seed,
		`command="echo \"hi\"",no-pty ` + seed,
		`restrict,pty,permitopen="h:1" ` + seed,
		"# comment\n\n" + seed + seed,
		`from="*.example.org" ` + seed,
		"garbage\x1b[2J line\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, skipped := ParseAuthorizedKeys(data, time.UTC)
		lines := strings.Count(string(data), "\n") + 1
		for _, e := range entries {
			if e.Coder == "" || strings.ContainsFunc(e.Coder, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				t.Fatalf("coder %q let in", e.Coder)
			}
			if e.Line < 1 || e.Line > lines || e.Key == nil || e.Fingerprint == "" {
				t.Fatalf("entry %+v", e)
			}
		}
		for _, s := range skipped {
			if s.Reason == "" || strings.ContainsFunc(s.Reason, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x9b }) {
				t.Fatalf("skipped line %d: reason %q", s.Line, s.Reason)
			}
		}
	})
}
