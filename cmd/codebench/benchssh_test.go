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
				serveCmd: func(args ...string) *exec.Cmd {
					cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
					cmd.Env = append(os.Environ(), "CODEBENCH_TEST_MAIN=1")
					return cmd
				},
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
