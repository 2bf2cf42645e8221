// Package exporter sends a coded encounter from the work store to the
// billing queue, so that a crash at any point leaves it either not
// exported (a retry exports it) or exported exactly once.
//
// The order is what makes that true:
//
//  1. validate and build the claim (nothing recorded yet; a refusal is
//     only logged);
//  2. record in the store that revision N is being exported as key K
//     (drafts are refused from then on, so no revision N+1 can follow an
//     export the store has not confirmed);
//  3. publish to the queue, which ignores a key it already has;
//  4. record the export as done, with its audit entry, in one transaction.
//
// A crash before 2 leaves nothing; between 2 and 4 the store shows the
// pending key and a retry republishes (a no-op if 3 had finished) and
// confirms; the claim bytes are the same on every retry because the
// claim's creation time is the time the revision was saved.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/queue"
	"codebench/encounter/store"
	"codebench/encounter/x12"
)

// DefaultLeaseTTL bounds how long an export run holds the encounter.
const DefaultLeaseTTL = 2 * time.Minute

// Exporter exports encounters of one store to one queue.
type Exporter struct {
	Store store.Store
	Queue queue.Queue
	Codes *codesets.Set
	// Format of the documents: FormatFHIR (also when empty) or
	// Format837P.
	Format Format
	// Envelope is the 837P submitter, receiver and ISA ids (Format837P).
	Envelope *x12.Envelope
	// Coder is who exports: the lease holder and the audit actor.
	Coder string
	// LeaseTTL for Export's own lease; DefaultLeaseTTL when zero.
	LeaseTTL time.Duration
	// TakeOver makes Export take the encounter over from another session
	// of the same coder (an export that crashed, a session left open)
	// instead of refusing; another coder's lease still refuses it.
	TakeOver bool
	// Checks gives the validation options of an encounter: the payer
	// tables, edit sets and same-day encounters the coder's edits used
	// (nil: the embedded tables and the claim alone).
	Checks func(ctx context.Context, enc *encounter.Encounter) (encounter.Options, error)

	// stage, when set, is called as an export passes each step (crash
	// tests stop the process there).
	stage func(name string)
}

// IDChecker is implemented by queues that cannot take every encounter id
// (a directory queue names files after them).
type IDChecker interface {
	CheckID(id string) error
}

// Result says what an export did.
type Result struct {
	ID       string
	Revision int
	Key      string
	// Already is set when this revision was exported before: nothing was
	// published and the store is unchanged.
	Already bool
	// Resumed is set when the run finished an export an earlier run had
	// started and not confirmed.
	Resumed bool
	// Edits are Validate's findings (none when Already).
	Edits []encounter.Edit
	// Size is the claim document's length in bytes.
	Size int
	// Delivery says whether the queue delivered the export or spooled it
	// (an unreachable server: not delivered yet); empty when nothing was
	// published (Already).
	Delivery queue.Delivery
	// Location is where the export went (a file, a stream), as the queue
	// said when it took it and the audit log keeps it; "" when the queue
	// cannot say or, for an export made before locations were recorded,
	// the log does not.
	Location string
}

// Export leases encounter id as x.Coder, exports it and releases the
// lease. While any session holds the encounter, one of the same coder's
// included, it fails with store.ErrLeased (a *store.LeasedError): export
// it from that session, or close it first (or set TakeOver).
func (x *Exporter) Export(ctx context.Context, id string) (Result, error) {
	ttl := x.LeaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	lease := x.Store.Lease
	if x.TakeOver {
		lease = x.Store.TakeOver
	}
	l, err := lease(ctx, id, x.Coder, ttl)
	if err != nil {
		return Result{ID: id}, err
	}
	res, err := x.ExportLeased(ctx, l)
	// Release even when ctx was cancelled: the lease would block coders
	// until it expired.
	if rerr := x.Store.Release(context.WithoutCancel(ctx), l); rerr != nil && err == nil {
		err = rerr
	}
	return res, err
}

