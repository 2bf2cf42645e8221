package sshserve

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"codebench/termsafe"
)

// AuthorizedKeys maps public keys to coder ids. The file is in OpenSSH
// authorized_keys format; the comment after the key is the coder id:
//
//	ssh-ed25519 AAAAC3Nz... alice
//	from="10.1.0.0/16",expiry-time="20270101" ssh-ed25519 AAAAC3Nz... bob
//
// The file is read again whenever it changes, so adding or removing a
// coder needs no restart. What is in the file is what is let in: a line
// that cannot be honoured is skipped and logged (the rest applies), a key
// taken out of the file is refused at once, and a missing, unreadable,
// oversized or group/world-writable file lets nobody in.
type AuthorizedKeys struct {
	path   string
	logger *log.Logger
	loc    *time.Location

	mu     sync.Mutex
	seen   os.FileInfo        // the file as last read; nil when unreadable
	keys   map[string][]Entry // fingerprint -> lines letting it in
	refuse string             // why nobody is let in, "" when the file is in force
}

var discard = log.New(io.Discard)

// MaxKeysFileSize bounds the authorized keys file.
const MaxKeysFileSize = 1 << 20

// LoadAuthorizedKeys reads the file. A file that cannot be read at start
// is an error (the server would let nobody in); later, the same is logged
// and nobody is let in until it is fixed. logger receives skipped lines
// and reloads; nil discards them.
func LoadAuthorizedKeys(path string, logger *log.Logger) (*AuthorizedKeys, error) {
	if logger == nil {
		logger = discard // the server's logger takes over in New
	}
	a := &AuthorizedKeys{path: path, logger: logger, loc: time.Local}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reload()
	if a.refuse != "" {
		return nil, errors.New(a.refuse)
	}
	return a, nil
}

// setLogger hands the keys to the server's logger and reads the file
// again, so lines skipped at load are in the server's log too.
func (a *AuthorizedKeys) setLogger(l *log.Logger) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.logger != discard {
		return
	}
	a.logger, a.seen = l, nil
	a.reload()
}

// Path is the file.
func (a *AuthorizedKeys) Path() string { return a.path }

// reload reads the file if it changed since it was last read. Called
// with mu held.
func (a *AuthorizedKeys) reload() {
	st, err := os.Stat(a.path)
	if err == nil && a.seen != nil && os.SameFile(st, a.seen) && st.ModTime().Equal(a.seen.ModTime()) &&
		st.Size() == a.seen.Size() && st.Mode() == a.seen.Mode() {
		return
	}
	refuse := ""
	var keys map[string][]Entry
	switch {
	case errors.Is(err, os.ErrNotExist):
		refuse = fmt.Sprintf("authorized keys %s does not exist: nobody is let in", a.path)
	case err != nil:
		refuse = fmt.Sprintf("authorized keys %s: %v: nobody is let in", a.path, err)
	case !st.Mode().IsRegular():
		refuse = fmt.Sprintf("authorized keys %s is not a regular file: nobody is let in", a.path)
	case st.Mode().Perm()&0o022 != 0:
		refuse = fmt.Sprintf("authorized keys %s is writable by group or others (%04o), so anyone could add a key: nobody is let in until it is 0600 or 0644", a.path, st.Mode().Perm())
	case st.Size() > MaxKeysFileSize:
		refuse = fmt.Sprintf("authorized keys %s is larger than %d bytes: nobody is let in", a.path, MaxKeysFileSize)
	default:
		data, rerr := readLimited(a.path, MaxKeysFileSize)
		if rerr != nil {
			refuse = fmt.Sprintf("authorized keys %s: %v: nobody is let in", a.path, rerr)
			break
		}
		entries, skipped := ParseAuthorizedKeys(data, a.loc)
		keys = map[string][]Entry{}
		for _, e := range entries {
			keys[e.Fingerprint] = append(keys[e.Fingerprint], e)
		}
		for _, s := range skipped {
			a.logger.Warn("authorized keys line skipped", "file", termsafe.Escape(a.path), "line", s.Line, "reason", termsafe.Escape(s.Reason))
		}
		a.logger.Info("authorized keys read", "file", termsafe.Escape(a.path), "keys", len(entries), "skipped", len(skipped))
	}
	if refuse != "" {
		if refuse != a.refuse { // once per change, not per connection
			a.logger.Error(termsafe.Escape(refuse))
		}
		st = nil
	}
	a.seen, a.keys, a.refuse = st, keys, refuse
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// Refusal says why a key is not let in.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// Authorize returns the coder a key belongs to when the file lets it in
// from remote at now: listed, not expired, and from= allowing the source.
// The error says why not (for the log; the client is told nothing).
func (a *AuthorizedKeys) Authorize(key gossh.PublicKey, remote net.Addr, now time.Time) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reload()
	if a.refuse != "" {
		return "", &Refusal{a.refuse}
	}
	if reason := keyPolicy(key); reason != "" {
		return "", &Refusal{reason}
	}
	entries := a.keys[gossh.FingerprintSHA256(key)]
	if len(entries) == 0 {
		return "", &Refusal{"key not in the authorized keys file"}
	}
	ip := sourceAddr(remote)
	var why string
	for _, e := range entries {
		switch {
		case !e.Expiry.IsZero() && !now.Before(e.Expiry):
			why = fmt.Sprintf("key of %s (line %d) expired at %s", e.Coder, e.Line, e.Expiry.Format(time.RFC3339))
		case !ip.IsValid() && len(e.From) > 0:
			why = fmt.Sprintf("key of %s (line %d) has from= and the source address is unknown", e.Coder, e.Line)
		case !e.AllowsFrom(ip):
			why = fmt.Sprintf("key of %s (line %d) is not allowed from %s (from=%s)", e.Coder, e.Line, ip, patternsText(e.From))
		default:
			return e.Coder, nil
		}
	}
	return "", &Refusal{why}
}

func patternsText(ps []AddrPattern) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ","
		}
		s += p.String()
	}
	return s
}

// sourceAddr is the IP of a TCP peer (IPv4 unmapped); invalid otherwise.
func sourceAddr(a net.Addr) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	if tcp, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(tcp.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.Addr{}
}
