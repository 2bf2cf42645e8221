// Package sshserve serves the workbench over SSH: one TUI per coder session,
// public-key authentication mapped to coder ids (OpenSSH authorized_keys
// with its from= and expiry-time= options), no shell, no commands, no
// forwarding; pre-authentication limits, a handshake deadline, a modern
// algorithm policy, clamped terminal sizes, caps on sessions, an idle
// timeout, revocation that ends running sessions, and a graceful shutdown
// that lets every session save its draft.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/wish/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"codebench/termsafe"
)

// Session describes one coder's SSH session to the TUI factory.
type Session struct {
	ID     string
	Coder  string
	Remote string
	Width  int
	Height int
	Term   string
	// Environ is the environment the client sent (TERM, NO_COLOR, ...;
	// only a few variables are taken).
	Environ []string
	Logger  *log.Logger
	// Context ends when the session's program has ended: after a lost
	// connection the program is stopped first, so it can still save its
	// draft and release its lease with this context.
	Context context.Context
}

// Config configures a Server. Zero values take the defaults given.
type Config struct {
	// Addr to listen on; default 127.0.0.1:2222.
	Addr string
	// HostKeyPath is the server's private key, created (ed25519) on first
	// start and reused after, so clients can pin it.
	HostKeyPath string
	// Keys authorises public keys and names their coders.
	Keys *AuthorizedKeys
	// IdleTimeout ends a session whose coder typed nothing for this long
	// (the draft is saved first); default 30 minutes.
	IdleTimeout time.Duration
	// MaxSessions caps concurrent sessions; default 100.
	MaxSessions int
	// MaxSessionsPerCoder caps one coder's sessions; default 3.
	MaxSessionsPerCoder int

	// HandshakeTimeout is how long a connection has to authenticate;
	// default 20 s.
	HandshakeTimeout time.Duration
	// MaxUnauthenticated caps connections not yet authenticated, in total
	// (default 256) and per source address (default 32).
	MaxUnauthenticated          int
	MaxUnauthenticatedPerSource int
	// MaxAuthFailures failed authentications from one source within
	// AuthFailureWindow block the source until the window ends; default
	// 20 per minute.
	MaxAuthFailures   int
	AuthFailureWindow time.Duration

	// MaxWidth and MaxHeight clamp terminal sizes (default 500x200), then
	// MaxCells their product (default 12,000: 173x69, 240x50), scaling
	// both sides alike. A session's memory grows with its cells (the
	// renderer's buffers and the frames drawn: about 500 bytes a cell while
	// coding), so this keeps a session at its largest within 8 MB of an
	// idle one at 80x24.
	MaxWidth, MaxHeight int
	MaxCells            int
	// KeyCheckEvery is how often running sessions are checked against the
	// authorized keys file (a key removed or expired ends its sessions);
	// default 30 s.
	KeyCheckEvery time.Duration
	// StopGrace is how long a stopped session (lost connection, idle,
	// revoked) gets to save and close before it is killed; default 10 s.
	StopGrace time.Duration

	Logger *log.Logger
	// NewSession builds the TUI model for a session, with any program
	// options of its own (input, output and size are set by the server).
	NewSession func(Session) (tea.Model, []tea.ProgramOption, error)
	// ProxyFrom are the TCP load balancers whose connections start with
	// a PROXY protocol header (v1 or v2, see proxyproto.go); the client
	// address in it is the session's remote address. Their connections
	// without a valid header are refused; nobody else's header is read.
	ProxyFrom []netip.Prefix
	// ProxyHeaderTimeout bounds the wait for that header (default 5s).
	ProxyHeaderTimeout time.Duration
	// StopMsg is sent to a session's program to end it cleanly (idle
	// timeout, lost connection, revocation, server shutdown): the model
	// saves its draft, releases its lease and quits. Nil means tea.Quit.
	StopMsg func(reason string) tea.Msg
	// FPS caps the frames a second a session draws for anything but the
	// coder's keys, which are answered at once (display.go); default 60.
	FPS int
	// MaxPendingOutput is how many bytes may wait for a client that reads
	// slower than its session draws (default 1 MiB, some two hundred full
	// screens); StallTimeout how long a client may take no output while
	// bytes wait (default 20s). Past either the client is stalled: its
	// session is stopped (draft saved) and its connection closed
	// (output.go).
	MaxPendingOutput int
	StallTimeout     time.Duration
}

func (c *Config) defaults() {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:2222"
	}
	setD(&c.IdleTimeout, 30*time.Minute)
	set(&c.MaxSessions, 100)
	set(&c.MaxSessionsPerCoder, 3)
	setD(&c.HandshakeTimeout, 20*time.Second)
	set(&c.MaxUnauthenticated, 256)
	set(&c.MaxUnauthenticatedPerSource, 32)
	set(&c.MaxAuthFailures, 20)
	setD(&c.AuthFailureWindow, time.Minute)
	set(&c.MaxWidth, 500)
	set(&c.MaxHeight, 200)
	set(&c.MaxCells, 12000)
	setD(&c.KeyCheckEvery, 30*time.Second)
	setD(&c.StopGrace, 10*time.Second)
	set(&c.FPS, 60)
	set(&c.MaxPendingOutput, 1<<20)
	setD(&c.StallTimeout, 20*time.Second)
	if c.Logger == nil {
		c.Logger = log.Default()
	}
	if c.StopMsg == nil {
		c.StopMsg = func(string) tea.Msg { return tea.Quit() }
	}
}

