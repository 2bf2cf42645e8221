package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"codebench/encounter"
)

// The rules every backend applies inside its transactions, written once:
// a backend reads the encounter's row under its lock (RowState), asks
// these functions what the change may do and what the audit log says,
// and writes that. Only the SQL differs between backends.

// RowState is what a leased change reads of an encounter's row.
type RowState struct {
	Status   Status
	Revision int
	Coder    string // lease holder, expired or not
	Token    string
	Until    time.Time
	Pending  string // key of an export begun and not confirmed
	Exported string // key of the last confirmed export
}

// Held tells whether l is the lease in force on the row at now.
func (r RowState) Held(l Lease, now time.Time) bool {
	return l.Token != "" && r.Token == l.Token && r.Until.After(now)
}

// CheckLease is the fencing check: ErrLeaseLost unless l is in force.
func (r RowState) CheckLease(l Lease, now time.Time) error {
	if !r.Held(l, now) {
		return ErrLeaseLost
	}
	return nil
}

// CheckLeaseArgs refuses an empty coder or a ttl that is not positive.
func CheckLeaseArgs(coder string, ttl time.Duration) error {
	if strings.TrimSpace(coder) == "" {
		return errors.New("lease: empty coder id")
	}
	if ttl <= 0 {
		return fmt.Errorf("lease: ttl %v must be positive", ttl)
	}
	return nil
}

// DecideLease says whether coder may take a new lease on the row (a
// *LeasedError if not) and what the audit entry's detail is.
func DecideLease(r RowState, id, coder string, takeOver bool, now time.Time) (detail string, err error) {
	live := r.Token != "" && r.Until.After(now)
	if live && !(takeOver && r.Coder == coder) {
		return "", &LeasedError{EncounterID: id, Coder: r.Coder, Until: r.Until}
	}
	switch {
	case live:
		return fmt.Sprintf("taken over from another session of %s (its lease ran until %s)", coder, r.Until.UTC().Format(time.RFC3339)), nil
	case r.Token != "" && r.Coder != coder:
		return fmt.Sprintf("leased (%s's lease expired %s)", r.Coder, r.Until.UTC().Format(time.RFC3339)), nil
	case r.Token != "":
		return fmt.Sprintf("leased (an earlier session's lease expired %s)", r.Until.UTC().Format(time.RFC3339)), nil
	}
	return "leased", nil
}

// Header holds the worklist columns of an encounter.
type Header struct {
	Patient, Provider []byte // JSON
	From, To          string // YYYY-MM-DD
}

// HeaderOf reads the worklist columns out of an encounter.
func HeaderOf(enc *encounter.Encounter) (Header, error) {
	p, err := json.Marshal(enc.Patient)
	if err != nil {
		return Header{}, err
	}
	v, err := json.Marshal(enc.Provider)
	if err != nil {
		return Header{}, err
	}
	return Header{Patient: p, Provider: v, From: enc.Service.From.String(), To: enc.Service.To.String()}, nil
}

// ImportEntry is the audit entry of an encounter's import.
func ImportEntry(enc *encounter.Encounter, coder string, now time.Time) AuditEntry {
	return AuditEntry{EncounterID: enc.ID, Coder: coder, At: now, Revision: enc.Revision, Action: "import",
		Detail: fmt.Sprintf("imported: %d notes, %d diagnoses, %d service lines", len(enc.Notes), len(enc.Diagnoses), len(enc.Lines))}
}

// CheckDraft refuses a draft the row does not allow: another encounter's
// lease, a lost lease, an unfinished export, an exported encounter, or a
// base revision that is not the latest (a *StaleError whose By and At the
// backend fills from its audit log).
func CheckDraft(r RowState, l Lease, base int, enc *encounter.Encounter, now time.Time) error {
	if err := r.CheckLease(l, now); err != nil {
		return err
	}
	switch {
	case r.Pending != "":
		return ErrExportPending
	case r.Status == Exported:
		return fmt.Errorf("%w: %s is exported; mark it rejected to rework it", ErrTransition, enc.ID)
	case r.Revision != base:
		return &StaleError{Base: base, Revision: r.Revision}
	}
	return nil
}

// DraftPlan is what a draft writes: the encounter JSON at its new
// revision and the audit entries, in order.
type DraftPlan struct {
	Revision int
	JSON     []byte
	Entries  []AuditEntry
}

// PlanDraft builds the write of enc over prev (the state it replaces) on
// a row CheckDraft accepted: the revision bumped, the status moved to in
// progress, the diff and each new override with its reason logged.
func PlanDraft(r RowState, l Lease, prev, enc *encounter.Encounter, detail string, now time.Time) (DraftPlan, error) {
	rev := r.Revision + 1
	saved := *enc
	saved.Revision = rev
	data, err := json.Marshal(&saved)
	if err != nil {
		return DraftPlan{}, err
	}
	p := DraftPlan{Revision: rev, JSON: data}
	entry := AuditEntry{EncounterID: enc.ID, Coder: l.Coder, At: now, Revision: rev}
	add := func(action, detail string) {
		e := entry
		e.Action, e.Detail = action, detail
		p.Entries = append(p.Entries, e)
	}
	if r.Status != InProgress {
		add("status", fmt.Sprintf("%s -> %s", r.Status, InProgress))
	}
	what := strings.Join(Changes(prev, &saved), "; ")
	if what == "" {
		what = "no change"
	}
	if detail != "" {
		what = detail + ": " + what
	}
	add("draft", what)
	actions, details := OverrideEntries(prev, &saved)
	for i := range actions {
		add(actions[i], details[i])
	}
	return p, nil
}

