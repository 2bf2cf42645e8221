package exporter

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/enctest"
	"codebench/encounter/fhir"
	"codebench/encounter/queue"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/store"
	"codebench/encounter/store/sqlite"
)

var ctx = context.Background()

// claim is a clean encounter: it validates with information edits only.
func claim(id string) *encounter.Encounter {
	dos := encounter.NewDate(2026, 3, 2)
	return enctest.WithParties(&encounter.Encounter{
		ID:             id,
		Patient:        encounter.Patient{ID: "P-" + id, Name: "Ada Example", DateOfBirth: encounter.NewDate(1961, 5, 2), Sex: "F"},
		Provider:       encounter.Provider{NPI: "1234567893", Name: "Dr. Grey"},
		Service:        encounter.DateRange{From: dos, To: dos},
		PlaceOfService: "11",
		Notes:          []encounter.Note{{ID: "n1", Title: "Progress note", Text: "Type 2 diabetes with hyperglycemia; hypertension."}},
		Diagnoses:      []encounter.Diagnosis{{Code: "E1165"}, {Code: "I10"}},
		Lines:          []encounter.ServiceLine{{Code: "99213", Units: 1, Pointers: []int{1, 2}, Charge: 12500}},
		CoderID:        "alice",
	})
}

type rig struct {
	store *sqlite.Store
	queue *dirqueue.Queue
	x     *Exporter
	dir   string
}

func newRig(t testing.TB, ids ...string) *rig {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "work.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q, err := dirqueue.Open(filepath.Join(dir, "billing"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := st.Add(ctx, claim(id)); err != nil {
			t.Fatal(err)
		}
	}
	return &rig{store: st, queue: q, dir: dir, x: &Exporter{Store: st, Queue: q, Codes: set, Coder: "alice"}}
}

func (r *rig) files(t testing.TB) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(r.queue.Dir(), "*.json"))
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

func actions(t *testing.T, st store.Store, id string) []string {
	t.Helper()
	audit, err := st.Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range audit {
		out = append(out, e.Action+": "+e.Detail)
	}
	return out
}

func TestExportPublishesAndRecords(t *testing.T) {
	r := newRig(t, "ENC-1")
	res, err := r.x.Export(ctx, "ENC-1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Key != "ENC-1-r0" || res.Already || res.Resumed || res.Size == 0 {
		t.Fatalf("result: %+v", res)
	}
	data, err := os.ReadFile(r.queue.Path("ENC-1-r0"))
	if err != nil {
		t.Fatal(err)
	}
	// The file is exactly the claim of the stored revision.
	enc, sum, _ := r.store.Get(ctx, "ENC-1")
	want, _, err := RenderFHIR(enc, r.x.Codes, sum.RevisedAt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Fatal("queued bytes differ from the claim of the stored revision")
	}
	if sum.Status != store.Exported || sum.ExportKey != "ENC-1-r0" || sum.PendingExport != "" || sum.LeasedBy != "" {
		t.Fatalf("summary: %+v", sum)
	}
	got := strings.Join(actions(t, r.store, "ENC-1"), "\n")
	for _, w := range []string{"export: export started as ENC-1-r0", "export: exported to the billing queue as ENC-1-r0 (new -> exported)", "release: released"} {
		if !strings.Contains(got, w) {
			t.Errorf("audit lacks %q:\n%s", w, got)
		}
	}

	// Again: nothing new anywhere.
	before := actions(t, r.store, "ENC-1")
	res, err = r.x.Export(ctx, "ENC-1")
	if err != nil || !res.Already || res.Key != "ENC-1-r0" {
		t.Fatalf("re-export: %+v %v", res, err)
	}
	if files := r.files(t); len(files) != 1 {
		t.Fatalf("files after re-export: %v", files)
	}
	after := actions(t, r.store, "ENC-1")
	// Only the lease and release of the second run are new.
	if len(after) != len(before)+2 {
		t.Fatalf("re-export changed the audit:\n%s", strings.Join(after[len(before):], "\n"))
	}
}

