package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/tui/common"
	"codebench/tui/prefs"
	"codebench/tui/work"
	"codebench/tui/worklist"
)

// The life of an open encounter: lease and read it, autosave every change
// under the lease (one save at a time, in order), renew the lease while it
// is open, release it on close. Store calls run as commands; Update never
// waits on the database.

type (
	openedMsg struct {
		id       string
		enc      *encounter.Encounter
		sum      store.Summary
		lease    store.Lease
		readOnly string
		// ownSession: the coder's other session holds it (the refusal
		// offers the take-over).
		ownSession bool
		// note replaces the "opened" line (a reload says why).
		note string
		// said replaces the "opened" line (a reopen says what next).
		said string
		err  error
	}
	savedMsg struct {
		rev    int
		detail string
		err    error
	}
	renewTickMsg struct{ gen int }
	renewedMsg   struct {
		lease store.Lease
		err   error
	}
	releasedMsg struct {
		then closeAction
		id   string
		err  error
	}
	nextMsg struct {
		items []store.Summary
		id    string
		err   error
	}
	prefsMsg struct {
		p   prefs.Prefs
		err error
	}
)

// StopMsg ends a session cleanly (server shutdown, idle timeout): the draft
// is saved, the lease released, then the program quits.
type StopMsg struct{ Reason string }

// Stop is the message an SSH server sends to end a session.
func Stop(reason string) tea.Msg { return StopMsg{Reason: reason} }

type closeAction int

const (
	closeNone closeAction = iota
	closeToWorklist
	closeNext
	closeQuit
)

func (m *Model) openCmd(id string, takeOver bool) tea.Cmd {
	st, coder, ttl, ctx := m.c.Store, m.c.Coder, m.c.Timing.LeaseTTL, m.c.Ctx
	now := m.c.Now
	return func() tea.Msg {
		if st == nil {
			return openedMsg{id: id, err: errors.New("no work store")}
		}
		enc, sum, err := st.Get(ctx, id)
		if err != nil {
			return openedMsg{id: id, err: err}
		}
		if sum.Status == store.Exported {
			return openedMsg{id: id, enc: enc, sum: sum, readOnly: fmt.Sprintf("exported as %s; billing has it", common.OrDash(sum.ExportKey))}
		}
		acquire := st.Lease
		if takeOver {
			acquire = st.TakeOver // the coder asked: from their other session
		}
		lease, err := acquire(ctx, id, coder, ttl)
		var held *store.LeasedError
		if errors.As(err, &held) {
			until := held.Until.In(now().Location())
			if held.Coder == coder {
				return openedMsg{id: id, ownSession: true, err: common.Refuse("%s", worklist.OwnSessionText(id, until))}
			}
			return openedMsg{id: id, err: common.Refuse("%s is being coded by %s until %s; it opens when they close it or the lease ends", common.OneLine(id), common.OneLine(held.Coder), until.Format("15:04"))}
		}
		if err != nil {
			return openedMsg{id: id, err: err}
		}
		// Read again under the lease: the last saved draft is what we edit.
		enc, sum, err = st.Get(ctx, id)
		if err != nil {
			_ = st.Release(ctx, lease)
			return openedMsg{id: id, err: err}
		}
		// Leased, not yet in progress: the first change saved marks it
		// (SaveDraft), so a chart opened and left untouched, or opened by
		// itself after an export, stays to do.
		readOnly := ""
		if sum.PendingExport != "" {
			readOnly = fmt.Sprintf("export %s is unfinished: ctrl+x finishes it", sum.PendingExport)
		}
		return openedMsg{id: id, enc: enc, sum: sum, lease: lease, readOnly: readOnly}
	}
}

