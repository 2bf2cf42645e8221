package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/encounter/queue"
	"codebench/tui/common"
	"codebench/tui/dialog"
)

// Export is one key: a confirmation shows the claim as it goes to the
// billing queue (and, on J, the exact JSON), then the encounter is saved,
// exported under the lease, and the next encounter opens.

type (
	exportDocMsg struct {
		doc []byte
		err error
	}
	exportedMsg struct {
		id       string
		rev      int
		key      string
		delivery queue.Delivery
		err      error
	}
)

// startExport opens the confirmation, or says why the encounter cannot go.
func (m *Model) startExport() tea.Cmd {
	w := m.w
	switch {
	case w.Enc == nil:
		return common.Fail(common.Refuse("open an encounter first"))
	case m.c.Exporter == nil:
		return common.Fail(common.Refuse("no billing queue is configured"))
	case w.ReadOnly != "" && w.Sum.PendingExport == "":
		return common.Fail(common.Refuse("read-only: %s", w.ReadOnly))
	case len(w.Enc.Diagnoses) == 0:
		return common.Fail(common.Refuse("nothing to export: the claim has no diagnosis"))
	}
	if n := w.Blocking(); n > 0 {
		verb := "blocks"
		if n > 1 {
			verb = "block"
		}
		keys := "5, o"
		if search, _ := m.coding.Typing(); search {
			keys = "esc 5 o" // 5 would be typed into the query
		}
		return common.Fail(common.Refuse("%d error%s %s the export: fix or override (%s) with a reason", n, common.Plural(n), verb, keys))
	}
	m.confirm = dialog.NewExport(&m.c, w.Enc, warnings(w.Edits))
	if m.saving || len(w.Changes) > 0 {
		m.confirm.NeedDoc = true // saved() fetches it once the draft is stored
		return m.save()
	}
	return m.fetchDoc()
}

// fetchDoc builds the export document of the saved revision.
func (m *Model) fetchDoc() tea.Cmd {
	if m.confirm == nil || m.w.Enc == nil {
		return nil
	}
	m.confirm.NeedDoc = false
	m.confirm.SetRevision(m.w.Enc.Revision)
	ex, ctx, id := m.c.Exporter, m.c.Ctx, m.w.Enc.ID
	return func() tea.Msg {
		doc, err := ex.Document(ctx, id)
		return exportDocMsg{doc: doc, err: err}
	}
}

// export publishes the saved revision.
func (m *Model) export() tea.Cmd {
	m.exportWanted = false
	if m.w.Enc == nil || m.confirm == nil {
		return nil
	}
	ex, lease, ctx := m.c.Exporter, m.w.Lease, m.c.Ctx
	id, rev := m.w.Enc.ID, m.w.Enc.Revision
	return func() tea.Msg {
		key, delivery, err := ex.Export(ctx, lease)
		return exportedMsg{id: id, rev: rev, key: key, delivery: delivery, err: err}
	}
}

func (m *Model) exported(msg exportedMsg) tea.Cmd {
	if msg.err != nil {
		if m.confirm != nil {
			m.confirm.Failed(msg.err)
		}
		m.c.Logger.Error("export failed", "encounter", msg.id, "err", msg.err)
		return common.Fail(fmt.Errorf("export of %s failed: %w", msg.id, msg.err))
	}
	m.confirm = nil
	m.w.ReadOnly = "exported"
	if msg.delivery == queue.Spooled {
		// Kept on this machine, forwarded when the queue server is back:
		// the coder must not read it as delivered.
		m.c.Logger.Warn("exported, spooled: not delivered yet", "encounter", msg.id, "revision", msg.rev, "key", msg.key)
		m.lastExport = msg.key + " (spooled, NOT delivered yet)"
		m.setStatus(fmt.Sprintf("%s revision %d spooled, NOT delivered: the billing queue server is unreachable; it is sent when it is back (%s); opening the next encounter", msg.id, msg.rev, msg.key), true)
		return m.close(closeNext)
	}
	m.c.Logger.Info("exported", "encounter", msg.id, "revision", msg.rev, "key", msg.key)
	m.lastExport = msg.key
	// Said now, not by a command that could land after the next
	// encounter's "opened" (which repeats the key).
	m.setStatus(fmt.Sprintf("exported %s revision %d to %s (%s); opening the next encounter", msg.id, msg.rev, m.c.Exporter.Destination(), msg.key), false)
	return m.close(closeNext)
}

// confirmed carries out the export the coder confirmed: the draft is
// saved first, then published.
func (m *Model) confirmed() tea.Cmd {
	if m.confirm == nil {
		return nil
	}
	m.exportWanted = true
	if cmd := m.save(); cmd != nil {
		return cmd // saved() exports once the draft is stored
	}
	if m.saving {
		return nil
	}
	return m.export()
}

func warnings(edits []encounter.Edit) int {
	n := 0
	for _, e := range edits {
		if e.Severity == encounter.Warning && e.Overridden == nil {
			n++
		}
	}
	return n
}