func TestExportRefusedLeavesNoTrace(t *testing.T) {
	r := newRig(t, "ENC-2")
	l, _ := r.store.Lease(ctx, "ENC-2", "alice", time.Minute)
	enc, _, _ := r.store.Get(ctx, "ENC-2")
	enc.Diagnoses = append(enc.Diagnoses, encounter.Diagnosis{Code: "E11"}) // a header, not billable
	if err := r.store.SaveDraft(ctx, l, 0, enc, ""); err != nil {
		t.Fatal(err)
	}
	res, err := r.x.ExportLeased(ctx, l)
	var refused *encounter.ExportRefusedError
	if !errors.As(err, &refused) || len(res.Edits) == 0 {
		t.Fatalf("export with an error edit: %v", err)
	}
	if files := r.files(t); len(files) != 0 {
		t.Fatalf("refused export reached the queue: %v", files)
	}
	_, sum, _ := r.store.Get(ctx, "ENC-2")
	if sum.Status != store.InProgress || sum.PendingExport != "" {
		t.Fatalf("refusal changed the status: %+v", sum)
	}
	last := actions(t, r.store, "ENC-2")
	if l := last[len(last)-1]; !strings.Contains(l, "export refused: 1 error edits: dx:3 icd.billable") {
		t.Fatalf("refusal not audited: %s", l)
	}
	// Drafts still work after a refusal: the coder fixes the claim.
	enc.Diagnoses = enc.Diagnoses[:2]
	if err := r.store.SaveDraft(ctx, l, 1, enc, "fix"); err != nil {
		t.Fatal(err)
	}
	if res, err := r.x.ExportLeased(ctx, l); err != nil || res.Key != "ENC-2-r2" {
		t.Fatalf("export after the fix: %+v %v", res, err)
	}
	// The coder's lease is still theirs.
	if _, sum, _ := r.store.Get(ctx, "ENC-2"); sum.LeasedBy != "alice" {
		t.Fatalf("ExportLeased released the caller's lease: %+v", sum)
	}
}

// failingQueue fails the first publishes, as a full disk or an
// unreachable server would.
type failingQueue struct {
	queue.Queue
	fail int
}

func (f *failingQueue) Publish(ctx context.Context, m queue.Message) error {
	if f.fail > 0 {
		f.fail--
		return errors.New("disk full")
	}
	return f.Queue.Publish(ctx, m)
}

func TestPublishFailureStaysPendingUntilRetried(t *testing.T) {
	r := newRig(t, "ENC-3")
	r.x.Queue = &failingQueue{Queue: r.queue, fail: 1}
	if _, err := r.x.Export(ctx, "ENC-3"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("first export: %v", err)
	}
	enc, sum, _ := r.store.Get(ctx, "ENC-3")
	if sum.PendingExport != "ENC-3-r0" || sum.Status != store.New {
		t.Fatalf("after a failed publish: %+v", sum)
	}
	// Nobody can slip a new revision in before the export is settled.
	l, _ := r.store.Lease(ctx, "ENC-3", "bob", time.Minute)
	if err := r.store.SaveDraft(ctx, l, enc.Revision, enc, ""); !errors.Is(err, store.ErrExportPending) {
		t.Fatalf("draft while pending: %v", err)
	}
	r.store.Release(ctx, l)
	res, err := r.x.Export(ctx, "ENC-3")
	if err != nil || !res.Resumed || res.Key != "ENC-3-r0" {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if files := r.files(t); len(files) != 1 {
		t.Fatalf("files: %v", files)
	}
}

func TestCrashAfterPublishIsRepairedWithoutDuplicate(t *testing.T) {
	r := newRig(t, "ENC-4")
	// Stop the export between publishing and recording, as a crash would.
	r.x.stage = func(s string) {
		if s == "published" {
			panic("crash")
		}
	}
	func() {
		defer func() { recover() }()
		r.x.Export(ctx, "ENC-4")
	}()
	first, err := os.ReadFile(r.queue.Path("ENC-4-r0"))
	if err != nil {
		t.Fatal("published file missing")
	}
	_, sum, _ := r.store.Get(ctx, "ENC-4")
	if sum.PendingExport != "ENC-4-r0" || sum.Status == store.Exported {
		t.Fatalf("store after the crash: %+v", sum)
	}
	// The crashed run's lease is still in force: a plain retry is
	// refused, one that takes over explicitly finishes the export.
	r.x.stage = nil
	if _, err := r.x.Export(ctx, "ENC-4"); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("retry under the crashed run's lease: %v", err)
	}
	r.x.TakeOver = true
	res, err := r.x.Export(ctx, "ENC-4")
	if err != nil || !res.Resumed {
		t.Fatalf("retry: %+v %v", res, err)
	}
	again, _ := os.ReadFile(r.queue.Path("ENC-4-r0"))
	if !bytes.Equal(first, again) || len(r.files(t)) != 1 {
		t.Fatal("retry changed or duplicated the export")
	}
	_, sum, _ = r.store.Get(ctx, "ENC-4")
	if sum.Status != store.Exported || sum.PendingExport != "" {
		t.Fatalf("after retry: %+v", sum)
	}
}

