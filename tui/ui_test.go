package tui

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/index"
	"codebench/tui/coding"
	"codebench/tui/work"
)

// openEncounter moves the worklist cursor to id, opens it and focuses its
// documentation, where these tests start (a chart opens in the search or
// the claim: TestChartOpensWhereItsFirstKeyGoes).
func (d *driver) openEncounter(id string) {
	d.t.Helper()
	d.openFromWorklist(id)
	switch d.st().Focus {
	case coding.PaneSearch:
		d.press("esc")
	case coding.PaneClaim:
		d.press("1")
	}
}

func (d *driver) cursorOn(id string) bool {
	s, ok := d.m.worklist.Current()
	return ok && s.ID == id
}

// recordingSearcher answers from a fixed list and records every query; a
// query can be held until released, to test that stale results are
// dropped.
type recordingSearcher struct {
	mu      sync.Mutex
	queries []string
	hold    map[string]chan struct{}
	hits    func(q string) []index.Hit
}

func (s *recordingSearcher) Search(ctx context.Context, q string, o index.Options) (index.Result, error) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	ch := s.hold[q]
	s.mu.Unlock()
	if ch != nil {
		<-ch
	}
	hits := s.hits(q)
	return index.Result{Hits: hits, Total: uint64(len(hits))}, nil
}

func (s *recordingSearcher) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

func TestSearchIsDebouncedAndDropsStaleResults(t *testing.T) {
	r := newRig(t, nil)
	rs := &recordingSearcher{hold: map[string]chan struct{}{}}
	rs.hits = func(q string) []index.Hit {
		c, _ := r.codes.Lookup(map[bool]string{true: "E11.22", false: "I10"}[strings.HasPrefix(q, "diab")])
		return []index.Hit{{Code: c}}
	}
	r.opts.Searcher = rs
	r.opts.Timing.Debounce = 30 * time.Millisecond
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("/")
	d.typeText("diabetes")
	// One search for the whole word, not one per keystroke.
	if q := rs.seen(); len(q) != 1 || q[0] != "diabetes" {
		t.Fatalf("searches run: %q", q)
	}
	d.must("E11.22")

	// A slow search overtaken by a newer one: its result must not show.
	release := make(chan struct{})
	rs.mu.Lock()
	rs.hold["diabetes x"] = release
	rs.mu.Unlock()
	for _, k := range " x" {
		d.send(keyMsg(string(k)))
	}
	d.pumpUntil(func() bool { return slices.Contains(rs.seen(), "diabetes x") })
	for range "diabetes x" {
		d.send(keyMsg("backspace"))
	}
	for _, k := range "hypertension" {
		d.send(keyMsg(string(k)))
	}
	d.pumpUntil(func() bool { return d.st().Shown == "hypertension" })
	close(release) // the stale result arrives now, and is dropped
	d.settle()
	if got := d.st().Shown; got != "hypertension" {
		t.Fatalf("shown results are for %q", got)
	}
	d.must("I10")
	if n := len(rs.seen()); n != 3 {
		t.Fatalf("searches run: %q", rs.seen())
	}
}

