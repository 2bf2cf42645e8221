// Package store is the durable work store: encounter status, autosaved
// drafts, leases that keep two coders off one encounter, and the audit log.
// Implementations live in subpackages (SQLite by default).
package store

import (
	"context"
	"errors"
	"time"

	"codebench/encounter"
)

// Status is where an encounter is in the coding workflow.
type Status string

const (
	New        Status = "new"
	InProgress Status = "in_progress"
	Coded      Status = "coded"
	Exported   Status = "exported"
	Rejected   Status = "rejected"
)

// Summary is one row of the worklist.
type Summary struct {
	ID         string
	Status     Status
	Patient    encounter.Patient
	Provider   encounter.Provider
	Service    encounter.DateRange
	Revision   int
	LeasedBy   string    // coder holding an unexpired lease, "" if none
	LeaseUntil time.Time // when that lease expires
	UpdatedAt  time.Time
	// RevisedAt is when the current revision was saved (import or last
	// draft). Exports use it as the claim's creation time so that
	// exporting one revision twice gives the same bytes.
	RevisedAt time.Time
	// ExportKey is the queue key ("ID-rN") of the last completed export,
	// "" if never exported.
	ExportKey string
	// PendingExport is the key of an export that was started and not yet
	// confirmed (the process stopped between publishing and recording
	// it). Drafts are refused until the export is finished by retrying it.
	PendingExport string
}

// Lease is a coder's exclusive hold on an encounter until Until.
type Lease struct {
	EncounterID string
	Coder       string
	Token       string
	Until       time.Time
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq         int64
	EncounterID string
	Coder       string
	At          time.Time
	// Revision is the encounter's revision after the action.
	Revision int
	// Action: "import", "lease", "release", "draft", "override", "status",
	// "export", ...
	Action string
	// Detail says what changed ("dx 2: added E11.65", "override
	// icd.excludes1 on dx:3: reason ...").
	Detail string
}

var (
	// ErrNotFound: no encounter with that id.
	ErrNotFound = errors.New("encounter not found")
	// ErrLeased: another coder holds an unexpired lease.
	ErrLeased = errors.New("encounter is being coded by another coder")
	// ErrLeaseLost: the caller's lease expired or was taken over.
	ErrLeaseLost = errors.New("lease expired or taken by another coder")
	// ErrExists: an encounter with that id is already in the store.
	ErrExists = errors.New("encounter already in the store")
	// ErrTransition: the status change is not allowed from the current
	// status (errors wrapping it say which).
	ErrTransition = errors.New("status change not allowed")
	// ErrStale: the encounter changed since the caller read it.
	ErrStale = errors.New("encounter changed since it was read")
	// ErrExportPending: an export was started and not confirmed; retry
	// the export before changing the encounter.
	ErrExportPending = errors.New("an export of this encounter is unfinished; retry the export")
)

// CanMove tells whether a coder may move an encounter from one status to
// another: new -> in_progress -> coded -> exported, back to in_progress
// to change a coded encounter, and rejected (returned for documentation or
// by billing) from anywhere before it is worked again.
func CanMove(from, to Status) bool {
	switch from {
	case New:
		return to == InProgress || to == Coded || to == Rejected || to == Exported
	case InProgress:
		return to == Coded || to == Rejected || to == Exported
	case Coded:
		return to == InProgress || to == Rejected || to == Exported
	case Exported:
		return to == Rejected
	case Rejected:
		return to == InProgress
	}
	return false
}

// Store keeps encounters and their coding state. Safe for concurrent use by
// many coder sessions.
type Store interface {
	// Add stores a newly imported encounter with status New.
	Add(ctx context.Context, enc *encounter.Encounter) error
	// List returns the worklist, oldest date of service first.
	List(ctx context.Context) ([]Summary, error)
	// Get returns the latest saved state: the draft if any, else the
	// imported encounter.
	Get(ctx context.Context, id string) (*encounter.Encounter, Summary, error)
	// Lease gives coder an exclusive hold for ttl; the same coder may
	// lease again (renewal). ErrLeased while another coder's lease runs.
	Lease(ctx context.Context, id, coder string, ttl time.Duration) (Lease, error)
	// Release ends a lease early.
	Release(ctx context.Context, l Lease) error
	// SaveDraft stores the coder's work under a valid lease, increments
	// the revision (written back into enc) and logs detail in the audit.
	SaveDraft(ctx context.Context, l Lease, enc *encounter.Encounter, detail string) error
	// SetStatus moves an encounter to status, logging why. Exported is
	// reached only through BeginExport and MarkExported.
	SetStatus(ctx context.Context, l Lease, status Status, detail string) error
	// BeginExport records, under a valid lease, that revision is about to
	// be published under key; ErrStale if the revision moved on. From then
	// until MarkExported, drafts are refused (ErrExportPending), so a crash
	// after publishing cannot be followed by a second, different claim.
	BeginExport(ctx context.Context, l Lease, revision int, key string) error
	// MarkExported confirms the export begun under key: status Exported
	// and an audit entry, in one transaction. Confirming an export that is
	// already recorded is a no-op.
	MarkExported(ctx context.Context, l Lease, key string) error
	// Log appends an audit entry (overrides, exports, errors).
	Log(ctx context.Context, e AuditEntry) error
	// Audit returns the entries of one encounter, oldest first.
	Audit(ctx context.Context, id string) ([]AuditEntry, error)
	Close() error
}
