package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text from encounters and code sets is untrusted: a note may carry escape
// sequences that would move the cursor, retitle the window or hide text.
// Everything shown goes through displayRune, which maps C0 and C1 controls
// and bidirectional overrides to visible symbols so the coder sees that they
// are there and the terminal never receives them.

// displayRune returns what to draw for r; tab and newline are handled by
// the callers that lay out text.
func displayRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "\uFFFD"
	case r < 0x20:
		return string(rune(0x2400 + r)) // Control Pictures: ␛ for ESC
	case r == 0x7f:
		return "\u2421" // ␡
	case r >= 0x80 && r < 0xa0:
		return "\uFFFD" // C1 controls (CSI 0x9b among them)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return "\uFFFD" // bidi controls reorder what the coder reads
	case !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r):
		return "\uFFFD"
	}
	return string(r)
}

// oneLine makes untrusted text safe to draw on one line: controls become
// visible symbols, tabs and line breaks become spaces, runs of spaces
// collapse.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteString(displayRune(r))
	}
	return strings.TrimRight(b.String(), " ")
}

// fit truncates an already styled line to w cells and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// block makes lines exactly w wide and h high.
func block(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(fit(line, w))
	}
	return b.String()
}

// clip shortens plain text to w cells with an ellipsis.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// letter is the claim letter of a 1-based diagnosis pointer (1 = A).
func letter(p int) string {
	if p < 1 || p > 26 {
		return "?"
	}
	return string(rune('A' + p - 1))
}
