package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// countingWriter keeps what a session drew.
type countingWriter struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *countingWriter) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// quiet waits until a terminal has had no output for a while: the
// program has drawn what it had to draw.
func (tm *term) quiet(d time.Duration) {
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-tm.frames:
		case <-time.After(d):
			return
		case <-deadline:
			tm.t.Errorf("output never settled")
			return
		}
	}
}

// TestSSHHostileTerminalSizes: 50 coders ask for terminals of
// 4294967295x4294967295 (window-change) and then code at that size; one
// more asks for it in its pty-req. The server clamps every size and stays
// up, and a session at the largest size holds at most 8 MB more than at
// 80x24. Memory is the live heap of this process (server and clients;
// the clients' terminals stay 80x24), measured after a collection.
func TestSSHHostileTerminalSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const sessions = 50
	r := newSSHRig(t, loadCoders(sessions+1)...)
	seedLoad(t, r.st, sessions+1)
	live := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	base := live()

	terms := make([]*term, sessions)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			terms[i] = r.connect(t, fmt.Sprintf("coder%02d", i), 80, 24)
			terms[i].waitFor("Worklist", "load-00")
			terms[i].quiet(300 * time.Millisecond)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	idle := live()
	// Each asks for the largest terminal there is, on the worklist.
	for _, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tm.sess.WindowChange(1<<32-1, 1<<32-1); err != nil {
				t.Error(err)
				return
			}
			tm.quiet(500 * time.Millisecond)
		}()
	}
	wg.Wait()
	large := live()
	// Then each opens its encounter and searches at that size.
	for i, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The screen is drawn wider than this 80x24 emulator: no
			// reading it; the store says when the encounter is open.
			id, coder := fmt.Sprintf("load-%02d", i), fmt.Sprintf("coder%02d", i)
			tm.send("/", id)
			tm.quiet(300 * time.Millisecond)
			tm.send(keyEnter)
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if _, sum, err := r.st.Get(context.Background(), id); err == nil && sum.LeasedBy == coder {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("%s never opened %s at the large size", coder, id)
					return
				}
			}
			tm.quiet(500 * time.Millisecond)
			tm.send("/", "diabetes")
			tm.quiet(500 * time.Millisecond)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	coding := live()
	// And one whose very first pty-req is hostile.
	c, err := gossh.Dial("tcp", r.addr, r.clientConfig(fmt.Sprintf("coder%02d", sessions)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	drawn := &countingWriter{}
	s.Stdout = drawn
	s.StdinPipe()
	if err := s.RequestPty("xterm", 1<<32-1, 1<<32-1, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(drawn.text(), "Worklist"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the session with a hostile pty-req drew no worklist")
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if n := r.srv.Sessions(); n != sessions+1 {
		t.Fatalf("sessions: %d, want %d", n, sessions+1)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	perIdle := (idle - base) / sessions
	perLarge := (large - base) / sessions
	perCoding := (coding - base) / sessions
	t.Logf("live heap: %.0f MB before; per session: %.2f MB idle at 80x24, %.2f MB at 4294967295x4294967295 (clamped), %.2f MB coding at that size; %d sessions coding at hostile sizes: %.0f MB live, heap peak (HeapSys) %.0f MB, process peak RSS %d MB",
		base, perIdle, perLarge, perCoding, sessions, coding, float64(ms.HeapSys)/(1<<20), procStatusKB(t, os.Getpid(), "VmHWM")/1024)
	if perCoding-perIdle > 8 {
		t.Errorf("a session coding at the largest size holds %.1f MB more than an idle one at 80x24; the bound is 8 MB", perCoding-perIdle)
	}
}
