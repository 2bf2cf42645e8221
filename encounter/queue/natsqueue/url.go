package natsqueue

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Defaults used when the queue URL does not say otherwise.
const (
	DefaultPort    = 4222
	DefaultStream  = "BILLING"
	DefaultSubject = "billing.claims"
	// DefaultPublishTimeout bounds how long Publish waits for a JetStream
	// acknowledgement before it spools the export instead; an ack from a
	// healthy server takes milliseconds.
	DefaultPublishTimeout = 2 * time.Second
	// DefaultDuplicateWindow is the de-duplication window given to a stream
	// this package creates. JetStream's own default is 2 minutes, far too
	// short for billing: a spool filled during a weekend outage is replayed
	// days later, and a coder may re-export the same revision later in the
	// week. The server keeps about 100 bytes per message id in the window,
	// so a week of even 100,000 exports a day costs some 70 MB at most.
	DefaultDuplicateWindow = 7 * 24 * time.Hour
)

// Options configure a NATS JetStream billing queue.
type Options struct {
	// Servers are nats://host:port URLs (user info included); more than one
	// lets the client fail over inside a NATS cluster.
	Servers []string
	Stream  string
	Subject string
	// SpoolDir holds exports while NATS is unreachable. Required by Open;
	// DefaultSpoolDir gives a per-server, per-stream directory.
	SpoolDir string
	// PublishTimeout bounds the wait for an acknowledgement (0: default).
	PublishTimeout time.Duration
	// DuplicateWindow is used only when the stream is created (0: default).
	DuplicateWindow time.Duration
	// Creds is an optional NATS credentials file (user JWT and seed).
	Creds string
	// TLS requires and configures TLS (tls.go).
	TLS TLS
	// PasswordFile holds the password of the user named in the server
	// URLs (nats://alice@host?password_file=PATH); TokenFile holds a token
	// (?token_file=PATH). Both must be 0600: see internal/secret.
	PasswordFile string
	TokenFile    string
	// Notice hears of permissions tightened on the spool.
	Notice func(msg string)
}

// ParseURL parses a queue spec of the form
//
//	nats://[user[:pass]@]host[:port][,host2[:port]...][?stream=S&subject=S&spool=DIR&timeout=D&duplicate_window=D&creds=FILE&tls_ca=FILE&tls_cert=FILE&tls_key=FILE]
//
// and reports a bad scheme, host, port or parameter as a clear error.
func ParseURL(spec string) (Options, error) {
	var o Options
	bad := func(format string, a ...any) (Options, error) {
		return Options{}, fmt.Errorf("queue %q: "+format, append([]any{redact(spec)}, a...)...)
	}
	scheme, rest, ok := strings.Cut(spec, "://")
	if !ok {
		return bad("not a URL; expected nats://host:4222")
	}
	if !strings.EqualFold(scheme, "nats") {
		return bad("scheme %q is not supported here; expected nats://host:4222", scheme)
	}
	hosts, query, _ := strings.Cut(rest, "?")
	if strings.ContainsAny(hosts, "#") {
		return bad("unexpected %q in the server address", "#")
	}
	if hosts == "" || hosts == "/" {
		return bad("missing host; expected nats://host:4222")
	}
	hosts = strings.TrimSuffix(hosts, "/")
	for _, h := range strings.Split(hosts, ",") {
		server, err := parseServer(h)
		if err != nil {
			return bad("%v", err)
		}
		o.Servers = append(o.Servers, server)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return bad("unparsable parameters: %v", err)
	}
	for name, values := range params {
		if len(values) != 1 {
			return bad("parameter %q given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "stream":
			if err := validStream(v); err != nil {
				return bad("%v", err)
			}
			o.Stream = v
		case "subject":
			if err := validSubject(v); err != nil {
				return bad("%v", err)
			}
			o.Subject = v
		case "spool":
			if v == "" {
				return bad("spool directory is empty")
			}
			o.SpoolDir = v
		case "creds":
			if v == "" {
				return bad("creds file is empty")
			}
			o.Creds = v
		case "password_file", "token_file":
			if v == "" {
				return bad("%s is empty", name)
			}
			if name == "password_file" {
				o.PasswordFile = v
			} else {
				o.TokenFile = v
			}
		case "tls_ca", "tls_cert", "tls_key":
			if v == "" {
				return bad("%s file is empty", name)
			}
			switch name {
			case "tls_ca":
				o.TLS.CA = v
			case "tls_cert":
				o.TLS.Cert = v
			default:
				o.TLS.Key = v
			}
		case "timeout", "duplicate_window":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return bad("%s=%q is not a positive duration such as 2s or 168h", name, v)
			}
			if name == "timeout" {
				o.PublishTimeout = d
			} else {
				if d < 100*time.Millisecond {
					return bad("duplicate_window=%q is below JetStream's minimum of 100ms", v)
				}
				o.DuplicateWindow = d
			}
		default:
			return bad("unknown parameter %q (known: stream, subject, spool, timeout, duplicate_window, creds, tls_ca, tls_cert, tls_key)", name)
		}
	}
	return o, nil
}

