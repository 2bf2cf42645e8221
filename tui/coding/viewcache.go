package coding

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"

	"codebench/encounter"
	"codebench/tui/common"
)

// Bubble Tea draws the whole screen after every message: a key, a search
// tick, a result, a store announcement. Most leave most panes as they
// were, so each pane keeps its last frame with the state it was drawn
// from (its view key) and draws again only when that state differs. A
// view key must name everything View reads; in test binaries every frame
// is drawn anyway and compared with the cached one, so a key that misses
// a change fails the tests instead of leaving a stale pane on screen.

// verifyViews draws every frame and checks the cache (test binaries).
var verifyViews = testing.Testing()

// viewCache is a pane's last frame and the key it was drawn under.
type viewCache[K comparable] struct {
	key   K
	view  string
	valid bool
}

// get returns the cached frame when key matches, else draws it.
func (c *viewCache[K]) get(key K, draw func() string) string {
	if c.valid && c.key == key && !verifyViews {
		return c.view
	}
	v := draw()
	if verifyViews && c.valid && c.key == key && v != c.view {
		panic(fmt.Sprintf("coding: the frame changed but its view key %T did not: the key misses what changed\nkey %+v\nwas:\n%s\nnow:\n%s", key, key, c.view, v))
	}
	c.key, c.view, c.valid = key, v, true
	return v
}

// paneKey is what every pane's frame depends on: the styles, the size and
// the focus.
type paneKey struct {
	styles        uint64
	width, height int
	focus         bool
}

func keyOf(c *common.Common, w, h int, focus bool) paneKey {
	return paneKey{styles: c.Styles.Gen, width: w, height: h, focus: focus}
}

// inputKey is what a text input draws.
type inputKey struct {
	value   string
	pos     int
	focused bool
	width   int
}

func inputKeyOf(in *textinput.Model) inputKey {
	return inputKey{value: in.Value(), pos: in.Position(), focused: in.Focused(), width: in.Width()}
}

// joinKey joins strings into one comparable key.
func joinKey(ss []string) string { return strings.Join(ss, "\x00") }

var claimSeed = maphash.MakeSeed()

// claimPrint is a fingerprint of the claim's diagnoses (with their
// evidence) and service lines: what the claim and documentation panes
// draw of the encounter, whichever way it was changed.
func claimPrint(enc *encounter.Encounter) uint64 {
	if enc == nil {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(claimSeed)
	str := func(s string) {
		h.WriteString(s)
		h.WriteByte(0)
	}
	num := func(n int64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	num(int64(len(enc.Diagnoses)))
	for _, d := range enc.Diagnoses {
		str(d.Code)
		if ev := d.Evidence; ev != nil {
			str(ev.NoteID)
			num(int64(ev.Start))
			num(int64(ev.End))
			str(ev.Text)
		} else {
			num(-1)
		}
	}
	num(int64(len(enc.Lines)))
	for _, l := range enc.Lines {
		str(l.Code)
		num(int64(len(l.Modifiers)))
		for _, m := range l.Modifiers {
			str(m)
		}
		num(int64(l.Units))
		num(int64(len(l.Pointers)))
		for _, p := range l.Pointers {
			num(int64(p))
		}
		num(l.Charge)
		str(l.NDC.Code)
		str(l.NDC.Unit)
		str(string(l.NDC.Quantity))
	}
	str(enc.Resubmission.Frequency) // the claim's title says what it replaces
	str(enc.Resubmission.OriginalClaimNumber)
	return h.Sum64()
}
