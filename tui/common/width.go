package common

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// StyledWidth is the cells a line takes on screen, styles included. Every
// frame measures every line it fits, and the general measure walks
// grapheme clusters; what the workbench draws is nearly always ASCII, SGR
// and other CSI sequences and a few single-cell symbols (· … │ ● ○ ★ ↺
// ✓ → ▌), counted here a byte or a rune at a time. Anything else (other
// escapes, wide or combining characters, emoji) is measured by
// ansi.StringWidth, whose answer this always equals (width_test.go).
func StyledWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// CSI: parameter and intermediate bytes, then a final byte.
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j + 1
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !singleCell(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// singleCell tells the runes that take one cell and never join their
// neighbours into one grapheme: Latin letters and signs, punctuation,
// arrows, box drawing, blocks and geometric shapes, a few symbols.
func singleCell(r rune) bool {
	switch {
	case r >= 0xA0 && r <= 0x24F:
		return r != 0xAD // the soft hyphen takes no cell
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205E:
		return true
	case r >= 0x2190 && r <= 0x21FF: // arrows
		return true
	case r >= 0x2500 && r <= 0x25FF: // box drawing, blocks, geometric shapes
		return r != 0x25FD && r != 0x25FE // drawn as wide emoji
	case r == 0x2605, r == 0x2606, r == 0x2713, r == 0x2717: // ★ ☆ ✓ ✗
		return true
	}
	return false
}
