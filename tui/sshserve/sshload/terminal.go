// Package sshload drives the workbench over SSH the way coders do, to
// measure what a server can carry: real SSH clients with emulated
// terminals that open sessions and type at a set rate, timing each key
// from the moment it is sent to the frame that shows its effect (not
// merely the next bytes). It also reads a process's CPU time and memory
// and pins processes to CPUs. codebench bench ssh is built on it.
package sshload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hinshun/vt10x"
	gossh "golang.org/x/crypto/ssh"
)

// Keys as a terminal sends them.
const (
	KeyEnter     = "\r"
	KeyBackspace = "\x7f"
	KeyCtrlU     = "\x15"
)

// Terminal is one coder's SSH session with an emulated terminal.
type Terminal struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu      sync.Mutex
	vt      vt10x.Terminal
	changed chan struct{} // closed and replaced on every screen change
	readErr error
	// pending are keys sent whose frame has not been seen, oldest first.
	pending []*pendingKey
	// done receives each key's latency once its frame is seen.
	done func(time.Duration)
	// writes and bytes count what the server sent (a write is about a
	// frame).
	writes, bytes int64
	// hold, once made, stops the reading (StopReading); gone is closed
	// when the connection ends.
	hold chan struct{}
	gone chan struct{}
}

type pendingKey struct {
	sent  time.Time
	state string
	shown func(*Screen) bool
}

// Dial opens an SSH session as user with a terminal of cols x rows;
// env is sent to the server (e.g. NO_COLOR=1).
func Dial(ctx context.Context, addr, user string, key gossh.Signer, cols, rows int, env ...string) (*Terminal, error) {
	cfg := &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		// The benchmark's own server on 127.0.0.1, started a moment ago.
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second,
	}
	client, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	t := &Terminal{client: client, vt: vt10x.New(vt10x.WithSize(cols, rows)), changed: make(chan struct{}), gone: make(chan struct{})}
	go func() {
		client.Wait()
		close(t.gone)
	}()
	if err := t.start(cols, rows, env); err != nil {
		client.Close()
		return nil, err
	}
	go func() {
		<-ctx.Done()
		client.Close()
	}()
	return t, nil
}

func (t *Terminal) start(cols, rows int, env []string) error {
	sess, err := t.client.NewSession()
	if err != nil {
		return err
	}
	t.sess = sess
	out, err := sess.StdoutPipe()
	if err != nil {
		return err
	}
	if t.in, err = sess.StdinPipe(); err != nil {
		return err
	}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			sess.Setenv(k, v) // servers may refuse variables; that is theirs to decide
		}
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		return err
	}
	if err := sess.Shell(); err != nil {
		return err
	}
	go t.read(out)
	return nil
}

