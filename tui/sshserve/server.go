// Package sshserve serves the workbench over SSH: one TUI per coder session,
// public-key authentication mapped to coder ids, no shell, no commands, no
// forwarding; a cap on sessions, an idle timeout and a graceful shutdown
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
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/ssh"
)

// Session describes one coder's SSH session to the TUI factory.
type Session struct {
	ID     string
	Coder  string
	Remote string
	Width  int
	Height int
	Term   string
	// Environ is the environment the client sent (TERM, NO_COLOR, ...).
	Environ []string
	Logger  *log.Logger
	// Context ends when the connection closes.
	Context context.Context
}

// Config configures a Server.
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
	Logger      *log.Logger
	// NewSession builds the TUI model for a session, with any program
	// options of its own (input and output are set by the server).
	NewSession func(Session) (tea.Model, []tea.ProgramOption, error)
	// ProxyFrom are the TCP load balancers whose connections start with
	// a PROXY protocol header (v1 or v2, see proxyproto.go); the client
	// address in it is the session's remote address. Their connections
	// without a valid header are refused; nobody else's header is read.
	ProxyFrom []netip.Prefix
	// ProxyHeaderTimeout bounds the wait for that header (default 5s).
	ProxyHeaderTimeout time.Duration
	// StopMsg is sent to a session's program to end it cleanly (idle
	// timeout, server shutdown): the model saves its draft, releases its
	// lease and quits. Nil means tea.Quit.
	StopMsg func(reason string) tea.Msg
}

// Server is a running SSH workbench server.
type Server struct {
	cfg    Config
	srv    *ssh.Server
	log    *log.Logger
	nextID atomic.Int64

	mu       sync.Mutex
	sessions map[string]*running
	closing  bool
	done     sync.WaitGroup
}

type running struct {
	program   *tea.Program
	lastInput atomic.Int64 // unix nanoseconds
}

type ctxKey string

const (
	coderKey   ctxKey = "codebench.coder"
	sessionKey ctxKey = "codebench.session"
)

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
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:2222"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	if cfg.StopMsg == nil {
		cfg.StopMsg = func(string) tea.Msg { return tea.Quit() }
	}
	s := &Server{cfg: cfg, log: cfg.Logger, sessions: map[string]*running{}}
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(s.authorize),
		// The last middleware runs first: gate, then the TUI, then finish
		// once the program has ended.
		wish.WithMiddleware(
			s.finish,
			bm.MiddlewareWithProgramHandler(s.program),
			s.gate,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("sshserve: %w", err)
	}
	// Only interactive sessions: no forwarding (nil callbacks deny it), no
	// subsystems (sftp, ...), no exec requests (gate refuses commands).
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Warn("connection failed", "remote", c.RemoteAddr().String(), "err", err)
	}
	// A connection with no traffic at all for twice the idle timeout is
	// dead; the session-level idle timeout ends inactive coders.
	srv.IdleTimeout = 2 * cfg.IdleTimeout
	s.srv = srv
	return s, nil
}

func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	coder, ok, err := s.cfg.Keys.Coder(key)
	if err != nil {
		s.log.Error("authorized keys file unreadable; keeping the last good keys", "err", err)
	}
	if !ok {
		s.log.Warn("key refused", "remote", ctx.RemoteAddr().String(), "user", ctx.User(), "key", key.Type())
		return false
	}
	ctx.SetValue(coderKey, coder)
	return true
}

// gate runs before the TUI: it refuses commands, sessions without a
// terminal and sessions over the cap.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		coder, _ := sess.Context().Value(coderKey).(string)
		remote := sess.RemoteAddr().String()
		switch {
		case len(sess.Command()) > 0 || sess.RawCommand() != "":
			s.log.Warn("command refused", "coder", coder, "remote", remote, "command", sess.RawCommand())
			wish.Fatalln(sess, "codebench: commands are not available; connect without one to open the workbench")
			return
		case !hasPty(sess):
			s.log.Warn("session without terminal refused", "coder", coder, "remote", remote)
			wish.Fatalln(sess, "codebench: a terminal is required (ssh -t)")
			return
		}
		next(sess)
	}
}

func hasPty(sess ssh.Session) bool {
	_, _, ok := sess.Pty()
	return ok
}

