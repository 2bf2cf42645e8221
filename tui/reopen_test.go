package tui

import (
	"context"
	"testing"

	"codebench/encounter"
	"codebench/encounter/store"
)

// R on an exported claim asks replacement or void, the payer's claim
// number and the reason, and reopens it under the coder's lease as the
// payer's policy allows: editable again, its frequency and predecessor
// recorded; esc leaves it as it was.
func TestReopenAnExportedClaim(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1015")
	d.search("s93491a")
	d.press("enter")
	d.typeText("99203")
	d.press("enter", "ctrl+x", "y") // exported; the next chart opens
	d.press("esc", "q")
	d.press("f", "f", "f") // exported
	d.openEncounter("enc-1015")
	if d.m.w.ReadOnly == "" {
		t.Fatal("an exported claim opened editable")
	}
	d.press("R")
	d.must("Reopen enc-1015, exported as enc-1015-r")
	d.press("esc")
	if d.m.reopen != nil || d.m.w.ReadOnly == "" {
		t.Fatal("esc did not leave the claim as it was")
	}
	d.press("R", "r")
	d.typeText("ICN 26001-77")
	d.press("enter")
	d.typeText("wrong ankle sprain code")
	d.press("enter")
	if d.m.w.ReadOnly != "" || d.m.w.Lease.Token == "" {
		t.Fatalf("not editable after the reopen: %q\n%s", d.m.w.ReadOnly, d.screen())
	}
	rs := d.m.w.Enc.Resubmission
	if rs.Frequency != encounter.FrequencyReplacement || rs.OriginalClaimNumber != "ICN 26001-77" || rs.Reason != "wrong ankle sprain code" {
		t.Fatalf("resubmission %+v", rs)
	}
	d.must("reopened as a replacement", "replaces ICN 26001-77")
	_, sum, err := r.store.Get(context.Background(), "enc-1015")
	if err != nil || sum.Status != store.InProgress || sum.LeasedBy != "alice" {
		t.Fatalf("store after reopen: %+v %v", sum, err)
	}
	// Corrected and exported again: a new export key.
	first := sum.ExportKey
	d.press("ctrl+x", "y")
	_, sum, _ = r.store.Get(context.Background(), "enc-1015")
	if sum.Status != store.Exported || sum.ExportKey == first {
		t.Fatalf("replacement export: %+v (first %s)", sum, first)
	}
}
