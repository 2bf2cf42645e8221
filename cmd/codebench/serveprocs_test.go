package main

import (
	"strings"
	"testing"
)

func TestServeProcs(t *testing.T) {
	for _, c := range []struct{ flag, goChose, want int }{
		{0, 1, 1}, // one core: one processor (spare ones only spin)
		{0, 2, 2},
		{0, 16, 16}, // Go's choice
		{1, 1, 1},   // --procs is taken as given
		{2, 16, 2},  // even below Go's choice
		{32, 4, 32}, // or above it
	} {
		if got := serveProcs(c.flag, c.goChose); got != c.want {
			t.Errorf("serveProcs(--procs %d, Go chose %d) = %d, want %d", c.flag, c.goChose, got, c.want)
		}
	}
}

func TestServeProcsFlagRefused(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	for _, n := range []string{"-1", "5000"} {
		code, out, errOut := runCmd(t, "serve", "--procs", n)
		if code == 0 || !strings.Contains(errOut, "--procs "+n) {
			t.Errorf("serve --procs %s: exit %d\n%s%s", n, code, out, errOut)
		}
	}
}
