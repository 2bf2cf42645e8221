package tui

import (
	"context"
	"testing"

	"codebench/encounter/store"
)

// Opening a chart leases it; it is in progress only once the coder
// changes something, so the chart opened by itself after an export, and
// one opened and left untouched, stay to do.
func TestAChartIsInProgressOnlyAfterTheFirstChange(t *testing.T) {
	r := newRig(t, typedCodes())
	r.opts.Width = 120 // room for the status in the header
	d := newDriver(t, New(r.opts))
	status := func(id string) store.Summary {
		t.Helper()
		_, sum, err := r.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	d.openEncounter("enc-1015")
	if s := status("enc-1015"); s.Status != store.New || s.LeasedBy != "alice" {
		t.Fatalf("opened: %s leased by %q", s.Status, s.LeasedBy)
	}
	d.must("enc-1015 ·", "· new · r0 saved")
	d.search("s93491a")
	d.press("enter")
	if s := status("enc-1015"); s.Status != store.InProgress {
		t.Fatalf("after a change: %s", s.Status)
	}
	d.must("· in progress · r1 saved")
	d.search("99203")
	d.press("enter", "esc", "4", "G", "p")
	d.typeText("a")
	d.press("enter", "ctrl+x", "y")
	if d.m.w.Enc == nil || d.m.w.Enc.ID != "enc-1005" {
		t.Fatalf("the next chart did not open:\n%s", d.screen())
	}
	if s := status("enc-1005"); s.Status != store.New || s.LeasedBy != "alice" {
		t.Fatalf("opened after the export: %s leased by %q", s.Status, s.LeasedBy)
	}
	// Closed untouched: still to do, and free.
	d.press("esc", "q")
	if s := status("enc-1005"); s.Status != store.New || s.LeasedBy != "" {
		t.Fatalf("closed untouched: %s leased by %q", s.Status, s.LeasedBy)
	}
}
