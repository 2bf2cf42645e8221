package common

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// TestSingleCellRunesAreOneCellAlone: each rune counted as one cell is one
// cell to ansi.StringWidth, alone, doubled and between letters (it joins
// no neighbour into a grapheme), and is no mark or format character.
func TestSingleCellRunesAreOneCellAlone(t *testing.T) {
	n := 0
	for r := rune(0x80); r < 0x10000; r++ {
		if !singleCell(r) {
			continue
		}
		n++
		s := string(r)
		if w := ansi.StringWidth(s); w != 1 {
			t.Errorf("%U %q: width %d", r, s, w)
		}
		if w := ansi.StringWidth("a" + s + s + "b"); w != 4 {
			t.Errorf("%U %q between letters: width %d", r, s, w)
		}
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Errorf("%U is a mark or format character", r)
		}
	}
	if n < 500 {
		t.Fatalf("only %d single-cell runes", n)
	}
}

// TestStyledWidthEqualsTheGeneralMeasure on lines as the panes draw them
// and on random mixes of text, styles and other characters.
func TestStyledWidthEqualsTheGeneralMeasure(t *testing.T) {
	lines := []string{
		"", "plain", " 2 Search  12 of 340 · 3 ms", "\x1b[1;7m A E11.22     Type 2 DM w diabetic CKD\x1b[m",
		"\x1b[38;2;95;175;215m│\x1b[m", "★ E11.65   ● Type 2 diabetes…hyperglycemia", "✓ ↺ → ▌ ○ ─", "café naïve Ångström",
		"中文 wide", "e\u0301 combining", "emoji 👍🏽 and ZWJ 👩‍💻", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
		"\x1b[", "\x1b[12", "\x1bX", "tab\there", "soft\u00adhyphen", "bidi\u200eleft", "\x7f",
	}
	pieces := []string{"a", "Z", " ", "·", "…", "│", "●", "★", "↺", "é", "中", "\u0301", "👍", "\u200d", "\ufe0f",
		"\x1b[1m", "\x1b[38;5;120m", "\x1b[m", "\x1b[0;7m", "\x1b]0;t\x07", "\x00", "\t", "\u00ad", "\u2028"}
	rng := rand.New(rand.NewPCG(5, 8))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		lines = append(lines, b.String())
	}
	for _, s := range lines {
		if got, want := StyledWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("%q: %d, ansi.StringWidth %d", s, got, want)
		}
	}
}

func BenchmarkStyledWidth(b *testing.B) {
	line := "\x1b[1;7m A E11.22     Type 2 DM w diabetic CKD · chronic kidney…\x1b[m │ ● ★"
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			StyledWidth(line)
		}
	})
	b.Run("ansi", func(b *testing.B) {
		for b.Loop() {
			ansi.StringWidth(line)
		}
	})
}
