package sshserve

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func v2Header(cmd, famProto byte, body []byte) []byte {
	h := append([]byte{}, proxyV2Sig...)
	h = append(h, 0x20|cmd, famProto, 0, 0)
	binary.BigEndian.PutUint16(h[14:16], uint16(len(body)))
	return append(h, body...)
}

func v2TCP4(src, dst string, sport, dport uint16) []byte {
	body := make([]byte, 12)
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(body[0:4], s[:])
	copy(body[4:8], d[:])
	binary.BigEndian.PutUint16(body[8:10], sport)
	binary.BigEndian.PutUint16(body[10:12], dport)
	return v2Header(1, 0x11, append(body, 0x03, 0, 4, 1, 2, 3, 4)) // and a CRC TLV, skipped
}

func TestParseProxyHeader(t *testing.T) {
	v6 := make([]byte, 36)
	copy(v6, netip.MustParseAddr("2001:db8::7").AsSlice())
	copy(v6[16:], netip.MustParseAddr("2001:db8::1").AsSlice())
	binary.BigEndian.PutUint16(v6[32:], 40000)
	binary.BigEndian.PutUint16(v6[34:], 22)
	good := []struct {
		name, in, src string
		local         bool
	}{
		{"v1 tcp4", "PROXY TCP4 203.0.113.7 10.0.0.2 50000 2222\r\n", "203.0.113.7:50000", false},
		{"v1 tcp6", "PROXY TCP6 2001:db8::7 2001:db8::1 40000 22\r\n", "[2001:db8::7]:40000", false},
		{"v1 unknown", "PROXY UNKNOWN\r\n", "", true},
		{"v1 unknown with addresses", "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", "", true},
		{"v2 tcp4 with a TLV", string(v2TCP4("198.51.100.9", "10.0.0.2", 61000, 2222)), "198.51.100.9:61000", false},
		{"v2 tcp6", string(v2Header(1, 0x21, v6)), "[2001:db8::7]:40000", false},
		{"v2 local", string(v2Header(0, 0x00, nil)), "", true},
	}
	for _, tc := range good {
		r := bufio.NewReader(strings.NewReader(tc.in + "SSH-2.0-client\r\n"))
		h, err := ParseProxyHeader(r)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if h.Local != tc.local || (!tc.local && h.Source.String() != tc.src) {
			t.Errorf("%s: %+v", tc.name, h)
		}
		if rest, _ := r.ReadString('\n'); rest != "SSH-2.0-client\r\n" {
			t.Errorf("%s: the header ate the stream: %q", tc.name, rest)
		}
	}
	long := make([]byte, maxProxyV2+1)
	bad := []struct{ name, in, why string }{
		{"ssh banner", "SSH-2.0-OpenSSH_9.6\r\n", "PROXY"},
		{"no CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "CRLF"},
		{"too long", "PROXY TCP4 " + strings.Repeat("1", 120) + "\r\n", "107"},
		{"v4 in TCP6", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", "IPv6"},
		{"v6 in TCP4", "PROXY TCP4 ::1 ::1 1 2\r\n", "IPv4"},
		{"port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "port"},
		{"port with a sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "port"},
		{"port with a leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "port"},
		{"zoned", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "IPv6"},
		{"udp v1", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "protocol"},
		{"fields missing", "PROXY TCP4 1.2.3.4\r\n", "two addresses"},
		{"v2 bad signature", "\r\n\r\n\x00\r\nQUIX\n\x21\x11\x00\x0c" + strings.Repeat("\x00", 12), "neither"},
		{"v2 version 3", string(append(append([]byte{}, proxyV2Sig...), 0x31, 0x11, 0, 0)), "version"},
		{"v2 udp", string(v2Header(1, 0x12, make([]byte, 12))), "TCP"},
		{"v2 short ipv4", string(v2Header(1, 0x11, make([]byte, 8))), "IPv4"},
		{"v2 short ipv6", string(v2Header(1, 0x21, make([]byte, 20))), "IPv6"},
		{"v2 unix", string(v2Header(1, 0x31, make([]byte, 216))), "family"},
		{"v2 oversized", string(v2Header(1, 0x11, long)), "more than"},
		{"v2 truncated", string(v2TCP4("1.2.3.4", "5.6.7.8", 1, 2))[:20], "EOF"},
		{"v2 command 2", string(v2Header(2, 0x11, make([]byte, 12))), "command"},
		{"empty", "", "EOF"},
	}
	for _, tc := range bad {
		_, err := ParseProxyHeader(bufio.NewReader(strings.NewReader(tc.in)))
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.why)
		}
	}
}

func TestParseProxyFrom(t *testing.T) {
	got, err := ParseProxyFrom(" 10.0.0.5, 10.0.1.7/24 ,fd00::/8,::ffff:192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	want := "[10.0.0.5/32 10.0.1.0/24 fd00::/8 192.0.2.1/32]"
	if s := strings.Join(strings.Fields(strings.Trim(strings.ReplaceAll(fmtPrefixes(got), ",", " "), "[]")), " "); "["+s+"]" != want {
		t.Fatalf("prefixes %s, want %s", fmtPrefixes(got), want)
	}
	for _, bad := range []string{"10.0.0.300", "lb.example.org", "10.0.0.0/33"} {
		if _, err := ParseProxyFrom(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func fmtPrefixes(ps []netip.Prefix) string {
	var b strings.Builder
	b.WriteString("[")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(p.String())
	}
	return b.String() + "]"
}

// dialVia opens a TCP connection, writes header, and runs an SSH client
// over it.
func dialVia(t *testing.T, addr string, header []byte, key gossh.Signer) (*gossh.Client, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(header); err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{
		User: "coder", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	c := gossh.NewClient(cc, chans, reqs)
	t.Cleanup(func() { c.Close() })
	return c, nil
}

// TestProxyProtocolFromTheBalancerOnly: behind a trusted balancer the
// session sees the client's address from the header (v1 and v2), the
// balancer's own LOCAL connection keeps its address, and a balancer
// connection without a header is refused; a header from anyone else is
// never honoured.
func TestProxyProtocolFromTheBalancerOnly(t *testing.T) {
	alice := newKey(t)
	ts := startServer(t, Config{ProxyFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, ProxyHeaderTimeout: 2 * time.Second},
		authorizedLine(alice, "alice"))
	for _, tc := range []struct {
		name   string
		header []byte
		remote string
	}{
		{"v1", []byte("PROXY TCP4 203.0.113.7 127.0.0.1 50000 2222\r\n"), "203.0.113.7:50000"},
		{"v2", v2TCP4("198.51.100.9", "127.0.0.1", 61000, 2222), "198.51.100.9:61000"},
		{"v2 local", v2Header(0, 0, nil), "127.0.0.1:"},
	} {
		c, err := dialVia(t, ts.addr, tc.header, alice)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, out, _ := openTUI(t, c)
		out.waitFor(t, "hello alice from "+tc.remote)
	}
	if _, err := dial(ts.addr, gossh.PublicKeys(alice)); err == nil {
		t.Fatal("a balancer connection without a PROXY header was served")
	}
	if _, err := dialVia(t, ts.addr, []byte("PROXY TCP4 203.0.113.7 127.0.0.1 99999 2222\r\n"), alice); err == nil {
		t.Fatal("a bad PROXY header was served")
	}

	// The same header from an address that is not a balancer is never
	// honoured (the SSH handshake may skip it as a line before the
	// version; the session keeps the real address), and plain clients
	// work.
	other := startServer(t, Config{ProxyFrom: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}}, authorizedLine(alice, "alice"))
	if c, err := dialVia(t, other.addr, []byte("PROXY TCP4 203.0.113.7 127.0.0.1 50000 2222\r\n"), alice); err == nil {
		_, out, _ := openTUI(t, c)
		out.waitFor(t, "hello alice from 127.0.0.1:")
	}
	c := mustDial(t, other.addr, alice)
	_, out, _ := openTUI(t, c)
	out.waitFor(t, "hello alice from 127.0.0.1:")
}

// FuzzParseProxyHeader: no input panics or reads past a header's limit;
// what parses as a v1 header reads back the same once written out again.
func FuzzParseProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 203.0.113.7 10.0.0.2 50000 2222\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::7 2001:db8::1 40000 22\r\nSSH-2.0-x\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(v2TCP4("198.51.100.9", "10.0.0.2", 61000, 2222))
	f.Add(v2Header(0, 0, nil))
	f.Add([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bytes.NewReader(data)
		r := bufio.NewReaderSize(src, 64)
		h, err := ParseProxyHeader(r)
		if err != nil {
			return
		}
		used := len(data) - src.Len() - r.Buffered()
		rest, _ := io.ReadAll(r)
		if !bytes.Equal(rest, data[used:]) {
			t.Fatalf("the header's end is lost: %d bytes used, %q left", used, rest)
		}
		if h.Version == 1 && used > 107 || h.Version == 2 && used > 16+maxProxyV2 {
			t.Fatalf("v%d header of %d bytes", h.Version, used)
		}
		if h.Version == 1 && !h.Local {
			proto := "TCP4"
			if h.Source.Addr().Is6() {
				proto = "TCP6"
			}
			line := "PROXY " + proto + " " + h.Source.Addr().String() + " " + h.Dst.Addr().String() + " " +
				strconv.Itoa(int(h.Source.Port())) + " " + strconv.Itoa(int(h.Dst.Port())) + "\r\n"
			again, err := ParseProxyHeader(bufio.NewReader(strings.NewReader(line)))
			if err != nil || again != h {
				t.Fatalf("%q parsed as %+v; written out %q reads %+v, %v", data[:used], h, line, again, err)
			}
		}
	})
}
