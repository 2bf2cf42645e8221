package tui

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestWorklistFollowsStoreAnnouncements: bob's worklist shows alice's
// lease as soon as the store announces it, with no periodic refresh (it
// is off here), and again when she releases it.
func TestWorklistFollowsStoreAnnouncements(t *testing.T) {
	r := newRig(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := r.opts
	opts.Coder, opts.Context = "bob", ctx
	bob := newDriver(t, New(opts))
	bob.must("Worklist", "enc-1015")
	if strings.Contains(bob.screen(), "locked") {
		t.Fatalf("locked before anyone leased:\n%s", bob.screen())
	}
	bob.run(bob.m.subscribe(r.store))
	bob.pumpUntil(func() bool { return r.store.Watchers() > 0 })
	l, err := r.store.Lease(ctx, "enc-1015", "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	bob.pumpUntil(func() bool { return strings.Contains(bob.screen(), "locked: alice") })
	if err := r.store.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	bob.pumpUntil(func() bool { return !strings.Contains(bob.screen(), "locked") })
	cancel() // ends the subscription, so every command finishes
	bob.settle()
}
