package sshserve

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"path"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"codebench/termsafe"
)

// MinRSABits is the smallest RSA key accepted.
const MinRSABits = 2048

// Entry is one line of an authorized keys file that lets a key in.
type Entry struct {
	Line        int
	Key         gossh.PublicKey
	Fingerprint string
	Coder       string
	// From holds the from= patterns; empty means any source.
	From []AddrPattern
	// Expiry is expiry-time=; zero means never.
	Expiry time.Time
}

// Skipped is a line that lets nobody in, and why (as sshd does, the rest
// of the file still applies).
type Skipped struct {
	Line   int
	Reason string
}

// AddrPattern is one pattern of a from= list: an address, a CIDR block or
// an IPv4 wildcard (10.1.*), possibly negated with "!".
type AddrPattern struct {
	Negate bool
	Prefix netip.Prefix // address (full-length prefix) or CIDR block
	Glob   string       // wildcard on the address text
}

func (p AddrPattern) String() string {
	s := p.Glob
	if s == "" {
		s = p.Prefix.String()
		if p.Prefix.IsSingleIP() {
			s = p.Prefix.Addr().String()
		}
	}
	if p.Negate {
		return "!" + s
	}
	return s
}

func (p AddrPattern) matches(ip netip.Addr) bool {
	if p.Glob != "" {
		ok, _ := path.Match(p.Glob, ip.String())
		return ok
	}
	return p.Prefix.Contains(ip)
}

// AllowsFrom applies a from= list to a source address as sshd does: a
// matching negated pattern refuses, else any matching pattern allows.
func (e Entry) AllowsFrom(ip netip.Addr) bool {
	if len(e.From) == 0 {
		return true
	}
	ip = ip.Unmap()
	ok := false
	for _, p := range e.From {
		if p.matches(ip) {
			if p.Negate {
				return false
			}
			ok = true
		}
	}
	return ok
}

// ParseAuthorizedKeys reads authorized_keys data: OpenSSH format, the
// coder id as the key's comment. Lines that cannot be honoured are
// skipped with a reason: malformed lines, keys without a coder id, weak
// keys (RSA under 2048 bits, DSA), certificates, and options codebench
// cannot enforce or that would change what a session is (command=,
// no-pty, restrict without pty, environment=, unknown options, from=
// naming host names). A key listed for two coders is refused on every
// line. loc is the time zone of expiry-time values without "Z".
func ParseAuthorizedKeys(data []byte, loc *time.Location) ([]Entry, []Skipped) {
	var entries []Entry
	var skipped []Skipped
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		e, reason := parseLine(text, line, loc)
		if reason != "" {
			skipped = append(skipped, Skipped{Line: line, Reason: reason})
			continue
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		skipped = append(skipped, Skipped{Line: line + 1, Reason: "unreadable from here on: " + err.Error()})
	}
	return refuseAmbiguous(entries, skipped)
}

// refuseAmbiguous drops every line of a key that names two coders: the
// server could not tell who is connecting.
func refuseAmbiguous(entries []Entry, skipped []Skipped) ([]Entry, []Skipped) {
	coderOf := map[string]Entry{}
	bad := map[string]bool{}
	for _, e := range entries {
		if first, ok := coderOf[e.Fingerprint]; ok && first.Coder != e.Coder {
			bad[e.Fingerprint] = true
		} else if !ok {
			coderOf[e.Fingerprint] = e
		}
	}
	if len(bad) == 0 {
		return entries, skipped
	}
	kept := entries[:0]
	for _, e := range entries {
		if bad[e.Fingerprint] {
			first := coderOf[e.Fingerprint]
			skipped = append(skipped, Skipped{Line: e.Line, Reason: fmt.Sprintf("the same key is listed for coders %q (line %d) and others; refused on every line", first.Coder, first.Line)})
			continue
		}
		kept = append(kept, e)
	}
	return kept, skipped
}

