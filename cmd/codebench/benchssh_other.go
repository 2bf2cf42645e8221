//go:build !linux

package main

import "os/exec"

// ownSession: sessions and autogroups are Linux's.
func ownSession(cmd *exec.Cmd) {}
