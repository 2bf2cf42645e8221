package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// testStaleDraft: a draft names the revision it was based on; once the
// encounter has moved past it the save is refused and changes nothing.
func testStaleDraft(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", time.Hour)
	enc, _ := r.get("e")
	enc.Diagnoses = []encounter.Diagnosis{{Code: "E1165"}}
	if err := r.s.SaveDraft(ctx, l, 0, enc, ""); err != nil {
		t.Fatal(err)
	}
	if enc.Revision != 1 {
		t.Fatalf("revision written back: %d", enc.Revision)
	}
	before := r.audit("e")
	old := Sample("e", encounter.NewDate(2026, 11, 2))
	old.Diagnoses = []encounter.Diagnosis{{Code: "I10"}}
	err := r.s.SaveDraft(ctx, l, 0, old, "")
	wantErr(t, "draft based on revision 0 at revision 1", err, store.ErrStale)
	var se *store.StaleError
	if !errors.As(err, &se) || se.Base != 0 || se.Revision != 1 || se.By != "alice" {
		t.Fatalf("stale error does not say which revisions: %v", err)
	}
	if old.Revision != 0 {
		t.Fatalf("a refused save wrote a revision back: %d", old.Revision)
	}
	err = r.s.SaveDraft(ctx, l, 2, old, "")
	wantErr(t, "draft based on a future revision", err, store.ErrStale)
	got, sum := r.get("e")
	if codes(got) != "E1165" || sum.Revision != 1 {
		t.Fatalf("a stale draft changed the encounter: %s r%d", codes(got), sum.Revision)
	}
	if after := r.audit("e"); !reflect.DeepEqual(after, before) {
		t.Fatalf("a stale draft wrote to the audit log:\n%+v", after[len(before):])
	}
	if err := r.s.SaveDraft(ctx, l, 1, enc, ""); err != nil {
		t.Fatalf("draft on the latest revision: %v", err)
	}
}

