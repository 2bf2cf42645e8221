package storetest

import (
	"context"
	"testing"
	"time"

	"codebench/encounter/store"
)

// testWatch: a backend that announces changes (store.Watcher) tells a
// watcher on another handle about leases taken and released, drafts and
// status changes, and stops when the watcher's context ends. The test
// waits for each event; it never sleeps for one.
func testWatch(t *testing.T, b Backend) {
	r := newRig(t, b, "e", "f")
	other := r.open()
	w, ok := other.(store.Watcher)
	if !ok {
		t.Skip("this backend does not announce changes (no store.Watcher)")
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := w.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what, id string) {
		t.Helper()
		// Generous: a loaded machine may be slow; an event that never
		// comes fails here rather than hanging the suite.
		deadline := time.After(30 * time.Second)
		for {
			select {
			case c, ok := <-changes:
				if !ok {
					t.Fatalf("%s: watch ended", what)
				}
				if c.EncounterID == id {
					return
				}
			case <-deadline:
				t.Fatalf("%s: no change announced for %s", what, id)
			}
		}
	}
	l := r.lease("e", "alice", time.Hour)
	expect("lease", "e")
	if err := r.save(l, "I10"); err != nil {
		t.Fatal(err)
	}
	expect("draft", "e")
	if err := r.s.SetStatus(ctx, l, store.Coded, ""); err != nil {
		t.Fatal(err)
	}
	expect("status", "e")
	if err := r.s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	expect("release", "e")
	fl := r.lease("f", "bob", time.Hour)
	expect("another encounter's lease", "f")
	// Renewals are not news: the next announcement is e's lease.
	if _, err := r.s.Renew(ctx, fl, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	r.lease("e", "carol", time.Hour)
	select {
	case c := <-changes:
		if c.EncounterID != "e" {
			t.Fatalf("after the renewal: change of %q announced, want e's lease", c.EncounterID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("carol's lease of e not announced")
	}
	cancel()
	for range changes { // closed once the watch ends
	}
}
