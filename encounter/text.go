package encounter

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text safety. Notes are shown in coders' terminals, locally and over SSH,
// so text that could drive the terminal is refused at import rather than
// cleaned: a file with an escape sequence in it is not what its author
// meant to send, and silently editing clinical documentation (and shifting
// the evidence spans that point into it) is worse than asking for a fixed
// file. Refused anywhere in a file: C0 controls other than tab and newline
// (ESC starts every ANSI sequence), DEL, C1 controls (U+0080-U+009F, which
// include the 8-bit CSI), and the Unicode bidirectional overrides and
// isolates that make text display in an order other than it reads
// ("Trojan Source"). Carriage returns are line endings: CRLF and lone CR
// become LF in notes. Single-line fields (names, ids, titles) take no tabs
// or newlines either.

// MaxFileSize bounds one inbox file. A visit's notes are tens of kilobytes;
// anything near this size is not an encounter.
const MaxFileSize = 2 << 20

// checkBytes refuses files that are not UTF-8 text.
func checkBytes(data []byte) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("file is %d bytes, larger than the %d MB limit for one encounter", len(data), MaxFileSize>>20)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("binary file (NUL byte at offset %d); want UTF-8 text", i)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return fmt.Errorf("invalid UTF-8 at byte %d (line %d); save the file as UTF-8", off, lineOf(data, int64(off)))
	}
	return nil
}

// stripBOM drops a leading UTF-8 byte-order mark.
func stripBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// unsafeRune finds the first character a terminal must not receive. In
// multiline text tab and newline are allowed; elsewhere nothing below
// U+0020 is.
func unsafeRune(s string, multiline bool) (at int, r rune, found bool) {
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n':
			if !multiline {
				return i, r, true
			}
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return i, r, true
		}
	}
	return 0, 0, false
}

// runeName describes a refused character for an error message.
func runeName(r rune) string {
	names := map[rune]string{
		0x1b: "ESC, which starts terminal escape sequences", 0x07: "BEL", 0x08: "backspace",
		0x0d: "carriage return", 0x09: "tab", 0x0a: "newline", 0x0c: "form feed", 0x7f: "DEL",
		0x9b: "CSI, an 8-bit terminal escape", 0x9d: "OSC, an 8-bit terminal escape",
	}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("U+%04X (%s)", r, n)
	}
	if r >= 0x202a && r <= 0x2069 {
		return fmt.Sprintf("U+%04X (a bidirectional override, which reorders displayed text)", r)
	}
	return fmt.Sprintf("U+%04X (a control character)", r)
}

// textProblem says why s is refused, or "" when it is fine.
func textProblem(s string, multiline bool) string {
	at, r, found := unsafeRune(s, multiline)
	if !found {
		return ""
	}
	if multiline {
		return fmt.Sprintf("contains %s at byte %d (line %d of the text); control characters and escape sequences are not accepted in notes", runeName(r), at, strings.Count(s[:at], "\n")+1)
	}
	return fmt.Sprintf("contains %s at byte %d; this field is one line of plain text", runeName(r), at)
}
