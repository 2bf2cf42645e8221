package common

import (
	"strconv"
	"strings"
)

// TargetShort is the compact target of an edit row: "B", "L1", "" for the
// claim.
func TargetShort(t string) string {
	kind, n, ok := strings.Cut(t, ":")
	i, err := strconv.Atoi(n)
	switch {
	case t == "claim":
		return ""
	case !ok || err != nil:
		return t
	case kind == "dx":
		return "dx " + Letter(i)
	case kind == "line":
		return "ln " + n
	}
	return t
}

// TargetName turns "dx:2" into "dx B" and "line:1" into "line 1".
func TargetName(t string) string {
	kind, n, ok := strings.Cut(t, ":")
	if !ok {
		return t
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return t
	}
	switch kind {
	case "dx":
		return "dx " + Letter(i)
	case "line":
		return "line " + n
	}
	return t
}
