package coding

import (
	"strings"
)

// zoomEditsHeight is the edits strip kept under a zoomed pane.
func (s *Screen) zoomEditsHeight(bodyH int) int {
	if s.focus == PaneEdits {
		return 0
	}
	return min(max(bodyH/5, 3), 6)
}

// layout sizes the panes. Below 120 columns: documentation over claim on
// the left, search over detail over edits on the right; from 120: three
// columns. A zoomed pane takes the whole body.
func (s *Screen) layout() {
	W, bodyH := s.width, s.high
	if s.zoom {
		// The edits stay on screen under a zoomed pane.
		eh := s.zoomEditsHeight(bodyH)
		s.panes[s.focus].SetSize(W, bodyH-eh)
		if eh > 0 {
			s.edits.SetSize(W, eh)
		}
		return
	}
	for i, r := range s.rects(W, bodyH) {
		s.panes[i].SetSize(r.w, r.h)
	}
}

type rect struct{ x, y, w, h int }

func (s *Screen) rects(W, H int) [PaneCount]rect {
	var r [PaneCount]rect
	if W >= 120 {
		lw := W * 36 / 100
		mw := (W - lw - 2) / 2
		rw := W - lw - mw - 2
		sh := H / 2
		ch := H * 3 / 5
		r[PaneDoc] = rect{0, 0, lw, H}
		r[PaneSearch] = rect{lw + 1, 0, mw, sh}
		r[PaneDetail] = rect{lw + 1, sh, mw, H - sh}
		r[PaneClaim] = rect{lw + mw + 2, 0, rw, ch}
		r[PaneEdits] = rect{lw + mw + 2, ch, rw, H - ch}
		return r
	}
	lw := W / 2
	rw := W - lw - 1
	// The documentation and the claim share the left column: the claim
	// takes the larger part while it has the focus, the documentation
	// otherwise (at 80x24, 12 lines of notes instead of 10). Only the
	// heights change, so the notes keep their wrapping and both keep
	// their place.
	dh := H - H*2/5
	if s.focus == PaneClaim {
		dh = H * 2 / 5
	}
	eh := max(H/4, 3)
	if s.focus == PaneEdits {
		// The edits pane grows while it has the focus: a long message
		// reads in full under the cursor.
		eh = max(H/2, 3)
	}
	sh := (H - eh) * 3 / 5
	r[PaneDoc] = rect{0, 0, lw, dh}
	r[PaneClaim] = rect{0, dh, lw, H - dh}
	r[PaneSearch] = rect{lw + 1, 0, rw, sh}
	r[PaneDetail] = rect{lw + 1, sh, rw, H - sh - eh}
	r[PaneEdits] = rect{lw + 1, H - eh, rw, eh}
	return r
}

// View draws the coding screen's body: the panes in their columns, or the
// zoomed pane over the edits strip.
func (s *Screen) View() string {
	if s.grid != nil {
		return s.grid.View(s.width, s.high)
	}
	if s.zoom {
		body := s.panes[s.focus].View()
		if s.zoomEditsHeight(s.high) > 0 {
			body += "\n" + s.edits.View()
		}
		return body
	}
	return s.composeBody(s.width, s.high)
}

// composed is the last body joined from the panes: a frame in which no
// pane changed is the same body, and a pane that did not change keeps its
// lines split.
type composed struct {
	w, h, styles uint64
	views        [PaneCount]string
	lines        [PaneCount][]string
	body         string
}

// composeBody joins the panes in their columns.
func (s *Screen) composeBody(W, H int) string {
	c := &s.composed
	same := c.body != "" && c.w == uint64(W) && c.h == uint64(H) && c.styles == s.c.Styles.Gen
	for i, p := range s.panes {
		v := p.View()
		if v != c.views[i] || c.lines[i] == nil {
			c.views[i], c.lines[i] = v, strings.Split(v, "\n")
			same = false
		}
	}
	if same {
		return c.body
	}
	c.w, c.h, c.styles = uint64(W), uint64(H), s.c.Styles.Gen
	c.body = s.join(W, H, c.lines)
	return c.body
}

// join lays the panes' lines out side by side.
func (s *Screen) join(W, H int, views [PaneCount][]string) string {
	r := s.rects(W, H)
	sep := s.c.Styles.Separator.Render("│")
	var b strings.Builder
	size := H * (1 + 2*len(sep))
	for _, v := range s.composed.views {
		size += len(v)
	}
	b.Grow(size)
	for y := 0; y < H; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		x := 0
		for _, i := range columnsOrder(W) {
			pr := r[i]
			if y < pr.y || y >= pr.y+pr.h {
				continue
			}
			if pr.x > x {
				b.WriteString(sep)
				x = pr.x
			}
			if y-pr.y < len(views[i]) {
				b.WriteString(views[i][y-pr.y])
			}
			x += pr.w
		}
	}
	return b.String()
}

// columnsOrder lists the panes left to right.
func columnsOrder(W int) []int {
	if W >= 120 {
		return wideOrder[:]
	}
	return narrowOrder[:]
}

var (
	wideOrder   = [...]int{PaneDoc, PaneSearch, PaneDetail, PaneClaim, PaneEdits}
	narrowOrder = [...]int{PaneDoc, PaneClaim, PaneSearch, PaneDetail, PaneEdits}
)
