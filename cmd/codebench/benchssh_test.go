package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"codebench/tui/sshserve/sshload"
)

// testServeCmd runs this test binary as codebench serve (TestMain).
func testServeCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "CODEBENCH_TEST_MAIN=1")
	return cmd
}

// TestBenchSSHTypesIntoTheSearch runs the capacity benchmark small and
// unpinned: two sessions open their encounters, find the search input
// and type, and their keys reach the screen. It asserts no figure (those
// depend on the machine); it keeps the harness working as the
// workbench's screens change (a chart that opens in the search once
// had every key unanswered).
func TestBenchSSHTypesIntoTheSearch(t *testing.T) {
	testIndex(t) // built once, so serve opens it from the cache
	bench := sshBench{
		sessions: 2, rate: 8, think: 200 * time.Millisecond, dur: 2 * time.Second, cols: 80, rows: 24,
		openParallel: 2, cacheRoot: testCache(), progress: io.Discard, pinNote: "unpinned (test)",
		serveCmd: testServeCmd,
	}
	r, err := bench.run(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Connect.N != 2 || r.Open.N != 2 {
		t.Errorf("opened %d and %d sessions, want 2", r.Connect.N, r.Open.N)
	}
	if r.Keys == 0 || r.Latency.N == 0 || r.Unanswered >= r.Keys {
		t.Errorf("%d keys sent, %d answered, %d unanswered: the typing does not reach the screen", r.Keys, r.Latency.N, r.Unanswered)
	}
}

// BenchmarkSSHTyping is codebench bench ssh under go test: serve (this
// test binary, see TestMain) pinned to one CPU, the SSH clients on the
// others, every session typing searches at 6 keys a second. It reports
// keystroke-to-frame p50/p99/max, server CPU per key and memory per
// session. Run it with -benchtime=1x: one iteration is a whole
// measurement.
func BenchmarkSSHTyping(b *testing.B) {
	testIndex(b) // built once here, so serve opens it from the cache
	allowed, _ := sshload.AllowedCPUs()
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			bench := sshBench{
				sessions: n, rate: 6, warmup: 3 * time.Second, dur: 15 * time.Second, cols: 80, rows: 24,
				openParallel: 10, cacheRoot: testCache(), progress: io.Discard,
				serveCmd: testServeCmd,
			}
			if err := bench.pinning(false, "", ""); err != nil {
				b.Fatal(err)
			}
			if len(allowed) > 0 {
				defer sshload.Pin(os.Getpid(), allowed) // the rest of the run is not confined
			}
			b.Log(bench.pinNote)
			for range b.N {
				r, err := bench.run(context.Background(), n)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ms(r.Latency.P50), "p50-ms")
				b.ReportMetric(ms(r.Latency.P99), "p99-ms")
				b.ReportMetric(ms(r.Latency.Max), "max-ms")
				b.ReportMetric(ms(r.CPUPerKey), "cpu-ms/key")
				b.ReportMetric(r.PerSession()/(1<<20), "MB/session")
				b.ReportMetric(float64(r.Unanswered), "unanswered")
			}
		})
	}
}
