package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

func testAddGetList(t *testing.T, b Backend) {
	r := newRig(t, b)
	late := Sample("enc-2", encounter.NewDate(2026, 11, 10))
	early := Sample("enc-1", encounter.NewDate(2026, 11, 2))
	for _, e := range []*encounter.Encounter{late, early} {
		if err := r.s.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "second Add", r.s.Add(ctx, early), store.ErrExists)
	if err := r.s.Add(ctx, Sample(" ", encounter.NewDate(2026, 11, 2))); err == nil {
		t.Fatal("blank id accepted")
	}
	list, err := r.s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "enc-1" || list[1].ID != "enc-2" {
		t.Fatalf("worklist order: %+v", list)
	}
	if list[0].Status != store.New || list[0].Patient != early.Patient || list[0].Provider != early.Provider ||
		list[0].Service.From.String() != "2026-11-02" || list[0].Revision != 0 || list[0].LeasedBy != "" {
		t.Fatalf("summary: %+v", list[0])
	}
	got, sum := r.get("enc-1")
	if !reflect.DeepEqual(got, early) || sum.Status != store.New {
		t.Fatalf("Get = %+v, want %+v", got, early)
	}
	_, _, err = r.s.Get(ctx, "nope")
	wantErr(t, "Get unknown", err, store.ErrNotFound)
	_, err = r.s.Lease(ctx, "nope", "alice", time.Minute)
	wantErr(t, "Lease unknown", err, store.ErrNotFound)
	_, err = r.s.TakeOver(ctx, "nope", "alice", time.Minute)
	wantErr(t, "TakeOver unknown", err, store.ErrNotFound)
}

func testLeaseArguments(t *testing.T, b Backend) {
	r := newRig(t, b, "e", "f")
	if _, err := r.s.Lease(ctx, "e", " ", time.Minute); err == nil {
		t.Fatal("empty coder accepted")
	}
	if _, err := r.s.Lease(ctx, "e", "alice", 0); err == nil {
		t.Fatal("zero ttl accepted")
	}
	l := r.lease("e", "alice", time.Minute)
	if l.EncounterID != "e" || l.Coder != "alice" || l.Token == "" || !l.Until.Equal(r.clock.Now().Add(time.Minute)) {
		t.Fatalf("lease: %+v", l)
	}
	if _, err := r.s.Renew(ctx, l, -time.Second); err == nil {
		t.Fatal("negative renewal accepted")
	}
	other, _ := r.get("f")
	if err := r.s.SaveDraft(ctx, l, 0, other, ""); err == nil {
		t.Fatal("draft of another encounter accepted under e's lease")
	}
	forged := l
	forged.Token = ""
	wantErr(t, "draft with an empty token", r.save(forged, "I10"), store.ErrLeaseLost)
	forged.Token = "not-the-token"
	wantErr(t, "draft with a forged token", r.save(forged, "I10"), store.ErrLeaseLost)
}