// program builds a session's tea.Program; nil ends the session.
func (s *Server) program(sess ssh.Session) *tea.Program {
	coder, _ := sess.Context().Value(coderKey).(string)
	remote := sess.RemoteAddr().String()
	id := fmt.Sprintf("s%d", s.nextID.Add(1))
	logger := s.log.With("session", id, "coder", coder)

	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		wish.Fatalln(sess, "codebench: the server is shutting down")
		return nil
	}
	if len(s.sessions) >= s.cfg.MaxSessions {
		n := len(s.sessions)
		s.mu.Unlock()
		logger.Warn("session refused: at capacity", "sessions", n, "max", s.cfg.MaxSessions)
		wish.Fatalf(sess, "codebench: all %d sessions are in use; try again shortly\n", s.cfg.MaxSessions)
		return nil
	}
	r := &running{}
	r.lastInput.Store(time.Now().UnixNano())
	s.sessions[id] = r
	s.done.Add(1)
	s.mu.Unlock()
	sess.Context().SetValue(sessionKey, id)

	pty, _, _ := sess.Pty()
	model, extra, err := s.cfg.NewSession(Session{
		ID: id, Coder: coder, Remote: remote, Width: pty.Window.Width, Height: pty.Window.Height,
		Term: pty.Term, Environ: sess.Environ(), Logger: logger, Context: sess.Context(),
	})
	if err != nil {
		s.forget(id)
		logger.Error("session could not start", "err", err)
		wish.Fatalln(sess, "codebench: could not start your session:", err)
		return nil
	}
	// The server, not each session, handles SIGTERM: a session's program
	// would otherwise quit on it before saving.
	opts := append(append(bm.MakeOptions(sess), extra...), tea.WithoutSignalHandler(), tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg.(type) {
		case tea.SuspendMsg:
			return tea.ResumeMsg{} // no job control over SSH
		case tea.KeyPressMsg, tea.MouseClickMsg, tea.PasteMsg:
			r.lastInput.Store(time.Now().UnixNano())
		}
		return msg
	}))
	r.program = tea.NewProgram(model, opts...)
	logger.Info("session started", "remote", remote, "term", pty.Term, "width", pty.Window.Width, "height", pty.Window.Height)
	started := time.Now()
	go s.watchIdle(sess.Context(), id, r, logger)
	go func() {
		// finish forgets the session when its program ends; this catches a
		// connection that drops first.
		<-sess.Context().Done()
		if s.forget(id) {
			logger.Info("connection closed", "duration", time.Since(started).Round(time.Second).String())
		}
	}()
	return r.program
}

// finish runs after a session's program has ended.
func (s *Server) finish(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if id, ok := sess.Context().Value(sessionKey).(string); ok && s.forget(id) {
			coder, _ := sess.Context().Value(coderKey).(string)
			s.log.Info("session ended", "session", id, "coder", coder)
		}
		next(sess)
	}
}

// forget drops a session once; it reports whether it was still running.
func (s *Server) forget(id string) bool {
	s.mu.Lock()
	_, ok := s.sessions[id]
	delete(s.sessions, id)
	s.mu.Unlock()
	if ok {
		s.done.Done()
	}
	return ok
}

func (s *Server) watchIdle(ctx context.Context, id string, r *running, logger *log.Logger) {
	every := min(s.cfg.IdleTimeout/4, 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			idle := now.Sub(time.Unix(0, r.lastInput.Load()))
			if idle >= s.cfg.IdleTimeout {
				logger.Info("session idle; saving and closing", "idle", idle.Round(time.Second).String())
				r.program.Send(s.cfg.StopMsg("idle for " + idle.Round(time.Second).String()))
				return
			}
		}
	}
}

// Sessions is the number of sessions running.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("serving the workbench over SSH", "addr", ln.Addr().String(), "max_sessions", s.cfg.MaxSessions, "idle_timeout", s.cfg.IdleTimeout.String())
	if len(s.cfg.ProxyFrom) > 0 {
		ln = newProxyListener(ln, s.cfg.ProxyFrom, s.cfg.ProxyHeaderTimeout, s.log)
		s.log.Info("PROXY protocol accepted from the load balancers", "from", fmt.Sprint(s.cfg.ProxyFrom))
	}
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
// and quit, and waits for them until ctx ends; then it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	var programs []*tea.Program
	for _, r := range s.sessions {
		programs = append(programs, r.program)
	}
	s.mu.Unlock()
	s.log.Info("shutting down: saving open sessions", "sessions", len(programs))
	for _, p := range programs {
		if p != nil {
			p.Send(s.cfg.StopMsg("the server is shutting down"))
		}
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
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if e := s.srv.Shutdown(shutdownCtx); e != nil && !errors.Is(e, ssh.ErrServerClosed) {
		s.srv.Close()
	}
	s.log.Info("shut down")
	return err
}
