package common

import (
	"strings"
	"testing"
)

// TestOneLineFiltersWhatReordersOrDrivesTheTerminal: C0, C1, ESC, bidi
// controls and U+2028/U+2029 never reach the terminal from a pane.
func TestOneLineFiltersWhatReordersOrDrivesTheTerminal(t *testing.T) {
	in := "a\x1b[31mb\u009b2Jc\u202ed\u2066e\u2028f\u2029g\x7fh\u200ei"
	got := OneLine(in)
	if strings.ContainsAny(got, "\x1b\u009b\u202e\u2066\u2028\u2029\x7f\u200e") {
		t.Fatalf("OneLine(%q) = %q", in, got)
	}
	if !strings.Contains(got, "␛[31m") {
		t.Fatalf("ESC not shown as a symbol: %q", got)
	}
}
