//go:build unix

package sshserve

import (
	"net"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// raiseFileLimit lets the test hold n more descriptors than it has open.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		t.Fatalf("file limit: hard limit %d is below the %d this test needs", lim.Max, n)
	}
	old := lim.Cur
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		lim.Cur = old
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	})
}

// TestThousandSilentConnections is the probe's flood: 1,000 TCP
// connections that never speak SSH. Past the per-source cap they are
// closed at once, the rest at the handshake deadline; meanwhile a coder
// from another address logs in, and afterwards from the flooded one too.
func TestThousandSilentConnections(t *testing.T) {
	const flood = 1000
	raiseFileLimit(t, 3*flood) // both ends of each connection live in this process
	alice := newKey(t)
	ts := startServer(t, Config{HandshakeTimeout: time.Second, MaxUnauthenticatedPerSource: 50, MaxUnauthenticated: 200},
		authorizedLine(alice, "alice"))
	start := time.Now()
	conns := make([]net.Conn, 0, flood)
	for range flood {
		c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	opened := time.Since(start)
	cl, err := dialFrom("127.0.0.2", ts.addr, clientConfig(gossh.PublicKeys(alice)))
	if err != nil {
		t.Fatalf("a coder was refused during the flood: %v", err)
	}
	cl.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var closedAt []time.Duration
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !closedByServer(c, 30*time.Second) {
				t.Error("a silent connection was still open 30 s into the flood")
				return
			}
			mu.Lock()
			closedAt = append(closedAt, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(closedAt)
	overCap := closedAt[flood-50-1] // all but the 50 the per-source cap holds
	refused := closedAt[flood-1]
	waitFor(t, "no connection left", func() bool { return ts.Connections() == 0 })
	cl, err = dialFrom("127.0.0.1", ts.addr, clientConfig(gossh.PublicKeys(alice)))
	if err != nil {
		t.Fatalf("the flooded source stays refused after the flood: %v", err)
	}
	cl.Close()
	t.Logf("%d silent connections: opened in %v; the %d over the per-source cap refused by %v, the last closed at %v (handshake deadline %v)",
		flood, opened.Round(time.Millisecond), flood-50, overCap.Round(time.Millisecond), refused.Round(time.Millisecond), time.Second)
}
