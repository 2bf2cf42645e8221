package sshserve

import (
	"fmt"
	"math"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"codebench/termsafe"
)

// Session channels pass through a filter before the SSH library sees
// their requests: terminal sizes are clamped (pty-req and window-change)
// so no client can make a session allocate a screen of its choosing;
// agent and X11 forwarding are refused; only a few environment variables
// of bounded size are taken; a connection opens at most
// MaxSessionsPerCoder session channels.

// allowedEnv are the variables a client may set: what a terminal program
// needs to pick colours and a character set.
var allowedEnv = map[string]bool{"TERM": true, "COLORTERM": true, "NO_COLOR": true, "LANG": true, "LC_ALL": true, "LC_CTYPE": true}

const (
	maxEnvVars     = 16
	maxEnvValueLen = 256
	maxTermLen     = 64
)

func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	gc, _ := ctx.Value(guardKey).(*guardedConn)
	if gc != nil {
		if int(gc.channels.Add(1)) > s.cfg.MaxSessionsPerCoder {
			gc.channels.Add(-1)
			s.log.Warn("session channel refused: too many on one connection", "remote", gc.source, "max", s.cfg.MaxSessionsPerCoder)
			newChan.Reject(gossh.ResourceShortage, "too many sessions on one connection")
			return
		}
		defer gc.channels.Add(-1)
	}
	ssh.DefaultSessionHandler(srv, conn, &filteredChannel{NewChannel: newChan, s: s, ctx: ctx}, ctx)
}

type filteredChannel struct {
	gossh.NewChannel
	s   *Server
	ctx ssh.Context
}

func (f *filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		env := 0
		for req := range reqs {
			if f.s.pass(f.ctx, req, &env) {
				out <- req
			}
		}
	}()
	return ch, out, nil
}

// ptyRequest is the payload of pty-req (RFC 4254 6.2).
type ptyRequest struct {
	Term          string
	Columns, Rows uint32
	Width, Height uint32
	Modes         string
}

// windowChange is the payload of window-change (RFC 4254 6.7).
type windowChange struct {
	Columns, Rows uint32
	Width, Height uint32
}

// pass filters one channel request: it answers refused requests itself
// and rewrites sizes in place; true hands the request on.
func (s *Server) pass(ctx ssh.Context, req *gossh.Request, env *int) bool {
	remote := sourceAddr(ctx.RemoteAddr()).String()
	coder, _ := ctx.Value(coderKey).(string)
	refuse := func(why string) bool {
		s.log.Warn("request refused", "request", termsafe.Escape(req.Type), "coder", coder, "remote", remote, "reason", why)
		if req.WantReply {
			req.Reply(false, nil)
		}
		return false
	}
	switch req.Type {
	case "auth-agent-req@openssh.com":
		return refuse("agent forwarding is not offered")
	case "x11-req":
		return refuse("X11 forwarding is not offered")
	case "env":
		var kv struct{ Name, Value string }
		if gossh.Unmarshal(req.Payload, &kv) != nil {
			return refuse("malformed env request")
		}
		if !allowedEnv[kv.Name] || len(kv.Value) > maxEnvValueLen || *env >= maxEnvVars {
			if req.WantReply {
				req.Reply(false, nil)
			}
			return false // clients send LC_* and the like routinely: not worth a log line
		}
		*env++
	case "pty-req":
		var p ptyRequest
		if gossh.Unmarshal(req.Payload, &p) != nil {
			return refuse("malformed pty-req")
		}
		if len(p.Term) > maxTermLen || termsafe.Escape(p.Term) != p.Term {
			return refuse("terminal type " + termsafe.Quote(clipString(p.Term, maxTermLen)) + " is not a terminal name")
		}
		w, h := s.clamp(p.Columns, p.Rows)
		if uint32(w) != p.Columns || uint32(h) != p.Rows {
			s.log.Info("terminal size clamped", "coder", coder, "remote", remote, "asked", sizeText(p.Columns, p.Rows), "given", sizeText(uint32(w), uint32(h)))
		}
		p.Columns, p.Rows, p.Width, p.Height, p.Modes = uint32(w), uint32(h), 0, 0, ""
		req.Payload = gossh.Marshal(&p)
	case "window-change":
		var wc windowChange
		if gossh.Unmarshal(req.Payload, &wc) != nil {
			return refuse("malformed window-change")
		}
		w, h := s.clamp(wc.Columns, wc.Rows)
		wc.Columns, wc.Rows, wc.Width, wc.Height = uint32(w), uint32(h), 0, 0
		req.Payload = gossh.Marshal(&wc)
	}
	return true
}

// clamp bounds a terminal size to MaxWidth x MaxHeight and then to
// MaxCells, scaling both sides alike; zero stays zero (unknown: the
// program takes 80x24).
func (s *Server) clamp(cols, rows uint32) (int, int) {
	w, h := int(min(cols, uint32(s.cfg.MaxWidth))), int(min(rows, uint32(s.cfg.MaxHeight)))
	if w > 0 && h > 0 && w*h > s.cfg.MaxCells {
		f := math.Sqrt(float64(s.cfg.MaxCells) / float64(w*h))
		w, h = max(int(float64(w)*f), 1), max(int(float64(h)*f), 1)
	}
	return w, h
}

func sizeText(w, h uint32) string { return fmt.Sprintf("%dx%d", w, h) }

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
