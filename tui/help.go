package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
)

// The status line shows the focused pane's keys and the global ones; "?"
// shows every key of every pane.

func (m *Model) globalKeys() []key.Binding {
	k := m.c.KeyMap
	if m.screen == screenWorklist {
		return []key.Binding{k.Help, key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))}
	}
	return []key.Binding{k.NextPane, k.Search, k.Export, k.Help, k.Close}
}

func (m *Model) shortHelp(W int) string {
	// "?" first: whatever does not fit, the coder can look up.
	bs := []key.Binding{m.c.KeyMap.Help}
	if m.screen == screenWorklist {
		bs = append(bs, m.worklist.ShortHelp()...)
	} else {
		bs = append(bs, m.panes[m.focus].ShortHelp()...)
	}
	bs = append(bs, m.globalKeys()...)
	st := m.c.Styles
	var b strings.Builder
	width := 0
	seen := map[string]bool{}
	for _, k := range bs {
		if !k.Enabled() || seen[k.Help().Key] {
			continue
		}
		seen[k.Help().Key] = true
		h := k.Help()
		item := h.Key + " " + h.Desc
		sep := 0
		if width > 0 {
			sep = 3
		}
		if width+sep+len([]rune(item))+1 > W {
			break
		}
		if sep > 0 {
			b.WriteString(st.HelpSep.Render(" · "))
		}
		b.WriteString(st.HelpKey.Render(h.Key) + " " + st.HelpDesc.Render(h.Desc))
		width += sep + len([]rune(item))
	}
	return fit(" "+b.String(), W)
}

type helpGroup struct {
	name string
	keys []key.Binding
}

func (m *Model) helpGroups() []helpGroup {
	k := m.c.KeyMap
	flat := func(g [][]key.Binding) []key.Binding {
		var out []key.Binding
		for _, x := range g {
			out = append(out, x...)
		}
		return out
	}
	return []helpGroup{
		{"Everywhere", []key.Binding{k.Quit, k.Help, k.NextPane, k.PrevPane, k.FocusPane, k.Search, k.Export, k.Zoom, k.Close}},
		{"Worklist", []key.Binding{k.Open, k.Refresh, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		{"1 Documentation", flat(m.doc.FullHelp())},
		{"2 Search", flat(m.search.FullHelp())},
		{"3 Detail", append(flat(m.detail.FullHelp()), key.NewBinding(key.WithKeys("A"), key.WithHelp("A-Z 0-9", "7th character")))},
		{"4 Claim", flat(m.claim.FullHelp())},
		{"5 Edits", flat(m.edits.FullHelp())},
		{"Export confirmation", []key.Binding{k.Confirm, k.Cancel, k.ShowJSON}},
		{"Markers", []key.Binding{
			key.NewBinding(key.WithKeys("●"), key.WithHelp("●", "billable code")),
			key.NewBinding(key.WithKeys("○"), key.WithHelp("○", "header, not billable")),
			key.NewBinding(key.WithKeys("★"), key.WithHelp("★ ↺", "favourite, recent")),
			key.NewBinding(key.WithKeys("¶"), key.WithHelp("¶", "diagnosis has evidence")),
			key.NewBinding(key.WithKeys("E"), key.WithHelp("E W i ✓", "edit severity")),
		}},
	}
}

// helpView lays every group out in columns, scrolled by helpTop.
func (m *Model) helpView(W, H int) string {
	st := m.c.Styles
	colW := 38
	if W < 3*colW+2 {
		colW = max((W-2)/3, 24)
	}
	cols := max(W/colW, 1)
	var items []string
	for _, g := range m.helpGroups() {
		if len(items) > 0 {
			items = append(items, "")
		}
		items = append(items, st.HelpGroup.Render(g.name))
		seen := map[string]bool{}
		for _, b := range g.keys {
			h := b.Help()
			if seen[h.Key+h.Desc] {
				continue
			}
			seen[h.Key+h.Desc] = true
			keyW := 10
			items = append(items, st.HelpKey.Render(fmt.Sprintf("%-*s", keyW, clip(h.Key, keyW)))+" "+st.HelpDesc.Render(clip(h.Desc, colW-keyW-2)))
		}
	}
	rows := H - 1
	perCol := (len(items) + cols - 1) / cols
	if perCol > rows {
		perCol = rows
	}
	pages := (len(items) + perCol*cols - 1) / (perCol * cols)
	m.helpTop = min(m.helpTop, max(len(items)-perCol*cols, 0))
	start := m.helpTop
	out := []string{paneTitle(st, fmt.Sprintf(" All keys  (? or esc closes%s)", map[bool]string{true: ", ↑↓ scroll", false: ""}[pages > 1]), W, true)}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for c := 0; c < cols; c++ {
			i := start + c*perCol + r
			if r >= perCol || i >= len(items) {
				b.WriteString(strings.Repeat(" ", colW))
				continue
			}
			b.WriteString(fit(" "+items[i], colW))
		}
		out = append(out, b.String())
	}
	return block(out, W, H)
}
