package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/work"
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
		id  string
		rev int
		key string
		err error
	}
)

type exportDialog struct {
	enc      *encounter.Encounter
	doc      []byte
	docErr   error
	needDoc  bool
	showJSON bool
	top      int
	busy     bool
	err      error
}

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
		return common.Fail(common.Refuse("%d error%s %s the export: fix or override (5, o) with a reason", n, common.Plural(n), verb))
	}
	m.confirm = &exportDialog{enc: work.Clone(w.Enc)}
	if m.saving || len(w.Changes) > 0 {
		m.confirm.needDoc = true // saved() fetches it once the draft is stored
		return m.save()
	}
	return m.fetchDoc()
}

// fetchDoc builds the export document of the saved revision.
func (m *Model) fetchDoc() tea.Cmd {
	if m.confirm == nil || m.w.Enc == nil {
		return nil
	}
	m.confirm.needDoc = false
	m.confirm.enc.Revision = m.w.Enc.Revision
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
		key, err := ex.Export(ctx, lease)
		return exportedMsg{id: id, rev: rev, key: key, err: err}
	}
}

func (m *Model) exported(msg exportedMsg) tea.Cmd {
	if msg.err != nil {
		if m.confirm != nil {
			m.confirm.busy, m.confirm.err = false, msg.err
		}
		m.c.Logger.Error("export failed", "encounter", msg.id, "err", msg.err)
		return common.Fail(fmt.Errorf("export of %s failed: %w", msg.id, msg.err))
	}
	m.confirm = nil
	m.c.Logger.Info("exported", "encounter", msg.id, "revision", msg.rev, "key", msg.key)
	m.lastExport = msg.key
	m.w.ReadOnly = "exported"
	// Said now, not by a command that could land after the next
	// encounter's "opened" (which repeats the key).
	m.status, m.statusErr = fmt.Sprintf("exported %s revision %d to %s (%s); opening the next encounter", msg.id, msg.rev, m.c.Exporter.Destination(), msg.key), false
	return m.close(closeNext)
}

func (m *Model) updateConfirm(km tea.KeyPressMsg) tea.Cmd {
	d := m.confirm
	k := m.c.KeyMap
	if d.busy {
		return nil // the export is running; it reports back
	}
	switch {
	case key.Matches(km, k.Cancel):
		m.confirm = nil
		return common.Say("export cancelled")
	case key.Matches(km, k.Confirm):
		if d.docErr != nil {
			return common.Fail(fmt.Errorf("the export document cannot be built: %w", d.docErr))
		}
		if d.doc == nil {
			return common.Say("the export document is still being built")
		}
		d.busy, d.err = true, nil
		m.exportWanted = true
		if cmd := m.save(); cmd != nil {
			return cmd // saved() exports once the draft is stored
		}
		if m.saving {
			return nil
		}
		return m.export()
	case key.Matches(km, k.ShowJSON):
		d.showJSON = !d.showJSON
		d.top = 0
	case key.Matches(km, k.Down):
		d.top++
	case key.Matches(km, k.Up):
		d.top = max(d.top-1, 0)
	case key.Matches(km, k.PageDown):
		d.top += 10
	case key.Matches(km, k.PageUp):
		d.top = max(d.top-10, 0)
	}
	return nil
}

// claimLines renders the claim as it goes out.
func (m *Model) claimLines(enc *encounter.Encounter, w int) []string {
	st := m.c.Styles
	var out []string
	p := enc.Patient
	out = append(out, common.Clip(fmt.Sprintf("%s · %s · born %s · service %s · POS %s · %s",
		common.OneLine(p.Name), common.OneLine(p.Sex), p.DateOfBirth, enc.Service.From, common.OrDash(common.OneLine(enc.PlaceOfService)), common.OneLine(enc.Provider.Name)), w))
	out = append(out, st.Bold.Render("Diagnoses (item 21)"))
	for i, d := range enc.Diagnoses {
		title := ""
		if m.c.Codes != nil {
			if c, ok := m.c.Codes.LookupIn(codesets.ICD10CM, d.Code); ok {
				title = common.FitTitle(c.Title(), c.Short, max(w-13, 8))
			}
		}
		out = append(out, common.Clip(fmt.Sprintf("  %s %-8s %s", common.Letter(i+1), codesets.Dotted(codesets.ICD10CM, common.OneLine(d.Code)), title), w))
	}
	out = append(out, st.Bold.Render("Service lines (item 24)"))
	if len(enc.Lines) == 0 {
		out = append(out, "  none")
	}
	for i, l := range enc.Lines {
		out = append(out, common.Clip(fmt.Sprintf("  %d %-6s mods %-11s units %-3d pointers %s", i+1, common.OneLine(l.Code), common.OrDash(common.OneLine(strings.Join(l.Modifiers, " "))), l.Units, common.OrDash(work.PointerLetters(l.Pointers, " "))), w))
	}
	if len(enc.Overrides) > 0 {
		out = append(out, st.Bold.Render("Overrides"))
		for _, o := range enc.Overrides {
			out = append(out, common.Clip(fmt.Sprintf("  %s on %s: %s (%s)", common.OneLine(o.Rule), targetName(common.OneLine(o.Target)), common.OneLine(o.Reason), common.OneLine(o.Coder)), w))
		}
	}
	return out
}

func (m *Model) confirmView(w, h int) string {
	d := m.confirm
	st := m.c.Styles
	bw := min(w-2, 100)
	inner := bw - 4
	var lines []string
	lines = append(lines, st.DialogTitle.Render(common.Clip(fmt.Sprintf("Export %s revision %d → %s", common.OneLine(d.enc.ID), d.enc.Revision, m.c.Exporter.Destination()), inner)))
	var body []string
	if d.showJSON {
		switch {
		case d.docErr != nil:
			body = []string{st.Error.Render(common.OneLine(d.docErr.Error()))}
		case d.doc == nil:
			body = []string{"building the export document…"}
		default:
			var buf bytes.Buffer
			if json.Indent(&buf, d.doc, "", "  ") != nil {
				buf.Reset()
				buf.Write(d.doc)
			}
			for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
				// oneLine drops leading spaces: keep the indentation.
				indent := len(l) - len(strings.TrimLeft(l, " "))
				body = append(body, common.Clip(strings.Repeat(" ", indent)+common.OneLine(l), inner))
			}
		}
	} else {
		body = m.claimLines(d.enc, inner)
		if n := warnings(m.w.Edits); n > 0 {
			body = append(body, st.Warning.Render(fmt.Sprintf("%d warning%s go with it (see the edits pane)", n, common.Plural(n))))
		}
		if d.docErr != nil {
			body = append(body, st.Error.Render(common.Clip("export document: "+common.OneLine(d.docErr.Error()), inner)))
		}
	}
	room := max(h-6, 3)
	d.top = min(d.top, max(len(body)-room, 0))
	end := min(d.top+room, len(body))
	lines = append(lines, body[d.top:end]...)
	switch {
	case d.busy:
		lines = append(lines, st.Bold.Render("exporting…"))
	case d.err != nil:
		lines = append(lines, st.Error.Render(common.Clip("failed: "+common.OneLine(d.err.Error()), inner)))
		lines = append(lines, "y retry · n/esc cancel · J JSON")
	default:
		more := ""
		if len(body) > room {
			more = " · ↑↓ scroll"
		}
		view := "J JSON"
		if d.showJSON {
			view = "J claim"
		}
		lines = append(lines, st.Bold.Render("y/enter export")+" · n/esc cancel · "+view+more)
	}
	return st.Dialog.Width(bw).Render(strings.Join(lines, "\n"))
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
