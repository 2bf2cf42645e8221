// Package storetest is the contract every store.Store implementation must
// meet, as one test suite: the SQLite store runs it in its tests and so
// does every other backend (PostgreSQL). It covers the worklist, session
// leases with their fencing tokens, expiry and explicit take-over, drafts
// refused when based on a revision that is no longer the latest, status
// changes, exports, the append-only audit log and concurrent sessions.
//
// Usage, in a backend's tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, storetest.Backend{NewDB: func(t *testing.T, now func() time.Time) func() store.Store {
//			path := filepath.Join(t.TempDir(), "w.db")
//			return func() store.Store { s := open(t, path, now); t.Cleanup(func() { s.Close() }); return s }
//		}})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// Backend makes the databases the suite runs on.
type Backend struct {
	// NewDB creates one new, empty database for a test and returns a
	// function opening a handle on it; every call opens another handle on
	// the same database (as another process would), closed when the test
	// ends. now is the clock every handle must use for leases and
	// timestamps, so expiry is tested without waiting.
	NewDB func(t testing.TB, now func() time.Time) (open func() store.Store)
	// Exec, if set, runs one SQL statement directly on a handle's
	// database; the suite uses it to check that the audit log refuses
	// UPDATE and DELETE even from outside the store's API.
	Exec func(s store.Store, query string) error
}

// Run runs the whole contract as subtests of t.
func Run(t *testing.T, b Backend) {
	if b.NewDB == nil {
		t.Fatal("storetest: Backend.NewDB is nil")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"AddGetList", testAddGetList},
		{"LeaseArguments", testLeaseArguments},
		{"LeaseIsPerSession", testLeaseIsPerSession},
		{"TakeOverIsExplicitAndFences", testTakeOver},
		{"RenewKeepsTokenFailsWhenLost", testRenew},
		{"ExpiryFencesOldToken", testExpiry},
		{"ReleaseEndsOnlyItsOwnLease", testRelease},
		{"StaleDraftRefused", testStaleDraft},
		{"LostUpdateAcrossSessions", testLostUpdate},
		{"DraftRoundTripAndAudit", testDraftRoundTrip},
		{"AuditIsAppendOnly", testAuditAppendOnly},
		{"StatusTransitions", testStatusTransitions},
		{"Exports", testExports},
		{"ConcurrentLeasesOneWinner", testConcurrentLeases},
		{"ConcurrentSavesOneBase", testConcurrentSavesOneBase},
		{"ConcurrentDraftsAcrossHandles", testConcurrentDrafts},
		{"SecondHandleSeesEverything", testSecondHandle},
		{"WatchAnnouncesChanges", testWatch},
		{"ControlNumbers", testControlNumbers},
		{"SameDay", testSameDay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

// Clock is a settable time source for lease expiry.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is one test's database: a clock and its first handle.
type rig struct {
	t     *testing.T
	clock *Clock
	open  func() store.Store
	s     store.Store
}

func newRig(t *testing.T, b Backend, ids ...string) *rig {
	t.Helper()
	c := NewClock()
	open := b.NewDB(t, c.Now)
	r := &rig{t: t, clock: c, open: open, s: open()}
	for _, id := range ids {
		if err := r.s.Add(ctx, Sample(id, encounter.NewDate(2026, 11, 2))); err != nil {
			t.Fatalf("add %s: %v", id, err)
		}
	}
	return r
}

var ctx = context.Background()

// Sample is a small valid encounter with one note.
func Sample(id string, dos encounter.Date) *encounter.Encounter {
	return &encounter.Encounter{
		ID:             id,
		Patient:        encounter.Patient{ID: "P-" + id, Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F"},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Notes:          []encounter.Note{{ID: "n1", Title: "Progress note", Text: "Type 2 diabetes with hyperglycemia."}},
	}
}

func (r *rig) lease(id, coder string, ttl time.Duration) store.Lease {
	r.t.Helper()
	l, err := r.s.Lease(ctx, id, coder, ttl)
	if err != nil {
		r.t.Fatalf("lease %s as %s: %v", id, coder, err)
	}
	return l
}

func (r *rig) get(id string) (*encounter.Encounter, store.Summary) {
	r.t.Helper()
	enc, sum, err := r.s.Get(ctx, id)
	if err != nil {
		r.t.Fatalf("get %s: %v", id, err)
	}
	return enc, sum
}

// save adds diagnosis code to the stored encounter and saves it under l,
// based on the revision read.
func (r *rig) save(l store.Lease, code string) error {
	r.t.Helper()
	enc, _ := r.get(l.EncounterID)
	enc.Diagnoses = append(enc.Diagnoses, encounter.Diagnosis{Code: code})
	return r.s.SaveDraft(ctx, l, enc.Revision, enc, "")
}

func (r *rig) audit(id string) []store.AuditEntry {
	r.t.Helper()
	a, err := r.s.Audit(ctx, id)
	if err != nil {
		r.t.Fatalf("audit %s: %v", id, err)
	}
	return a
}

// actions lists an encounter's audit entries as "coder:action".
func (r *rig) actions(id string) []string {
	var out []string
	for _, e := range r.audit(id) {
		out = append(out, e.Coder+":"+e.Action)
	}
	return out
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

func codes(enc *encounter.Encounter) string {
	s := ""
	for i, d := range enc.Diagnoses {
		if i > 0 {
			s += ","
		}
		s += d.Code
	}
	return s
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("e%d", i)
	}
	return out
}
