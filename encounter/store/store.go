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
)

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
	// SetStatus moves an encounter to status, logging why.
	SetStatus(ctx context.Context, l Lease, status Status, detail string) error
	// Log appends an audit entry (overrides, exports, errors).
	Log(ctx context.Context, e AuditEntry) error
	// Audit returns the entries of one encounter, oldest first.
	Audit(ctx context.Context, id string) ([]AuditEntry, error)
	Close() error
}