func (m *Model) opened(msg openedMsg) tea.Cmd {
	m.opening = ""
	if msg.err != nil {
		if msg.ownSession {
			m.worklist.OfferTakeOver(msg.id)
			return tea.Batch(common.Fail(msg.err), m.worklist.Load())
		}
		return tea.Batch(common.Fail(fmt.Errorf("cannot open %s: %w", msg.id, msg.err)), m.worklist.Load())
	}
	enc := msg.enc
	for i := range enc.Lines {
		if enc.Lines[i].Pointers == nil {
			enc.Lines[i].Pointers = []int{}
		}
	}
	*m.w = work.Work{Enc: enc, Sum: msg.sum, Lease: msg.lease, ReadOnly: msg.readOnly, Fees: m.c.Fees}
	// The data in use now (a server may have loaded an import since the
	// last encounter), then lookups, details and notes follow the
	// encounter's release.
	if m.current != nil {
		d := m.current()
		if d.Codes != nil {
			m.codes = d.Codes
		}
		if d.Searcher != nil {
			m.c.Searcher = d.Searcher
		}
		if d.Exporter != nil {
			m.c.Exporter = d.Exporter
		}
		if d.Validate != nil {
			m.c.Validate = d.Validate
		}
	}
	if m.codes != nil {
		m.c.Codes = m.codes
		if !enc.Service.From.IsZero() {
			m.c.Codes = m.codes.On(enc.Service.From.Time)
		}
	}
	m.w.Opened()
	m.w.Validate(m.c.Validate)
	m.saveErr, m.savedAt, m.closing, m.exportWanted = nil, time.Time{}, closeNone, false
	m.refused, m.forceClose = closeNone, false
	m.screen = screenCoding
	m.coding.Reset()
	cmds := []tea.Cmd{m.renewTick()}
	// After an export the next encounter opens at once: keep saying where
	// the last one went, first, so the coder sees the export landed.
	done := ""
	if m.lastExport != "" {
		done = "exported " + m.lastExport + " · "
		m.lastExport = ""
	}
	if msg.note != "" {
		cmds = append(cmds, common.Fail(errors.New(msg.note)))
	} else if msg.said != "" {
		cmds = append(cmds, common.Say("%s", msg.said))
	} else if msg.readOnly != "" {
		cmds = append(cmds, common.Say("%sopened %s read-only: %s", done, enc.ID, msg.readOnly))
	} else {
		cmds = append(cmds, common.Say("%sopened %s (revision %d); changes save as you go", done, enc.ID, enc.Revision))
	}
	return tea.Batch(cmds...)
}

func (m *Model) renewTick() tea.Cmd {
	if m.c.Timing.RenewEvery < 0 || m.w.Lease.Token == "" {
		return nil
	}
	m.renewGen++
	gen := m.renewGen
	return tea.Tick(m.c.Timing.RenewEvery, func(time.Time) tea.Msg { return renewTickMsg{gen: gen} })
}

func (m *Model) renew() tea.Cmd {
	if m.w.Enc == nil || m.w.Lease.Token == "" {
		return nil
	}
	st, lease, ttl, ctx := m.c.Store, m.w.Lease, m.c.Timing.LeaseTTL, m.c.Ctx
	return func() tea.Msg {
		l, err := st.Renew(ctx, lease, ttl)
		return renewedMsg{lease: l, err: err}
	}
}

func (m *Model) renewed(msg renewedMsg) tea.Cmd {
	if m.w.Enc == nil {
		return nil
	}
	if msg.err != nil {
		m.c.Logger.Warn("lease renewal failed", "encounter", m.w.Enc.ID, "err", msg.err)
		if errors.Is(msg.err, store.ErrLeaseLost) {
			return m.reclaim(msg.err)
		}
		m.w.ReadOnly = "the lease could not be renewed (" + msg.err.Error() + "); reopen the encounter to continue"
		return common.Fail(fmt.Errorf("lease on %s not renewed: %w; unsaved changes: %s", m.w.Enc.ID, msg.err, common.OrNone(strings.Join(m.w.Changes, "; "))))
	}
	m.w.Lease = msg.lease
	return m.renewTick()
}

// save starts saving the pending changes, unless a save is running (it
// chains the next when it finishes, so saves land in order).
func (m *Model) save() tea.Cmd {
	// Read-only (reloading after a refusal, lease lost): the store would
	// refuse the save; the pending changes stay listed.
	if m.saving || len(m.w.Changes) == 0 || m.w.Enc == nil || m.w.Lease.Token == "" || m.w.ReadOnly != "" || m.c.Store == nil {
		return nil
	}
	m.saving = true
	m.w.Enc.CoderID = m.c.Coder // the claim names who coded it last
	enc := work.Clone(m.w.Enc)
	detail := strings.Join(m.w.Changes, "; ")
	// The store describes what changed (codes, lines, overrides with their
	// reasons) from the data itself; the draft entry only says why when
	// the data cannot: an undo.
	why := ""
	for _, c := range m.w.Changes {
		if strings.HasPrefix(c, "undo: ") {
			why = "undo"
		}
	}
	m.w.Changes = nil
	st, lease, ctx, base := m.c.Store, m.w.Lease, m.c.Ctx, enc.Revision
	return func() tea.Msg {
		err := st.SaveDraft(ctx, lease, base, enc, why)
		return savedMsg{rev: enc.Revision, detail: detail, err: err}
	}
}

