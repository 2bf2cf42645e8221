package main

import (
	"os/exec"
	"syscall"
)

// ownSession starts serve as the leader of a session of its own, so that
// where the kernel schedules by session (autogroup) its priority is its
// own, and ends it with the benchmark should the benchmark die first.
func ownSession(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGTERM}
}
