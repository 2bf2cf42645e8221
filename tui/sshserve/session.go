package sshserve

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/wish/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/ssh"

	"codebench/termsafe"
)

// running is one session's program and what ends it.
type running struct {
	id      string
	coder   string
	key     ssh.PublicKey
	addr    net.Addr
	remote  string
	program *tea.Program
	output  *output
	display *display
	input   *inputReader
	logger  *log.Logger
	// lastInput is when the coder last typed (unix nanoseconds).
	lastInput atomic.Int64

	stopMsg  func(string) tea.Msg
	grace    time.Duration
	stopOnce sync.Once
	reason   atomic.Value // string: why the session was stopped
	ended    chan struct{}
}

// stop asks the program to save its draft, release its lease and quit;
// past the grace period it is killed.
func (r *running) stop(reason string) {
	r.stopOnce.Do(func() {
		r.reason.Store(reason)
		r.logger.Info("session stopping", "reason", reason)
		go func() {
			r.program.Send(r.stopMsg(reason))
			select {
			case <-r.ended:
			case <-time.After(r.grace):
				r.logger.Warn("session did not stop in time; killed", "grace", r.grace.String())
				r.program.Kill()
			}
		}()
	})
}

func (r *running) kill() { r.program.Kill() }

// serveSession runs one session: refuses commands, sessions without a
// terminal and sessions over a cap, then runs the coder's program until
// it quits or is stopped.
func (s *Server) serveSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		coder, _ := sess.Context().Value(coderKey).(string)
		remote := sourceAddr(sess.RemoteAddr()).String()
		switch {
		case len(sess.Command()) > 0 || sess.RawCommand() != "":
			s.log.Warn("command refused", "coder", coder, "remote", remote, "command", termsafe.Escape(sess.RawCommand()))
			wish.Fatalln(sess, "codebench: commands are not available; connect without one to open the workbench")
			return
		case sess.Subsystem() != "":
			s.log.Warn("subsystem refused", "coder", coder, "remote", remote, "subsystem", termsafe.Escape(sess.Subsystem()))
			wish.Fatalln(sess, "codebench: subsystems are not available")
			return
		}
		if _, _, ok := sess.Pty(); !ok {
			s.log.Warn("session without terminal refused", "coder", coder, "remote", remote)
			wish.Fatalln(sess, "codebench: a terminal is required (ssh -t)")
			return
		}
		r, cancel := s.start(sess, coder, remote)
		if r == nil {
			return
		}
		defer cancel()
		started := time.Now()
		s.run(sess, r)
		r.display.close() // the terminal as it was
		cancel()          // background work of the session ends with its program
		s.forget(r.id)
		reason, _ := r.reason.Load().(string)
		r.logger.Info("session ended", "duration", time.Since(started).Round(time.Second).String(), "reason", reason)
		if r.output.stalledWhy() != "" {
			// The client takes nothing: its connection goes, which also
			// frees the write waiting on it.
			if c, ok := sess.Context().Value(ssh.ContextKeyConn).(io.Closer); ok {
				c.Close()
			}
		} else if reason != "" && sess.Context().Err() == nil {
			// After the program restored the terminal: say why it ended.
			fmt.Fprintf(r.output, "\r\ncodebench: session closed: %s; your work is saved.\r\n", reason)
		}
		r.output.flush(2 * time.Second)
		r.output.close()
		next(sess)
	}
}