// testLeaseIsPerSession: one coder in two sessions holds two leases, and
// the store never grants the second while the first runs.
func testLeaseIsPerSession(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	first := r.lease("e", "alice", 10*time.Minute)
	_, err := r.s.Lease(ctx, "e", "alice", 10*time.Minute)
	wantErr(t, "alice's second session", err, store.ErrLeased)
	var le *store.LeasedError
	if !errors.As(err, &le) || le.Coder != "alice" || !le.Until.Equal(first.Until) || le.EncounterID != "e" {
		t.Fatalf("second session's refusal does not say whose lease: %v", err)
	}
	_, err = r.s.Lease(ctx, "e", "bob", 10*time.Minute)
	if !errors.As(err, &le) || le.Coder != "alice" {
		t.Fatalf("bob while alice holds: %v", err)
	}
	_, sum := r.get("e")
	if sum.LeasedBy != "alice" || !sum.LeaseUntil.Equal(first.Until) {
		t.Fatalf("summary lease: %q until %v", sum.LeasedBy, sum.LeaseUntil)
	}
	// After a release, a new session of the same coder gets a new token:
	// the old one never comes back into force.
	if err := r.s.Release(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := r.lease("e", "alice", 10*time.Minute)
	if second.Token == first.Token {
		t.Fatal("a new session reused the old session's token")
	}
	wantErr(t, "draft under the released session's token", r.save(first, "I10"), store.ErrLeaseLost)
	if err := r.save(second, "I10"); err != nil {
		t.Fatalf("draft under the new session: %v", err)
	}
}

func testTakeOver(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	a := r.lease("e", "alice", 10*time.Minute)
	if err := r.save(a, "E1165"); err != nil {
		t.Fatal(err)
	}
	_, err := r.s.TakeOver(ctx, "e", "bob", 10*time.Minute)
	wantErr(t, "bob taking alice's lease", err, store.ErrLeased)
	r.clock.Advance(time.Minute)
	bsess, err := r.s.TakeOver(ctx, "e", "alice", 10*time.Minute)
	if err != nil {
		t.Fatalf("alice takes over from her other session: %v", err)
	}
	if bsess.Token == a.Token || bsess.Coder != "alice" {
		t.Fatalf("take-over lease: %+v (was %+v)", bsess, a)
	}
	// The first session is fenced out of every leased change.
	wantErr(t, "draft in the taken-over session", r.save(a, "I10"), store.ErrLeaseLost)
	_, err = r.s.Renew(ctx, a, 10*time.Minute)
	wantErr(t, "renewal in the taken-over session", err, store.ErrLeaseLost)
	wantErr(t, "status in the taken-over session", r.s.SetStatus(ctx, a, store.Coded, ""), store.ErrLeaseLost)
	wantErr(t, "export in the taken-over session", r.s.BeginExport(ctx, a, 1, "e-r1"), store.ErrLeaseLost)
	if err := r.s.Release(ctx, a); err != nil {
		t.Fatalf("releasing a taken-over lease: %v", err)
	}
	if err := r.save(bsess, "I10"); err != nil {
		t.Fatalf("the new session lost its lease to the old one's release: %v", err)
	}
	enc, _ := r.get("e")
	if codes(enc) != "E1165,I10" {
		t.Fatalf("diagnoses after take-over: %s", codes(enc))
	}
	audit := r.audit("e")
	var takeover *store.AuditEntry
	for i := range audit {
		if audit[i].Action == "lease" && strings.Contains(audit[i].Detail, "taken over") {
			takeover = &audit[i]
		}
	}
	if takeover == nil || takeover.Coder != "alice" {
		t.Fatalf("no take-over entry in the audit: %+v", audit)
	}
	// With no live lease a take-over is an ordinary lease.
	if err := r.s.Release(ctx, bsess); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.TakeOver(ctx, "e", "bob", time.Minute); err != nil {
		t.Fatalf("take-over of a free encounter: %v", err)
	}
}

func testRenew(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", 10*time.Minute)
	r.clock.Advance(9 * time.Minute)
	renewed, err := r.s.Renew(ctx, l, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token != l.Token || !renewed.Until.Equal(r.clock.Now().Add(10*time.Minute)) {
		t.Fatalf("renewal: %+v (was %+v)", renewed, l)
	}
	r.clock.Advance(9 * time.Minute) // past the first expiry, inside the renewal
	_, err = r.s.Lease(ctx, "e", "bob", time.Minute)
	wantErr(t, "bob inside the renewal", err, store.ErrLeased)
	if err := r.save(l, "E1165"); err != nil {
		t.Fatalf("save under the renewed lease (old Until, same token): %v", err)
	}
	if _, sum := r.get("e"); !sum.LeaseUntil.Equal(renewed.Until) {
		t.Fatalf("summary after renewal: %v, want %v", sum.LeaseUntil, renewed.Until)
	}
	// A renewal is not news for the audit log.
	n := 0
	for _, a := range r.actions("e") {
		if a == "alice:lease" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("lease entries: %d (%v)", n, r.actions("e"))
	}
	// An expired lease cannot be renewed: another session may have seen
	// the encounter free.
	r.clock.Advance(11 * time.Minute)
	_, err = r.s.Renew(ctx, l, 10*time.Minute)
	wantErr(t, "renewing an expired lease", err, store.ErrLeaseLost)
}

func testExpiry(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	alice := r.lease("e", "alice", 10*time.Minute)
	r.clock.Advance(11 * time.Minute)
	if _, sum := r.get("e"); sum.LeasedBy != "" {
		t.Fatalf("expired lease still shown: %q", sum.LeasedBy)
	}
	// An expired lease is lost even when nobody took it.
	wantErr(t, "draft after expiry", r.save(alice, "I10"), store.ErrLeaseLost)
	bob := r.lease("e", "bob", 10*time.Minute)
	if bob.Token == alice.Token {
		t.Fatal("takeover after expiry kept the old token")
	}
	wantErr(t, "alice after bob leased", r.save(alice, "I10"), store.ErrLeaseLost)
	wantErr(t, "alice SetStatus after bob leased", r.s.SetStatus(ctx, alice, store.Coded, ""), store.ErrLeaseLost)
	audit := r.audit("e")
	last := audit[len(audit)-1]
	if last.Coder != "bob" || last.Action != "lease" || !strings.Contains(last.Detail, "alice's lease expired") {
		t.Fatalf("takeover after expiry: %+v", last)
	}
	// The same coder's new session after her own lease expired.
	r.clock.Advance(11 * time.Minute)
	again := r.lease("e", "bob", time.Minute)
	if again.Token == bob.Token {
		t.Fatal("a new session after expiry reused the token")
	}
}

func testRelease(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	alice := r.lease("e", "alice", 10*time.Minute)
	if err := r.s.Release(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Release(ctx, alice); err != nil {
		t.Fatalf("second release: %v", err)
	}
	bob := r.lease("e", "bob", 10*time.Minute)
	// Neither an old token nor an empty one ends bob's lease.
	for _, l := range []store.Lease{alice, {EncounterID: "e", Coder: "bob"}, {EncounterID: "e", Coder: "bob", Token: "x"}} {
		if err := r.s.Release(ctx, l); err != nil {
			t.Fatalf("stale release %+v: %v", l, err)
		}
		_, err := r.s.Lease(ctx, "e", "alice", time.Minute)
		wantErr(t, "a stale release freed bob's lease", err, store.ErrLeased)
	}
	if err := r.save(bob, "I10"); err != nil {
		t.Fatalf("bob after stale releases: %v", err)
	}
	if err := r.s.Release(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, sum := r.get("e"); sum.LeasedBy != "" {
		t.Fatalf("released lease still shown: %+v", sum)
	}
	r.lease("e", "alice", time.Minute)
	want := "system:import alice:lease alice:release bob:lease bob:status bob:draft bob:release alice:lease"
	if got := strings.Join(r.actions("e"), " "); got != want {
		t.Fatalf("audit actions:\n got %s\nwant %s", got, want)
	}
}
