package main

import "context"

// runWorkbench opens the TUI on the demo inbox.
func runWorkbench(_ context.Context, e *env, _ []string) int {
	usage(e.stderr)
	return e.errorf("the workbench TUI is not built yet; use a command above")
}