// parseServer checks one [user[:pass]@]host[:port] and returns it as a
// nats:// URL with the port made explicit.
func parseServer(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("empty server address in the list")
	}
	userinfo, hostport := "", h
	if at := strings.LastIndex(h, "@"); at >= 0 {
		userinfo, hostport = h[:at], h[at+1:]
	}
	if strings.ContainsAny(hostport, "/\\") {
		return "", fmt.Errorf("server address %q must not have a path", hostport)
	}
	host, port, hasPort := hostport, "", false
	if strings.HasPrefix(hostport, "[") { // [IPv6]:port
		end := strings.Index(hostport, "]")
		if end < 0 {
			return "", fmt.Errorf("unparsable server address %q: missing ']'", hostport)
		}
		rest := hostport[end+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", fmt.Errorf("unparsable server address %q", hostport)
		}
		host = hostport[1:end]
		if rest != "" {
			port, hasPort = rest[1:], true
		}
	} else if i := strings.LastIndex(hostport, ":"); i >= 0 {
		host, port, hasPort = hostport[:i], hostport[i+1:], true
		if strings.Contains(host, ":") {
			return "", fmt.Errorf("unparsable server address %q: put IPv6 addresses in brackets", hostport)
		}
	}
	if host == "" {
		return "", fmt.Errorf("missing host in %q; expected host:4222", redactHost(h))
	}
	if strings.ContainsFunc(host, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return "", fmt.Errorf("host %q has spaces or control characters", host)
	}
	n := DefaultPort
	if hasPort {
		var err error
		n, err = strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
	}
	u := &url.URL{Scheme: "nats", Host: net.JoinHostPort(host, strconv.Itoa(n))}
	if userinfo != "" {
		parsed, err := url.Parse("nats://" + userinfo + "@localhost")
		if err != nil || parsed.User == nil {
			return "", fmt.Errorf("unparsable user name or password before '@'")
		}
		u.User = parsed.User
	}
	return u.String(), nil
}

// validStream applies JetStream's stream-name rules.
func validStream(s string) error {
	if s == "" {
		return fmt.Errorf("stream name is empty")
	}
	if len(s) > 255 || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || strings.ContainsRune(".*>/\\", r)
	}) {
		return fmt.Errorf("stream name %q may not contain spaces, '.', '*', '>', slashes or control characters", s)
	}
	return nil
}

// validSubject accepts a literal subject: dot-separated non-empty tokens,
// no wildcards (one publishes to a concrete subject).
func validSubject(s string) error {
	if s == "" {
		return fmt.Errorf("subject is empty")
	}
	for _, tok := range strings.Split(s, ".") {
		if tok == "" {
			return fmt.Errorf("subject %q has an empty token", s)
		}
		if tok == "*" || tok == ">" || strings.ContainsFunc(tok, func(r rune) bool {
			return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '*' || r == '>'
		}) {
			return fmt.Errorf("subject %q must be literal: no wildcards, spaces or control characters", s)
		}
	}
	return nil
}

