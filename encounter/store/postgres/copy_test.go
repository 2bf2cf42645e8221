package postgres

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/encounter/store/sqlite"
	"codebench/encounter/store/storetest"
)

// TestCopyFromSQLite moves a worked SQLite store (drafts, overrides, a
// live lease, a finished and a pending export, notes in the audit log)
// into PostgreSQL: counts and checksums match, every encounter, summary
// and audit entry reads back the same, the live lease still fences, new
// audit entries continue the sequence, and a second copy into the now
// non-empty database is refused.
func TestCopyFromSQLite(t *testing.T) {
	clock := storetest.NewClock()
	src, err := sqlite.Open(filepath.Join(t.TempDir(), "w.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var ids []string
	for i := range 6 {
		id := fmt.Sprintf("enc-%d", i)
		ids = append(ids, id)
		if err := src.Add(ctx, storetest.Sample(id, encounter.NewDate(2026, 11, 1+i))); err != nil {
			t.Fatal(err)
		}
	}
	work := func(id, coder string, codes ...string) store.Lease {
		l, err := src.Lease(ctx, id, coder, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		enc, _, _ := src.Get(ctx, id)
		for _, c := range codes {
			clock.Advance(time.Second)
			enc.Diagnoses = append(enc.Diagnoses, encounter.Diagnosis{Code: c})
			enc.Overrides = []encounter.Override{{Rule: "icd.excludes1", Target: "dx:1", Reason: "documented apart", Coder: coder, At: clock.Now()}}
			if err := src.SaveDraft(ctx, l, enc.Revision, enc, "autosave"); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	done := work("enc-0", "alice", "E1165", "I10")
	src.SetStatus(ctx, done, store.Coded, "")
	src.BeginExport(ctx, done, 2, "enc-0-r2")
	src.MarkExported(ctx, done, "enc-0-r2")
	src.Release(ctx, done)
	pending := work("enc-1", "bob", "J020")
	src.BeginExport(ctx, pending, 1, "enc-1-r1")
	live := work("enc-2", "carol", "S93401A")
	src.Log(ctx, store.AuditEntry{EncounterID: "enc-3", Coder: "dave", Action: "note", Detail: "queried the provider: \"laterality?\""})

	db := newDB(t)
	dst := open(t, db.OwnerDSN(), WithClock(clock.Now))
	dg, err := store.Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if dg.Encounters != 6 || dg.AuditEntries < 15 {
		t.Fatalf("digest: %+v", dg)
	}
	again, err := store.DigestOf(ctx, dst)
	if err != nil || again != dg {
		t.Fatalf("target digest %+v, source %+v: %v", again, dg, err)
	}
	app := open(t, db.AppDSN(), WithClock(clock.Now))
	wantList, _ := src.List(ctx)
	gotList, err := app.List(ctx)
	if err != nil || !reflect.DeepEqual(gotList, wantList) {
		t.Fatalf("worklist after copy:\n got %+v\nwant %+v\n%v", gotList, wantList, err)
	}
	for _, id := range ids {
		we, ws, _ := src.Get(ctx, id)
		ge, gs, err := app.Get(ctx, id)
		if err != nil || !reflect.DeepEqual(ge, we) || !reflect.DeepEqual(gs, ws) {
			t.Fatalf("%s after copy:\n got %+v %+v\nwant %+v %+v", id, ge, gs, we, ws)
		}
		wa, _ := src.Audit(ctx, id)
		ga, _ := app.Audit(ctx, id)
		if !reflect.DeepEqual(ga, wa) {
			t.Fatalf("%s audit after copy:\n got %+v\nwant %+v", id, ga, wa)
		}
	}
	// Carol's lease came along: it still fences others and still saves.
	if _, err := app.Lease(ctx, "enc-2", "dave", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("lease over carol's copied one: %v", err)
	}
	enc, _, _ := app.Get(ctx, "enc-2")
	if err := app.SaveDraft(ctx, live, enc.Revision, enc, ""); err != nil {
		t.Fatalf("carol's copied lease: %v", err)
	}
	a, _ := app.Audit(ctx, "enc-2")
	all, _ := src.Audit(ctx, "enc-3")
	if last := a[len(a)-1]; last.Seq <= all[len(all)-1].Seq {
		t.Fatalf("new audit entry %d does not follow the copied ones", last.Seq)
	}
	if _, err := store.Copy(ctx, src, dst); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("copy into a non-empty store: %v", err)
	}
}
