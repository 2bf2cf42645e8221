package dialog

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"codebench/encounter"
	"codebench/tui/common"
)

// ReopenMsg: the coder asked to reopen the exported claim as a
// replacement (frequency 7) or a void (8) of the payer's claim.
type ReopenMsg struct {
	Frequency           string
	OriginalClaimNumber string
	Reason              string
}

// Reopen asks how to reopen an exported claim: r replacement or v void,
// then the payer's claim number (ICN) and the reason, enter after each;
// esc cancels.
type Reopen struct {
	c         *common.Common
	id, key   string
	frequency string // "" until r or v
	step      int    // 0 kind, 1 claim number, 2 reason
	number    textinput.Model
	reason    textinput.Model
}

// NewReopen asks how to reopen encounter id, exported as key.
func NewReopen(c *common.Common, id, key string) *Reopen {
	mk := func(prompt, placeholder string, limit int) textinput.Model {
		in := textinput.New()
		in.Prompt, in.Placeholder, in.CharLimit = prompt, placeholder, limit
		in.SetStyles(c.InputStyles())
		return in
	}
	return &Reopen{c: c, id: id, key: key,
		number: mk("payer claim number: ", "the ICN/DCN on the remittance", 50),
		reason: mk("reason: ", "what the correction is", 500)}
}

// Typing tells whether an input has the keys.
func (d *Reopen) Typing() bool { return d.step > 0 }

// Update handles a key.
func (d *Reopen) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if d.step > 0 {
			return d.feed(msg)
		}
		return nil
	}
	if km.String() == "esc" {
		return func() tea.Msg { return CancelMsg{} }
	}
	accept := key.Matches(km, d.c.KeyMap.Accept)
	switch d.step {
	case 0:
		switch strings.ToLower(km.Text) {
		case "r", "7":
			d.frequency = encounter.FrequencyReplacement
		case "v", "8":
			d.frequency = encounter.FrequencyVoid
		default:
			return common.Say("r replacement (7) or v void (8); esc cancels")
		}
		d.step = 1
		d.number.Focus()
		return nil
	case 1:
		if !accept {
			return d.feed(km)
		}
		if !encounter.ValidReference(strings.TrimSpace(d.number.Value())) {
			return common.Fail(common.Refuse("the payer's claim number: letters, digits, spaces or '-', as on the remittance"))
		}
		d.step = 2
		d.number.Blur()
		d.reason.Focus()
		return nil
	}
	if !accept {
		return d.feed(km)
	}
	if len(strings.TrimSpace(d.reason.Value())) < 3 {
		return common.Fail(common.Refuse("a correction needs its reason (at least 3 characters)"))
	}
	m := ReopenMsg{Frequency: d.frequency, OriginalClaimNumber: strings.TrimSpace(d.number.Value()), Reason: common.OneLine(d.reason.Value())}
	return func() tea.Msg { return m }
}

func (d *Reopen) feed(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if d.step == 1 {
		d.number, cmd = d.number.Update(msg)
	} else {
		d.reason, cmd = d.reason.Update(msg)
	}
	return cmd
}

// View draws the dialog for a w x h body.
func (d *Reopen) View(w, h int) string {
	st := d.c.Styles
	inner := max(width(w)-st.Dialog.GetHorizontalFrameSize(), 10)
	d.number.SetWidth(max(inner-22, 4))
	d.reason.SetWidth(max(inner-10, 4))
	kind := "r replacement (frequency 7: the corrected claim replaces it) · v void (8: it is withdrawn)"
	switch d.frequency {
	case encounter.FrequencyReplacement:
		kind = "replacement (frequency 7): correct the claim, then export it"
	case encounter.FrequencyVoid:
		kind = "void (frequency 8): export it as it is"
	}
	lines := []string{
		st.DialogTitle.Render(common.Clip(fmt.Sprintf("Reopen %s, exported as %s", common.OneLine(d.id), common.OneLine(d.key)), inner)),
		common.Clip(kind, inner),
	}
	if d.step >= 1 {
		lines = append(lines, d.number.View())
	}
	if d.step >= 2 {
		lines = append(lines, d.reason.View())
	}
	lines = append(lines, st.Bold.Render("enter next")+" · esc cancel")
	for i, l := range lines {
		lines[i] = common.Fit(l, inner)
	}
	return st.Dialog.Render(strings.Join(lines, "\n"))
}
