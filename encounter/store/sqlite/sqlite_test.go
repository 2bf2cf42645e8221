package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// clock is a settable time source for lease expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)} }

func openTest(t testing.TB, path string, c *clock) *Store {
	t.Helper()
	var opts []Option
	if c != nil {
		opts = append(opts, WithClock(c.now))
	}
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sample(id string, dos encounter.Date) *encounter.Encounter {
	return &encounter.Encounter{
		ID:             id,
		Patient:        encounter.Patient{ID: "P-" + id, Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F"},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Notes:          []encounter.Note{{ID: "n1", Title: "Progress note", Text: "Type 2 diabetes with hyperglycemia."}},
	}
}

var ctx = context.Background()

func TestAddGetList(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"), nil)
	late := sample("enc-2", encounter.NewDate(2026, 3, 10))
	early := sample("enc-1", encounter.NewDate(2026, 3, 2))
	for _, e := range []*encounter.Encounter{late, early} {
		if err := s.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(ctx, early); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second Add: %v, want ErrExists", err)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "enc-1" || list[1].ID != "enc-2" {
		t.Fatalf("worklist order: %+v", list)
	}
	if list[0].Status != store.New || list[0].Patient != early.Patient || list[0].Provider != early.Provider ||
		list[0].Service.From.String() != "2026-03-02" {
		t.Fatalf("summary: %+v", list[0])
	}
	got, sum, err := s.Get(ctx, "enc-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, early) || sum.Status != store.New {
		t.Fatalf("Get = %+v, want %+v", got, early)
	}
	if _, _, err := s.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get unknown: %v", err)
	}
	if _, err := s.Lease(ctx, "nope", "alice", time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Lease unknown: %v", err)
	}
}

func TestLeaseContentionAndExpiry(t *testing.T) {
	c := newClock()
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"), c)
	if err := s.Add(ctx, sample("e", encounter.NewDate(2026, 3, 2))); err != nil {
		t.Fatal(err)
	}
	alice, err := s.Lease(ctx, "e", "alice", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lease(ctx, "e", "bob", 10*time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("bob while alice holds: %v, want ErrLeased", err)
	}
	_, sum, _ := s.Get(ctx, "e")
	if sum.LeasedBy != "alice" || !sum.LeaseUntil.Equal(c.now().Add(10*time.Minute)) {
		t.Fatalf("summary lease: %q until %v", sum.LeasedBy, sum.LeaseUntil)
	}

	// Renewal by alice keeps the token and moves the expiry.
	c.advance(9 * time.Minute)
	renewed, err := s.Lease(ctx, "e", "alice", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token != alice.Token || !renewed.Until.Equal(c.now().Add(10*time.Minute)) {
		t.Fatalf("renewal: %+v (was %+v)", renewed, alice)
	}
	c.advance(9 * time.Minute) // past the first expiry, inside the renewal
	if _, err := s.Lease(ctx, "e", "bob", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("bob inside renewal: %v", err)
	}
	enc, _, _ := s.Get(ctx, "e")
	if err := s.SaveDraft(ctx, alice, enc, ""); err != nil {
		t.Fatalf("alice saves under the renewed lease: %v", err)
	}

	// Expiry: bob takes over, alice's lease is lost for every leased change.
	c.advance(2 * time.Minute)
	_, sum, _ = s.Get(ctx, "e")
	if sum.LeasedBy != "" {
		t.Fatalf("expired lease still shown: %q", sum.LeasedBy)
	}
	bob, err := s.Lease(ctx, "e", "bob", 10*time.Minute)
	if err != nil {
		t.Fatalf("bob after expiry: %v", err)
	}
	if bob.Token == alice.Token {
		t.Fatal("takeover kept the old token")
	}
	if err := s.SaveDraft(ctx, alice, enc, ""); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("alice after takeover: %v, want ErrLeaseLost", err)
	}
	if err := s.SetStatus(ctx, alice, store.Coded, ""); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("alice SetStatus after takeover: %v", err)
	}
	if err := s.Release(ctx, alice); err != nil {
		t.Fatalf("releasing a lost lease: %v", err)
	}
	if _, err := s.Lease(ctx, "e", "alice", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("alice's stale release freed bob's lease: %v", err)
	}

	// An expired lease is lost even when nobody took it.
	c.advance(11 * time.Minute)
	if err := s.SaveDraft(ctx, bob, enc, ""); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("bob after his expiry: %v", err)
	}
	// Release frees at once.
	bob, _ = s.Lease(ctx, "e", "bob", 10*time.Minute)
	if err := s.Release(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lease(ctx, "e", "alice", time.Minute); err != nil {
		t.Fatalf("after release: %v", err)
	}

	audit, _ := s.Audit(ctx, "e")
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Coder+":"+e.Action)
	}
	want := "system:import alice:lease alice:status alice:draft bob:lease bob:lease bob:release alice:lease"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("audit actions:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(audit[4].Detail, "alice's lease expired") {
		t.Fatalf("takeover entry: %q", audit[4].Detail)
	}
}

