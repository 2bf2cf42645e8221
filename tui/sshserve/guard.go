package sshserve

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// The guard stands in front of authentication. A connection that has not
// authenticated holds a slot, in total and for its source address, until
// it authenticates, fails or runs out of time (HandshakeTimeout); past
// either cap new connections are closed at once. Failed authentications
// are counted per source: past MaxAuthFailures within AuthFailureWindow
// the source is refused until the window ends. Every refusal is logged,
// at most once a second per source and reason (with how many were not
// logged), so a flood cannot flood the log.

type guard struct {
	cfg    *Config
	log    *log.Logger
	mu     sync.Mutex
	total  int
	per    map[string]int
	fails  map[string]*failWindow
	quiet  throttle
	active atomic.Int64 // connections open, authenticated or not
}

type failWindow struct {
	start   time.Time
	count   int
	blocked bool
}

func newGuard(cfg *Config, logger *log.Logger) *guard {
	return &guard{cfg: cfg, log: logger, per: map[string]int{}, fails: map[string]*failWindow{}}
}

type guardKeyType struct{}

var guardKey guardKeyType

// guardedConn is a connection the guard admitted.
type guardedConn struct {
	net.Conn
	g        *guard
	source   string
	timer    *time.Timer
	once     sync.Once // the pre-auth slot is given back once
	closed   sync.Once
	authed   atomic.Bool
	channels atomic.Int32 // session channels open on this connection
}

// admit is the server's ConnCallback: nil refuses the connection.
func (g *guard) admit(ctx ssh.Context, c net.Conn) net.Conn {
	src := sourceAddr(c.RemoteAddr()).String()
	now := time.Now()
	g.mu.Lock()
	refusal := ""
	switch fw := g.fails[src]; {
	case fw != nil && fw.blocked && now.Sub(fw.start) < g.cfg.AuthFailureWindow:
		refusal = "source blocked after too many failed authentications"
	case g.total >= g.cfg.MaxUnauthenticated:
		refusal = "too many connections not yet authenticated"
	case g.per[src] >= g.cfg.MaxUnauthenticatedPerSource:
		refusal = "too many connections not yet authenticated from this source"
	default:
		g.total++
		g.per[src]++
	}
	g.mu.Unlock()
	if refusal != "" {
		g.logThrottled(src, refusal, "connection refused", "remote", src, "reason", refusal)
		return nil
	}
	gc := &guardedConn{Conn: c, g: g, source: src}
	g.active.Add(1)
	gc.timer = time.AfterFunc(g.cfg.HandshakeTimeout, func() {
		if !gc.authed.Load() {
			g.logThrottled(src, "handshake timeout", "connection closed: not authenticated in time", "remote", src, "timeout", g.cfg.HandshakeTimeout.String())
			gc.Close()
		}
	})
	ctx.SetValue(guardKey, gc)
	return gc
}

// authenticated gives the pre-auth slot back and stops the deadline.
func (c *guardedConn) authenticated() {
	c.authed.Store(true)
	c.timer.Stop()
	c.release()
}

func (c *guardedConn) release() {
	c.once.Do(func() {
		c.g.mu.Lock()
		c.g.total--
		if c.g.per[c.source]--; c.g.per[c.source] <= 0 {
			delete(c.g.per, c.source)
		}
		c.g.mu.Unlock()
	})
}

func (c *guardedConn) Close() error {
	err := c.Conn.Close()
	c.closed.Do(func() {
		c.timer.Stop()
		c.release()
		c.g.active.Add(-1)
	})
	return err
}

// authResult is the AuthLogCallback: success ends the pre-auth phase, a
// failure (other than the "none" probe every client starts with) counts
// against the source.
func (g *guard) authResult(ctx ssh.Context, conn gossh.ConnMetadata, method string, err error) {
	gc, _ := ctx.Value(guardKey).(*guardedConn)
	if err == nil {
		if gc != nil {
			gc.authenticated()
		}
		return
	}
	if method == "none" {
		return
	}
	src := sourceAddr(conn.RemoteAddr()).String()
	now := time.Now()
	g.mu.Lock()
	fw := g.fails[src]
	if fw == nil || now.Sub(fw.start) >= g.cfg.AuthFailureWindow {
		fw = &failWindow{start: now}
		g.fails[src] = fw
		g.pruneFails(now)
	}
	fw.count++
	block := !fw.blocked && fw.count > g.cfg.MaxAuthFailures
	if block {
		fw.blocked = true
	}
	blocked := fw.blocked
	g.mu.Unlock()
	if block {
		g.log.Warn("source blocked: too many failed authentications", "remote", src, "failures", fw.count,
			"window", g.cfg.AuthFailureWindow.String(), "until", fw.start.Add(g.cfg.AuthFailureWindow).Format(time.RFC3339))
	}
	if blocked && gc != nil {
		gc.Close()
	}
}

// pruneFails forgets windows that ended, so the map stays small. Called
// with mu held.
func (g *guard) pruneFails(now time.Time) {
	if len(g.fails) < 1024 {
		return
	}
	for src, fw := range g.fails {
		if now.Sub(fw.start) >= g.cfg.AuthFailureWindow {
			delete(g.fails, src)
		}
	}
}

func (g *guard) logThrottled(source, reason, msg string, kv ...any) {
	if ok, skipped := g.quiet.allow(source+"\x00"+reason, time.Now()); ok {
		if skipped > 0 {
			kv = append(kv, "not_logged_since_last", skipped)
		}
		g.log.Warn(msg, kv...)
	}
}

// throttle lets one event per key through each second and counts the
// rest.
type throttle struct {
	mu   sync.Mutex
	seen map[string]*throttled
}

type throttled struct {
	last    time.Time
	skipped int
}

func (t *throttle) allow(key string, now time.Time) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen = map[string]*throttled{}
	}
	e := t.seen[key]
	if e == nil {
		if len(t.seen) >= 4096 {
			for k, v := range t.seen {
				if now.Sub(v.last) > time.Minute {
					delete(t.seen, k)
				}
			}
		}
		t.seen[key] = &throttled{last: now}
		return true, 0
	}
	if now.Sub(e.last) < time.Second {
		e.skipped++
		return false, 0
	}
	n := e.skipped
	e.last, e.skipped = now, 0
	return true, n
}
