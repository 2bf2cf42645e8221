package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/tui/common"
)

// When the store refuses a save or a renewal because this session's lease
// is no longer in force (it lapsed, or the coder took the encounter over
// in another session) or the encounter moved past the revision the
// working copy was based on, the session reclaims: it leases the
// encounter again and reads the latest revision. If nobody changed it
// meanwhile, the working copy stands and the pending changes are saved.
// Otherwise the screen reloads the latest revision and says what of the
// coder's work was not saved (also in the audit log and the session
// log): nothing is overwritten, nothing disappears without a word.

type reclaimedMsg struct {
	id    string
	cause error
	enc   *encounter.Encounter
	sum   store.Summary
	lease store.Lease // zero when another session holds the encounter
	held  error       // why no lease was had
	err   error
}

func (m *Model) reclaim(cause error) tea.Cmd {
	if m.w.Enc == nil || m.c.Store == nil {
		return nil
	}
	m.w.ReadOnly = "reloading after a refused save"
	m.renewGen++ // the old lease's renewals stop
	st, id, coder, ttl, ctx := m.c.Store, m.w.Enc.ID, m.c.Coder, m.c.Timing.LeaseTTL, m.c.Ctx
	current := m.w.Lease
	return func() tea.Msg {
		msg := reclaimedMsg{id: id, cause: cause}
		if errors.Is(cause, store.ErrStale) && !errors.Is(cause, store.ErrLeaseLost) {
			// The lease is still ours; only the revision moved.
			if l, err := st.Renew(ctx, current, ttl); err == nil {
				msg.lease = l
			}
		}
		if msg.lease.Token == "" {
			msg.lease, msg.held = st.Lease(ctx, id, coder, ttl)
		}
		msg.enc, msg.sum, msg.err = st.Get(ctx, id)
		if msg.err != nil && msg.lease.Token != "" {
			st.Release(context.WithoutCancel(ctx), msg.lease)
			msg.lease = store.Lease{}
		}
		return msg
	}
}

func (m *Model) reclaimed(msg reclaimedMsg) tea.Cmd {
	if m.w.Enc == nil || m.w.Enc.ID != msg.id {
		if msg.lease.Token != "" { // the encounter was closed meanwhile
			st, l, ctx := m.c.Store, msg.lease, m.c.Ctx
			return func() tea.Msg { st.Release(ctx, l); return nil }
		}
		return nil
	}
	id, base := m.w.Enc.ID, m.w.Enc.Revision
	if msg.err != nil {
		m.w.ReadOnly = "the store could not be read (" + msg.err.Error() + "); reopen the encounter to continue"
		return common.Fail(fmt.Errorf("draft not saved (%v) and %s could not be reloaded: %w; unsaved changes: %s",
			msg.cause, id, msg.err, common.OrNone(strings.Join(m.w.Changes, "; "))))
	}
	if msg.lease.Token != "" && msg.sum.Revision == base && msg.sum.PendingExport == "" {
		// Nobody changed it: carry on with the working copy.
		m.w.Lease, m.w.ReadOnly, m.saveErr = msg.lease, "", nil
		m.c.Logger.Info("lease reclaimed", "encounter", id, "revision", base)
		return tea.Batch(m.renewTick(), m.save(), common.Say("the lease on %s had lapsed; it is yours again and your changes are being saved", id))
	}
	// The encounter moved on or is held elsewhere: show what the store
	// has and say what of the coder's work it does not.
	unsaved := strings.Join(m.w.Changes, "; ")
	why := reloadReason(msg, base, m.c.Coder)
	note := fmt.Sprintf("%s; reloaded %s revision %d", why, id, msg.sum.Revision)
	if unsaved != "" {
		note += "; NOT saved (kept in the audit log): " + unsaved
	}
	m.c.Logger.Warn("draft refused; encounter reloaded", "encounter", id, "base", base, "revision", msg.sum.Revision, "cause", msg.cause, "unsaved", unsaved)
	readOnly := ""
	switch {
	case msg.lease.Token == "":
		readOnly = why
	case msg.sum.PendingExport != "":
		readOnly = fmt.Sprintf("export %s is unfinished: ctrl+x finishes it", msg.sum.PendingExport)
	case msg.sum.Status == store.Exported:
		readOnly = fmt.Sprintf("exported as %s; billing has it", common.OrDash(msg.sum.ExportKey))
	}
	cmds := []tea.Cmd{m.opened(openedMsg{id: id, enc: msg.enc, sum: msg.sum, lease: msg.lease, readOnly: readOnly, note: note})}
	if unsaved != "" {
		cmds = append(cmds, m.logUnsaved(id, base, msg.sum.Revision, unsaved))
	}
	return tea.Batch(cmds...)
}

// reloadReason says in a few words why the working copy was replaced.
func reloadReason(msg reclaimedMsg, base int, coder string) string {
	var held *store.LeasedError
	switch {
	case errors.As(msg.held, &held):
		who := common.OneLine(held.Coder)
		if held.Coder == coder {
			who = "you, in another session,"
		}
		return fmt.Sprintf("read-only: %s took %s over (until %s)", who, msg.id, held.Until.Format("15:04"))
	case msg.held != nil:
		return "read-only: the lease could not be taken again (" + msg.held.Error() + ")"
	case msg.sum.Revision != base:
		by := ""
		var se *store.StaleError
		if errors.As(msg.cause, &se) && se.By != "" {
			by = " by " + common.OneLine(se.By)
		}
		return fmt.Sprintf("%s changed in another session (revision %d%s, yours was based on %d)", msg.id, msg.sum.Revision, by, base)
	}
	return "the lease on " + msg.id + " was lost"
}

// recordUnsaved logs the changes a closing session could not save.
func (m *Model) recordUnsaved(cause error) tea.Cmd {
	unsaved := strings.Join(m.w.Changes, "; ")
	if unsaved == "" || m.w.Enc == nil {
		return nil
	}
	m.c.Logger.Warn("draft refused while closing", "encounter", m.w.Enc.ID, "cause", cause, "unsaved", unsaved)
	return m.logUnsaved(m.w.Enc.ID, m.w.Enc.Revision, 0, unsaved)
}

// logUnsaved puts changes the store refused into the audit log, so the
// coder (or a supervisor) can redo them.
func (m *Model) logUnsaved(id string, base, now int, unsaved string) tea.Cmd {
	st, ctx, logger := m.c.Store, m.c.Ctx, m.c.Logger
	entry := store.AuditEntry{EncounterID: id, Coder: m.c.Coder, Revision: now, Action: "draft refused",
		Detail: fmt.Sprintf("not saved (based on revision %d): %s", base, unsaved)}
	return func() tea.Msg {
		if err := st.Log(context.WithoutCancel(ctx), entry); err != nil {
			logger.Error("audit log", "err", err, "detail", entry.Detail)
			return common.Status("audit log failed: "+err.Error(), true)
		}
		return nil
	}
}