// ExportLeased exports the encounter under a lease the caller holds (a
// coder's session) and leaves the lease in place.
func (x *Exporter) ExportLeased(ctx context.Context, l store.Lease) (Result, error) {
	res := Result{ID: l.EncounterID}
	enc, sum, err := x.Store.Get(ctx, l.EncounterID)
	if err != nil {
		return res, err
	}
	res.Revision = sum.Revision
	res.Key = encounter.ExportKey(enc.ID, sum.Revision)
	switch {
	case sum.Status == store.Exported && sum.PendingExport == "":
		res.Key, res.Already = sum.ExportKey, true
		res.Location = RecordedLocation(ctx, x.Store, enc.ID, sum.ExportKey)
		return res, nil
	case sum.PendingExport != "":
		if sum.PendingExport != res.Key {
			return res, fmt.Errorf("export %s: unfinished export %s does not match revision %d", enc.ID, sum.PendingExport, sum.Revision)
		}
		res.Resumed = true
	case sum.Status == store.Rejected:
		return res, fmt.Errorf("export %s: the encounter was rejected; rework it (save a change) before exporting", enc.ID)
	}
	if c, ok := x.Queue.(IDChecker); ok {
		if err := c.CheckID(enc.ID); err != nil {
			return res, fmt.Errorf("export %s: %w", enc.ID, err)
		}
	}

	data, contentType, edits, err := x.document(ctx, enc, sum)
	res.Edits = edits
	var refused *encounter.ExportRefusedError
	if errors.As(err, &refused) {
		x.logRefusal(ctx, l, sum.Revision, refused)
		return res, err
	}
	if err != nil {
		return res, err
	}
	res.Size = len(data)

	if err := x.Store.BeginExport(ctx, l, sum.Revision, res.Key); err != nil {
		return res, err
	}
	x.at("begun")
	msg := queue.Message{EncounterID: enc.ID, Revision: sum.Revision, Data: data, ContentType: contentType}
	res.Delivery = queue.Delivered
	var perr error
	if dr, ok := x.Queue.(queue.DeliveryReporter); ok {
		res.Delivery, perr = dr.PublishDelivery(ctx, msg)
	} else {
		perr = x.Queue.Publish(ctx, msg)
	}
	if perr != nil {
		return res, fmt.Errorf("export %s: publish: %w (the export stays pending; retry it)", res.Key, perr)
	}
	x.at("published")
	if loc, ok := x.Queue.(queue.Locator); ok {
		// Kept with the export's record, so a later run, wherever its
		// queue points, says where this one went. A spooled export is
		// recorded as such: it has not reached billing yet.
		res.Location = loc.Locate(msg)
		detail := deliveredPrefix + res.Key + " to " + res.Location
		if res.Delivery == queue.Spooled {
			detail = spooledPrefix + res.Key + " to " + res.Location + " (not delivered yet: the queue server was unreachable; the spool forwards it, once, when it is back)"
		}
		if err := x.Store.Log(context.WithoutCancel(ctx), store.AuditEntry{EncounterID: enc.ID, Coder: l.Coder, Revision: sum.Revision,
			Action: "export", Detail: detail}); err != nil {
			return res, fmt.Errorf("export %s: published to %s, not recorded: %w (retry the export to record it)", res.Key, res.Location, err)
		}
	}
	// The claim is with billing now: record it even if ctx was cancelled
	// meanwhile, or the store would show a pending export until a retry.
	if err := x.Store.MarkExported(context.WithoutCancel(ctx), l, res.Key); err != nil {
		return res, fmt.Errorf("export %s: published, not recorded: %w (retry the export to record it)", res.Key, err)
	}
	x.at("marked")
	return res, nil
}

// deliveredPrefix starts the audit entry that records where an export
// went: "delivered KEY to LOCATION".
const deliveredPrefix = "delivered "

// spooledPrefix starts it for an export the queue spooled.
const spooledPrefix = "spooled "

// RecordedLocation is where the export key of encounter id went, as its
// audit entry recorded it; "" when none did.
func RecordedLocation(ctx context.Context, st store.Store, id, key string) string {
	entries, err := st.Audit(ctx, id)
	if err != nil {
		return ""
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Action != "export" {
			continue
		}
		if loc, ok := strings.CutPrefix(e.Detail, deliveredPrefix+key+" to "); ok {
			return loc
		}
		if loc, ok := strings.CutPrefix(e.Detail, spooledPrefix+key+" to "); ok {
			loc, _, _ = strings.Cut(loc, " (not delivered yet")
			return loc
		}
	}
	return ""
}

func (x *Exporter) at(stage string) {
	if x.stage != nil {
		x.stage(stage)
	}
}

// logRefusal leaves the refusal in the audit log; a failure to log does
// not hide the refusal itself.
func (x *Exporter) logRefusal(ctx context.Context, l store.Lease, revision int, r *encounter.ExportRefusedError) {
	var what []string
	for _, e := range r.Blocking {
		what = append(what, e.Target+" "+e.Rule)
	}
	x.Store.Log(ctx, store.AuditEntry{
		EncounterID: l.EncounterID, Coder: l.Coder, Revision: revision, Action: "export",
		Detail: fmt.Sprintf("export refused: %d error edits: %s", len(r.Blocking), strings.Join(what, ", ")),
	})
}