// testLostUpdate is the probe's scenario: alice opens an encounter in two
// sessions and changes it in both. The store never lets the second
// session's stale copy overwrite the first's work.
func testLostUpdate(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	a := r.lease("e", "alice", 5*time.Minute)
	encA, _ := r.get("e")
	encB, _ := r.get("e") // session B read the same revision

	_, err := r.s.Lease(ctx, "e", "alice", 5*time.Minute)
	wantErr(t, "session B opening alongside A", err, store.ErrLeased)

	encA.Diagnoses = append(encA.Diagnoses, encounter.Diagnosis{Code: "E1165"})
	if err := r.s.SaveDraft(ctx, a, encA.Revision, encA, ""); err != nil {
		t.Fatal(err)
	}
	// B takes the encounter over explicitly, but with its old copy: the
	// save is refused, and B must reload to see A's diagnosis.
	bl, err := r.s.TakeOver(ctx, "e", "alice", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	encB.Diagnoses = append(encB.Diagnoses, encounter.Diagnosis{Code: "I10"})
	wantErr(t, "B's save of its stale copy", r.s.SaveDraft(ctx, bl, encB.Revision, encB, ""), store.ErrStale)
	reloaded, _ := r.get("e")
	reloaded.Diagnoses = append(reloaded.Diagnoses, encounter.Diagnosis{Code: "I10"})
	if err := r.s.SaveDraft(ctx, bl, reloaded.Revision, reloaded, ""); err != nil {
		t.Fatal(err)
	}
	// A, fenced out, cannot save over B either.
	encA.Diagnoses = append(encA.Diagnoses, encounter.Diagnosis{Code: "J45909"})
	wantErr(t, "A after the take-over", r.s.SaveDraft(ctx, a, encA.Revision, encA, ""), store.ErrLeaseLost)
	// Closing A releases nothing of B's.
	if err := r.s.Release(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, sum := r.get("e"); sum.LeasedBy != "alice" {
		t.Fatalf("closing A released B's lease: %+v", sum)
	}
	got, sum := r.get("e")
	if codes(got) != "E1165,I10" || sum.Revision != 2 {
		t.Fatalf("after both sessions: %s r%d, want E1165,I10 r2", codes(got), sum.Revision)
	}
}

func testDraftRoundTrip(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", time.Hour)
	enc, _ := r.get("e")
	enc.Diagnoses = []encounter.Diagnosis{
		{Code: "E1165", Evidence: &encounter.Evidence{NoteID: "n1", Start: 0, End: 15, Text: "Type 2 diabetes"}},
		{Code: "I10"},
	}
	enc.Lines = []encounter.ServiceLine{{Code: "99213", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2}, Charge: 12500}}
	r.clock.Advance(time.Second)
	if err := r.s.SaveDraft(ctx, l, 0, enc, "autosave"); err != nil {
		t.Fatal(err)
	}
	at := r.clock.Now().Add(time.Second)
	enc.Overrides = []encounter.Override{{Rule: "icd.excludes1", Target: "dx:2", Reason: "documented as separate conditions", Coder: "alice", At: at}}
	enc.Lines[0].Units = 2
	r.clock.Advance(time.Second)
	if err := r.s.SaveDraft(ctx, l, 1, enc, ""); err != nil {
		t.Fatal(err)
	}
	got, sum := r.get("e")
	if sum.Revision != 2 || got.Revision != 2 || sum.Status != store.InProgress || !sum.RevisedAt.Equal(r.clock.Now()) {
		t.Fatalf("summary after drafts: %+v", sum)
	}
	if !got.Overrides[0].At.Equal(at) {
		t.Fatalf("override time: %v", got.Overrides[0].At)
	}
	got.Overrides[0].At = at
	if !reflect.DeepEqual(got, enc) {
		t.Fatalf("draft round trip:\n got %+v\nwant %+v", got, enc)
	}
	var lines []string
	audit := r.audit("e")
	for _, e := range audit {
		lines = append(lines, fmt.Sprintf("r%d %s %s: %s", e.Revision, e.Coder, e.Action, e.Detail))
	}
	want := []string{
		"r0 system import: imported: 1 notes, 0 diagnoses, 0 service lines",
		"r0 alice lease: leased",
		"r1 alice status: new -> in_progress",
		"r1 alice draft: autosave: dx A: added E11.65; dx B: added I10; line 1: added 99213-25 x1 -> A,B $125.00",
		"r2 alice draft: line 1: 99213-25 x1 -> A,B $125.00 -> 99213-25 x2 -> A,B $125.00; override icd.excludes1 on dx:2: documented as separate conditions",
		"r2 alice override: icd.excludes1 on dx:2: documented as separate conditions",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// Withdrawn: logged once, at the revision that withdraws it.
	enc.Overrides = nil
	r.clock.Advance(time.Second)
	if err := r.s.SaveDraft(ctx, l, 2, enc, ""); err != nil {
		t.Fatal(err)
	}
	audit = r.audit("e")
	last := audit[len(audit)-1]
	if got := fmt.Sprintf("r%d %s: %s", last.Revision, last.Action, last.Detail); got != "r3 override withdrawn: icd.excludes1 on dx:2 (was: documented as separate conditions)" {
		t.Fatalf("withdrawal logged as %q", got)
	}
	for i := 1; i < len(audit); i++ {
		if audit[i].Seq <= audit[i-1].Seq || audit[i].At.Before(audit[i-1].At) {
			t.Fatalf("audit not in order: %+v", audit)
		}
	}
}

func testAuditAppendOnly(t *testing.T, b Backend) {
	r := newRig(t, b, "e", "f")
	if err := r.s.Log(ctx, store.AuditEntry{EncounterID: "e", Coder: "alice", Action: "note", Detail: "queried provider"}); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Log(ctx, store.AuditEntry{Coder: "alice", Action: "note"}); err == nil {
		t.Fatal("entry without encounter id accepted")
	}
	if err := r.s.Log(ctx, store.AuditEntry{EncounterID: "e", Coder: "alice"}); err == nil {
		t.Fatal("entry without action accepted")
	}
	before := r.audit("e")
	if len(before) != 2 || before[1].Detail != "queried provider" || before[1].At.IsZero() || before[1].Coder != "alice" {
		t.Fatalf("audit: %+v", before)
	}
	// Later work only appends: every earlier entry stays as it was.
	l := r.lease("e", "alice", time.Hour)
	if err := r.save(l, "I10"); err != nil {
		t.Fatal(err)
	}
	if err := r.s.SetStatus(ctx, l, store.Coded, "done"); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	after := r.audit("e")
	if len(after) <= len(before) || !reflect.DeepEqual(after[:len(before)], before) {
		t.Fatalf("earlier audit entries changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if other := r.audit("f"); len(other) != 1 || other[0].Action != "import" {
		t.Fatalf("another encounter's audit: %+v", other)
	}
	if b.Exec == nil {
		return
	}
	for _, q := range []string{
		`UPDATE audit SET detail = 'tampered'`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE action = 'note'`,
	} {
		if err := b.Exec(r.s, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if got := r.audit("e"); !reflect.DeepEqual(got, after) {
		t.Fatalf("audit after tampering attempts: %+v", got)
	}
}
