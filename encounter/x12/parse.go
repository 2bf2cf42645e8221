package x12

import (
	"bytes"
	"fmt"
)

// MaxSize bounds an interchange Parse reads (far above one claim).
const MaxSize = 4 << 20

// Segment is one segment: its id and its elements, Elements[0] being the
// id, so Elements[n] is element n as the guide numbers it (NM103 is
// Elements[3]).
type Segment struct {
	Elements []string
	// Pos is the segment's 1-based position in the interchange.
	Pos int
}

// ID is the segment id ("NM1").
func (s Segment) ID() string { return s.Elements[0] }

// El returns element n, "" when absent.
func (s Segment) El(n int) string {
	if n < len(s.Elements) {
		return s.Elements[n]
	}
	return ""
}

// Interchange is a parsed X12 interchange with its delimiters.
type Interchange struct {
	Segments                                   []Segment
	Element, Component, Repetition, Terminator byte
}

// Components splits a composite element.
func (ic *Interchange) Components(v string) []string {
	return bytes2strings(bytes.Split([]byte(v), []byte{ic.Component}))
}

func bytes2strings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// Parse reads an interchange: the delimiters from its ISA segment (the
// element separator at byte 3, the component separator and segment
// terminator at bytes 104 and 105 of the fixed-width ISA), then every
// segment. Line breaks after a segment terminator are ignored. It checks
// the framing only; Check checks the 837P structure.
func Parse(data []byte) (*Interchange, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("interchange of %d bytes; at most %d read", len(data), MaxSize)
	}
	if len(data) < 106 || string(data[:3]) != "ISA" {
		return nil, fmt.Errorf("not an X12 interchange: it must start with a 106-character ISA segment")
	}
	ic := &Interchange{Element: data[3], Component: data[104], Terminator: data[105]}
	seps := []byte{ic.Element, ic.Component, ic.Terminator}
	for i, b := range seps {
		if b == '\r' || b == '\n' || b == ' ' || isAlnum(b) {
			return nil, fmt.Errorf("ISA delimiter %q at byte %d is a letter, digit, space or line break", b, []int{3, 104, 105}[i])
		}
	}
	if ic.Element == ic.Component || ic.Element == ic.Terminator || ic.Component == ic.Terminator {
		return nil, fmt.Errorf("ISA delimiters %q %q %q are not distinct", ic.Element, ic.Component, ic.Terminator)
	}
	pos := 0
	for len(data) > 0 {
		data = bytes.TrimLeft(data, "\r\n")
		if len(data) == 0 {
			break
		}
		end := bytes.IndexByte(data, ic.Terminator)
		if end < 0 {
			return nil, fmt.Errorf("segment %d is not terminated by %q", pos+1, ic.Terminator)
		}
		raw := data[:end]
		data = data[end+1:]
		pos++
		if bytes.ContainsAny(raw, "\r\n") {
			return nil, fmt.Errorf("segment %d holds a line break", pos)
		}
		els := bytes2strings(bytes.Split(raw, []byte{ic.Element}))
		if !validID(els[0]) {
			return nil, fmt.Errorf("segment %d: %q is not a segment id", pos, clip(els[0]))
		}
		ic.Segments = append(ic.Segments, Segment{Elements: els, Pos: pos})
	}
	isa := ic.Segments[0]
	if isa.ID() != "ISA" || len(isa.Elements) != 17 {
		return nil, fmt.Errorf("ISA has %d elements; want 16", len(isa.Elements)-1)
	}
	if r := isa.El(11); len(r) == 1 {
		ic.Repetition = r[0]
	}
	return ic, nil
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

func validID(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) || s[i] >= 'a' {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