func TestExportRefusesBeforeStarting(t *testing.T) {
	r := newRig(t, "ENC-5", "bad/id")
	if _, err := r.x.Export(ctx, "bad/id"); err == nil || !strings.Contains(err.Error(), "path separator") {
		t.Fatalf("bad id: %v", err)
	}
	if _, sum, _ := r.store.Get(ctx, "bad/id"); sum.PendingExport != "" {
		t.Fatal("a bad id left a pending export")
	}
	bob, _ := r.store.Lease(ctx, "ENC-5", "bob", time.Minute)
	if _, err := r.x.Export(ctx, "ENC-5"); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("export while bob codes: %v", err)
	}
	r.store.SetStatus(ctx, bob, store.Rejected, "documentation query")
	r.store.Release(ctx, bob)
	if _, err := r.x.Export(ctx, "ENC-5"); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("export of a rejected encounter: %v", err)
	}
	if _, err := r.x.Export(ctx, "ENC-404"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if files := r.files(t); len(files) != 0 {
		t.Fatalf("files: %v", files)
	}
}

func TestQueuedClaimIsReadable(t *testing.T) {
	r := newRig(t, "ENC-6")
	if _, err := r.x.Export(ctx, "ENC-6"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(r.queue.Path("ENC-6-r0"))
	if err := fhir.Validate(data); err != nil {
		t.Fatal(err)
	}
	doc, err := fhir.Summarize(data)
	if err != nil || doc.EncounterID != "ENC-6" || doc.Key != "ENC-6-r0" || len(doc.Items) != 1 || doc.Items[0].Net != "125.00" {
		t.Fatalf("claim: %+v %v", doc, err)
	}
}

// TestInvalidDocumentRefusedBeforeTheQueue: a claim whose document would
// not validate is refused with the reason, audited, and nothing reaches
// the queue or the store's export state.
func TestInvalidDocumentRefusedBeforeTheQueue(t *testing.T) {
	r := newRig(t, "ENC-8")
	validateFHIR = func([]byte) error {
		return errors.New(`error at "Bundle.entry[0].resource.claim": missing required field "insurance"`)
	}
	defer func() { validateFHIR = fhir.Validate }()
	_, err := r.x.Export(ctx, "ENC-8")
	var refused *encounter.ExportRefusedError
	if !errors.As(err, &refused) || len(refused.Blocking) != 1 || refused.Blocking[0].Rule != RuleDocument ||
		!strings.Contains(err.Error(), `missing required field "insurance"`) {
		t.Fatalf("error: %v", err)
	}
	if files := r.files(t); len(files) != 0 {
		t.Fatalf("queue holds %v", files)
	}
	_, sum, _ := r.store.Get(ctx, "ENC-8")
	if sum.Status == store.Exported || sum.PendingExport != "" {
		t.Fatalf("summary after refusal: %+v", sum)
	}
	if got := strings.Join(actions(t, r.store, "ENC-8"), "\n"); !strings.Contains(got, "export.document") {
		t.Fatalf("refusal not audited:\n%s", got)
	}
}

func TestExportRefusedWhileOpenInASession(t *testing.T) {
	r := newRig(t, "ENC-7")
	session, err := r.store.Lease(ctx, "ENC-7", "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// r.x exports as alice: her own open session is another session, and
	// the export does not slip in under it.
	_, err = r.x.Export(ctx, "ENC-7")
	var held *store.LeasedError
	if !errors.As(err, &held) || held.Coder != "alice" {
		t.Fatalf("export while alice's session holds it: %v", err)
	}
	if files := r.files(t); len(files) != 0 {
		t.Fatalf("exported under another session's lease: %v", files)
	}
	if err := r.store.SetStatus(ctx, session, store.Rejected, "payer asked for records"); err != nil {
		t.Fatalf("alice's session lost its lease: %v", err)
	}
	// From the session itself it goes.
	r.store.SetStatus(ctx, session, store.InProgress, "")
	if res, err := r.x.ExportLeased(ctx, session); err != nil || res.Key != "ENC-7-r0" {
		t.Fatalf("export from the session: %+v %v", res, err)
	}
}
