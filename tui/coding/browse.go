package coding

import (
	tea "charm.land/bubbletea/v2"

	"codebench/codesets"
	"codebench/codesets/icdtables"
	"codebench/tui/browse"
	"codebench/tui/common"
)

// The browsers of tui/browse on the coding screen: t in the detail pane
// shows the Tabular List around its code (the pane zoomed while it is
// open); ctrl+b shows the Index's Neoplasm and Drug tables over the panes.
// Both check every code against the release of the encounter's date of
// service, and a pick there is a pick as from the search.

// browseCodes are the code sets the browsers check codes against.
func (s *Screen) browseCodes() browse.Codes {
	c := browse.Codes{All: s.c.Codes, DOS: s.c.Codes}
	if s.w.Enc != nil {
		c.Date = s.w.Enc.Service.From.String()
	}
	return c
}

// tabular tells whether the pane's code has a Tabular List to browse.
func (p *detailPane) tabular() bool {
	return p.code != nil && p.edit == nil && p.code.System == codesets.ICD10CM
}

// openTabular shows the Tabular List around the pane's code, zoomed.
func (s *Screen) openTabular() tea.Cmd {
	if !s.detail.tabular() {
		return common.Fail(common.Refuse("the Tabular List is for ICD-10-CM codes"))
	}
	s.detail.tab = browse.NewTabular(s.c, s.browseCodes(), s.detail.code)
	if !s.zoom {
		s.zoom, s.zoomedForTab = true, true
		s.layout()
	}
	return nil
}

// openGrid shows the Neoplasm table, or the table shown last.
func (s *Screen) openGrid() tea.Cmd {
	if s.w.Enc == nil {
		return common.Fail(common.Refuse("open an encounter first"))
	}
	tabs, err := icdtables.Embedded()
	if err != nil {
		return common.Fail(err)
	}
	kind := s.gridKind
	if kind == "" {
		kind = icdtables.Neoplasm
	}
	s.grid = browse.NewGrid(s.c, tabs, s.browseCodes(), kind)
	return nil
}

// closeBrowsers closes the open browser; the detail pane shows the code
// the Tabular List's cursor was on.
func (s *Screen) closeBrowsers(show *codesets.Code) {
	if s.grid != nil {
		s.gridKind = s.grid.Kind()
		s.grid = nil
	}
	if s.detail.tab != nil {
		s.detail.tab = nil
		if s.zoomedForTab {
			s.zoom, s.zoomedForTab = false, false
			s.layout()
		}
		if show != nil {
			s.detail.show(show)
		} else {
			s.detail.render()
		}
	}
}

// dropBrowsers forgets the browsers of an encounter that is closed or
// replaced: they were checking codes for its date of service.
func (s *Screen) dropBrowsers() {
	s.grid, s.detail.tab = nil, nil
	if s.zoomedForTab {
		s.zoom, s.zoomedForTab = false, false
	}
}

// browseMsg carries out what a browser asked.
func (s *Screen) browseMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case browse.PickMsg:
		s.closeBrowsers(nil)
		return s.pick(msg.Code, 0)
	case browse.CloseMsg:
		s.closeBrowsers(msg.Code)
	}
	return nil
}
