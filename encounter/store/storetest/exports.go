package storetest

import (
	"testing"
	"time"

	"codebench/encounter/store"
)

func testStatusTransitions(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", time.Hour)
	step := func(to store.Status, ok bool) {
		t.Helper()
		err := r.s.SetStatus(ctx, l, to, "because")
		if ok && err != nil {
			t.Fatalf("-> %s: %v", to, err)
		}
		if !ok {
			wantErr(t, "-> "+string(to), err, store.ErrTransition)
		}
	}
	step(store.Exported, false) // only by exporting
	step(store.Coded, true)
	if _, sum := r.get("e"); sum.Status != store.Coded {
		t.Fatalf("status: %s", sum.Status)
	}
	if err := r.save(l, "I10"); err != nil { // a change reopens it
		t.Fatal(err)
	}
	if _, sum := r.get("e"); sum.Status != store.InProgress {
		t.Fatalf("draft on coded: %s", sum.Status)
	}
	step(store.Coded, true)
	step(store.Coded, true) // no-op
	step(store.Rejected, true)
	step(store.Coded, false)
	step(store.InProgress, true)
	audit := r.audit("e")
	last := audit[len(audit)-1]
	if last.Action != "status" || last.Detail != "rejected -> in_progress: because" || last.Revision != 1 {
		t.Fatalf("status entry: %+v", last)
	}
}

func testExports(t *testing.T, b Backend) {
	r := newRig(t, b, "e")
	l := r.lease("e", "alice", time.Hour)
	if err := r.save(l, "I10"); err != nil {
		t.Fatal(err)
	}
	if err := r.s.SetStatus(ctx, l, store.Coded, ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "BeginExport of an old revision", r.s.BeginExport(ctx, l, 0, "e-r0"), store.ErrStale)
	if err := r.s.BeginExport(ctx, l, 1, ""); err == nil {
		t.Fatal("BeginExport with an empty key")
	}
	if err := r.s.MarkExported(ctx, l, "e-r1"); err == nil {
		t.Fatal("MarkExported without BeginExport")
	}
	if err := r.s.BeginExport(ctx, l, 1, "e-r1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "draft during an export", r.save(l, "E1165"), store.ErrExportPending)
	wantErr(t, "status during an export", r.s.SetStatus(ctx, l, store.Rejected, ""), store.ErrExportPending)
	if err := r.s.BeginExport(ctx, l, 1, "e-r1"); err != nil {
		t.Fatalf("retrying BeginExport: %v", err)
	}
	wantErr(t, "another export while one is pending", r.s.BeginExport(ctx, l, 1, "e-r1b"), store.ErrExportPending)
	if _, sum := r.get("e"); sum.PendingExport != "e-r1" || sum.Status != store.Coded {
		t.Fatalf("pending: %+v", sum)
	}
	// A pending export survives the session: another coder's lease sees
	// it, and finishes it.
	if err := r.s.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	bob := r.lease("e", "bob", time.Hour)
	if err := r.s.MarkExported(ctx, l, "e-r1"); err == nil {
		t.Fatal("MarkExported under a released lease")
	}
	for i := 0; i < 2; i++ {
		if err := r.s.MarkExported(ctx, bob, "e-r1"); err != nil {
			t.Fatalf("MarkExported #%d: %v", i+1, err)
		}
	}
	_, sum := r.get("e")
	if sum.Status != store.Exported || sum.ExportKey != "e-r1" || sum.PendingExport != "" {
		t.Fatalf("after export: %+v", sum)
	}
	if err := r.s.BeginExport(ctx, bob, 1, "e-r1"); err != nil {
		t.Fatalf("BeginExport of an exported revision: %v", err)
	}
	wantErr(t, "draft on exported", r.save(bob, "E1165"), store.ErrTransition)
	wantErr(t, "exported -> in progress", r.s.SetStatus(ctx, bob, store.InProgress, ""), store.ErrTransition)
	if err := r.s.SetStatus(ctx, bob, store.Rejected, "payer asked for records"); err != nil {
		t.Fatal(err)
	}
	if err := r.save(bob, "E1165"); err != nil {
		t.Fatalf("rework after rejection: %v", err)
	}
	if _, sum := r.get("e"); sum.Status != store.InProgress || sum.Revision != 2 || sum.ExportKey != "e-r1" {
		t.Fatalf("rework: %+v", sum)
	}
	n := 0
	for _, e := range r.audit("e") {
		if e.Action == "export" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("export audit entries: %d, want start and confirmation", n)
	}
}
