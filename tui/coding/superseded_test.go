package coding

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"codebench/tui/prefs"
	"codebench/tui/work"
)

// A key typed before the debounce ran out overtakes the earlier key's
// tick and any search it started: those change nothing on screen, so the
// root model skips drawing the frame again for them.
func TestSearchMessagesOvertakenByALaterKeyAreSuperseded(t *testing.T) {
	s := New(testCommon(), &work.Work{}, &prefs.Prefs{})
	s.search.input.SetValue("diab")
	s.search.schedule()
	first := s.search.seq
	s.search.input.SetValue("diabe")
	s.search.schedule()
	latest := s.search.seq
	for _, c := range []struct {
		name string
		msg  tea.Msg
		want bool
	}{
		{"the earlier key's tick", searchTickMsg{seq: first}, true},
		{"the earlier key's results", searchResultMsg{seq: first, query: "diab"}, true},
		{"the latest key's tick", searchTickMsg{seq: latest}, false},
		{"the latest key's results", searchResultMsg{seq: latest, query: "diabe"}, false},
		{"a key", tea.KeyPressMsg{Code: 'x', Text: "x"}, false},
	} {
		if got := s.Superseded(c.msg); got != c.want {
			t.Errorf("Superseded(%s) = %v, want %v", c.name, got, c.want)
		}
	}
	// Dropping it changes nothing: the pane still waits for the latest.
	before := s.View()
	s.Update(searchTickMsg{seq: first})
	if after := s.View(); after != before {
		t.Errorf("a superseded tick changed the screen:\n%s\n---\n%s", before, after)
	}
}
