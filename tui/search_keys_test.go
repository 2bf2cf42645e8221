package tui

import (
	"slices"
	"strings"
	"testing"

	"codebench/index"
	"codebench/tui/coding"
)

// statusLine is the frame's last line.
func (d *driver) statusLine() string {
	lines := strings.Split(d.screen(), "\n")
	return lines[len(lines)-1]
}

// A code typed in the search pane lands in the query however the coder got
// there: with its digit, back after esc, after s in the documentation.
func TestCodeTypedInSearchPaneWithoutSlash(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("2")
	d.typeText("e11.65")
	if d.st().Focus != coding.PaneSearch || d.st().Query != "e11.65" {
		t.Fatalf("focus %d, query %q", d.st().Focus, d.st().Query)
	}
	d.must("/ e11.65", "2 Search  1 of 1", "E11.65")
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1165"}) {
		t.Fatalf("diagnoses %q", got)
	}

	// esc leaves the pane; back with 2, the query is selected and the
	// code typed replaces it.
	d.press("esc")
	if d.st().Focus != coding.PaneDoc {
		t.Fatalf("esc went to pane %d", d.st().Focus)
	}
	d.press("2")
	d.typeText("99214")
	d.must("/ 99214")
	d.press("enter")
	if n := len(d.m.w.Enc.Lines); n != 1 || d.m.w.Enc.Lines[0].Code != "99214" {
		t.Fatalf("lines %+v", d.m.w.Enc.Lines)
	}

	// s in the documentation searches the words and moves to the search,
	// where a code typed replaces them.
	d.press("esc", "1", "v", "s")
	if d.st().Focus != coding.PaneSearch || !d.st().QuerySelected || d.st().Query != "CHIEF" {
		t.Fatalf("after s: focus %d, selected %v, query %q", d.st().Focus, d.st().QuerySelected, d.st().Query)
	}
	d.typeText("i10")
	d.must("/ i10", "I10")
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1165", "I10"}) {
		t.Fatalf("diagnoses %q", got)
	}
}

// The keys that are commands elsewhere (pane digits, q, z, ?, /, j, k, g,
// history brackets) are typed in the search pane; the status line offers
// only keys that work there.
func TestCommandKeysAreTypedInSearchPane(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("2")
	typed := "12345 qz?/jkgG[]{}vVsn"
	d.typeText(typed)
	if d.st().Focus != coding.PaneSearch || d.st().Zoomed || d.m.showHelp || d.m.screen != screenCoding || d.m.closing != closeNone {
		t.Fatalf("a typed key acted: focus %d zoom %v help %v screen %d closing %v", d.st().Focus, d.st().Zoomed, d.m.showHelp, d.m.screen, d.m.closing)
	}
	if q := d.st().Query; q != typed {
		t.Fatalf("query %q, want %q", q, typed)
	}
	d.must("/ 12345 qz?/jkgG")
	status := d.statusLine()
	for _, want := range []string{"f1 all keys", "enter pick code", "↑↓ results", "esc leave"} {
		if !strings.Contains(status, want) {
			t.Errorf("status line lacks %q: %q", want, status)
		}
	}
	for _, dead := range []string{"? all keys", "q close", "/ search", "1-5", "[", "↑/k"} {
		if strings.Contains(status, dead) {
			t.Errorf("status line offers %q, typed here: %q", dead, status)
		}
	}
	// Every key, f1: the search group says what typing does.
	d.press("f1")
	seen := d.screen()
	for i := 0; i < 6; i++ {
		d.press("pgdown")
		seen += d.screen()
	}
	for _, want := range []string{"typed in the query", "↓/ctrl+n", "↑/ctrl+p", "alt+←"} {
		if !strings.Contains(seen, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Contains(seen, "alt+←/[") || strings.Contains(seen, "edit query") {
		t.Error("help offers the old search keys")
	}
	d.press("esc")
	// Out of the search the digits are commands again.
	d.press("esc", "4")
	if d.st().Focus != coding.PaneClaim {
		t.Fatalf("4 after leaving the search: focus %d", d.st().Focus)
	}
}

// ↑↓, ctrl+n/ctrl+p and pgup/pgdn move in the results while the input
// keeps the keys; enter picks the highlighted row.
func TestArrowsMoveResultsWithInputFocused(t *testing.T) {
	r := newRig(t, nil)
	r.opts.Searcher = &recordingSearcher{hits: func(string) []index.Hit {
		var hits []index.Hit
		for _, c := range []string{"E11.22", "E11.65", "I10", "N18.31"} {
			hits = append(hits, index.Hit{Code: code(t, r.codes, c)})
		}
		return hits
	}}
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("2")
	d.typeText("diabetes")
	d.must("2 Search  4 of 4", "3 Detail  E11.22")
	for _, step := range []struct{ key, detail string }{
		{"down", "E11.65"}, {"ctrl+n", "I10"}, {"ctrl+p", "E11.65"}, {"up", "E11.22"},
		{"pgdown", "N18.31"}, {"pgup", "E11.22"}, {"ctrl+n", "E11.65"},
	} {
		d.press(step.key)
		d.must("3 Detail  "+step.detail, "/ diabetes")
		if !d.st().QueryFocused || d.st().Query != "diabetes" {
			t.Fatalf("after %s: input focused %v, query %q", step.key, d.st().QueryFocused, d.st().Query)
		}
	}
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1165"}) {
		t.Fatalf("diagnoses %q", got)
	}
	// j and k are letters here: they refine the query.
	d.press("end")
	d.typeText(" jk")
	if q := d.st().Query; q != "diabetes jk" {
		t.Fatalf("query %q", q)
	}
}

// esc in the search goes back to the pane the coder came from, keeping
// the query; alt+←/→ still walk the search history.
func TestEscLeavesSearchToThePaneBefore(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.press("4", "/")
	d.typeText("n18.31")
	d.press("esc")
	if d.st().Focus != coding.PaneClaim || d.st().Query != "n18.31" {
		t.Fatalf("esc from a search started in the claim: focus %d, query %q", d.st().Focus, d.st().Query)
	}
	d.press("1", "v", "s", "esc")
	if d.st().Focus != coding.PaneDoc {
		t.Fatalf("esc from a search started with s: focus %d", d.st().Focus)
	}
	d.press("2", "alt+left")
	if q := d.st().Query; q != "n18.31" {
		t.Fatalf("alt+← gave %q", q)
	}
	d.press("alt+right")
	if q := d.st().Query; q != "CHIEF" {
		t.Fatalf("alt+→ gave %q", q)
	}
}
