package exporter

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codebench/encounter/enctest"
	"codebench/encounter/fhir"
	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/encounter/x12"
)

// TestReopenReplacementAndVoid: an exported claim is reopened as a
// replacement (new revision, audit entry, Claim.related to the
// predecessor with the payer's claim number), corrected and exported; then
// voided; a payer that takes no replacements refuses one.
func TestReopenReplacementAndVoid(t *testing.T) {
	r := newRig(t, "ENC-R")
	if _, err := r.x.Export(ctx, "ENC-R"); err != nil {
		t.Fatal(err)
	}
	l, err := r.store.Lease(ctx, "ENC-R", "alice", DefaultLeaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	// Not allowed for a payer configured without replacements.
	pols := Policies{byPayer: map[string]PayerPolicy{enctest.Coverage.PayerID: {PayerID: enctest.Coverage.PayerID, Replacements: false, Voids: true, Note: "send a reopening request"}}}
	if _, err := Reopen(ctx, r.store, pols, l, "7", "2026061000123", "units corrected"); !errors.Is(err, ErrCorrectionRefused) || !strings.Contains(err.Error(), "send a reopening request") {
		t.Fatalf("policy: %v", err)
	}
	for _, bad := range [][3]string{{"1", "2026061000123", "x"}, {"7", "", "x"}, {"7", "A*1", "x"}, {"7", "2026061000123", " "}} {
		if _, err := Reopen(ctx, r.store, Policies{}, l, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("reopen %v accepted", bad)
		}
	}

	enc, err := Reopen(ctx, r.store, Policies{}, l, "7", "2026061000123", "units corrected")
	if err != nil {
		t.Fatal(err)
	}
	if enc.Revision != 1 || enc.Resubmission.Predecessor != "ENC-R-r0" || enc.Frequency() != "7" {
		t.Fatalf("reopened: rev %d %+v", enc.Revision, enc.Resubmission)
	}
	_, sum, _ := r.store.Get(ctx, "ENC-R")
	if sum.Status != store.InProgress || sum.Revision != 1 {
		t.Fatalf("after reopen: %+v", sum)
	}
	if got := strings.Join(actions(t, r.store, "ENC-R"), "\n"); !strings.Contains(got, "reopen: reopened as a replacement (frequency 7) of ENC-R-r0, payer claim 2026061000123: units corrected") {
		t.Fatalf("audit:\n%s", got)
	}
	// Reopening again before the correction is exported is refused.
	if _, err := Reopen(ctx, r.store, Policies{}, l, "8", "2026061000123", "x"); err == nil {
		t.Fatal("reopened a claim not exported")
	}
	enc.Lines[0].Units = 2
	enc.Lines[0].Charge = 25000
	if err := r.store.SaveDraft(ctx, l, 1, enc, "units"); err != nil {
		t.Fatal(err)
	}
	res, err := r.x.ExportLeased(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(r.queue.Path(res.Key))
	sm, err := fhir.Summarize(data)
	if err != nil || fhir.Validate(data) != nil || sm.Frequency != "7" || sm.Related != "2026061000123" || sm.Key != "ENC-R-r2" || sm.Total != "250.00" {
		t.Fatalf("replacement claim %+v %v", sm, err)
	}
	if !strings.Contains(string(data), `"value": "ENC-R-r0"`) {
		t.Fatal("Claim.related does not name the predecessor")
	}
	// The 837P of the replacement.
	env := testEnvelope
	x := *r.x
	x.Format, x.Envelope = Format837P, &env
	doc, err := x.Document(ctx, "ENC-R")
	if err != nil || !strings.Contains(string(doc), ":B:7*") || !strings.Contains(string(doc), "REF*F8*2026061000123~") || x12.Check(doc) != nil {
		t.Fatalf("837P replacement (%v):\n%s", err, doc)
	}

	// Void the replacement.
	if _, err := Reopen(ctx, r.store, pols, l, "8", "2026061000456", "billed in error"); err != nil {
		t.Fatal(err)
	}
	res, err = r.x.ExportLeased(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(r.queue.Path(res.Key))
	if sm, _ := fhir.Summarize(data); sm.Status != "cancelled" || sm.Frequency != "8" || sm.Related != "2026061000456" {
		t.Fatalf("void %+v", sm)
	}
	files, _ := filepath.Glob(filepath.Join(r.queue.Dir(), "ENC-R-r*"+queue.Extension(queue.ContentFHIR)))
	if len(files) != 3 {
		t.Fatalf("queue holds %v", files)
	}
}

func TestLoadPolicies(t *testing.T) {
	dir := t.TempDir()
	p, err := LoadPolicies(filepath.Join(dir, "payers.json"))
	if err != nil || !p.For("X").Replacements || !p.For("X").Voids {
		t.Fatalf("no file: %+v %v", p.For("X"), err)
	}
	path := filepath.Join(dir, "payers.json")
	os.WriteFile(path, []byte(`{"payers": [{"payer_id": "06102", "name": "Medicare J6", "replacements": false, "voids": true, "note": "J6 takes reopenings"}]}`), 0o600)
	p, err = LoadPolicies(path)
	if err != nil || p.For("06102").Replacements || !p.For("06102").Voids || !p.For("other").Replacements {
		t.Fatalf("file: %+v %v", p.For("06102"), err)
	}
	for _, bad := range []string{`{"payers": [{"payer_id": "A*B"}]}`, `{"payers": [{"payer_id": "1"}, {"payer_id": "1"}]}`, `{"payers": [{"payer": "1"}]}`} {
		os.WriteFile(path, []byte(bad), 0o600)
		if _, err := LoadPolicies(path); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