// Server is a running SSH workbench server.
type Server struct {
	cfg    Config
	srv    *ssh.Server
	log    *log.Logger
	guard  *guard
	nextID atomic.Int64

	mu       sync.Mutex
	sessions map[string]*running
	closing  bool
	done     sync.WaitGroup
	stopKeys chan struct{}
	keysOnce sync.Once
}

type ctxKey string

const coderKey ctxKey = "codebench.coder"

// New makes a server; it does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Keys == nil {
		return nil, errors.New("sshserve: no authorized keys: every coder needs a key mapped to a coder id")
	}
	if cfg.NewSession == nil {
		return nil, errors.New("sshserve: no session factory")
	}
	if cfg.HostKeyPath == "" {
		return nil, errors.New("sshserve: no host key path")
	}
	cfg.defaults()
	s := &Server{cfg: cfg, log: cfg.Logger, sessions: map[string]*running{}, stopKeys: make(chan struct{})}
	s.guard = newGuard(&s.cfg, s.log)
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithMiddleware(s.serveSession),
	)
	if err != nil {
		return nil, fmt.Errorf("sshserve: %w", err)
	}
	// Only interactive sessions: no forwarding (nil callbacks deny it), no
	// subsystems (sftp, ...), no global requests, no exec (serveSession
	// refuses commands); session channels pass the request filter.
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnCallback = s.guard.admit
	srv.ServerConfigCallback = s.sshConfig
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Debug("connection failed", "remote", sourceAddr(c.RemoteAddr()).String(), "err", termsafe.Escape(err.Error()))
	}
	// A connection with no traffic at all for twice the idle timeout is
	// dead; the session-level idle timeout ends inactive coders.
	srv.IdleTimeout = 2 * cfg.IdleTimeout
	s.srv = srv
	cfg.Keys.setLogger(s.log)
	return s, nil
}

// sshConfig is the algorithm policy, per connection: no SHA-1 anywhere
// (key exchange, MACs, ssh-rsa signatures), AEAD and CTR ciphers, and the
// guard's view of every authentication attempt.
func (s *Server) sshConfig(ctx ssh.Context) *gossh.ServerConfig {
	supported := gossh.SupportedAlgorithms()
	return &gossh.ServerConfig{
		Config: gossh.Config{
			KeyExchanges: []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519, gossh.KeyExchangeECDHP256,
				gossh.KeyExchangeECDHP384, gossh.KeyExchangeECDHP521, gossh.KeyExchangeDH16SHA512, gossh.KeyExchangeDH14SHA256},
			Ciphers: supported.Ciphers,
			MACs:    []string{gossh.HMACSHA256ETM, gossh.HMACSHA512ETM, gossh.HMACSHA256, gossh.HMACSHA512},
		},
		// rsa-sha2-256/512 only: an ssh-rsa (SHA-1) signature is refused.
		PublicKeyAuthAlgorithms: supported.PublicKeyAuths,
		MaxAuthTries:            6,
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			s.guard.authResult(ctx, conn, method, err)
		},
	}
}

func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	coder, err := s.cfg.Keys.Authorize(key, ctx.RemoteAddr(), time.Now())
	if err != nil {
		src := sourceAddr(ctx.RemoteAddr()).String()
		s.guard.logThrottled(src, "key refused", "key refused", "remote", src, "user", termsafe.Escape(ctx.User()),
			"key", gossh.FingerprintSHA256(key), "reason", termsafe.Escape(err.Error()))
		return false
	}
	ctx.SetValue(coderKey, coder)
	return true
}

// Sessions is the number of sessions running.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Connections is the number of TCP connections open, authenticated or
// not.
func (s *Server) Connections() int { return int(s.guard.active.Load()) }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("serving the workbench over SSH", "addr", ln.Addr().String(), "max_sessions", s.cfg.MaxSessions,
		"max_sessions_per_coder", s.cfg.MaxSessionsPerCoder, "idle_timeout", s.cfg.IdleTimeout.String(),
		"handshake_timeout", s.cfg.HandshakeTimeout.String())
	if len(s.cfg.ProxyFrom) > 0 {
		ln = newProxyListener(ln, s.cfg.ProxyFrom, s.cfg.ProxyHeaderTimeout, s.log)
		s.log.Info("PROXY protocol accepted from the load balancers", "from", fmt.Sprint(s.cfg.ProxyFrom))
	}
	s.keysOnce.Do(func() { go s.watchKeys() })
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenAndServe listens on the configured address and serves.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sshserve: %w", err)
	}
	return s.Serve(ln)
}

// Shutdown stops accepting sessions, asks every session to save its draft
// and quit, and waits for them until ctx ends; then it ends what is left.
// Each client's terminal is restored and told why the session ended.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	var running []*running
	for _, r := range s.sessions {
		running = append(running, r)
	}
	s.mu.Unlock()
	select {
	case <-s.stopKeys:
	default:
		close(s.stopKeys)
	}
	s.log.Info("shutting down: saving open sessions", "sessions", len(running))
	for _, r := range running {
		r.stop("the server is shutting down")
	}
	finished := make(chan struct{})
	go func() {
		s.done.Wait()
		close(finished)
	}()
	var err error
	select {
	case <-finished:
	case <-ctx.Done():
		err = fmt.Errorf("sshserve: %d sessions still open at shutdown deadline: %w", s.Sessions(), ctx.Err())
		for _, r := range running {
			r.kill()
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if e := s.srv.Shutdown(shutdownCtx); e != nil && !errors.Is(e, ssh.ErrServerClosed) {
		s.srv.Close()
	}
	s.log.Info("shut down")
	return err
}
