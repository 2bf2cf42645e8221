package tui

import (
	"slices"
	"strings"
	"testing"

	"codebench/index"
)

// heldSearcher answers "hypertension" with I10 and anything starting with
// "diab" with E11.22; queries in hold wait until their channel closes.
func heldSearcher(r *rig) *recordingSearcher {
	rs := &recordingSearcher{hold: map[string]chan struct{}{}}
	rs.hits = func(q string) []index.Hit {
		code := "I10"
		if strings.HasPrefix(q, "diab") {
			code = "E11.22"
		}
		c, _ := r.codes.Lookup(code)
		return []index.Hit{{Code: c}}
	}
	return rs
}

func (d *driver) diagnoses() []string {
	var out []string
	for _, dx := range d.m.w.Enc.Diagnoses {
		out = append(out, dx.Code)
	}
	return out
}

// A coder who types a code and presses enter before the search answers
// gets that code, never the highlighted row of the previous results.
func TestEnterBeforeResultsPicksTheTypedCode(t *testing.T) {
	r := newRig(t, nil)
	rs := heldSearcher(r)
	r.opts.Searcher = rs
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("hypertension")
	d.must("I10")

	release := make(chan struct{})
	rs.mu.Lock()
	rs.hold["e11.22"] = release
	rs.mu.Unlock()
	d.send(keyMsg("ctrl+u"))
	for _, k := range "e11.22" {
		d.send(keyMsg(string(k)))
	}
	d.send(keyMsg("enter"))
	d.pumpUntil(func() bool { return len(d.m.w.Enc.Diagnoses) == 1 })
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1122"}) {
		t.Fatalf("diagnoses %q, want the typed E11.22", got)
	}
	close(release)
	d.settle()
}

// Words typed faster than the search do not pick a stale row either: the
// first enter searches now, the coder sees the results, the next picks.
func TestEnterBeforeResultsOfWordsWaitsForThem(t *testing.T) {
	r := newRig(t, nil)
	rs := heldSearcher(r)
	r.opts.Searcher = rs
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("hypertension")
	d.must("I10")

	release := make(chan struct{})
	rs.mu.Lock()
	rs.hold["diabetes"] = release
	rs.mu.Unlock()
	d.send(keyMsg("ctrl+u"))
	for _, k := range "diabetes" {
		d.send(keyMsg(string(k)))
	}
	d.send(keyMsg("enter"))
	d.pumpUntil(func() bool { return strings.Contains(d.m.status, "searching") })
	if n := len(d.m.w.Enc.Diagnoses); n != 0 {
		t.Fatalf("enter on stale results added %q", d.diagnoses())
	}
	close(release)
	d.settle()
	d.must("E11.22")
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1122"}) {
		t.Fatalf("diagnoses %q", got)
	}
}

// The header never counts fewer results than it shows: a typed code the
// index did not return is added on top and counted.
func TestSearchHeaderCountsTheTypedCode(t *testing.T) {
	r := newRig(t, nil)
	r.opts.Searcher = &recordingSearcher{hits: func(string) []index.Hit { return nil }}
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("99214")
	d.must("1 of 1")
}

// After a pick, and on coming back to the search, the query is selected:
// typing starts a new search, a cursor key keeps the query to edit.
func TestTypingAfterAPickStartsANewSearch(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("e11.22")
	d.press("enter")
	d.typeText("i10")
	if q := d.st().Query; q != "i10" {
		t.Fatalf("query after a pick and typing: %q", q)
	}
	d.press("enter")
	if got := d.diagnoses(); !slices.Equal(got, []string{"E1122", "I10"}) {
		t.Fatalf("diagnoses %q", got)
	}
	// A cursor key first: the query stays, to be edited.
	d.press("end", "backspace")
	d.typeText("5")
	if q := d.st().Query; q != "i15" {
		t.Fatalf("edited query %q", q)
	}
	// Back from another pane with /: selected again; backspace clears it.
	d.press("esc", "1", "/")
	if !d.st().QuerySelected {
		t.Fatal("the query is not selected on /")
	}
	d.press("backspace")
	if q := d.st().Query; q != "" {
		t.Fatalf("backspace on the selected query left %q", q)
	}
	// Back with the pane's digit: selected too; end keeps it to refine.
	d.typeText("n18")
	d.press("esc", "2")
	if !d.st().QuerySelected {
		t.Fatal("the query is not selected on 2")
	}
	d.press("end")
	d.typeText(".31")
	if q := d.st().Query; q != "n18.31" {
		t.Fatalf("query refined after end: %q", q)
	}
}

// ctrl+s before the results of the query typed does not star a row of the
// previous results.
func TestStarBeforeResultsStarsNothing(t *testing.T) {
	r := newRig(t, nil)
	rs := heldSearcher(r)
	r.opts.Searcher = rs
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.search("hypertension")
	release := make(chan struct{})
	rs.mu.Lock()
	rs.hold["diabetes"] = release
	rs.mu.Unlock()
	d.send(keyMsg("ctrl+u"))
	for _, k := range "diabetes" {
		d.send(keyMsg(string(k)))
	}
	d.send(keyMsg("ctrl+s"))
	d.pumpUntil(func() bool { return strings.Contains(d.m.status, "still coming") })
	close(release)
	d.settle()
	if len(d.m.prefs.Favourites) != 0 {
		t.Fatalf("starred %q", d.m.prefs.Favourites)
	}
	d.press("ctrl+s")
	if !slices.Equal(d.m.prefs.Favourites, []string{"E1122"}) {
		t.Fatalf("favourites %q", d.m.prefs.Favourites)
	}
}
