package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"time"
)

// Row is one encounter exactly as a backend keeps it: what moving a store
// to another backend (codebench store migrate) copies. The worklist
// columns (patient, provider, dates of service) are derived from the
// draft, else the imported JSON, and are not part of it.
type Row struct {
	ID            string
	Status        Status
	Revision      int
	Imported      []byte // encounter JSON as imported
	Draft         []byte // latest saved JSON; nil before the first draft
	LeaseCoder    string
	LeaseToken    string
	LeaseUntil    time.Time
	PendingExport string
	ExportKey     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	RevisedAt     time.Time
}

// Dumper is a backend that can read out everything it holds.
type Dumper interface {
	// Dump calls row for every encounter in id order, then audit for
	// every audit entry in sequence order, from one consistent snapshot.
	Dump(ctx context.Context, row func(Row) error, audit func(AuditEntry) error) error
}

// Loader is a backend that can take a whole store in.
type Loader interface {
	// Load writes rows and audit entries (keeping their sequence numbers)
	// in one transaction, and refuses (ErrNotEmpty) a store that holds
	// any encounter or audit entry.
	Load(ctx context.Context, rows []Row, audit []AuditEntry) error
}

// ErrNotEmpty: a store that already holds work cannot be loaded into.
var ErrNotEmpty = errors.New("the target store is not empty")

// Digest is the count and SHA-256 of a store's contents, computed the
// same way on every backend, so a copy is verified against its source.
type Digest struct {
	Encounters, AuditEntries int
	Rows, Audit              string // hex SHA-256
}

// DigestOf dumps d and digests what it holds.
func DigestOf(ctx context.Context, d Dumper) (Digest, error) {
	var dg Digest
	rows, audit := sha256.New(), sha256.New()
	err := d.Dump(ctx, func(r Row) error {
		dg.Encounters++
		hashRow(rows, r)
		return nil
	}, func(e AuditEntry) error {
		dg.AuditEntries++
		hashAudit(audit, e)
		return nil
	})
	dg.Rows, dg.Audit = hex.EncodeToString(rows.Sum(nil)), hex.EncodeToString(audit.Sum(nil))
	return dg, err
}

// Each field is written with its length so no two rows hash alike by
// shifting bytes from one field to the next.
func hashBytes(h hash.Hash, b []byte) {
	var n [9]byte
	if b == nil {
		n[8] = 1 // nil and empty differ (no draft vs an empty one)
	}
	binary.BigEndian.PutUint64(n[:8], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func hashInt(h hash.Hash, v int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	h.Write(b[:])
}

func hashTime(h hash.Hash, t time.Time) {
	if t.IsZero() {
		hashInt(h, 0)
		return
	}
	hashInt(h, t.UnixNano())
}

func hashRow(h hash.Hash, r Row) {
	hashBytes(h, []byte(r.ID))
	hashBytes(h, []byte(r.Status))
	hashInt(h, int64(r.Revision))
	hashBytes(h, r.Imported)
	hashBytes(h, r.Draft)
	hashBytes(h, []byte(r.LeaseCoder))
	hashBytes(h, []byte(r.LeaseToken))
	hashTime(h, r.LeaseUntil)
	hashBytes(h, []byte(r.PendingExport))
	hashBytes(h, []byte(r.ExportKey))
	hashTime(h, r.CreatedAt)
	hashTime(h, r.UpdatedAt)
	hashTime(h, r.RevisedAt)
}

func hashAudit(h hash.Hash, e AuditEntry) {
	hashInt(h, e.Seq)
	hashBytes(h, []byte(e.EncounterID))
	hashBytes(h, []byte(e.Coder))
	hashTime(h, e.At)
	hashInt(h, int64(e.Revision))
	hashBytes(h, []byte(e.Action))
	hashBytes(h, []byte(e.Detail))
}

// Copyable is a store that can be both read out and loaded.
type Copyable interface {
	Dumper
	Loader
}

// Copy moves everything src holds into dst, which must be empty: the
// encounters with their drafts, leases and export state, and the audit
// log with its sequence numbers. It reads src from one snapshot, loads
// dst in one transaction, then reads dst back and compares counts and
// checksums. It returns the source's digest; on a mismatch the error
// says what differs (dst then holds the copy for inspection).
func Copy(ctx context.Context, src Dumper, dst Copyable) (Digest, error) {
	var rows []Row
	var audit []AuditEntry
	if err := src.Dump(ctx, func(r Row) error { rows = append(rows, r); return nil },
		func(e AuditEntry) error { audit = append(audit, e); return nil }); err != nil {
		return Digest{}, fmt.Errorf("read the source: %w", err)
	}
	want, _ := DigestOf(ctx, sliceDumper{rows, audit})
	if err := dst.Load(ctx, rows, audit); err != nil {
		return want, fmt.Errorf("load the target: %w", err)
	}
	got, err := DigestOf(ctx, dst)
	if err != nil {
		return want, fmt.Errorf("read the target back: %w", err)
	}
	if got != want {
		return want, fmt.Errorf("the copy differs from the source: source %d encounters (sha256 %s), %d audit entries (sha256 %s); target %d encounters (sha256 %s), %d audit entries (sha256 %s)",
			want.Encounters, want.Rows, want.AuditEntries, want.Audit, got.Encounters, got.Rows, got.AuditEntries, got.Audit)
	}
	return want, nil
}

// sliceDumper dumps rows and entries already read.
type sliceDumper struct {
	rows  []Row
	audit []AuditEntry
}

func (d sliceDumper) Dump(_ context.Context, row func(Row) error, audit func(AuditEntry) error) error {
	for _, r := range d.rows {
		if err := row(r); err != nil {
			return err
		}
	}
	for _, e := range d.audit {
		if err := audit(e); err != nil {
			return err
		}
	}
	return nil
}
