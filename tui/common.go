// Package tui is the coding workbench: a worklist of encounters and, for the
// open encounter, the documentation, code search, code detail, the claim
// being built and its edits. One Model per coder session; it reads nothing
// from the process (no stdin, no environment), so many sessions can run in
// one server.
package tui

import (
	"context"
	"io"
	"time"

	"charm.land/log/v2"

	"codebench/codesets"
	"codebench/encounter/fees"
	"codebench/encounter/store"
	"codebench/tui/common"
	"codebench/tui/keymap"
	"codebench/tui/prefs"
	"codebench/tui/styles"
)

// The services a session is built from are declared in tui/common, which
// every pane imports; the names here keep the package's API.
type (
	Searcher      = common.Searcher
	IndexProgress = common.IndexProgress
	Validator     = common.Validator
	Exporter      = common.Exporter
	Timing        = common.Timing
)

// IndexReady hands the search index over once it is open, or says why it
// could not be.
type IndexReady struct {
	Searcher Searcher
	Err      error
}

// Data is what a session codes with that a server may replace while it
// runs (after `codebench data import`): the session takes it when it
// opens an encounter and keeps it until it opens the next one, so an
// encounter is coded, checked and exported with one release.
type Data struct {
	Codes    *codesets.Set
	Searcher Searcher
	Exporter Exporter  // nil keeps the session's
	Validate Validator // nil keeps the session's
}

// Options are what a session is built from.
type Options struct {
	Codes    *codesets.Set
	Searcher Searcher
	Store    store.Store
	Exporter Exporter
	Validate Validator
	// Prefs keeps favourites and recent codes; nil keeps them in memory.
	Prefs prefs.Store
	// Fees is the practice's fee schedule, which charges the lines added;
	// nil: charges are entered by hand ($ on a line).
	Fees *fees.Schedule
	// Coder is the coder's id, recorded on leases, drafts and overrides.
	Coder  string
	Logger *log.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// NoColor draws without colour (NO_COLOR): highlights use bold,
	// underline and reverse video only.
	NoColor bool
	// Light selects the light theme until the terminal reports its
	// background.
	Light bool
	// Width and Height seed the size before the first WindowSizeMsg.
	Width, Height int
	Timing        Timing
	// Context ends background work when the session ends; nil is
	// context.Background().
	Context context.Context
	// Current, when set, gives the data in use now; the session asks for
	// it each time it opens an encounter (Codes and Searcher above are
	// the data it starts with).
	Current func() Data
	// Notice is shown in the status line when the session starts: code
	// sets out of date (codesets.Set.Stale).
	Notice string
}

func newCommon(o Options) common.Common {
	c := common.Common{
		Width: o.Width, Height: o.Height,
		Styles: styles.New(!o.Light, o.NoColor), KeyMap: keymap.Default(),
		Codes: o.Codes, Searcher: o.Searcher, Store: o.Store, Exporter: o.Exporter, Fees: o.Fees,
		Validate: o.Validate, Prefs: o.Prefs, Coder: o.Coder, Logger: o.Logger,
		Now: o.Now, Timing: o.Timing.WithDefaults(), Ctx: o.Context,
	}
	if c.Width == 0 {
		c.Width = 80
	}
	if c.Height == 0 {
		c.Height = 24
	}
	if c.Prefs == nil {
		c.Prefs = &prefs.Memory{}
	}
	if c.Logger == nil {
		c.Logger = log.New(io.Discard)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Ctx == nil {
		c.Ctx = context.Background()
	}
	return c
}
