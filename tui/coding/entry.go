package coding

import (
	"fmt"
	"strconv"
	"strings"

	"codebench/codesets"
	"codebench/tui/work"
)

// A service line can be typed in the search as a coder writes it on a
// charge ticket: the code, its modifiers after dashes, its units after an
// x, and the claim letters it points at after a space. Enter adds the
// line as typed, in one change.
//
//	99214-25 abc    99214, modifier 25, pointing at A, B and C
//	j3301x8         J3301, 8 units, pointing at A
//	20610-50 a      20610, bilateral
//	87880-qw        87880, modifier QW
//	99213 *         99213, pointing at every diagnosis (up to four)
type lineEntry struct {
	code  *codesets.Code
	mods  []string // as typed, upper case
	units int      // 0: one
	ptrs  string   // claim letters as typed; "": diagnosis A
}

// parseLineEntry reads q as a line entry; ok only when its code is a CPT
// or HCPCS code and the rest has the entry's shape.
func parseLineEntry(codes *codesets.Set, q string) (lineEntry, bool) {
	var e lineEntry
	q = strings.TrimSpace(q)
	if codes == nil || len(q) < 5 {
		return e, false
	}
	head, ptrs, _ := strings.Cut(q, " ")
	if len(head) < 5 {
		return e, false
	}
	c, ok := codes.Lookup(head[:5])
	if !ok || c.System == codesets.ICD10CM || c.Modifier {
		return e, false
	}
	e.code = c
	rest := head[5:]
	if i := strings.IndexAny(rest, "xX*"); i >= 0 {
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil || n < 1 || n > work.MaxUnits {
			return e, false
		}
		e.units, rest = n, rest[:i]
	}
	for rest != "" {
		if rest[0] != '-' || len(rest) < 3 {
			return e, false
		}
		m := codesets.Canonical(rest[1:3])
		if len(m) != 2 {
			return e, false
		}
		e.mods = append(e.mods, m)
		rest = rest[3:]
	}
	if strings.TrimSpace(ptrs) != "*" {
		for _, r := range strings.ToUpper(ptrs) {
			if (r < 'A' || r > 'L') && r != ' ' && r != ',' {
				return e, false
			}
		}
	}
	e.ptrs = strings.TrimSpace(ptrs)
	return e, true
}

// extras tells whether the entry says more than its code.
func (e lineEntry) extras() bool { return len(e.mods) > 0 || e.units > 0 || e.ptrs != "" }

// String is the line as it will be added.
func (e lineEntry) String() string {
	s := e.code.Display()
	for _, m := range e.mods {
		s += "-" + m
	}
	if e.units > 0 {
		s += fmt.Sprintf(" ×%d", e.units)
	}
	if strings.TrimSpace(e.ptrs) == "*" {
		return s + " → all dx"
	}
	var letters []string
	for _, r := range strings.ToUpper(e.ptrs) {
		if r >= 'A' && r <= 'L' {
			letters = append(letters, string(r))
		}
	}
	if len(letters) > 0 {
		s += " → " + strings.Join(letters, " ")
	}
	return s
}