// read feeds the server's output to the emulated terminal and, after each
// chunk, resolves the keys whose effect is now on screen.
func (t *Terminal) read(out io.Reader) {
	buf := make([]byte, 32*1024)
	for {
		t.mu.Lock()
		hold := t.hold
		t.mu.Unlock()
		if hold != nil {
			<-hold
			return
		}
		n, err := out.Read(buf)
		now := time.Now()
		t.mu.Lock()
		if n > 0 {
			t.writes++
			t.bytes += int64(n)
			t.vt.Write(buf[:n])
			t.resolve(now)
			close(t.changed)
			t.changed = make(chan struct{})
		}
		if err != nil {
			if err == io.EOF {
				err = errors.New("session closed by the server")
			}
			t.readErr = err
			close(t.changed)
			t.changed = make(chan struct{})
		}
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// resolve finds the newest pending key whose effect the screen shows: that
// frame reflects it and every key sent before it (frames coalesce keys).
func (t *Terminal) resolve(now time.Time) {
	if len(t.pending) == 0 {
		return
	}
	s := &Screen{vt: t.vt}
	for j := len(t.pending) - 1; j >= 0; j-- {
		if t.pending[j].shown(s) {
			for _, p := range t.pending[:j+1] {
				if t.done != nil {
					t.done(now.Sub(p.sent))
				}
			}
			t.pending = append(t.pending[:0], t.pending[j+1:]...)
			return
		}
	}
}

// Received is how many reads and bytes came from the server so far.
func (t *Terminal) Received() (reads, bytes int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.writes, t.bytes
}

// Close ends the session.
func (t *Terminal) Close() error {
	t.mu.Lock()
	if t.hold != nil {
		select {
		case <-t.hold:
		default:
			close(t.hold)
		}
	}
	t.mu.Unlock()
	return t.client.Close()
}

// StopReading stops taking the server's output, as a frozen terminal
// does: the channel's window fills and the server's writes wait. Keys
// still go out.
func (t *Terminal) StopReading() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hold == nil {
		t.hold = make(chan struct{})
	}
}

// Gone is closed when the connection has ended.
func (t *Terminal) Gone() <-chan struct{} { return t.gone }

// Send writes keys without timing them.
func (t *Terminal) Send(keys ...string) error {
	for _, k := range keys {
		if _, err := t.in.Write([]byte(k)); err != nil {
			return fmt.Errorf("send %q: %w", k, err)
		}
	}
	return nil
}

// Timed sends a key and times it until shown reports its effect on
// screen; state names that effect (two pending keys with the same state
// would be ambiguous: the caller waits for the first, see Ambiguous).
func (t *Terminal) Timed(key, state string, shown func(*Screen) bool) error {
	t.mu.Lock()
	t.pending = append(t.pending, &pendingKey{sent: time.Now(), state: state, shown: shown})
	t.mu.Unlock()
	return t.Send(key)
}

// Ambiguous tells whether a key with this state is still waiting for its
// frame.
func (t *Terminal) Ambiguous(state string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.pending {
		if p.state == state {
			return true
		}
	}
	return false
}

// Pending is how many keys wait for their frame, and since when the
// oldest.
func (t *Terminal) Pending() (int, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 {
		return 0, time.Time{}
	}
	return len(t.pending), t.pending[0].sent
}

// Drop forgets the keys still waiting, returning how many there were.
func (t *Terminal) Drop() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.pending)
	t.pending = nil
	return n
}

// OnFrame sets what receives each timed key's latency.
func (t *Terminal) OnFrame(f func(time.Duration)) {
	t.mu.Lock()
	t.done = f
	t.mu.Unlock()
}

// WaitFor waits until ok reports true of the screen, the session ends or
// ctx is done.
func (t *Terminal) WaitFor(ctx context.Context, what string, ok func(*Screen) bool) error {
	for {
		t.mu.Lock()
		if ok(&Screen{vt: t.vt}) {
			t.mu.Unlock()
			return nil
		}
		changed, err := t.changed, t.readErr
		t.mu.Unlock()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w\n%s", what, err, t.Text())
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w\n%s", what, ctx.Err(), t.Text())
		}
	}
}

// WaitText waits until every text is on screen.
func (t *Terminal) WaitText(ctx context.Context, texts ...string) error {
	return t.WaitFor(ctx, fmt.Sprintf("%q", texts), func(s *Screen) bool {
		all := s.Text()
		for _, want := range texts {
			if !strings.Contains(all, want) {
				return false
			}
		}
		return true
	})
}

// Text is the screen as plain text.
func (t *Terminal) Text() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.vt.String()
}

// Screen reads the emulated terminal; it is only valid inside the
// callback that received it.
type Screen struct{ vt vt10x.Terminal }

// Text is the whole screen as plain text, rows joined by newlines.
func (s *Screen) Text() string { return s.vt.String() }

// Row is one row's characters from column x on, n cells long.
func (s *Screen) Row(x, y, n int) string {
	cols, rows := s.vt.Size()
	if y < 0 || y >= rows {
		return ""
	}
	var b strings.Builder
	for i := x; i < x+n && i < cols; i++ {
		c := s.vt.Cell(i, y).Char
		if c == 0 {
			c = ' '
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Reverse tells whether the cell is drawn in reverse video (a text
// input's cursor).
func (s *Screen) Reverse(x, y int) bool {
	const attrReverse = 1 // vt10x's first attribute bit
	return s.vt.Cell(x, y).Mode&attrReverse != 0
}

// Find is the position of the first occurrence of text on screen.
func (s *Screen) Find(text string) (x, y int, ok bool) {
	cols, rows := s.vt.Size()
	for y := 0; y < rows; y++ {
		row := s.Row(0, y, cols)
		if i := strings.Index(row, text); i >= 0 {
			return utf8.RuneCountInString(row[:i]), y, true
		}
	}
	return 0, 0, false
}
