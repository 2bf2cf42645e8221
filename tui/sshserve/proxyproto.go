package sshserve

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"charm.land/log/v2"
)

// The PROXY protocol (HAProxy's, versions 1 and 2) lets a TCP load
// balancer tell the server behind it which client a connection is for.
// Only connections from the configured load balancers may carry it, and
// theirs must: otherwise any client could claim any address and walk
// past the per-source limits and the from= restrictions of its key.

// DefaultProxyHeaderTimeout bounds the wait for a load balancer's header.
const DefaultProxyHeaderTimeout = 5 * time.Second

// maxProxyV2 caps a v2 header's address and TLV block; load balancers
// send well under a kilobyte.
const maxProxyV2 = 4096

var proxyV2Sig = []byte("\r\n\r\n\x00\r\nQUIT\n")

// ProxyHeader is what a PROXY protocol header says.
type ProxyHeader struct {
	Version int
	// Local: the balancer's own connection (a health check), or a v1
	// "UNKNOWN" one: it carries no client address.
	Local       bool
	Source, Dst netip.AddrPort
}

// ParseProxyHeader reads one PROXY protocol header (v1 or v2) from r,
// leaving r at the first byte after it. Anything else is an error that
// quotes what it saw.
func ParseProxyHeader(r *bufio.Reader) (ProxyHeader, error) {
	first, err := r.Peek(1)
	if err != nil {
		return ProxyHeader{}, fmt.Errorf("PROXY header: %w", err)
	}
	if first[0] == '\r' {
		return parseProxyV2(r)
	}
	return parseProxyV1(r)
}

// parseProxyV1 reads "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n",
// at most 107 bytes.
func parseProxyV1(r *bufio.Reader) (ProxyHeader, error) {
	var line []byte
	for len(line) < 107 {
		b, err := r.ReadByte()
		if err != nil {
			return ProxyHeader{}, fmt.Errorf("PROXY v1 header %q: %w", line, err)
		}
		line = append(line, b)
		if b == '\n' {
			break
		}
	}
	text, ok := strings.CutSuffix(string(line), "\r\n")
	if !ok {
		return ProxyHeader{}, fmt.Errorf("PROXY v1 header %q: not a line ending in CRLF within 107 bytes", line)
	}
	f := strings.Split(text, " ")
	if f[0] != "PROXY" || len(f) < 2 {
		return ProxyHeader{}, fmt.Errorf("PROXY header %q: does not start with \"PROXY \"", text)
	}
	h := ProxyHeader{Version: 1}
	switch f[1] {
	case "UNKNOWN":
		h.Local = true
		return h, nil
	case "TCP4", "TCP6":
	default:
		return h, fmt.Errorf("PROXY v1 header %q: unknown protocol %q", text, f[1])
	}
	if len(f) != 6 {
		return h, fmt.Errorf("PROXY v1 header %q: want protocol, two addresses and two ports", text)
	}
	src, err := v1Endpoint(f[2], f[4], f[1] == "TCP6")
	if err != nil {
		return h, fmt.Errorf("PROXY v1 header %q: source: %w", text, err)
	}
	dst, err := v1Endpoint(f[3], f[5], f[1] == "TCP6")
	if err != nil {
		return h, fmt.Errorf("PROXY v1 header %q: destination: %w", text, err)
	}
	h.Source, h.Dst = src, dst
	return h, nil
}

