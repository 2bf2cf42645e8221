// Package common is what every part of the workbench shares: the services
// and settings of a session (Common), status-line messages, the list
// cursor and the text helpers that keep untrusted text safe on screen.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/textinput"
	"charm.land/log/v2"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/fees"
	"codebench/encounter/queue"
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
	// records it in the store; it returns the queue key ("ID-rN") and
	// whether the queue delivered it or only spooled it (its server
	// unreachable: not delivered yet).
	Export(ctx context.Context, l store.Lease) (key string, delivery queue.Delivery, err error)
	// Destination names where exports go ("billing queue /var/...").
	Destination() string
}

// Timing holds the durations a session runs on; zero values take defaults.
// Tests set RenewEvery and RefreshEvery negative to switch the periodic
// work off and drive it by messages.
type Timing struct {
	// A search starts when typing stops: after one and a half times the
	// coder's usual gap between keys, at least Debounce (60 ms) and at
	// most DebounceMax (250 ms; Debounce when only that is set).
	Debounce     time.Duration
	DebounceMax  time.Duration
	LeaseTTL     time.Duration // lease length (5 min)
	RenewEvery   time.Duration // lease renewal (LeaseTTL/3)
	RefreshEvery time.Duration // worklist refresh while shown (15 s)
	SearchLimit  int           // hits per search (50)
}

func (t Timing) WithDefaults() Timing {
	if t.Debounce == 0 {
		t.Debounce = 60 * time.Millisecond
		if t.DebounceMax == 0 {
			t.DebounceMax = 250 * time.Millisecond
		}
	}
	if t.DebounceMax == 0 {
		t.DebounceMax = t.Debounce
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
	Fees          *fees.Schedule
	Coder         string
	Logger        *log.Logger
	Now           func() time.Time
	Timing        Timing
	Ctx           context.Context
}

// InputStyles styles every text input of the workbench from the theme.
func (c *Common) InputStyles() textinput.Styles {
	st := textinput.DefaultStyles(c.Styles.Dark)
	st.Cursor.Blink = false // a blinking cursor would tick forever
	st.Focused.Prompt = c.Styles.Prompt
	st.Blurred.Prompt = c.Styles.Dim
	st.Focused.Text = c.Styles.Input
	st.Blurred.Text = c.Styles.Input
	st.Focused.Placeholder = c.Styles.Dim
	st.Blurred.Placeholder = c.Styles.Dim
	if c.Styles.NoColor {
		st.Cursor.Color = nil
	}
	return st
}
