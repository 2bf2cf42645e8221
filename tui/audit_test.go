package tui

import (
	"context"
	"strings"
	"testing"
)

// The audit log records an override once, at the revision of the draft
// that carries it, its withdrawal at the revision that withdraws it, and
// says what each draft changed once.
func TestAuditLogsOverridesOnceAtTheirRevision(t *testing.T) {
	r := newRig(t, typedCodes())
	d := newDriver(t, New(r.opts))
	d.openEncounter("enc-1001")
	idx := d.duplicateLines(r)
	d.press("5")
	for d.st().EditCursor < idx {
		d.press("down")
	}
	d.press("o")
	d.typeText("two draws")
	d.press("enter", "O")
	audit, err := r.store.Audit(context.Background(), "enc-1001")
	if err != nil {
		t.Fatal(err)
	}
	draftAt := map[int]string{}
	var overrides, withdrawals []int
	for _, a := range audit {
		switch a.Action {
		case "draft":
			draftAt[a.Revision] = a.Detail
			if half := len(a.Detail) / 2; half > 0 && strings.HasPrefix(a.Detail[half:], a.Detail[:half-2]) {
				t.Errorf("r%d draft detail repeats itself: %q", a.Revision, a.Detail)
			}
		case "override":
			overrides = append(overrides, a.Revision)
		case "override withdrawn":
			withdrawals = append(withdrawals, a.Revision)
		}
	}
	if len(overrides) != 1 || !strings.Contains(draftAt[overrides[0]], "override line.duplicate on line:2: two draws") {
		t.Fatalf("override logged at %v; drafts %v", overrides, draftAt)
	}
	if len(withdrawals) != 1 || withdrawals[0] != overrides[0]+1 || !strings.Contains(draftAt[withdrawals[0]], "withdrawn") {
		t.Fatalf("withdrawal logged at %v (override at %v); drafts %v", withdrawals, overrides, draftAt)
	}
	if withdrawals[0] != d.m.w.Enc.Revision {
		t.Fatalf("withdrawal at r%d, the encounter is at r%d", withdrawals[0], d.m.w.Enc.Revision)
	}
}
