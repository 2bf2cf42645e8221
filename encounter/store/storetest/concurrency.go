package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// testConcurrentLeases: many sessions (some of the same coder, on two
// handles) race for one encounter, by Lease and by TakeOver; exactly one
// lease is in force at the end and only its token can save.
func testConcurrentLeases(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	other := r.open()
	const sessions = 12
	leases := make([]store.Lease, sessions)
	errs := make([]error, sessions)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := either(i, r.s, other)
			coder := "alice"
			if i%3 == 0 {
				coder = "bob"
			}
			leases[i], errs[i] = st.Lease(ctx, "e", coder, time.Hour)
		}()
	}
	wg.Wait()
	var won []store.Lease
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, leases[i])
		case !errors.Is(err, store.ErrLeased):
			t.Fatalf("session %d: %v", i, err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d sessions hold the lease at once: %+v", len(won), won)
	}
	winner := won[0]
	// Take-overs by the winner's coder race each other: one ends up in
	// force, the others are fenced out.
	takers := make([]store.Lease, 6)
	terrs := make([]error, len(takers))
	for i := range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := either(i, r.s, other)
			takers[i], terrs[i] = st.TakeOver(ctx, "e", winner.Coder, time.Hour)
		}()
	}
	wg.Wait()
	inForce := 0
	for i, l := range append(takers, winner) {
		if i < len(terrs) && terrs[i] != nil {
			t.Fatalf("take-over %d: %v", i, terrs[i])
		}
		if _, err := r.s.Renew(ctx, l, time.Hour); err == nil {
			inForce++
		} else if !errors.Is(err, store.ErrLeaseLost) {
			t.Fatal(err)
		}
	}
	if inForce != 1 {
		t.Fatalf("%d leases in force after racing take-overs", inForce)
	}
}

// testConcurrentSavesOneBase: saves based on the same revision race (two
// windows of one session, a retry): one wins, the rest are stale, and no
// revision is written twice.
func testConcurrentSavesOneBase(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	other := r.open()
	l := r.lease("e", "alice", time.Hour)
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := either(i, r.s, other)
			enc := Sample("e", encounter.NewDate(2026, 11, 2))
			enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: i + 1, Pointers: []int{}}}
			errs[i] = st.SaveDraft(ctx, l, 0, enc, "")
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Fatalf("writers %d and %d both saved on revision 0", won, i)
		case !errors.Is(err, store.ErrStale):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer saved")
	}
	got, sum := r.get("e")
	if sum.Revision != 1 || got.Lines[0].Units != won+1 {
		t.Fatalf("stored r%d units %d, want r1 from writer %d", sum.Revision, got.Lines[0].Units, won)
	}
}

// testConcurrentDrafts: coders autosave different encounters at once,
// through two handles (two processes); every save lands, in order.
func testConcurrentDrafts(t *testing.T, b Backend) {
	const encounters, saves = 6, 12
	r := newRig(t, b, ids(encounters)...)
	other := r.open()
	var wg sync.WaitGroup
	errs := make(chan error, encounters)
	for i, id := range ids(encounters) {
		st := either(i, r.s, other)
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := st.Lease(ctx, id, "coder-"+id, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			enc, _, err := st.Get(ctx, id)
			if err != nil {
				errs <- err
				return
			}
			for k := range saves {
				enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: k + 1, Pointers: []int{}}}
				if err := st.SaveDraft(ctx, l, enc.Revision, enc, ""); err != nil {
					errs <- err
					return
				}
			}
			errs <- st.Release(ctx, l)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids(encounters) {
		got, sum := r.get(id)
		if sum.Revision != saves || got.Lines[0].Units != saves || sum.LeasedBy != "" {
			t.Fatalf("%s: r%d units %d leased by %q", id, sum.Revision, got.Lines[0].Units, sum.LeasedBy)
		}
		audit, err := other.Audit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rev := 0
		for _, e := range audit {
			if e.Action == "draft" {
				rev++
				if e.Revision != rev {
					t.Fatalf("%s: draft entries out of order: %+v", id, audit)
				}
			}
		}
		if rev != saves {
			t.Fatalf("%s: %d draft entries, want %d", id, rev, saves)
		}
	}
}

// testSecondHandle: a second handle (another process, a restart) sees the
// same worklist, drafts, audit and leases.
func testSecondHandle(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", time.Hour)
	if err := r.save(l, "E1165"); err != nil {
		t.Fatal(err)
	}
	if err := r.s.SetStatus(ctx, l, store.Coded, "done"); err != nil {
		t.Fatal(err)
	}
	wantList, _ := r.s.List(ctx)
	wantAudit := r.audit("e")
	wantEnc, _ := r.get("e")

	s2 := r.open()
	got, sum, err := s2.Get(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantEnc) || sum.Status != store.Coded || sum.LeasedBy != "alice" {
		t.Fatalf("second handle: %+v %+v", got, sum)
	}
	list, _ := s2.List(ctx)
	audit, _ := s2.Audit(ctx, "e")
	if !reflect.DeepEqual(list, wantList) || !reflect.DeepEqual(audit, wantAudit) {
		t.Fatalf("second handle's worklist or audit differ:\n%+v\n%+v", list, wantList)
	}
	_, err = s2.Lease(ctx, "e", "alice", time.Minute)
	wantErr(t, "lease through the second handle", err, store.ErrLeased)
	if err := s2.SaveDraft(ctx, l, got.Revision, got, ""); err != nil {
		t.Fatalf("the first handle's lease through the second: %v", err)
	}
}

// either spreads sessions over two handles: even i the first, odd the
// second (two processes sharing the database).
func either(i int, a, b store.Store) store.Store {
	if i%2 == 1 {
		return b
	}
	return a
}
