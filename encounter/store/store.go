// Package store is the durable work store: encounter status, autosaved
// drafts, leases that keep two coders off one encounter, and the audit log.
// Implementations live in subpackages (SQLite by default).
package store

import (
	"context"
	"errors"
	"fmt"
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

// Lease is one session's exclusive hold on an encounter until Until. The
// token is the session's own: a coder with the encounter open in two
// sessions would hold two leases, which the store never grants at once. A
// change made with a token that is no longer the one in force (expired,
// taken over, released) is refused with ErrLeaseLost: the token fences
// out a session that lost its hold without knowing it.
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
	// ErrLeased: another session (another coder's, or another of the same
	// coder's) holds an unexpired lease. Errors from Lease and TakeOver
	// are a *LeasedError saying whose it is.
	ErrLeased = errors.New("encounter is open in another session")
	// ErrLeaseLost: the caller's lease expired or was taken over.
	ErrLeaseLost = errors.New("lease expired or taken by another coder")
	// ErrExists: an encounter with that id is already in the store.
	ErrExists = errors.New("encounter already in the store")
	// ErrTransition: the status change is not allowed from the current
	// status (errors wrapping it say which).
	ErrTransition = errors.New("status change not allowed")
	// ErrStale: the encounter changed since the caller read it (a draft or
	// an export named a revision that is no longer the latest).
	ErrStale = errors.New("encounter changed since it was read")
	// ErrExportPending: an export was started and not confirmed; retry
	// the export before changing the encounter.
	ErrExportPending = errors.New("an export of this encounter is unfinished; retry the export")
)

// LeasedError is ErrLeased with the holder: who and until when.
type LeasedError struct {
	EncounterID string
	Coder       string
	Until       time.Time
}

func (e *LeasedError) Error() string {
	return fmt.Sprintf("%s: %s holds it until %s", ErrLeased, e.Coder, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLeased) true.
func (e *LeasedError) Is(target error) bool { return target == ErrLeased }

// StaleError is ErrStale with the revisions: what the caller's work was
// based on and what the store holds, saved by whom and when.
type StaleError struct {
	Base, Revision int
	By             string
	At             time.Time
}

func (e *StaleError) Error() string {
	msg := fmt.Sprintf("%s: based on revision %d, the encounter is at revision %d", ErrStale, e.Base, e.Revision)
	if e.By != "" {
		msg += fmt.Sprintf(" (saved by %s at %s)", e.By, e.At.UTC().Format(time.RFC3339))
	}
	return msg
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

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
	// Lease gives one session of coder an exclusive hold for ttl, under a
	// new token. While any other lease runs, the same coder's other
	// session's included, it fails with a *LeasedError (ErrLeased).
	Lease(ctx context.Context, id, coder string, ttl time.Duration) (Lease, error)
	// Renew extends l to ttl from now, keeping its token; ErrLeaseLost
	// when l is no longer in force (expired, taken over or released).
	Renew(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// TakeOver is the explicit way for a coder to move an encounter from
	// another of their own sessions to this one: the other session's
	// lease ends (its next change fails with ErrLeaseLost) and this one
	// gets a new token; the audit log says so. Another coder's live lease
	// is never taken (*LeasedError). With no live lease it is Lease.
	TakeOver(ctx context.Context, id, coder string, ttl time.Duration) (Lease, error)
	// Release ends l early if it is still the lease in force; releasing a
	// lease that expired, was taken over or was released is a no-op and
	// never ends another session's lease.
	Release(ctx context.Context, l Lease) error
	// SaveDraft stores the coder's work under a lease in force. base is
	// the revision the work was based on: when the encounter has moved
	// past it the save is refused with ErrStale and nothing changes.
	// Otherwise the revision is incremented (written back into enc) and
	// detail is logged in the audit.
	SaveDraft(ctx context.Context, l Lease, base int, enc *encounter.Encounter, detail string) error
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
