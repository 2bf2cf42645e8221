package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/exporter"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/store/sqlite"
	"codebench/index"
	"codebench/tui/coding"
	"codebench/tui/prefs"
)

// The full index is built once per test binary (several seconds) into a
// temporary directory, or taken from CODEBENCH_CACHE when that is set.
var (
	indexOnce    sync.Once
	sharedIndex  *index.Index
	indexErr     error
	indexTempDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedIndex != nil {
		sharedIndex.Close()
	}
	if indexTempDir != "" {
		os.RemoveAll(indexTempDir)
	}
	os.Exit(code)
}

func fullIndex(t testing.TB) *index.Index {
	t.Helper()
	indexOnce.Do(func() {
		codes, err := codesets.Embedded()
		if err != nil {
			indexErr = err
			return
		}
		root := os.Getenv("CODEBENCH_CACHE")
		if root == "" {
			if indexTempDir, err = os.MkdirTemp("", "codebench-tui-index-"); err != nil {
				indexErr = err
				return
			}
			root = indexTempDir
		}
		start := time.Now()
		sharedIndex, indexErr = index.OpenOrBuild(context.Background(), codes, root, nil)
		if testing.Verbose() {
			fmt.Fprintf(os.Stderr, "full index ready in %v\n", time.Since(start).Round(time.Millisecond))
		}
	})
	if indexErr != nil {
		t.Fatalf("full index: %v", indexErr)
	}
	return sharedIndex
}

// The tests drive the root model the way a terminal does: key messages in,
// the commands it returns run (concurrently, as Bubble Tea runs them) and
// their messages fed back, then assertions on View().

var testClock = time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)

type result struct{ msg tea.Msg }

type driver struct {
	t        testing.TB
	m        *Model
	results  chan result
	inflight int
	quit     bool
}

func newDriver(t testing.TB, m *Model) *driver {
	d := &driver{t: t, m: m, results: make(chan result, 256)}
	d.run(m.Init())
	d.settle()
	return d
}

// send delivers a message, draws a frame as the program does after every
// message (which also checks the panes' view caches against fresh
// frames) and starts the commands it returns.
func (d *driver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.m.View()
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.inflight++
	go func() { d.results <- result{cmd()} }()
}

func (d *driver) dispatch(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		d.send(msg)
	}
}

// settle runs commands until none is left. Periodic timers are off in
// tests (Timing), so every command finishes.
func (d *driver) settle() {
	d.t.Helper()
	deadline := time.After(20 * time.Second)
	for d.inflight > 0 {
		select {
		case r := <-d.results:
			d.inflight--
			d.dispatch(r.msg)
		case <-deadline:
			d.t.Fatalf("commands did not finish; screen:\n%s", d.screen())
		}
	}
}

// pumpUntil feeds command results back until cond holds, leaving other
// commands running.
func (d *driver) pumpUntil(cond func() bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case r := <-d.results:
			d.inflight--
			d.dispatch(r.msg)
		case <-time.After(5 * time.Millisecond):
			// cond may turn true in a command's goroutine
		case <-deadline:
			d.t.Fatalf("condition not reached; screen:\n%s", d.screen())
		}
	}
}

// press sends keys by name ("enter", "ctrl+x", "K", "alt+left") and
// settles after each.
func (d *driver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		t0 := time.Now()
		d.send(keyMsg(k))
		d.settle()
		if el := time.Since(t0); el > 300*time.Millisecond {
			d.t.Logf("slow key %q: %v", k, el)
		}
	}
}

// typeText types a string one key at a time, settling only at the end as
// a fast typist would.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(keyMsg(string(r)))
	}
	d.settle()
}

// screen is the frame as plain text.
func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

func (d *driver) must(contains ...string) {
	d.t.Helper()
	s := d.screen()
	for _, c := range contains {
		if !strings.Contains(s, c) {
			d.t.Fatalf("screen lacks %q:\n%s", c, s)
		}
	}
}

func keyMsg(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "space": tea.KeySpace,
		"f1": tea.KeyF1,
	}
	var mod tea.KeyMod
	base := name
	for {
		switch {
		case strings.HasPrefix(base, "ctrl+") && len(base) > 5:
			mod |= tea.ModCtrl
			base = base[5:]
			continue
		case strings.HasPrefix(base, "alt+") && len(base) > 4:
			mod |= tea.ModAlt
			base = base[4:]
			continue
		case strings.HasPrefix(base, "shift+") && len(base) > 6:
			mod |= tea.ModShift
			base = base[6:]
			continue
		}
		break
	}
	if r, ok := special[base]; ok {
		k := tea.KeyPressMsg{Code: r, Mod: mod}
		if r == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r, _ := utf8.DecodeRuneInString(base)
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	if unicode.IsUpper(r) {
		return tea.KeyPressMsg{Code: unicode.ToLower(r), ShiftedCode: r, Text: string(r), Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r, Text: string(r)}
}

// testClockT is a clock tests can move forward (lease expiry).
type testClockT struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClockT) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClockT) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is a real work store seeded with the demo inbox, a directory billing
// queue and the real exporter and validator.
type rig struct {
	clock    *testClockT
	codes    *codesets.Set
	store    *sqlite.Store
	queueDir string
	opts     Options
}

func newRig(t testing.TB, searcher Searcher) *rig {
	t.Helper()
	codes, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clock := &testClockT{t: testClock}
	st, err := sqlite.Open(filepath.Join(dir, "work.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encs {
		if err := st.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	qdir := filepath.Join(dir, "queue")
	q, err := dirqueue.Open(qdir)
	if err != nil {
		t.Fatal(err)
	}
	x := &exporter.Exporter{Store: st, Queue: q, Codes: codes, Coder: "alice"}
	return &rig{
		clock: clock, codes: codes, store: st, queueDir: qdir,
		opts: Options{
			Codes: codes, Searcher: searcher, Store: st,
			Exporter: BillingExporter{X: x, Dest: "billing queue"},
			Validate: func(e *encounter.Encounter) []encounter.Edit { return encounter.Validate(e, codes) },
			Prefs:    &prefs.Memory{}, Coder: "alice",
			Now:     clock.Now,
			NoColor: true, Width: 80, Height: 24,
			Timing: Timing{Debounce: 5 * time.Millisecond, RenewEvery: -1, RefreshEvery: -1},
		},
	}
}

func code(t testing.TB, codes *codesets.Set, s string) *codesets.Code {
	t.Helper()
	c, ok := codes.Lookup(s)
	if !ok {
		t.Fatalf("%s not in the code sets", s)
	}
	return c
}

// st reads the coding screen as the coder sees it.
func (d *driver) st() coding.State { return d.m.coding.State() }

// walkDocTo moves the documentation cursor word by word (l) to the word
// that starts at byte at of the first note.
func (d *driver) walkDocTo(at int) {
	d.t.Helper()
	for i := 0; d.st().DocWordStart != at; i++ {
		if i > d.st().DocWords {
			d.t.Fatalf("no word starts at %d", at)
		}
		d.press("l")
	}
}
