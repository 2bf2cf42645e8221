//go:build linux

package sshload

import (
	"os"
	"testing"
)

func TestCPUTimeAndRSSOfThisProcess(t *testing.T) {
	cpu, err := CPUTime(os.Getpid())
	if err != nil || cpu < 0 {
		t.Fatalf("cpu %v %v", cpu, err)
	}
	rss, err := RSS(os.Getpid())
	if err != nil || rss <= 0 {
		t.Fatalf("rss %v %v", rss, err)
	}
	if _, err := CPUTime(1 << 30); err == nil {
		t.Error("a process that does not exist")
	}
}
