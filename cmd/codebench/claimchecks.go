package main

import (
	"context"
	"flag"
	"sync"
	"time"

	"codebench/codesets"
	"codebench/codesets/payer"
	"codebench/encounter"
	"codebench/encounter/store"
)

// claimChecks binds the claim edits for a workbench, a server or an
// export: the code sets, the payer tables (decoded in the background from
// start-up), the edit sets per payer type, and the store whose same-day
// encounters the NCCI PTP and MUE edits count with a claim. Every session
// and the export validate the same way.
type claimChecks struct {
	set    *codesets.Set
	st     store.Store // nil: the claim alone
	tables *payer.Tables
	sets   encounter.EditSets
	warn   func(msg string, keyvals ...any)
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]sameDayEntry
}

// sameDayTTL: the workbench validates on every change, so a claim's
// same-day encounters are read from the store at most this often.
const sameDayTTL = 10 * time.Second

type sameDayEntry struct {
	key  string // patient, provider and date the entry is for
	at   time.Time
	encs []*encounter.Encounter
}

// newClaimChecks starts decoding the payer tables in the background. warn
// logs a store that cannot be read (nil: not logged).
func newClaimChecks(set *codesets.Set, st store.Store, sets encounter.EditSets, warn func(msg string, keyvals ...any)) *claimChecks {
	tables := set.Payer() // the embedded tables, imported ones in their place
	tables.Warm(nil)
	if warn == nil {
		warn = func(string, ...any) {}
	}
	return &claimChecks{set: set, st: st, tables: tables, sets: sets, warn: warn, now: time.Now, cache: map[string]sameDayEntry{}}
}

// options are the validation options of enc, read fresh from the store
// (for an export).
func (c *claimChecks) options(ctx context.Context, enc *encounter.Encounter) (encounter.Options, error) {
	o := encounter.Options{Payer: c.tables, EditSets: c.sets}
	if c.st == nil {
		return o, nil
	}
	encs, err := store.SameDayOf(ctx, c.st, enc)
	o.SameDay = encs
	return o, err
}

// validate is the workbench's validator. A store that cannot be read
// leaves the claim checked alone, and the log says why.
func (c *claimChecks) validate(enc *encounter.Encounter) []encounter.Edit {
	return encounter.ValidateWith(enc, c.set, encounter.Options{Payer: c.tables, EditSets: c.sets, SameDay: c.sameDay(enc)})
}

func (c *claimChecks) sameDay(enc *encounter.Encounter) []*encounter.Encounter {
	if c.st == nil {
		return nil
	}
	key := enc.Patient.ID + "\x00" + enc.Provider.NPI + "\x00" + enc.Service.From.String()
	now := c.now()
	c.mu.Lock()
	e, ok := c.cache[enc.ID]
	c.mu.Unlock()
	if ok && e.key == key && now.Sub(e.at) < sameDayTTL {
		return e.encs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	encs, err := store.SameDayOf(ctx, c.st, enc)
	if err != nil {
		c.warn("same-day encounters not read: the PTP and MUE edits check the claim alone", "encounter", enc.ID, "err", err)
		return nil
	}
	c.mu.Lock()
	if len(c.cache) > 4096 {
		for id, old := range c.cache {
			if now.Sub(old.at) >= sameDayTTL {
				delete(c.cache, id)
			}
		}
	}
	c.cache[enc.ID] = sameDayEntry{key: key, at: now, encs: encs}
	c.mu.Unlock()
	return encs
}

// editSetsFlag is --edit-sets: which payer edit sets apply to which payer
// type (encounter.ParseEditSets), the defaults when not given.
type editSetsFlag struct{ sets encounter.EditSets }

func (f *editSetsFlag) register(fs *flag.FlagSet) {
	fs.Var(f, "edit-sets", `payer edit sets per payer type, e.g. "medicaid=all; commercial=ncci-ptp,mce" (sets: ncci-ptp, ncci-mue, ncci-addon, pfs, mce, all, none; default: `+encounter.DefaultEditSets.String()+`)`)
}

func (f *editSetsFlag) String() string {
	if f == nil || f.sets == nil {
		return ""
	}
	return f.sets.String()
}

func (f *editSetsFlag) Set(s string) error {
	sets, err := encounter.ParseEditSets(s)
	if err != nil {
		return err
	}
	f.sets = sets
	return nil
}