func TestDocumentSelectionSearchesAndBecomesEvidence(t *testing.T) {
	r := newRig(t, fullIndex(t))
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1005")
	// Walk the words to "pernicious anemia" in the assessment.
	text := d.m.w.Enc.Notes[0].Text
	at := strings.Index(text, "(pernicious anemia)") + 1
	d.walkDocTo(at)
	d.press("v", "l", "s")
	if q := d.st().Query; q != "pernicious anemia" {
		t.Fatalf("searched %q", q)
	}
	if d.st().Focus != coding.PaneSearch {
		t.Fatal("focus did not move to the search results")
	}
	span := d.m.w.Span
	if span == nil || text[span.Start:span.End] != "pernicious anemia" {
		t.Fatalf("selected span %+v", span)
	}
	// Pick D51.0 from the results.
	for i := 0; i < 50 && d.st().Result != nil && d.st().Result.Code != "D510"; i++ {
		d.press("down")
	}
	if c := d.st().Result; c == nil || c.Code != "D510" {
		t.Fatalf("D51.0 not among the results:\n%s", d.screen())
	}
	d.press("enter")
	dx := d.m.w.Enc.Diagnoses
	if len(dx) != 1 || dx[0].Evidence == nil || dx[0].Evidence.Text != "pernicious anemia" || dx[0].Evidence.NoteID != "note-1" {
		t.Fatalf("diagnoses %+v", dx)
	}
	d.must("A D51.0", "¶", "A deficiency (pernicious anemia)") // claim row with evidence mark; gutter letter on the doc line
	if d.m.w.Span != nil {
		t.Fatal("the selection stayed after the pick")
	}
	// Autosaved under the lease, with the change in the audit.
	enc, sum, err := r.store.Get(context.Background(), "enc-1005")
	if err != nil || len(enc.Diagnoses) != 1 || enc.Diagnoses[0].Evidence == nil || sum.Revision != d.m.w.Enc.Revision {
		t.Fatalf("saved draft %+v %+v %v", enc.Diagnoses, sum, err)
	}
	audit, _ := r.store.Audit(context.Background(), "enc-1005")
	found := false
	for _, a := range audit {
		found = found || a.Action == "draft" && strings.Contains(a.Detail, "D51.0")
	}
	if !found {
		t.Fatalf("audit %+v", audit)
	}
}

func TestLeasedEncounterRefusesToOpenAndSaysWho(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.store.Lease(context.Background(), "enc-1002", "bob", time.Hour); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, New(r.opts))
	d.must("locked: bob")
	for !d.cursorOn("enc-1002") {
		d.press("down")
	}
	d.press("enter")
	if d.m.screen != screenWorklist || d.m.w.Enc != nil {
		t.Fatal("opened an encounter another coder holds")
	}
	d.must("being coded by bob")
}

func TestOverrideNeedsAReasonAndIsLogged(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	idx := d.duplicateLines(r)
	d.press("5")
	for d.st().EditCursor < idx {
		d.press("down")
	}
	d.press("o", "enter")
	d.must("an override needs a reason")
	d.typeText("two draws, documented separately")
	d.press("enter")
	if len(d.m.w.Enc.Overrides) != 1 || d.m.w.Enc.Overrides[0].Reason != "two draws, documented separately" || d.m.w.Enc.Overrides[0].Coder != "alice" {
		t.Fatalf("overrides %+v", d.m.w.Enc.Overrides)
	}
	e := d.m.w.Edits
	found := false
	for _, x := range e {
		found = found || x.Rule == encounter.RuleDuplicateLine && x.Overridden != nil
	}
	if !found {
		t.Fatalf("edit not marked overridden: %+v", e)
	}
	d.must("overridden")
	audit, _ := r.store.Audit(context.Background(), "enc-1001")
	logged := false
	for _, a := range audit {
		logged = logged || a.Action == "override" && strings.Contains(a.Detail, "two draws")
	}
	if !logged {
		t.Fatalf("override not in the audit: %+v", audit)
	}
}

func TestNotesWithEscapeSequencesCannotReachTheTerminal(t *testing.T) {
	r := newRig(t, nil)
	evil := &encounter.Encounter{
		ID: "enc-evil", Patient: encounter.Patient{ID: "p", Name: "Eve\x1b]0;owned\a", DateOfBirth: encounter.NewDate(1980, 1, 1), Sex: "F"},
		Provider: encounter.Provider{NPI: "1234567893", Name: "Dr \x1b[31mRed"},
		Service:  encounter.DateRange{From: encounter.NewDate(2026, 1, 2)},
		Notes:    []encounter.Note{{ID: "n1", Title: "Note \x1b[2J", Text: "clear \x1b[2J\x1b[H screen \u009b31m and \x1b]52;c;Zm9v\a clipboard"}},
	}
	// The importer refuses such notes; the workbench must show them
	// harmlessly anyway (an older store, another importer).
	d := newDriver(t, New(r.opts))
	if err := r.store.Add(context.Background(), evil); err == nil {
		d.press("r")
		d.openEncounter("enc-evil")
	} else {
		d.send(openedMsg{id: evil.ID, enc: evil, sum: store.Summary{ID: evil.ID, Status: store.InProgress}, readOnly: "test"})
		d.settle()
	}
	raw := d.m.View().Content
	for _, bad := range []string{"\x1b[2J", "\x1b]", "\x1b[H", "\u009b", "\x1b[31m"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("frame carries %q", bad)
		}
	}
	d.must("␛[2J", "clipboard", "Eve␛]0;owned␇")
}

