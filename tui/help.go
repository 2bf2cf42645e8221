package tui

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"codebench/tui/common"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
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
	sc := &m.helpScratch // reused: this runs for every frame
	bs := append(sc.bindings[:0], m.c.KeyMap.Help)
	if m.screen == screenWorklist {
		bs = append(bs, m.worklist.ShortHelp()...)
	} else {
		bs = append(bs, m.coding.ShortHelp()...)
	}
	bs = append(bs, m.globalKeys()...)
	items, plain := sc.items[:0], sc.plain[:0] // plain: the items, to know whether they changed
	width := 0
	for _, k := range bs {
		h := k.Help()
		if !k.Enabled() || slices.ContainsFunc(items, func(x key.Help) bool { return x.Key == h.Key }) {
			continue
		}
		sep := 0
		if width > 0 {
			sep = 3
		}
		w := utf8.RuneCountInString(h.Key) + 1 + utf8.RuneCountInString(h.Desc)
		if width+sep+w+1 > W {
			break
		}
		items = append(items, h)
		width += sep + w
		plain = append(append(append(append(plain, h.Key...), 0), h.Desc...), 0)
	}
	sc.bindings, sc.items, sc.plain = bs, items, plain
	c := &m.helpLine
	if prev, ok := c.key.(string); ok && c.line != "" && c.styles == m.c.Styles.Gen && c.width == W && prev == string(plain) {
		return c.line // the common case, without a copy of plain
	}
	return c.get(m.c.Styles.Gen, W, string(plain), func() string {
		st := m.c.Styles
		var b strings.Builder
		for i, h := range items {
			if i > 0 {
				b.WriteString(st.HelpSep.Render(" · "))
			}
			b.WriteString(st.HelpKey.Render(h.Key) + " " + st.HelpDesc.Render(h.Desc))
		}
		return common.Fit(" "+b.String(), W)
	})
}

// helpScratch holds the keys line's working slices between frames.
type helpScratch struct {
	bindings []key.Binding
	items    []key.Help
	plain    []byte
}

// lineCache keeps a styled line with what it was drawn from (a
// comparable key: its plain text, or its parts): the header and the keys
// line change far less often than frames are drawn.
type lineCache struct {
	styles uint64
	width  int
	key    any
	line   string
}

func (c *lineCache) get(styles uint64, width int, key any, draw func() string) string {
	if c.line != "" && c.styles == styles && c.width == width && c.key == key {
		return c.line
	}
	c.styles, c.width, c.key, c.line = styles, width, key, draw()
	return c.line
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
	groups := []helpGroup{
		{"Everywhere", []key.Binding{k.Quit, k.Help, k.NextPane, k.PrevPane, k.FocusPane, k.Search, k.Export, k.Undo, k.Zoom, k.Close, k.Reopen}},
		{"Worklist", append(flat(m.worklist.FullHelp()), key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")))},
	}
	for _, g := range m.coding.HelpGroups() {
		groups = append(groups, helpGroup{g.Name, g.Keys})
	}
	return append(groups, []helpGroup{
		{"Export confirmation", []key.Binding{k.Confirm, k.Cancel, k.ShowJSON}},
		{"Markers", []key.Binding{
			key.NewBinding(key.WithKeys("●"), key.WithHelp("●", "billable code")),
			key.NewBinding(key.WithKeys("○"), key.WithHelp("○", "header, not billable")),
			key.NewBinding(key.WithKeys("★"), key.WithHelp("★ ↺", "favourite, recent")),
			key.NewBinding(key.WithKeys("¶"), key.WithHelp("¶", "diagnosis has evidence")),
			key.NewBinding(key.WithKeys("E"), key.WithHelp("E W i ✓", "edit severity")),
		}},
	}...)
}

// helpView lays every group out in columns as wide as the longest entry
// (so nothing is cut), filled top to bottom; the columns scroll together
// by helpTop rows, so an entry never jumps from one column to another.
func (m *Model) helpView(W, H int) string {
	st := m.c.Styles
	type entry struct{ key, desc string }
	var groups [][]*entry // a group: heading (desc "") then its keys
	keyW, descW := 0, 0
	for _, g := range m.helpGroups() {
		grp := []*entry{{key: g.name}}
		seen := map[string]bool{}
		for _, b := range g.keys {
			h := b.Help()
			if seen[h.Key+h.Desc] {
				continue
			}
			seen[h.Key+h.Desc] = true
			grp = append(grp, &entry{h.Key, h.Desc})
			keyW = max(keyW, ansi.StringWidth(h.Key))
			descW = max(descW, ansi.StringWidth(h.Desc))
		}
		groups = append(groups, grp)
	}
	colW := 1 + keyW + 1 + descW + 1
	cols := max(min(W/colW, 4), 1)
	if cols == 1 {
		colW = W
	} else {
		colW = W / cols
	}
	// Whole groups go to columns of about equal height, a blank line
	// between groups.
	total := 0
	for _, g := range groups {
		total += len(g) + 1
	}
	target := (total + cols - 1) / cols
	columns := make([][]*entry, cols)
	c := 0
	for _, g := range groups {
		if c < cols-1 && len(columns[c]) > 0 && len(columns[c])+len(g) > target {
			c++
		}
		if len(columns[c]) > 0 {
			columns[c] = append(columns[c], nil)
		}
		columns[c] = append(columns[c], g...)
	}
	perCol := 0
	for _, col := range columns {
		perCol = max(perCol, len(col))
	}
	rows := H - 1
	m.helpTop = max(min(m.helpTop, perCol-rows), 0)
	more := ""
	if perCol > rows {
		more = fmt.Sprintf(", ↑↓ pgup pgdn scroll %d/%d", m.helpTop+1, perCol-rows+1)
	}
	out := []string{common.PaneTitle(st, " All keys  (? or esc closes"+more+")", W, true)}
	for r := m.helpTop; r < m.helpTop+rows; r++ {
		var b strings.Builder
		for _, col := range columns {
			cell := ""
			if r < len(col) && col[r] != nil {
				e := col[r]
				if e.desc == "" {
					cell = " " + st.HelpGroup.Render(e.key)
				} else {
					cell = " " + st.HelpKey.Render(fmt.Sprintf("%-*s", keyW, e.key)) + " " + st.HelpDesc.Render(common.Clip(e.desc, max(colW-keyW-3, 1)))
				}
			}
			b.WriteString(common.Fit(cell, colW))
		}
		out = append(out, b.String())
	}
	return common.Block(out, W, H)
}