func (m *Model) saved(msg savedMsg) tea.Cmd {
	m.saving = false
	if m.w.Enc == nil {
		return nil
	}
	var cmds []tea.Cmd
	if msg.err != nil {
		// Keep the change description for the next attempt; the working
		// copy still has the change itself.
		m.w.Changes = append([]string{msg.detail}, m.w.Changes...)
		m.saveErr = msg.err
		m.c.Logger.Error("draft not saved", "encounter", m.w.Enc.ID, "err", msg.err)
		refused := errors.Is(msg.err, store.ErrLeaseLost) || errors.Is(msg.err, store.ErrStale)
		switch {
		case refused && m.closing != closeNone && m.forceClose:
			// Closing regardless (shutdown): the audit log keeps what
			// could not be saved.
			cmds = append(cmds, m.recordUnsaved(msg.err))
		case refused:
			// Another session moved in: reload, never overwrite its work.
			m.closing, m.exportWanted = closeNone, false
			return m.reclaim(msg.err)
		}
		cmds = append(cmds, common.Fail(fmt.Errorf("draft not saved: %w", msg.err)))
		if m.closing != closeNone && !m.forceClose {
			m.closing = closeNone
			m.exportWanted = false
			cmds = append(cmds, common.Fail(fmt.Errorf("draft not saved (%v): not closing; ctrl+c twice quits without saving", msg.err)))
			return tea.Batch(cmds...)
		}
	} else {
		m.w.Enc.Revision = msg.rev
		if m.w.Sum.Status == store.New || m.w.Sum.Status == store.Rejected {
			m.w.Sum.Status = store.InProgress // a saved draft is in progress
		}
		m.saveErr = nil
		m.savedAt = m.c.Now()
		if m.w.ReadOnly == "" {
			cmds = append(cmds, m.save())
		}
	}
	if !m.saving {
		switch {
		case m.closing != closeNone:
			cmds = append(cmds, m.release(m.closing))
		case m.exportWanted && msg.err == nil && len(m.w.Changes) == 0:
			cmds = append(cmds, m.export())
		case m.confirm != nil && m.confirm.NeedDoc && len(m.w.Changes) == 0:
			cmds = append(cmds, m.fetchDoc())
		}
	}
	return tea.Batch(cmds...)
}

// close saves what is pending, releases the lease and then goes on.
func (m *Model) close(then closeAction) tea.Cmd {
	if m.w.Enc == nil {
		return m.after(then, "")
	}
	m.closing = then
	if cmd := m.save(); cmd != nil {
		return cmd
	}
	if m.saving {
		return nil // saved() continues
	}
	if len(m.w.Changes) > 0 && !m.forceClose && m.w.Lease.Token != "" {
		m.closing = closeNone
		return common.Fail(fmt.Errorf("changes not saved (%s): ctrl+c twice quits without saving", common.OrNone(strings.Join(m.w.Changes, "; "))))
	}
	return m.release(then)
}

func (m *Model) release(then closeAction) tea.Cmd {
	id := ""
	if m.w.Enc != nil {
		id = m.w.Enc.ID
	}
	if m.w.Lease.Token == "" || m.c.Store == nil {
		return func() tea.Msg { return releasedMsg{then: then, id: id} }
	}
	st, lease, ctx := m.c.Store, m.w.Lease, m.c.Ctx
	return func() tea.Msg {
		return releasedMsg{then: then, id: id, err: st.Release(ctx, lease)}
	}
}

func (m *Model) released(msg releasedMsg) tea.Cmd {
	if msg.err != nil {
		m.c.Logger.Warn("lease release", "encounter", msg.id, "err", msg.err)
	}
	*m.w = work.Work{}
	m.closing = closeNone
	m.renewGen++ // stop renewing
	m.coding.Closed()
	return m.after(msg.then, msg.id)
}

// after goes where a close was heading.
func (m *Model) after(then closeAction, id string) tea.Cmd {
	switch then {
	case closeQuit:
		m.quitting = true
		return tea.Quit
	case closeNext:
		m.screen = screenWorklist
		return m.nextCmd(id)
	default:
		m.screen = screenWorklist
		return tea.Batch(m.worklist.Load(), m.worklist.Tick())
	}
}

// nextCmd finds the next encounter to code after id: the next one in
// worklist order that is new, in progress or rejected and not open in
// another session.
func (m *Model) nextCmd(after string) tea.Cmd {
	st, ctx, now := m.c.Store, m.c.Ctx, m.c.Now
	return func() tea.Msg {
		items, err := st.List(ctx)
		if err != nil {
			return nextMsg{err: err}
		}
		start := 0
		for i, s := range items {
			if s.ID == after {
				start = i + 1
			}
		}
		for k := 0; k < len(items); k++ {
			s := items[(start+k)%len(items)]
			if s.ID == after {
				continue
			}
			held := s.LeasedBy != "" && s.LeaseUntil.After(now()) // any session's, this coder's other ones too
			if (s.Status == store.New || s.Status == store.InProgress || s.Status == store.Rejected) && !held {
				return nextMsg{items: items, id: s.ID}
			}
		}
		return nextMsg{items: items}
	}
}

func (m *Model) loadPrefs() tea.Cmd {
	ps, coder := m.c.Prefs, m.c.Coder
	return func() tea.Msg {
		p, err := ps.Load(coder)
		return prefsMsg{p: p, err: err}
	}
}