func TestLeaseArguments(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"), nil)
	s.Add(ctx, sample("e", encounter.NewDate(2026, 3, 2)))
	if _, err := s.Lease(ctx, "e", " ", time.Minute); err == nil {
		t.Fatal("empty coder accepted")
	}
	if _, err := s.Lease(ctx, "e", "alice", 0); err == nil {
		t.Fatal("zero ttl accepted")
	}
	l, _ := s.Lease(ctx, "e", "alice", time.Minute)
	other := sample("f", encounter.NewDate(2026, 3, 2))
	if err := s.SaveDraft(ctx, l, other, ""); err == nil {
		t.Fatal("draft of another encounter accepted under e's lease")
	}
}

func TestDraftRoundTripAndAudit(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "w.db")
	s := openTest(t, path, c)
	orig := sample("e", encounter.NewDate(2026, 3, 2))
	s.Add(ctx, orig)
	l, err := s.Lease(ctx, "e", "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	enc, _, _ := s.Get(ctx, "e")
	enc.Diagnoses = []encounter.Diagnosis{
		{Code: "E1165", Evidence: &encounter.Evidence{NoteID: "n1", Start: 0, End: 15, Text: "Type 2 diabetes"}},
		{Code: "I10"},
	}
	enc.Lines = []encounter.ServiceLine{{Code: "99213", Modifiers: []string{"25"}, Units: 1, Pointers: []int{1, 2}, Charge: 12500}}
	c.advance(time.Second)
	if err := s.SaveDraft(ctx, l, enc, "autosave"); err != nil {
		t.Fatal(err)
	}
	if enc.Revision != 1 {
		t.Fatalf("revision written back: %d", enc.Revision)
	}
	at := c.now().Add(time.Second)
	enc.Overrides = []encounter.Override{{Rule: "icd.excludes1", Target: "dx:2", Reason: "documented as separate conditions", Coder: "alice", At: at}}
	enc.Lines[0].Units = 2
	c.advance(time.Second)
	if err := s.SaveDraft(ctx, l, enc, ""); err != nil {
		t.Fatal(err)
	}

	got, sum, err := s.Get(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Revision != 2 || got.Revision != 2 || sum.Status != store.InProgress || !sum.RevisedAt.Equal(c.now()) {
		t.Fatalf("summary after drafts: %+v", sum)
	}
	if !got.Overrides[0].At.Equal(at) {
		t.Fatalf("override time: %v", got.Overrides[0].At)
	}
	got.Overrides[0].At = at
	if !reflect.DeepEqual(got, enc) {
		t.Fatalf("draft round trip:\n got %+v\nwant %+v", got, enc)
	}

	audit, _ := s.Audit(ctx, "e")
	var lines []string
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
	for i := 1; i < len(audit); i++ {
		if audit[i].Seq <= audit[i-1].Seq || audit[i].At.Before(audit[i-1].At) {
			t.Fatalf("audit not in order: %+v", audit)
		}
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"), nil)
	s.Add(ctx, sample("e", encounter.NewDate(2026, 3, 2)))
	if err := s.Log(ctx, store.AuditEntry{EncounterID: "e", Coder: "alice", Action: "note", Detail: "queried provider"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit SET detail = 'tampered'`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE action = 'note'`,
	} {
		if _, err := s.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	audit, _ := s.Audit(ctx, "e")
	if len(audit) != 2 || audit[1].Detail != "queried provider" || audit[1].At.IsZero() {
		t.Fatalf("audit after tampering attempts: %+v", audit)
	}
	if err := s.Log(ctx, store.AuditEntry{Coder: "alice", Action: "note"}); err == nil {
		t.Fatal("entry without encounter id accepted")
	}
}

func TestStatusTransitions(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"), nil)
	s.Add(ctx, sample("e", encounter.NewDate(2026, 3, 2)))
	l, _ := s.Lease(ctx, "e", "alice", time.Hour)
	step := func(to store.Status, ok bool) {
		t.Helper()
		err := s.SetStatus(ctx, l, to, "because")
		if ok && err != nil || !ok && !errors.Is(err, store.ErrTransition) {
			t.Fatalf("-> %s: %v (want ok=%v)", to, err, ok)
		}
	}
	step(store.Exported, false) // only by exporting
	step(store.Coded, true)
	enc, _, _ := s.Get(ctx, "e")
	if err := s.SaveDraft(ctx, l, enc, ""); err != nil { // a change reopens it
		t.Fatal(err)
	}
	if _, sum, _ := s.Get(ctx, "e"); sum.Status != store.InProgress {
		t.Fatalf("draft on coded: %s", sum.Status)
	}
	step(store.Coded, true)
	step(store.Coded, true) // no-op

	if err := s.BeginExport(ctx, l, 0, "e-r0"); !errors.Is(err, store.ErrStale) {
		t.Fatalf("BeginExport with an old revision: %v", err)
	}
	if err := s.MarkExported(ctx, l, "e-r1"); err == nil {
		t.Fatal("MarkExported without BeginExport")
	}
	if err := s.BeginExport(ctx, l, 1, "e-r1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, l, enc, ""); !errors.Is(err, store.ErrExportPending) {
		t.Fatalf("draft during export: %v", err)
	}
	if err := s.BeginExport(ctx, l, 1, "e-r1"); err != nil {
		t.Fatalf("retrying BeginExport: %v", err)
	}
	if _, sum, _ := s.Get(ctx, "e"); sum.PendingExport != "e-r1" {
		t.Fatalf("pending: %+v", sum)
	}
	for i := 0; i < 2; i++ {
		if err := s.MarkExported(ctx, l, "e-r1"); err != nil {
			t.Fatalf("MarkExported #%d: %v", i+1, err)
		}
	}
	_, sum, _ := s.Get(ctx, "e")
	if sum.Status != store.Exported || sum.ExportKey != "e-r1" || sum.PendingExport != "" {
		t.Fatalf("after export: %+v", sum)
	}
	if err := s.SaveDraft(ctx, l, enc, ""); !errors.Is(err, store.ErrTransition) {
		t.Fatalf("draft on exported: %v", err)
	}
	step(store.InProgress, false)
	step(store.Rejected, true)
	step(store.Coded, false)
	if err := s.SaveDraft(ctx, l, enc, "rework"); err != nil {
		t.Fatal(err)
	}
	if _, sum, _ := s.Get(ctx, "e"); sum.Status != store.InProgress || sum.Revision != 2 || sum.ExportKey != "e-r1" {
		t.Fatalf("rework: %+v", sum)
	}
	audit, _ := s.Audit(ctx, "e")
	n := 0
	for _, e := range audit {
		if e.Action == "export" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("export audit entries: %d, want start and confirmation", n)
	}
}

func TestConcurrentDrafts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	s := openTest(t, path, nil)
	const encounters, writers, saves = 4, 4, 10
	for i := range encounters {
		s.Add(ctx, sample(fmt.Sprintf("e%d", i), encounter.NewDate(2026, 3, 2)))
	}
	// A second handle on the same file stands in for a second process.
	other := openTest(t, path, nil)
	var wg sync.WaitGroup
	errs := make(chan error, encounters*writers)
	for i := range encounters {
		id := fmt.Sprintf("e%d", i)
		l, err := s.Lease(ctx, id, "coder"+id, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for w := range writers {
			st := s
			if w%2 == 1 {
				st = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range saves {
					enc := sample(id, encounter.NewDate(2026, 3, 2))
					enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: w*100 + k + 1, Pointers: []int{1}}}
					if err := st.SaveDraft(ctx, l, enc, ""); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range encounters {
		id := fmt.Sprintf("e%d", i)
		_, sum, _ := s.Get(ctx, id)
		if sum.Revision != writers*saves {
			t.Fatalf("%s revision %d, want %d", id, sum.Revision, writers*saves)
		}
		audit, _ := other.Audit(ctx, id)
		seen := map[int]bool{}
		for _, e := range audit {
			if e.Action == "draft" {
				if seen[e.Revision] {
					t.Fatalf("%s: revision %d saved twice", id, e.Revision)
				}
				seen[e.Revision] = true
			}
		}
		if len(seen) != writers*saves {
			t.Fatalf("%s: %d draft entries, want %d", id, len(seen), writers*saves)
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "sub", "w.db")
	s, err := Open(path, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	enc := sample("e", encounter.NewDate(2026, 3, 2))
	s.Add(ctx, enc)
	l, _ := s.Lease(ctx, "e", "alice", time.Hour)
	enc.Diagnoses = []encounter.Diagnosis{{Code: "E1165"}}
	s.SaveDraft(ctx, l, enc, "")
	s.SetStatus(ctx, l, store.Coded, "done")
	wantList, _ := s.List(ctx)
	wantAudit, _ := s.Audit(ctx, "e")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r := openTest(t, path, c)
	got, sum, err := r.Get(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, enc) || sum.Status != store.Coded {
		t.Fatalf("after reopen: %+v %+v", got, sum)
	}
	list, _ := r.List(ctx)
	audit, _ := r.Audit(ctx, "e")
	if !reflect.DeepEqual(list, wantList) || !reflect.DeepEqual(audit, wantAudit) {
		t.Fatalf("reopen changed the worklist or audit:\n%+v\n%+v", list, wantList)
	}
	// The lease survives the restart too.
	if _, err := r.Lease(ctx, "e", "bob", time.Minute); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("lease after reopen: %v", err)
	}
	if err := r.SaveDraft(ctx, l, enc, ""); err != nil {
		t.Fatalf("old lease after reopen: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	s := openTest(t, path, nil)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}
