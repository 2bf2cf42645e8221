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
	"codebench/encounter"
	"codebench/encounter/store"
	"codebench/index"
	"codebench/tui/keymap"
	"codebench/tui/prefs"
	"codebench/tui/styles"
)

// Searcher finds codes; *index.Index satisfies it.
type Searcher interface {
	Search(ctx context.Context, query string, opts index.Options) (index.Result, error)
}

// IndexProgress reports the search index being built on a first run; the
// workbench is usable meanwhile, except for search.
type IndexProgress struct{ Done, Total int }

// IndexReady hands the search index over once it is open, or says why it
// could not be.
type IndexReady struct {
	Searcher Searcher
	Err      error
}

// Validator runs the edits on an encounter (encounter.Validate bound to the
// code sets).
type Validator func(enc *encounter.Encounter) []encounter.Edit

// Exporter sends a coded encounter to the billing queue; BillingExporter
// adapts encounter/exporter.
type Exporter interface {
	// Document is the export JSON of the encounter's saved revision, byte
	// for byte what Export would send; the confirmation shows it.
	Document(ctx context.Context, id string) ([]byte, error)
	// Export publishes the saved revision under the coder's lease and
	// records it in the store; it returns the queue key ("ID-rN").
	Export(ctx context.Context, l store.Lease) (key string, err error)
	// Destination names where exports go ("billing queue /var/...").
	Destination() string
}

// Timing holds the durations a session runs on; zero values take defaults.
// Tests set RenewEvery and RefreshEvery negative to switch the periodic
// work off and drive it by messages.
type Timing struct {
	Debounce     time.Duration // search after typing stops (60 ms)
	LeaseTTL     time.Duration // lease length (5 min)
	RenewEvery   time.Duration // lease renewal (LeaseTTL/3)
	RefreshEvery time.Duration // worklist refresh while shown (15 s)
	SearchLimit  int           // hits per search (50)
}

func (t Timing) withDefaults() Timing {
	if t.Debounce == 0 {
		t.Debounce = 60 * time.Millisecond
	}
	if t.LeaseTTL == 0 {
		t.LeaseTTL = 5 * time.Minute
	}
	if t.RenewEvery == 0 {
		t.RenewEvery = t.LeaseTTL / 3
	}
	if t.RefreshEvery == 0 {
		t.RefreshEvery = 15 * time.Second
	}
	if t.SearchLimit == 0 {
		t.SearchLimit = 50
	}
	return t
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
}

// Common is handed to every pane: size, styles, key map and the services.
type Common struct {
	Width, Height int
	Styles        *styles.Styles
	KeyMap        *keymap.KeyMap
	Codes         *codesets.Set
	Searcher      Searcher
	Store         store.Store
	Exporter      Exporter
	Validate      Validator
	Prefs         prefs.Store
	Coder         string
	Logger        *log.Logger
	Now           func() time.Time
	Timing        Timing
	Ctx           context.Context
}

func newCommon(o Options) Common {
	c := Common{
		Width: o.Width, Height: o.Height,
		Styles: styles.New(!o.Light, o.NoColor), KeyMap: keymap.Default(),
		Codes: o.Codes, Searcher: o.Searcher, Store: o.Store, Exporter: o.Exporter,
		Validate: o.Validate, Prefs: o.Prefs, Coder: o.Coder, Logger: o.Logger,
		Now: o.Now, Timing: o.Timing.withDefaults(), Ctx: o.Context,
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
