package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var hostile = []string{
	"\x1b[31mred\x1b[0m", "a\x9b2Jb", "tab\there", "line\nbreak", "cr\rret", "bell\a",
	"abc\u202edcba", "x\u2066y\u2069", "ls\u2028ps\u2029", "mark\u200e", "del\x7f", "bad\xff\xfeutf8",
	"\u0085nel", "\x00nul",
}

func assertNoUnsafe(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: invalid UTF-8 left in %q", what, s)
	}
	for _, r := range s {
		if Unsafe(r) {
			t.Fatalf("%s: unsafe rune %U left in %q", what, r, s)
		}
	}
}

func TestEveryOutputIsSafe(t *testing.T) {
	for _, in := range hostile {
		assertNoUnsafe(t, "Escape", Escape(in))
		assertNoUnsafe(t, "Text", Text(in))
		assertNoUnsafe(t, "Quote", Quote(in))
		assertNoUnsafe(t, "Clean", Clean(in))
		for _, r := range in {
			assertNoUnsafe(t, "Display", Display(r))
		}
	}
}

func TestReadableOutput(t *testing.T) {
	for in, want := range map[string]string{
		"plain name.json": "plain name.json",
		"café":            "café",
		"\x1b[2Jx":        `\x1b[2Jx`,
		"a\u202eb":        `a\u202eb`,
		"a\nb\tc":         `a\nb\tc`,
		"x\xffy":          `x\xffy`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Text("visit-1.json"); got != "visit-1.json" {
		t.Errorf("Text of a plain name: %q", got)
	}
	if got := Text("a\x1bb.json"); got != `"a\x1bb.json"` {
		t.Errorf("Text of a hostile name: %q", got)
	}
	if got := Clean("a\x1b[31mb\u2028c"); got != "a␛[31mb\uFFFDc" {
		t.Errorf("Clean: %q", got)
	}
	if strings.ContainsRune(Display('\u200b'), '\u200b') {
		t.Error("zero-width space displayed as itself")
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		assertNoUnsafe(t, "Escape", Escape(s))
		assertNoUnsafe(t, "Text", Text(s))
		assertNoUnsafe(t, "Clean", Clean(s))
	})
}
