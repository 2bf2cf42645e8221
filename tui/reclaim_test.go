package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/tui/coding"
	"codebench/tui/common"
)

func diagnosisCodes(t *testing.T, r *rig, id string) (string, int) {
	t.Helper()
	enc, sum, err := r.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range enc.Diagnoses {
		out = append(out, d.Code)
	}
	return strings.Join(out, ","), sum.Revision
}

// TestTwoSessionsOfOneCoderNeverLoseAnUpdate is the probe's lost update:
// alice has enc-1001 open in session A and opens it in session B. B is
// refused until she takes it over explicitly; A's next change is then
// refused, A reloads and says what was not saved, and B's work stands.
func TestTwoSessionsOfOneCoderNeverLoseAnUpdate(t *testing.T) {
	r := newRig(t, nil)
	a := newDriver(t, New(r.opts))
	a.openEncounter("enc-1001")
	a.send(coding.PickCode(code(t, r.codes, "E11.22")))
	a.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "E1122" || rev != 1 {
		t.Fatalf("A's first save: %s r%d", got, rev)
	}

	b := newDriver(t, New(r.opts))
	b.must("enc-1001   Dolores Whitaker", "your other session")
	for i := 0; i < 40 && !b.cursorOn("enc-1001"); i++ {
		b.press("down")
	}
	b.press("enter")
	if b.m.w.Enc != nil {
		t.Fatal("session B opened the encounter alongside A")
	}
	b.must("enc-1001 is open in your other session until", "enter again takes it over")
	b.press("enter")
	if b.m.w.Enc == nil || b.m.w.Enc.ID != "enc-1001" || b.m.w.ReadOnly != "" || len(b.m.w.Enc.Diagnoses) != 1 {
		t.Fatalf("take-over did not open A's latest revision:\n%s", b.screen())
	}

	// A does not know yet: its next change is refused and nothing of B's
	// is overwritten.
	a.send(coding.PickCode(code(t, r.codes, "I10")))
	a.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "E1122" || rev != 1 {
		t.Fatalf("A saved over B's lease: %s r%d", got, rev)
	}
	a.must("read-only: you, in another session, took enc-1001 over")
	if !strings.Contains(a.m.status, "NOT saved") || !strings.Contains(a.m.status, "I10") {
		t.Fatalf("A's status does not list the unsaved change: %q", a.m.status)
	}
	if a.m.w.ReadOnly == "" || len(a.m.w.Enc.Diagnoses) != 1 || a.m.w.Lease.Token != "" {
		t.Fatalf("A after the refusal: read-only %q, %d dx, lease %+v", a.m.w.ReadOnly, len(a.m.w.Enc.Diagnoses), a.m.w.Lease)
	}
	audit, _ := r.store.Audit(context.Background(), "enc-1001")
	logged := false
	for _, e := range audit {
		logged = logged || e.Action == "draft refused" && e.Coder == "alice" && strings.Contains(e.Detail, "I10")
	}
	if !logged {
		t.Fatalf("the refused change is not in the audit log: %+v", audit)
	}

	// A closes: B's lease stays, and B saves.
	a.press("esc", "esc")
	b.send(coding.PickCode(code(t, r.codes, "I10")))
	b.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "E1122,I10" || rev != 2 {
		t.Fatalf("after both sessions: %s r%d, want E1122,I10 r2", got, rev)
	}
	if b.m.saveErr != nil || b.m.w.ReadOnly != "" {
		t.Fatalf("B after A closed: %v %q", b.m.saveErr, b.m.w.ReadOnly)
	}
}

// TestLapsedLeaseIsReclaimedWhenNobodyChangedIt: the coder's machine
// slept past the lease; nobody touched the encounter, so the change made
// on waking is saved under a new lease.
func TestLapsedLeaseIsReclaimedWhenNobodyChangedIt(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	old := d.m.w.Lease
	r.clock.Advance(time.Hour)
	d.send(coding.PickCode(code(t, r.codes, "E11.22")))
	d.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "E1122" || rev != 1 {
		t.Fatalf("change after the lapse: %s r%d", got, rev)
	}
	if d.m.w.ReadOnly != "" || d.m.w.Lease.Token == old.Token || d.m.saveErr != nil {
		t.Fatalf("not reclaimed: read-only %q, lease %+v, err %v", d.m.w.ReadOnly, d.m.w.Lease, d.m.saveErr)
	}
	d.must("it is yours again")
}

// TestChangedMeanwhileReloadsAndSaysWhy: the lease lapsed and bob coded
// the encounter meanwhile; the coder's stale change is refused, the
// screen shows bob's revision, editable again, and says what was lost.
func TestChangedMeanwhileReloadsAndSaysWhy(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	r.clock.Advance(time.Hour)
	ctx := context.Background()
	bob, err := r.store.Lease(ctx, "enc-1001", "bob", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	enc, _, _ := r.store.Get(ctx, "enc-1001")
	enc.Diagnoses = append(enc.Diagnoses, d.m.w.Enc.Diagnoses...)
	enc.PlaceOfService = "22"
	if err := r.store.SaveDraft(ctx, bob, enc.Revision, enc, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Release(ctx, bob); err != nil {
		t.Fatal(err)
	}

	d.send(coding.PickCode(code(t, r.codes, "E11.22")))
	d.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "" || rev != 1 {
		t.Fatalf("stale change saved over bob's revision: %q r%d", got, rev)
	}
	d.must("enc-1001 changed in another session (revision 1")
	if !strings.Contains(d.m.status, "NOT saved") || !strings.Contains(d.m.status, "E11.22") {
		t.Fatalf("status: %q", d.m.status)
	}
	if d.m.w.ReadOnly != "" || d.m.w.Enc.Revision != 1 || d.m.w.Enc.PlaceOfService != "22" {
		t.Fatalf("not reloaded editable at bob's revision: %q r%d", d.m.w.ReadOnly, d.m.w.Enc.Revision)
	}
	// Editing goes on from bob's revision.
	d.send(coding.PickCode(code(t, r.codes, "E11.22")))
	d.settle()
	if got, rev := diagnosisCodes(t, r, "enc-1001"); got != "E1122" || rev != 2 {
		t.Fatalf("after the reload: %q r%d", got, rev)
	}
	if _, sum, _ := r.store.Get(ctx, "enc-1001"); sum.Status != store.InProgress {
		t.Fatalf("status %s", sum.Status)
	}
}

// TestSpooledExportSaysNotDelivered: an export the queue only spooled
// (its server unreachable) is never announced as delivered.
func TestSpooledExportSaysNotDelivered(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	d.send(exportedMsg{id: "enc-1001", rev: 0, key: "enc-1001-r0", delivery: queue.Spooled})
	d.settle()
	if !strings.Contains(d.m.status, "enc-1001-r0 (spooled, NOT delivered yet)") {
		t.Fatalf("status after a spooled export: %q", d.m.status)
	}
	d.must("NOT delivered")
}

// TestStatusSaidEarlierArrivingLaterStaysHidden: commands run
// concurrently, so "E11.22 added" can arrive after the lease notice said
// later; the notice stays on screen.
func TestStatusSaidEarlierArrivingLaterStaysHidden(t *testing.T) {
	r := newRig(t, nil)
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	early := common.Status("E11.22 added as diagnosis A", false)
	later := common.Status("the lease on enc-1001 had lapsed; it is yours again", false)
	d.send(later)
	d.send(early)
	d.must("it is yours again")
	if strings.Contains(d.screen(), "added as diagnosis A") {
		t.Fatalf("a line said earlier replaced a later one:\n%s", d.screen())
	}
}
