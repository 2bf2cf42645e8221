// Package termsafe keeps strings from outside (file names, JSON keys,
// note text, SSH user names, error messages carrying them) from driving
// the terminal that shows them or from reordering what the reader sees.
// Every message, log line, reason file and TUI pane goes through it.
//
// Unsafe runes: C0 controls (ESC starts every ANSI sequence), DEL, C1
// controls (U+0080-U+009F, the 8-bit CSI among them), the bidirectional
// controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069: "Trojan
// Source") and the line and paragraph separators U+2028 and U+2029.
// Invalid UTF-8 never passes either.
package termsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsafe tells whether r must not reach a terminal as it is. Tab and
// newline are unsafe too: callers that lay out text handle them first.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Display is what a terminal UI draws for r: Control Pictures for C0
// controls (␛ for ESC) and DEL, U+FFFD for the other unsafe runes and for
// invisible format characters, r itself otherwise.
func Display(r rune) string {
	switch {
	case r < 0x20:
		return string(rune(0x2400 + r))
	case r == 0x7f:
		return "\u2421"
	case Unsafe(r):
		return "\uFFFD"
	case !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r):
		return "\uFFFD"
	}
	return string(r)
}

// Escape returns s on one line with every unsafe rune (and every
// invalid byte) written as a Go escape (\x1b, \n, \u202e); the rest of s
// is unchanged. For messages and log values.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
			i++
			continue
		}
		i += n
		if !Unsafe(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r) // '\x1b', '\u202e'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// Text returns s as it is when every rune prints plainly, else quoted
// with escapes (strconv.Quote). For names a message quotes only when
// needed: file names, keys, fields, ids.
func Text(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if Unsafe(r) || !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}

// Quote always quotes s, escaping what is not plainly printable.
func Quote(s string) string { return strconv.Quote(s) }

// Clean returns s with each unsafe rune replaced by its Display form:
// for text shown in a terminal where escapes would read badly.
func Clean(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString("\uFFFD")
		case Unsafe(r):
			b.WriteString(Display(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean is the fast path: ASCII without controls.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