func TestResizeRelaysOutAndNoColorHasNoColours(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {100, 30}, {80, 24}} {
		d.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		lines := strings.Split(d.screen(), "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Fatalf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
		for _, name := range coding.PaneNames {
			d.must(name)
		}
	}
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)
	if colour.MatchString(d.m.View().Content) {
		t.Fatal("NO_COLOR frame carries colour")
	}
}

func TestHelpShowsEveryKeyAndTypingDisablesClashes(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("?")
	d.must("All keys", "ctrl+x", "select words")
	// At 80x24 the help scrolls: every key is on one of its pages.
	seen := d.screen()
	for i := 0; i < 6; i++ {
		d.press("pgdown")
		seen += d.screen()
	}
	for _, want := range []string{"7th character", "favourite", "pointers A-L", "override", "show JSON", "diagnosis has evidence", "cancel input"} {
		if !strings.Contains(seen, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	d.press("esc")
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	d.press("?")
	d.must("ctrl+x", "select words", "pointers A-L", "override", "7th character", "favourite", "show JSON")
	d.press("?")
	d.press("/")
	if slices.Contains(d.m.c.KeyMap.Help.Keys(), "?") || d.m.c.KeyMap.Close.Enabled() {
		t.Fatal("? and q stay enabled while typing")
	}
	d.typeText("q?")
	if d.st().Query != "q?" || d.m.showHelp || d.m.screen != screenCoding {
		t.Fatal("typed keys acted as commands")
	}
	// f1 shows the keys while typing, and the status line says so.
	d.must("f1 all keys")
	d.press("f1")
	if !d.m.showHelp {
		t.Fatal("f1 while typing did not show the keys")
	}
	d.press("esc")
	if d.st().Query != "q?" || !d.st().QueryFocused {
		t.Fatal("the help lost the query or the input")
	}
}

func TestSeventhCharacterPickerBuildsTheCode(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002")
	d.send(coding.PickCode(code(t, r.codes, "S52.521")))
	d.settle()
	if d.st().Focus != coding.PaneDetail || !d.st().Picker {
		t.Fatalf("no 7th-character picker:\n%s", d.screen())
	}
	d.must("7th character")
	d.press("A")
	dx := d.m.w.Enc.Diagnoses
	if len(dx) == 0 || dx[len(dx)-1].Code != "S52521A" {
		t.Fatalf("diagnoses %+v", dx)
	}
}

func TestStopSavesAndReleases(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.send(coding.PickCode(code(t, r.codes, "E11.22")))
	d.send(Stop("server shutdown"))
	d.settle()
	if !d.quit {
		t.Fatal("did not quit")
	}
	enc, sum, err := r.store.Get(context.Background(), "enc-1001")
	if err != nil || len(enc.Diagnoses) != 1 || sum.LeasedBy != "" {
		t.Fatalf("after stop: %+v %+v %v", enc.Diagnoses, sum, err)
	}
	if sum.Status != store.InProgress {
		t.Fatalf("status %s", sum.Status)
	}
}

func TestLeaseRenewsAndALostLeaseStopsChanges(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	first := d.m.w.Lease.Until
	r.clock.Advance(time.Minute)
	d.send(renewTickMsg{gen: d.m.renewGen})
	d.settle()
	if !d.m.w.Lease.Until.After(first) {
		t.Fatalf("lease not renewed: %v then %v", first, d.m.w.Lease.Until)
	}
	// The lease runs out (the coder's machine slept) and bob takes it.
	r.clock.Advance(time.Hour)
	if _, err := r.store.Lease(context.Background(), "enc-1001", "bob", time.Hour); err != nil {
		t.Fatal(err)
	}
	d.send(renewTickMsg{gen: d.m.renewGen})
	d.settle()
	d.must("read-only: bob took enc-1001 over")
	if d.m.w.ReadOnly == "" {
		t.Fatal("still editable without a lease")
	}
	d.send(coding.PickCode(code(t, r.codes, "E11.22")))
	d.settle()
	d.must("read-only")
	enc, _, _ := r.store.Get(context.Background(), "enc-1001")
	if len(enc.Diagnoses) != 0 {
		t.Fatal("a change was saved without the lease")
	}
}

func TestFavouritesRecentAndSearchHistory(t *testing.T) {
	r := newRig(t, fullIndex(t))
	pr := r.opts.Prefs
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("E11.22")
	d.press("enter")
	d.search("I12.9")
	d.press("ctrl+s")
	d.must("★ I12.9", "added to favourites")
	d.search("hypertension")
	// Back twice through the history, forward once.
	d.press("alt+left")
	if q := d.st().Query; q != "I12.9" {
		t.Fatalf("back: %q", q)
	}
	d.press("alt+left")
	if q := d.st().Query; q != "E11.22" {
		t.Fatalf("back again: %q", q)
	}
	d.press("alt+right")
	if q := d.st().Query; q != "I12.9" {
		t.Fatalf("forward: %q", q)
	}
	// The empty query lists favourites, then recent codes.
	d.press("ctrl+u")
	d.must("★ I12.9", "↺ E11.22")
	p, _ := pr.Load("alice")
	if !p.IsFavourite("I129") || len(p.Recent) == 0 || p.Recent[0] != "E1122" {
		t.Fatalf("saved prefs %+v", p)
	}
	// A new session of the same coder has them.
	d2 := newDriver(t, New(r.opts))
	d2.openEncounter("enc-1002")
	d2.press("/")
	d2.must("★ I12.9", "↺ E11.22")
}

func TestZoomKeepsTheEditsOnScreen(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("1", "z")
	d.must("1 Documentation", "5 Edits", "zoomed")
	if strings.Contains(d.screen(), "4 Claim") {
		t.Fatal("claim pane drawn while documentation is zoomed")
	}
	d.press("z")
	d.must("4 Claim", "5 Edits")
}

func TestRecodeADiagnosisInPlaceWithThePicker(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1002")
	before := work.Clone(d.m.w.Enc)
	if len(before.Diagnoses) == 0 || before.Diagnoses[0].Code != "S52531" {
		t.Fatalf("demo enc-1002 changed: %+v", before.Diagnoses)
	}
	d.press("4", "g", "enter")
	d.must("S52.531 → A", "7th character")
	d.press("A")
	after := d.m.w.Enc
	if len(after.Diagnoses) != len(before.Diagnoses) || after.Diagnoses[0].Code != "S52531A" {
		t.Fatalf("diagnoses %+v", after.Diagnoses)
	}
	if (before.Diagnoses[0].Evidence == nil) != (after.Diagnoses[0].Evidence == nil) {
		t.Fatal("evidence lost in the recode")
	}
	for i := range before.Lines {
		if !slices.Equal(before.Lines[i].Pointers, after.Lines[i].Pointers) {
			t.Fatalf("pointers moved: %+v", after.Lines)
		}
	}
	d.must("recoded as S52.531A")
	for _, e := range d.m.w.Edits {
		if e.Rule == encounter.RuleSeventh {
			t.Fatalf("7th-character edit remains: %+v", e)
		}
	}
}

// duplicateLines adds one line twice, which raises a duplicate-line
// warning to override, and returns the warning's place in the edits.
func (d *driver) duplicateLines(r *rig) int {
	d.t.Helper()
	c := code(d.t, r.codes, "36415")
	d.send(coding.PickCode(c))
	d.settle()
	d.send(coding.PickCode(c))
	d.settle()
	for i, e := range d.m.w.Edits {
		if e.Rule == encounter.RuleDuplicateLine {
			return i
		}
	}
	d.t.Fatalf("no duplicate-line edit: %+v", d.m.w.Edits)
	return -1
}