// start registers the session and builds its program; nil when refused
// (the client has been told).
func (s *Server) start(sess ssh.Session, coder, remote string) (*running, context.CancelFunc) {
	id := fmt.Sprintf("s%d", s.nextID.Add(1))
	logger := s.log.With("session", id, "coder", coder)
	s.mu.Lock()
	perCoder := 0
	for _, r := range s.sessions {
		if r.coder == coder {
			perCoder++
		}
	}
	refusal := ""
	switch {
	case s.closing:
		refusal = "codebench: the server is shutting down"
	case len(s.sessions) >= s.cfg.MaxSessions:
		refusal = fmt.Sprintf("codebench: this server is full: all %d sessions are in use; try again in a few minutes", s.cfg.MaxSessions)
		logger.Warn("session refused: at capacity", "sessions", len(s.sessions), "max", s.cfg.MaxSessions)
	case perCoder >= s.cfg.MaxSessionsPerCoder:
		refusal = fmt.Sprintf("codebench: you have %d sessions open, the most one coder may have; close one first", perCoder)
		logger.Warn("session refused: coder at the per-coder cap", "sessions", perCoder, "max", s.cfg.MaxSessionsPerCoder)
	}
	if refusal != "" {
		s.mu.Unlock()
		wish.Fatalln(sess, refusal)
		return nil, nil
	}
	r := &running{id: id, coder: coder, key: sess.PublicKey(), addr: sess.RemoteAddr(), remote: remote, logger: logger,
		stopMsg: s.cfg.StopMsg, grace: s.cfg.StopGrace, ended: make(chan struct{})}
	r.lastInput.Store(time.Now().UnixNano())
	s.sessions[id] = r
	s.done.Add(1)
	s.mu.Unlock()

	pty, _, _ := sess.Pty()
	w, h := s.clamp(uint32(max(pty.Window.Width, 0)), uint32(max(pty.Window.Height, 0)))
	// The program's context outlives the connection until the program has
	// quit: a lost connection stops the session, which still saves.
	ctx, cancel := context.WithCancel(context.WithoutCancel(sess.Context()))
	model, extra, err := s.cfg.NewSession(Session{
		ID: id, Coder: coder, Remote: sess.RemoteAddr().String(), Width: w, Height: h,
		Term: pty.Term, Environ: sess.Environ(), Logger: logger, Context: ctx,
	})
	if err != nil {
		cancel()
		s.forget(id)
		logger.Error("session could not start", "err", termsafe.Escape(err.Error()))
		wish.Fatalln(sess, "codebench: could not start your session:", termsafe.Escape(err.Error()))
		return nil, nil
	}
	r.input = &inputReader{r: sess, lost: make(chan struct{}), release: make(chan struct{})}
	env := append(sess.Environ(), "TERM="+pty.Term)
	profile := colorprofile.Env(env)
	// The session draws on its own display (display.go); Bubble Tea's
	// ticker only sends the terminal queries it queues itself.
	r.output = newOutput(sess, s.cfg.MaxPendingOutput, s.cfg.StallTimeout, func(why string) {
		r.logger.Warn("client stalled; saving and closing the session", "why", why)
		r.stop("the connection stalled: " + why)
	})
	r.display = newDisplay(r.output, env, w, h, s.cfg.FPS, sess.EmulatedPty(), profile)
	model = &drawnModel{Model: model, display: r.display}
	opts := []tea.ProgramOption{
		tea.WithInput(r.input),
		tea.WithOutput(r.output),
		tea.WithEnvironment(env),
		tea.WithColorProfile(profile),
		tea.WithWindowSize(w, h),
		tea.WithoutRenderer(),
		tea.WithFPS(queryFPS),
	}
	// The server, not each session, handles SIGTERM: a session's program
	// would otherwise quit on it before saving.
	opts = append(append(opts, extra...), tea.WithoutSignalHandler(), tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg.(type) {
		case tea.SuspendMsg:
			return tea.ResumeMsg{} // no job control over SSH
		case tea.KeyPressMsg, tea.MouseClickMsg, tea.PasteMsg:
			r.lastInput.Store(time.Now().UnixNano())
		}
		return msg
	}))
	r.program = tea.NewProgram(model, opts...)
	logger.Info("session started", "remote", remote, "term", termsafe.Escape(pty.Term), "width", w, "height", h)
	return r, cancel
}

// run runs the program until it quits, forwarding clamped resizes and
// stopping it when the connection goes, the coder idles or the key is
// revoked.
func (s *Server) run(sess ssh.Session, r *running) {
	in := r.input
	_, winch, _ := sess.Pty()
	go func() {
		every := min(s.cfg.IdleTimeout/4, 30*time.Second)
		idle := time.NewTicker(every)
		defer idle.Stop()
		for {
			select {
			case <-r.ended:
				return
			case <-sess.Context().Done():
				r.stop("the connection ended")
				return
			case <-in.lost:
				r.stop("the connection ended")
				return
			case w, ok := <-winch:
				if !ok {
					winch = nil
					continue
				}
				cols, rows := s.clamp(uint32(max(w.Width, 0)), uint32(max(w.Height, 0)))
				r.program.Send(tea.WindowSizeMsg{Width: cols, Height: rows})
			case now := <-idle.C:
				if d := now.Sub(time.Unix(0, r.lastInput.Load())); d >= s.cfg.IdleTimeout {
					r.stop("idle for " + d.Round(time.Second).String())
				}
			}
		}
	}()
	if _, err := r.program.Run(); err != nil {
		r.logger.Warn("session program ended with an error", "err", termsafe.Escape(err.Error()))
	}
	close(r.ended)
	close(in.release)
}

// forget drops a session once.
func (s *Server) forget(id string) {
	s.mu.Lock()
	_, ok := s.sessions[id]
	delete(s.sessions, id)
	s.mu.Unlock()
	if ok {
		s.done.Done()
	}
}

// watchKeys ends the sessions of keys the authorized keys file no longer
// lets in (removed, expired, from= changed, file gone).
func (s *Server) watchKeys() {
	t := time.NewTicker(s.cfg.KeyCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopKeys:
			return
		case now := <-t.C:
			s.mu.Lock()
			var live []*running
			for _, r := range s.sessions {
				live = append(live, r)
			}
			s.mu.Unlock()
			for _, r := range live {
				if r.key == nil {
					continue
				}
				if _, err := s.cfg.Keys.Authorize(r.key, r.addr, now); err != nil {
					r.logger.Warn("access revoked; ending the session", "reason", termsafe.Escape(err.Error()))
					r.stop("your access was revoked")
				}
			}
		}
	}
}

// inputReader hands the session's input to the program. When the input
// fails (the connection is gone) it says so once and holds the error back
// until the program has quit, so the program is stopped cleanly (draft
// saved, lease released) instead of ending on a read error.
type inputReader struct {
	r       io.Reader
	once    sync.Once
	lost    chan struct{}
	release chan struct{}
}

func (in *inputReader) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if err != nil {
		in.once.Do(func() { close(in.lost) })
		<-in.release
	}
	return n, err
}
