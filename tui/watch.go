package tui

import (
	tea "charm.land/bubbletea/v2"

	"codebench/encounter/store"
)

// A store that announces changes (store.Watcher: PostgreSQL's
// LISTEN/NOTIFY across nodes, SQLite within one process) refreshes the
// worklist as soon as another session takes or releases a lease, saves or
// exports; the periodic refresh stays as the fallback.
type (
	// watchingMsg carries the subscription, once made.
	watchingMsg struct{ changes <-chan store.Change }
	// storeChangedMsg: one or more changes arrived.
	storeChangedMsg struct{ changes <-chan store.Change }
)

// watchStore subscribes for the session's life; nil when the store makes
// no announcements, or when periodic work is off (tests drive it).
func (m *Model) watchStore() tea.Cmd {
	w, ok := m.c.Store.(store.Watcher)
	if !ok || m.c.Timing.RefreshEvery < 0 {
		return nil
	}
	return m.subscribe(w)
}

func (m *Model) subscribe(w store.Watcher) tea.Cmd {
	ctx := m.c.Ctx
	return func() tea.Msg {
		ch, err := w.Watch(ctx)
		if err != nil {
			m.c.Logger.Warn("store announcements unavailable; the worklist refreshes periodically", "err", err)
			return nil
		}
		return watchingMsg{changes: ch}
	}
}

// nextChange waits for the next change, taking any that queued behind it
// along: one reload covers them all.
func nextChange(ch <-chan store.Change) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return storeChangedMsg{}
				}
			default:
				return storeChangedMsg{changes: ch}
			}
		}
	}
}

// onStoreChanged reloads the worklist if it is shown and waits on.
func (m *Model) onStoreChanged(msg storeChangedMsg) tea.Cmd {
	var cmds []tea.Cmd
	if msg.changes != nil {
		cmds = append(cmds, nextChange(msg.changes))
	}
	if m.screen == screenWorklist {
		cmds = append(cmds, m.worklist.Load())
	}
	return tea.Batch(cmds...)
}
