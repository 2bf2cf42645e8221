//go:build !unix && !windows

package natsqueue

import "os"

// lockFile: platforms without file locks (wasm, plan9) rely on the
// in-process mutex alone; run one codebench process per spool there.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