// withDefaults fills unset fields.
func (o Options) withDefaults() Options {
	if o.Stream == "" {
		o.Stream = DefaultStream
	}
	if o.Subject == "" {
		o.Subject = DefaultSubject
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = DefaultPublishTimeout
	}
	if o.DuplicateWindow <= 0 {
		o.DuplicateWindow = DefaultDuplicateWindow
	}
	return o
}

func (o Options) validate() error {
	if len(o.Servers) == 0 {
		return fmt.Errorf("no NATS server given")
	}
	for _, s := range o.Servers {
		if _, err := parseServer(strings.TrimPrefix(s, "nats://")); err != nil {
			return err
		}
	}
	if err := validStream(o.Stream); err != nil {
		return err
	}
	if err := validSubject(o.Subject); err != nil {
		return err
	}
	if o.SpoolDir == "" {
		return fmt.Errorf("no spool directory given")
	}
	if o.PasswordFile != "" && o.TokenFile != "" {
		return fmt.Errorf("password_file and token_file both given; a connection uses one")
	}
	for _, s := range o.Servers {
		u, err := url.Parse(s)
		if err != nil || u.User == nil {
			if o.PasswordFile != "" {
				return fmt.Errorf("password_file needs the user name in the URL (nats://USER@host)")
			}
			continue
		}
		if _, has := u.User.Password(); has && (o.PasswordFile != "" || o.TokenFile != "") {
			return fmt.Errorf("a password in the URL and a password or token file: give one")
		}
		if o.TokenFile != "" {
			return fmt.Errorf("token_file and a user or token in the URL: give one")
		}
	}
	return o.TLS.validate()
}

// SecretInURL tells whether the server URLs themselves carry a password
// or a token (nats://user:pass@host, nats://TOKEN@host), which must not
// come from a command line.
func (o Options) SecretInURL() bool {
	for _, s := range o.Servers {
		u, err := url.Parse(s)
		if err != nil || u.User == nil {
			continue
		}
		if _, has := u.User.Password(); has {
			return true
		}
		if o.PasswordFile == "" {
			return true // a lone user info is a token
		}
	}
	return false
}

// DefaultSpoolDir is the spool directory under base (the data directory)
// for these options: one per first server and stream, so two queues never
// share a spool.
func DefaultSpoolDir(base string, o Options) string {
	o = o.withDefaults()
	host := "none"
	if len(o.Servers) > 0 {
		if u, err := url.Parse(o.Servers[0]); err == nil {
			host = u.Host
		}
	}
	name := strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return '_'
	}, host+"-"+o.Stream)
	return filepath.Join(base, "spool", "nats", name)
}

// Display is the servers, stream and subject without passwords.
func (o Options) Display() string {
	o = o.withDefaults()
	servers := make([]string, len(o.Servers))
	for i, s := range o.Servers {
		servers[i] = redact(s)
	}
	return fmt.Sprintf("%s stream %s subject %s", strings.Join(servers, ","), o.Stream, o.Subject)
}

// redact hides passwords and tokens in a nats:// URL for messages.
func redact(spec string) string {
	scheme, rest, ok := strings.Cut(spec, "://")
	if !ok {
		return spec
	}
	hosts, query, hasQuery := strings.Cut(rest, "?")
	parts := strings.Split(hosts, ",")
	for i, h := range parts {
		parts[i] = redactHost(h)
	}
	out := scheme + "://" + strings.Join(parts, ",")
	if hasQuery {
		out += "?" + query
	}
	return out
}

func redactHost(h string) string {
	if at := strings.LastIndex(h, "@"); at >= 0 {
		return "xxxxx@" + h[at+1:]
	}
	return h
}
