package sshserve

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// Each session draws its frames itself instead of through Bubble Tea's
// renderer, which suits one program on one terminal but costs a server
// of many sessions dearly: it draws on a 60 Hz ticker, so a key waits
// for the next tick (8 ms on average, 17 at worst) and every session
// wakes 60 times a second doing nothing; and it parses and compares the
// whole screen for every frame, however little changed.
//
// Here a frame goes out when the view changes: at once after a key the
// coder typed (no sooner than keyGap after the last frame, so a paste or
// key repeat coalesces), and after any other message (search results,
// store announcements, ticks) no sooner than one frame interval after
// the last frame, coalescing what arrives meanwhile. Only the lines that
// changed are parsed and compared; ultraviolet's renderer writes the
// least output that brings the terminal to the frame.
//
// The display assumes what the workbench draws: a full-screen view (alt
// screen), its own cursor (the terminal's hidden), a window title,
// bracketed paste and keys reported unambiguously where the terminal can
// (modifyOtherKeys, kitty keyboard flag 1), as Bubble Tea would set them.

// keyGap is the least time between two frames answering keys.
const keyGap = 4 * time.Millisecond

// queryFPS is how often Bubble Tea sends what it queued itself: terminal
// queries, clipboard writes (its ticker no longer draws). Each tick wakes
// the session: at 10 a second, 50 idle sessions kept 2-3% of a core busy,
// about 0.1 ms of every key's CPU at 50 sessions typing. The one query
// that must not wait, the workbench's background colour at start (light
// or dark styles), the display asks with its first frame.
const queryFPS = 1

// display is one session's terminal as the server last drew it.
type display struct {
	mu      sync.Mutex
	w       io.Writer
	term    *uv.TerminalRenderer
	out     bytes.Buffer // one frame's output
	buf     uv.ScreenBuffer
	width   int
	height  int
	every   time.Duration // the frame interval
	profile colorprofile.Profile

	started, closed bool
	full            bool     // the next frame draws every line
	drawn           []string // the lines on the terminal
	shown, title    string   // the content and title drawn last

	view, viewTitle string // the latest view
	last            time.Time
	timer           *time.Timer
	frames, lines   int64
}

func newDisplay(w io.Writer, env []string, width, height, fps int, mapNewline bool, profile colorprofile.Profile) *display {
	s := &display{w: w, width: width, height: height, every: time.Second / time.Duration(max(fps, 1)), profile: profile, full: true}
	s.term = uv.NewTerminalRenderer(&s.out, env)
	s.term.SetColorProfile(profile)
	s.term.SetMapNewline(mapNewline)
	s.term.SetTabStops(-1)
	s.term.Resize(width, height)
	s.buf = uv.NewScreenBuffer(width, height)
	s.drawn = make([]string, height)
	return s
}

// show takes the view after a message; input tells whether the message
// was the coder's (a key, a paste, the mouse).
func (s *display) show(v tea.View, input bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.view, s.viewTitle = v.Content, v.WindowTitle
	if s.started && !s.full && s.view == s.shown && s.viewTitle == s.title {
		return // nothing new to draw
	}
	gap := s.every
	if input {
		gap = keyGap
	}
	wait := gap - time.Since(s.last)
	if !s.started || wait <= 0 {
		if s.timer != nil {
			s.timer.Stop()
			s.timer = nil
		}
		s.draw()
		return
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(wait, s.due)
	} else if input {
		s.timer.Reset(wait) // a key's frame does not wait for the interval
	}
}

// due draws the frame the interval held back.
func (s *display) due() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timer = nil
	if !s.closed && (s.full || s.view != s.shown || s.viewTitle != s.title) {
		s.draw()
	}
}

// draw sends the latest view: the lines that differ from the terminal's.
func (s *display) draw() {
	if !s.started {
		s.started = true
		s.out.WriteString(ansi.SetModeAltScreenSaveCursor + ansi.ResetModeTextCursorEnable + ansi.SetModeBracketedPaste +
			ansi.SetModifyOtherKeys2 + ansi.PushKittyKeyboard(1) + ansi.RequestBackgroundColor)
		s.term.SaveCursor()
		s.term.SetFullscreen(true)
		s.term.SetRelativeCursor(false)
		s.term.Erase()
	}
	if s.viewTitle != s.title {
		s.out.WriteString(ansi.SetWindowTitle(s.viewTitle))
		s.title = s.viewTitle
	}
	rest := s.view
	for y := range s.height {
		line, more, _ := strings.Cut(rest, "\n")
		rest = more
		if !s.full && s.drawn[y] == line {
			continue
		}
		uv.NewStyledString(line).Draw(s.buf, uv.Rect(0, y, s.width, 1))
		s.drawn[y] = line
		s.lines++
	}
	s.full = false
	s.term.Render(s.buf.RenderBuffer)
	_ = s.term.Flush() // into s.out
	if s.out.Len() > 0 {
		_, _ = s.w.Write(s.out.Bytes()) // a lost connection ends the session elsewhere
		s.out.Reset()
	}
	s.shown = s.view
	s.last = time.Now()
	s.frames++
}

// resize redraws everything at the new size with the next frame.
func (s *display) resize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if width == s.width && height == s.height || width <= 0 || height <= 0 {
		return
	}
	s.width, s.height = width, height
	s.buf.Resize(width, height)
	s.term.Resize(width, height)
	s.term.Erase()
	s.drawn = make([]string, height)
	s.full = true
}

// setProfile changes how colours are written: every line again.
func (s *display) setProfile(p colorprofile.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == s.profile {
		return
	}
	s.profile = p
	s.term.SetColorProfile(p)
	s.term.Erase()
	s.full = true
}

// close gives the terminal back as it was: main screen, cursor shown,
// modes reset. Nothing is drawn after.
func (s *display) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if !s.started {
		return
	}
	s.out.WriteString(ansi.ResetModifyOtherKeys + ansi.PopKittyKeyboard(1))
	s.term.MoveTo(0, s.height-1)
	_ = s.term.Flush()
	s.out.WriteString(ansi.ResetModeAltScreenSaveCursor + ansi.SetModeTextCursorEnable + ansi.ResetModeBracketedPaste)
	if s.title != "" {
		s.out.WriteString(ansi.SetWindowTitle(""))
	}
	_, _ = s.w.Write(s.out.Bytes())
	s.out.Reset()
}

// stats are the frames drawn and the lines they drew.
func (s *display) stats() (frames, lines int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames, s.lines
}

// drawnModel is a session's model drawing on its screen: every view the
// program asks for is shown there (Bubble Tea runs without a renderer).
type drawnModel struct {
	tea.Model
	display *display
	input   bool // the last message was the coder's
}

func (m *drawnModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.display.resize(msg.Width, msg.Height)
	case tea.ColorProfileMsg:
		m.display.setProfile(msg.Profile)
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg, tea.MouseMsg:
		m.input = true
	default:
		m.input = false
	}
	var cmd tea.Cmd
	m.Model, cmd = m.Model.Update(msg)
	return m, cmd
}

func (m *drawnModel) View() tea.View {
	v := m.Model.View()
	m.display.show(v, m.input)
	return v
}
