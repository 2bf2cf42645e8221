// Package dialog holds the workbench's modal dialogs: the export
// confirmation, drawn over the coding screen. A dialog owns its keys and
// its view; what the coder decides comes back to the root as a message
// (ConfirmMsg, CancelMsg), which the root carries out.
package dialog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/tui/common"
	"codebench/tui/work"
)

type (
	// ConfirmMsg: the coder confirmed the export.
	ConfirmMsg struct{}
	// CancelMsg: the coder cancelled it.
	CancelMsg struct{}
)

// Export is the export confirmation: the claim as it goes to the billing
// queue and, on J, the exact JSON that will be published.
type Export struct {
	c        *common.Common
	enc      *encounter.Encounter
	warnings int

	doc    []byte
	docErr error
	// NeedDoc: the document is built once the pending draft is saved.
	NeedDoc  bool
	showJSON bool
	top      int
	busy     bool
	err      error
}

// NewExport shows enc as it goes out; warnings is how many warnings go
// with it.
func NewExport(c *common.Common, enc *encounter.Encounter, warnings int) *Export {
	return &Export{c: c, enc: work.Clone(enc), warnings: warnings}
}

// SetRevision names the saved revision the document is built from.
func (d *Export) SetRevision(rev int) { d.enc.Revision = rev }

// SetDoc hands over the export document, or why it could not be built.
func (d *Export) SetDoc(doc []byte, err error) { d.doc, d.docErr = doc, err }

// Busy tells whether the export is running.
func (d *Export) Busy() bool { return d.busy }

// Failed shows why the export failed; the coder may retry or cancel.
func (d *Export) Failed(err error) { d.busy, d.err = false, err }

// Update handles a key: y/enter confirms, n/esc cancels, J shows the JSON,
// the arrows scroll.
func (d *Export) Update(km tea.KeyPressMsg) tea.Cmd {
	k := d.c.KeyMap
	if d.busy {
		return nil // the export is running; it reports back
	}
	switch {
	case key.Matches(km, k.Cancel):
		return func() tea.Msg { return CancelMsg{} }
	case key.Matches(km, k.Confirm):
		if d.docErr != nil {
			return common.Fail(fmt.Errorf("the export document cannot be built: %w", d.docErr))
		}
		if d.doc == nil {
			return common.Say("the export document is still being built")
		}
		d.busy, d.err = true, nil
		return func() tea.Msg { return ConfirmMsg{} }
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
func (d *Export) claimLines(w int) []string {
	st, enc := d.c.Styles, d.enc
	var out []string
	p := enc.Patient
	out = append(out, common.Clip(fmt.Sprintf("%s · %s · born %s · service %s · POS %s · %s",
		common.OneLine(p.Name), common.OneLine(p.Sex), p.DateOfBirth, enc.Service.From, common.OrDash(common.OneLine(enc.PlaceOfService)), common.OneLine(enc.Provider.Name)), w))
	out = append(out, st.Bold.Render("Diagnoses (item 21)"))
	for i, dx := range enc.Diagnoses {
		title := ""
		if d.c.Codes != nil {
			if c, ok := d.c.Codes.LookupIn(codesets.ICD10CM, dx.Code); ok {
				title = common.FitTitle(c.Title(), c.Short, max(w-13, 8))
			}
		}
		out = append(out, common.Clip(fmt.Sprintf("  %s %-8s %s", common.Letter(i+1), codesets.Dotted(codesets.ICD10CM, common.OneLine(dx.Code)), title), w))
	}
	out = append(out, st.Bold.Render("Service lines (item 24)"))
	if len(enc.Lines) == 0 {
		out = append(out, "  none")
	}
	var total int64
	for i, l := range enc.Lines {
		charge := ""
		if l.Charge != 0 {
			charge = " " + work.Money(l.Charge)
			total += l.Charge
		}
		out = append(out, common.Clip(fmt.Sprintf("  %d %-6s mods %-11s units %-3d pointers %-7s%s", i+1, common.OneLine(l.Code), common.OrDash(common.OneLine(strings.Join(l.Modifiers, " "))), l.Units, common.OrDash(work.PointerLetters(l.Pointers, " ")), charge), w))
	}
	if total != 0 {
		out = append(out, common.Clip("  total charges "+work.Money(total), w))
	}
	if len(enc.Overrides) > 0 {
		out = append(out, st.Bold.Render("Overrides"))
		for _, o := range enc.Overrides {
			out = append(out, common.Clip(fmt.Sprintf("  %s on %s: %s (%s)", common.OneLine(o.Rule), common.TargetName(common.OneLine(o.Target)), common.OneLine(o.Reason), common.OneLine(o.Coder)), w))
		}
	}
	return out
}

// width is the dialog's width on a w-column screen: the whole width of a
// narrow screen (a column of the pane behind on either side reads as
// stray characters), at most 100 on a wide one.
func width(w int) int {
	if w < 104 {
		return w
	}
	return 100
}

// View draws the dialog for a w x h body.
func (d *Export) View(w, h int) string {
	st := d.c.Styles
	bw := width(w)
	inner := max(bw-st.Dialog.GetHorizontalFrameSize(), 10)
	var lines []string
	lines = append(lines, st.DialogTitle.Render(common.Clip(fmt.Sprintf("Export %s revision %d → %s", common.OneLine(d.enc.ID), d.enc.Revision, d.c.Exporter.Destination()), inner)))
	var body []string
	if d.showJSON {
		switch {
		case d.docErr != nil:
			body = []string{st.Error.Render(common.Clip(common.OneLine(d.docErr.Error()), inner))}
		case d.doc == nil:
			body = []string{"building the export document…"}
		default:
			var buf bytes.Buffer
			if json.Indent(&buf, d.doc, "", "  ") != nil {
				buf.Reset()
				buf.Write(d.doc)
			}
			for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
				// OneLine drops leading spaces: keep the indentation.
				indent := len(l) - len(strings.TrimLeft(l, " "))
				body = append(body, common.Clip(strings.Repeat(" ", indent)+common.OneLine(l), inner))
			}
		}
	} else {
		body = d.claimLines(inner)
		if n := d.warnings; n > 0 {
			body = append(body, st.Warning.Render(fmt.Sprintf("%d warning%s go with it (see the edits pane)", n, common.Plural(n))))
		}
		if d.docErr != nil {
			body = append(body, st.Error.Render(common.Clip("export document: "+common.OneLine(d.docErr.Error()), inner)))
		}
	}
	room := max(h-st.Dialog.GetVerticalFrameSize()-2, 3)
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
	for i, l := range lines {
		lines[i] = common.Fit(l, inner) // every row as wide as the box
	}
	return st.Dialog.Render(strings.Join(lines, "\n"))
}

// Overlay draws a dialog centred over the body, W x H cells.
func Overlay(base, dialog string, W, H int) string {
	dw, dh := lipgloss.Size(dialog)
	x, y := max((W-dw)/2, 0), max((H-dh)/2, 0)
	c := lipgloss.NewCompositor(lipgloss.NewLayer(base), lipgloss.NewLayer(dialog).X(x).Y(y).Z(1))
	out := strings.Split(c.Render(), "\n")
	for len(out) < H {
		out = append(out, "")
	}
	for i := range out {
		out[i] = common.Fit(out[i], W)
	}
	return strings.Join(out[:H], "\n")
}