func parseLine(text string, line int, loc *time.Location) (Entry, string) {
	key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return Entry{}, "not a public key line: " + termsafe.Escape(err.Error())
	}
	e := Entry{Line: line, Key: key, Fingerprint: gossh.FingerprintSHA256(key), Coder: strings.TrimSpace(comment)}
	if reason := keyPolicy(key); reason != "" {
		return e, reason
	}
	switch {
	case e.Coder == "":
		return e, "the key has no coder id (put the coder id after the key)"
	case strings.ContainsFunc(e.Coder, func(r rune) bool { return r <= ' ' || r == 0x7f || r >= 0x80 && r <= 0x9f }):
		return e, fmt.Sprintf("coder id %s must be one word without spaces or control characters", termsafe.Quote(e.Coder))
	case len(e.Coder) > 64:
		return e, "coder id longer than 64 bytes"
	}
	restrict, pty := false, false
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if hasValue {
			value, err = unquoteOption(value)
			if err != nil {
				return e, fmt.Sprintf("option %s: %v", termsafe.Quote(name), err)
			}
		}
		switch name {
		case "from":
			if !hasValue {
				return e, "from= needs a pattern list"
			}
			if e.From, err = ParseFrom(value); err != nil {
				return e, "from=" + termsafe.Quote(value) + ": " + err.Error()
			}
		case "expiry-time":
			if !hasValue {
				return e, "expiry-time= needs a time (YYYYMMDD[HHMM[SS]][Z])"
			}
			if e.Expiry, err = ParseExpiry(value, loc); err != nil {
				return e, "expiry-time=" + termsafe.Quote(value) + ": " + err.Error()
			}
		case "restrict":
			restrict = true
		case "pty":
			pty = true
		case "no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding", "no-user-rc":
			// Refused for every session anyway.
		case "permitopen", "permitlisten":
			// Forwarding is refused for every session, so no opening is
			// permitted whatever the list says.
		case "command":
			return e, "command= keys are refused: the workbench is the only program a session runs"
		case "no-pty":
			return e, "no-pty keys are refused: the workbench needs a terminal"
		case "environment":
			return e, "environment= keys are refused: the server sets no environment from the key file"
		default:
			return e, fmt.Sprintf("unknown option %s refuses the key (codebench cannot enforce what it does not know)", termsafe.Quote(name))
		}
	}
	if restrict && !pty {
		return e, "restrict without pty forbids the terminal the workbench needs; add pty (restrict,pty) to let the key in"
	}
	return e, ""
}

// keyPolicy refuses key types and sizes below the algorithm policy.
func keyPolicy(key gossh.PublicKey) string {
	switch key.Type() {
	case gossh.KeyAlgoED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521,
		gossh.KeyAlgoSKED25519, gossh.KeyAlgoSKECDSA256:
		return ""
	case gossh.KeyAlgoRSA:
		ck, ok := key.(gossh.CryptoPublicKey)
		if !ok {
			return "RSA key of unknown size"
		}
		pub, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
		if !ok {
			return "RSA key of unknown size"
		}
		if n := pub.N.BitLen(); n < MinRSABits {
			return fmt.Sprintf("RSA key of %d bits; at least %d are required", n, MinRSABits)
		}
		return ""
	case gossh.InsecureKeyAlgoDSA:
		return "DSA keys are refused (weak); use ssh-ed25519"
	}
	if strings.Contains(key.Type(), "-cert-") {
		return "certificates are refused: list the coder's plain public key"
	}
	return fmt.Sprintf("key type %s is not accepted", termsafe.Quote(key.Type()))
}

// unquoteOption reads an option value: "..." with \" escapes, or bare.
func unquoteOption(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		return v, nil
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) {
		return "", fmt.Errorf("unterminated quote")
	}
	v = v[1 : len(v)-1]
	return strings.ReplaceAll(v, `\"`, `"`), nil
}

// ParseFrom reads a from= pattern list: addresses, CIDR blocks and IPv4
// wildcards, each possibly negated with "!". A host-name pattern is an
// error: the server does not resolve names (DNS is the client's to
// forge), so such a key is refused rather than let in from anywhere.
func ParseFrom(list string) ([]AddrPattern, error) {
	var out []AddrPattern
	for _, raw := range strings.Split(list, ",") {
		s := strings.TrimSpace(raw)
		p := AddrPattern{}
		if rest, ok := strings.CutPrefix(s, "!"); ok {
			p.Negate, s = true, rest
		}
		if s == "" {
			return nil, fmt.Errorf("empty pattern")
		}
		if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			p.Prefix = netip.PrefixFrom(a, a.BitLen())
		} else if pr, err := netip.ParsePrefix(s); err == nil {
			p.Prefix = unmapPrefix(pr)
		} else if isAddrGlob(s) {
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("pattern %s: %v", termsafe.Quote(s), err)
			}
			p.Glob = s
		} else {
			return nil, fmt.Errorf("pattern %s names a host; codebench does not resolve names, so the key is refused (use addresses or CIDR blocks)", termsafe.Quote(s))
		}
		out = append(out, p)
	}
	return out, nil
}

// unmapPrefix turns ::ffff:10.0.0.0/104 into 10.0.0.0/8, so it matches the
// IPv4 addresses sources are compared as.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// isAddrGlob accepts wildcards over IPv4 address text only: digits, dots
// and * or ?.
func isAddrGlob(s string) bool {
	if !strings.ContainsAny(s, "*?") {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '*' || r == '?') {
			return false
		}
	}
	return true
}

// ParseExpiry reads expiry-time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS,
// in loc, or in UTC with a trailing Z (as sshd).
func ParseExpiry(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	v := s
	if rest, ok := strings.CutSuffix(v, "Z"); ok {
		v, loc = rest, time.UTC
	}
	var layout string
	switch len(v) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("want YYYYMMDD[HHMM[SS]][Z]")
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return time.Time{}, fmt.Errorf("want YYYYMMDD[HHMM[SS]][Z]")
		}
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a valid time")
	}
	return t, nil
}