func v1Endpoint(addr, port string, six bool) (netip.AddrPort, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" || a.Is4() == six {
		return netip.AddrPort{}, fmt.Errorf("address %q is not an IPv%s address", addr, map[bool]string{true: "6", false: "4"}[six])
	}
	// Decimal without sign or leading zeros, 0-65535.
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || (len(port) > 1 && port[0] == '0') {
		return netip.AddrPort{}, fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// parseProxyV2 reads the binary header: signature, version and command,
// family and protocol, length, addresses, then TLVs (skipped).
func parseProxyV2(r *bufio.Reader) (ProxyHeader, error) {
	var fixed [16]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return ProxyHeader{}, fmt.Errorf("PROXY v2 header: %w", err)
	}
	if !bytes.Equal(fixed[:12], proxyV2Sig) {
		return ProxyHeader{}, fmt.Errorf("PROXY header %q: neither v1 nor v2", fixed[:12])
	}
	h := ProxyHeader{Version: 2}
	if fixed[12]>>4 != 2 {
		return h, fmt.Errorf("PROXY v2 header: version %d", fixed[12]>>4)
	}
	n := int(binary.BigEndian.Uint16(fixed[14:16]))
	if n > maxProxyV2 {
		return h, fmt.Errorf("PROXY v2 header: %d bytes of addresses and TLVs, more than %d", n, maxProxyV2)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return h, fmt.Errorf("PROXY v2 header: %w", err)
	}
	switch fixed[12] & 0x0f {
	case 0: // LOCAL: the balancer's own connection
		h.Local = true
		return h, nil
	case 1: // PROXY
	default:
		return h, fmt.Errorf("PROXY v2 header: unknown command %d", fixed[12]&0x0f)
	}
	family, proto := fixed[13]>>4, fixed[13]&0x0f
	if proto != 1 { // only TCP (STREAM) is proxied to an SSH server
		if family == 0 && proto == 0 {
			h.Local = true // UNSPEC: no address to use
			return h, nil
		}
		return h, fmt.Errorf("PROXY v2 header: transport %d is not TCP", proto)
	}
	switch family {
	case 1: // AF_INET: 4+4+2+2
		if n < 12 {
			return h, fmt.Errorf("PROXY v2 header: %d bytes for IPv4 addresses, want 12", n)
		}
		h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[0:4])), binary.BigEndian.Uint16(body[8:10]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[4:8])), binary.BigEndian.Uint16(body[10:12]))
	case 2: // AF_INET6: 16+16+2+2
		if n < 36 {
			return h, fmt.Errorf("PROXY v2 header: %d bytes for IPv6 addresses, want 36", n)
		}
		h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[0:16])), binary.BigEndian.Uint16(body[32:34]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[16:32])), binary.BigEndian.Uint16(body[34:36]))
	default:
		return h, fmt.Errorf("PROXY v2 header: address family %d is not IPv4 or IPv6", family)
	}
	return h, nil
}

// ParseProxyFrom reads a comma-separated list of load balancer addresses
// and CIDR prefixes ("10.0.0.5, 10.0.1.0/24, fd00::/8").
func ParseProxyFrom(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("load balancer %q: not an address or CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("load balancer %q: not an address or CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// proxyListener hands out connections whose remote address is the one a
// trusted load balancer's PROXY header gives.
type proxyListener struct {
	net.Listener
	trusted []netip.Prefix
	timeout time.Duration
	log     *log.Logger
}

func newProxyListener(ln net.Listener, trusted []netip.Prefix, timeout time.Duration, logger *log.Logger) net.Listener {
	if timeout <= 0 {
		timeout = DefaultProxyHeaderTimeout
	}
	return &proxyListener{Listener: ln, trusted: trusted, timeout: timeout, log: logger}
}

func (l *proxyListener) isTrusted(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range l.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Accept does not read the header itself: one slow balancer connection
// must not hold up everyone else's. The header is read on the
// connection's first use, in its own goroutine.
func (l *proxyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || !l.isTrusted(c.RemoteAddr()) {
		return c, err
	}
	return &proxyConn{Conn: c, l: l}, nil
}

// proxyConn is a load balancer's connection: its first bytes must be a
// PROXY header, and its remote address is the client's.
type proxyConn struct {
	net.Conn
	l    *proxyListener
	once sync.Once
	r    *bufio.Reader
	hdr  ProxyHeader
	err  error
}

var errProxyHeader = errors.New("connection from a load balancer without a valid PROXY protocol header")

func (c *proxyConn) readHeader() {
	c.once.Do(func() {
		c.Conn.SetReadDeadline(time.Now().Add(c.l.timeout))
		c.r = bufio.NewReaderSize(c.Conn, 256)
		c.hdr, c.err = ParseProxyHeader(c.r)
		c.Conn.SetReadDeadline(time.Time{})
		if c.err != nil {
			c.l.log.Warn("connection refused: bad PROXY protocol header", "balancer", c.Conn.RemoteAddr().String(), "err", c.err)
			c.err = fmt.Errorf("%w: %v", errProxyHeader, c.err)
			c.Conn.Close()
		}
	})
}

func (c *proxyConn) Read(p []byte) (int, error) {
	c.readHeader()
	if c.err != nil {
		return 0, c.err
	}
	return c.r.Read(p)
}

// RemoteAddr is the client's address from the header; the balancer's for
// its own (LOCAL) connections, and for one whose header was refused.
func (c *proxyConn) RemoteAddr() net.Addr {
	c.readHeader()
	if c.err != nil || c.hdr.Local {
		return c.Conn.RemoteAddr()
	}
	return net.TCPAddrFromAddrPort(c.hdr.Source)
}