// DecideStatus says whether the row may move to status under l: nil
// entry with no error when it already is there, else the audit entry.
func DecideStatus(r RowState, l Lease, status Status, detail string, now time.Time) (*AuditEntry, error) {
	if err := r.CheckLease(l, now); err != nil {
		return nil, err
	}
	if r.Status == status {
		return nil, nil
	}
	if status == Exported {
		return nil, fmt.Errorf("%w: %s -> exported happens by exporting", ErrTransition, r.Status)
	}
	if r.Pending != "" {
		return nil, ErrExportPending
	}
	if !CanMove(r.Status, status) {
		return nil, fmt.Errorf("%w: %s -> %s", ErrTransition, r.Status, status)
	}
	what := fmt.Sprintf("%s -> %s", r.Status, status)
	if detail != "" {
		what += ": " + detail
	}
	return &AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.Revision, Action: "status", Detail: what}, nil
}

// DecideBeginExport says whether an export of revision under key may
// begin: nil entry with no error for a retry or an export already done,
// else the audit entry.
func DecideBeginExport(r RowState, l Lease, revision int, key string, now time.Time) (*AuditEntry, error) {
	if key == "" {
		return nil, errors.New("begin export: empty key")
	}
	if err := r.CheckLease(l, now); err != nil {
		return nil, err
	}
	switch {
	case r.Pending == key:
		return nil, nil // a retry of the same export
	case r.Pending != "":
		return nil, fmt.Errorf("%w (%s)", ErrExportPending, r.Pending)
	case r.Revision != revision:
		return nil, fmt.Errorf("%w: revision %d, now %d", ErrStale, revision, r.Revision)
	case r.Status == Exported && r.Exported == key:
		return nil, nil // already done; MarkExported will say so too
	case !CanMove(r.Status, Exported):
		return nil, fmt.Errorf("%w: %s -> exported", ErrTransition, r.Status)
	}
	return &AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.Revision,
		Action: "export", Detail: "export started as " + key}, nil
}

// DecideMarkExported says whether the export begun under key may be
// confirmed: nil entry with no error when it already is, else the audit
// entry.
func DecideMarkExported(r RowState, l Lease, key string, now time.Time) (*AuditEntry, error) {
	if err := r.CheckLease(l, now); err != nil {
		return nil, err
	}
	if r.Status == Exported && r.Exported == key && r.Pending == "" {
		return nil, nil
	}
	if r.Pending != key {
		return nil, fmt.Errorf("no export started as %s (pending: %q)", key, r.Pending)
	}
	return &AuditEntry{EncounterID: l.EncounterID, Coder: l.Coder, At: now, Revision: r.Revision,
		Action: "export", Detail: fmt.Sprintf("exported to the billing queue as %s (%s -> %s)", key, r.Status, Exported)}, nil
}

// CheckLogEntry refuses an audit entry without an encounter or action.
func CheckLogEntry(e AuditEntry) error {
	if e.EncounterID == "" || e.Action == "" {
		return errors.New("audit: entry needs an encounter id and an action")
	}
	return nil
}

// Columns are a worklist row's stored columns, the way backends keep
// them (times in unix nanoseconds, 0 for none).
type Columns struct {
	Status            string
	Patient, Provider []byte // JSON
	From, To          string // YYYY-MM-DD or ""
	LeaseUntil        int64
	Updated, Revised  int64
}

// Fill decodes the columns into sum (whose ID, Revision, LeasedBy,
// ExportKey and PendingExport the backend scanned directly); a lease
// that expired by now is nobody's.
func (c Columns) Fill(sum *Summary, now time.Time) error {
	sum.Status = Status(c.Status)
	if err := json.Unmarshal(c.Patient, &sum.Patient); err != nil {
		return fmt.Errorf("encounter %s: patient: %w", sum.ID, err)
	}
	if err := json.Unmarshal(c.Provider, &sum.Provider); err != nil {
		return fmt.Errorf("encounter %s: provider: %w", sum.ID, err)
	}
	var err error
	if sum.Service.From, err = parseDate(c.From); err != nil {
		return fmt.Errorf("encounter %s: %w", sum.ID, err)
	}
	if sum.Service.To, err = parseDate(c.To); err != nil {
		return fmt.Errorf("encounter %s: %w", sum.ID, err)
	}
	sum.UpdatedAt, sum.RevisedAt = FromNanos(c.Updated), FromNanos(c.Revised)
	if until := FromNanos(c.LeaseUntil); sum.LeasedBy != "" && until.After(now) {
		sum.LeaseUntil = until
	} else {
		sum.LeasedBy = ""
	}
	return nil
}

func parseDate(s string) (encounter.Date, error) {
	if s == "" {
		return encounter.Date{}, nil
	}
	return encounter.ParseDate(s)
}

// FromNanos reads a stored time: unix nanoseconds, 0 for none.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Latest decodes the encounter's latest saved state: the draft if there
// is one, else the imported JSON.
func Latest(imported, draft []byte) (*encounter.Encounter, error) {
	data := draft
	if data == nil {
		data = imported
	}
	enc := new(encounter.Encounter)
	if err := json.Unmarshal(data, enc); err != nil {
		return nil, fmt.Errorf("stored JSON: %w", err)
	}
	return enc, nil
}
