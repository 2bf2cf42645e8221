//go:build linux

package sshload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// userHZ is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on
// every Linux architecture Go supports).
const userHZ = 100

// CPUTime is the user plus system CPU time a process has used, its exited
// threads included (/proc/PID/stat utime and stime).
func CPUTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	// After the name: state(3) ... utime(14) stime(15).
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / userHZ, nil
}

// RSS is a process's resident set size in bytes (/proc/PID/status VmRSS).
func RSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS %q", pid, v)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// Renice sets the nice value of every thread of a process (Linux keeps
// one per thread; threads started later inherit it) and, where the kernel
// groups processes by session for scheduling (autogroup), of the
// process's group: across groups only the group's nice value counts. It
// returns what puts the group's value back. A negative value needs
// CAP_SYS_NICE.
func Renice(pid, nice int) (restore func(), err error) {
	restore = func() {}
	if err := eachThread(pid, func(tid int) error { return unix.Setpriority(unix.PRIO_PROCESS, tid, nice) }); err != nil {
		return restore, err
	}
	if on, _ := os.ReadFile("/proc/sys/kernel/sched_autogroup_enabled"); strings.TrimSpace(string(on)) != "1" {
		return restore, nil
	}
	path := fmt.Sprintf("/proc/%d/autogroup", pid)
	data, err := os.ReadFile(path) // "/autogroup-25 nice 0"
	if err != nil {
		return restore, err
	}
	var group string
	var was int
	if _, err := fmt.Sscanf(string(data), "%s nice %d", &group, &was); err != nil {
		return restore, fmt.Errorf("%s: %q", path, data)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(nice)), 0); err != nil {
		return restore, fmt.Errorf("scheduling group of %d: %w", pid, err)
	}
	return func() { os.WriteFile(path, []byte(strconv.Itoa(was)), 0) }, nil
}

// Pin binds every thread of a process to cpus. Threads started later
// inherit the binding from the thread that starts them, so the listing is
// repeated until no new thread shows up.
func Pin(pid int, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return eachThread(pid, func(tid int) error {
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			return fmt.Errorf("pin thread %d of %d to CPUs %v: %w", tid, pid, cpus, err)
		}
		return nil
	})
}

// eachThread applies f to every thread of a process, listing them again
// until no new one shows up (threads started meanwhile by a thread not yet
// handled would be missed otherwise). Threads that ended are skipped.
func eachThread(pid int, f func(tid int) error) error {
	done := map[int]bool{}
	for round := 0; round < 20; round++ {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
		if err != nil || len(tasks) == 0 {
			return fmt.Errorf("threads of %d: %v", pid, err)
		}
		fresh := 0
		for _, t := range tasks {
			tid, err := strconv.Atoi(filepath.Base(t))
			if err != nil || done[tid] {
				continue
			}
			if err := f(tid); err != nil && !errors.Is(err, unix.ESRCH) {
				return err
			}
			done[tid] = true
			fresh++
		}
		if fresh == 0 {
			return nil
		}
	}
	return nil
}

// AllowedCPUs lists the CPUs this process may run on.
func AllowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var out []int
	for c := 0; c < 1024; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, nil
}
