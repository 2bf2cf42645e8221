package sshserve

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/hinshun/vt10x"
)

// terminal is what a client shows of a display's output; writes signals
// each write.
type terminal struct {
	mu     sync.Mutex
	vt     vt10x.Terminal
	raw    strings.Builder
	writes chan int
}

func newTerminal(cols, rows int) *terminal {
	return &terminal{vt: vt10x.New(vt10x.WithSize(cols, rows)), writes: make(chan int, 100)}
}

func (t *terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The SSH session's emulated terminal turns \n into \r\n.
	q := strings.ReplaceAll(string(p), "\n", "\r\n")
	t.vt.Write([]byte(q))
	t.raw.Write(p)
	t.writes <- len(p)
	return len(p), nil
}

func (t *terminal) text() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.vt.String()
}

// next waits for the next write and returns its size.
func (t *terminal) next(tb testing.TB) int {
	tb.Helper()
	select {
	case n := <-t.writes:
		return n
	case <-time.After(10 * time.Second):
		tb.Fatal("no frame written")
		return 0
	}
}

func (t *terminal) none(tb testing.TB) {
	tb.Helper()
	select {
	case n := <-t.writes:
		tb.Fatalf("a frame of %d bytes was written", n)
	default:
	}
}

func frame(lines ...string) tea.View {
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	return v
}

func plain(vt string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(vt, "\n"), "\n") {
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

func TestDisplayDrawsOnlyTheLinesThatChanged(t *testing.T) {
	term := newTerminal(20, 4)
	d := newDisplay(term, []string{"TERM=xterm-256color"}, 20, 4, 60, true, colorprofile.ANSI256)
	d.show(frame("alpha", "\x1b[1mbravo\x1b[0m", "charlie", "delta"), true)
	first := term.next(t)
	if got := plain(term.text()); strings.Join(got, "|") != "alpha|bravo|charlie|delta" {
		t.Fatalf("screen %q", got)
	}
	if !strings.Contains(term.raw.String(), ansi.SetModeAltScreenSaveCursor) || !strings.Contains(term.raw.String(), ansi.ResetModeTextCursorEnable) {
		t.Errorf("the first frame does not enter the alt screen with the cursor hidden: %q", term.raw.String())
	}
	if strings.Count(term.raw.String(), ansi.RequestBackgroundColor) != 1 {
		// Bubble Tea sends its queued queries once a second (queryFPS): the
		// styles must not wait for it.
		t.Errorf("the first frame does not ask the terminal's background colour once: %q", term.raw.String())
	}
	_, lines := d.stats()
	d.show(frame("alpha", "\x1b[1mbravo\x1b[0m", "charlie!", "delta"), true)
	second := term.next(t)
	if got := plain(term.text()); strings.Join(got, "|") != "alpha|bravo|charlie!|delta" {
		t.Fatalf("screen %q", got)
	}
	frames, after := d.stats()
	if frames != 2 || after-lines != 1 {
		t.Errorf("%d frames, %d lines drawn for one changed line", frames, after-lines)
	}
	if second >= first/2 {
		t.Errorf("a one-character change wrote %d bytes (the first frame %d)", second, first)
	}
	// The same view again draws nothing.
	d.show(frame("alpha", "\x1b[1mbravo\x1b[0m", "charlie!", "delta"), true)
	term.none(t)
	// A shorter view blanks the lines it no longer has.
	d.show(frame("alpha"), true)
	term.next(t)
	if got := plain(term.text()); strings.Join(got, "|") != "alpha|||" {
		t.Fatalf("screen %q", got)
	}
}

// TestDisplayAnswersKeysAtOnceAndPacesTheRest: a view from a message
// that is not the coder's waits for the frame interval (here an hour),
// and is drawn with the next key's frame, which does not wait.
func TestDisplayAnswersKeysAtOnceAndPacesTheRest(t *testing.T) {
	term := newTerminal(20, 2)
	d := newDisplay(term, nil, 20, 2, 1, true, colorprofile.Ascii)
	d.every = time.Hour
	d.show(frame("one", ""), true)
	term.next(t)
	d.show(frame("one", "result"), false) // within the second: held
	term.none(t)
	d.show(frame("one!", "result"), true) // a key: at once (after keyGap)
	term.next(t)
	if got := plain(term.text()); strings.Join(got, "|") != "one!|result" {
		t.Fatalf("screen %q", got)
	}
	// A held view is drawn when the interval ends.
	d2 := newDisplay(term, nil, 20, 2, 20, true, colorprofile.Ascii)
	start := time.Now()
	d2.show(frame("a", ""), true)
	term.next(t)
	d2.show(frame("a", "late"), false)
	term.next(t)
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("a paced frame %v after the first, within the 50 ms interval", el)
	}
}

func TestDisplayResizeTitleAndClose(t *testing.T) {
	term := newTerminal(30, 5)
	d := newDisplay(term, nil, 20, 3, 60, true, colorprofile.Ascii)
	v := frame("left", "mid", "end")
	v.WindowTitle = "codebench · enc-1"
	d.show(v, true)
	term.next(t)
	if !strings.Contains(term.raw.String(), ansi.SetWindowTitle("codebench · enc-1")) {
		t.Errorf("no window title: %q", term.raw.String())
	}
	d.resize(30, 5)
	v = frame("left", "mid", "end", "four", "five")
	v.WindowTitle = "codebench · enc-1"
	d.show(v, true)
	term.next(t)
	if got := plain(term.text()); strings.Join(got, "|") != "left|mid|end|four|five" {
		t.Fatalf("screen after resize %q", got)
	}
	frames, lines := d.stats()
	if lines != 3+5 {
		t.Errorf("%d lines drawn in %d frames; a resize draws every line", lines, frames)
	}
	term.raw.Reset()
	d.close()
	term.next(t)
	out := term.raw.String()
	for _, want := range []string{ansi.ResetModeAltScreenSaveCursor, ansi.SetModeTextCursorEnable, ansi.ResetModeBracketedPaste, ansi.SetWindowTitle("")} {
		if !strings.Contains(out, want) {
			t.Errorf("close does not write %q: %q", want, out)
		}
	}
	d.show(frame("after"), true)
	term.none(t)
}
