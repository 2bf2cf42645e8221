//go:build !linux

package sshload

import (
	"errors"
	"time"
)

var errNoProc = errors.New("process CPU time, memory and CPU pinning are read from /proc (Linux only)")

// CPUTime needs /proc (Linux).
func CPUTime(pid int) (time.Duration, error) { return 0, errNoProc }

// RSS needs /proc (Linux).
func RSS(pid int) (int64, error) { return 0, errNoProc }

// Pin needs sched_setaffinity (Linux).
func Pin(pid int, cpus []int) error { return errNoProc }

// AllowedCPUs needs sched_getaffinity (Linux).
func AllowedCPUs() ([]int, error) { return nil, errNoProc }

// Renice needs per-thread priorities (Linux).
func Renice(pid, nice int) (func(), error) { return func() {}, errNoProc }
