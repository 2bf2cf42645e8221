package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"codebench/tui/sshserve"
	"codebench/tui/sshserve/sshload"
)

// keyF1 is F1 as xterm sends it.
const keyF1 = "\x1bOP"

// TestSSHStalledClientIsDroppedWithItsDraftSaved: a coder's terminal
// freezes (the ssh client stops reading) while the session keeps drawing:
// the coder toggles the help screen, a full screen each time. The server
// lets only so much output wait, then stops the session the clean way
// (the change on screen saved, the lease released) and closes the
// connection; another coder's session works throughout.
func TestSSHStalledClientIsDroppedWithItsDraftSaved(t *testing.T) {
	r := newSSHRigWith(t, func(c *sshserve.Config) {
		c.MaxPendingOutput = 128 << 10
		c.StallTimeout = 3 * time.Second
	}, "alice", "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	a, err := sshload.Dial(ctx, r.addr, "alice", r.keys["alice"], 200, 60)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	must := func(tm *sshload.Terminal, texts ...string) {
		t.Helper()
		if err := tm.WaitText(ctx, texts...); err != nil {
			t.Fatal(err)
		}
	}
	must(a, "Worklist", "enc-1015")
	a.Send("/", sshload.KeyCtrlU, "enc-1015", sshload.KeyEnter)
	must(a, " enc-1015 ·")
	a.Send("/", sshload.KeyCtrlU, "ankle sprain")
	must(a, "S93")
	// Enter picks once the query's own results show; until then it says
	// so and picks nothing: press it again.
	for picked := false; !picked; {
		a.Send(sshload.KeyEnter)
		wait, stop := context.WithTimeout(ctx, 2*time.Second)
		picked = a.WaitText(wait, "A S93") == nil
		stop()
		if ctx.Err() != nil {
			t.Fatalf("S93 never picked:\n%s", a.Text())
		}
	}
	if _, sum, _ := r.st.Get(ctx, "enc-1015"); sum.LeasedBy != "alice" {
		t.Fatalf("lease before the stall: %+v", sum)
	}

	b, err := sshload.Dial(ctx, r.addr, "bob", r.keys["bob"], 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	must(b, "Worklist", "enc-1012")

	a.StopReading()
	// Help on, help off (f1): a full screen each key, until the server
	// gives up on the client.
	stalled := false
	for i := 0; !stalled && ctx.Err() == nil; i++ {
		if err := a.Send(keyF1); err != nil {
			break // the connection is gone
		}
		if i == 20 {
			// Meanwhile another coder's keys are answered.
			b.Send("/", "enc-1012")
			must(b, "enc-1012")
		}
		select {
		case <-a.Gone():
			stalled = true
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case <-a.Gone():
	case <-time.After(30 * time.Second):
		t.Fatal("the stalled client's connection was not closed")
	}
	r.waitStore(t, "the stalled session's lease released", func() bool {
		_, sum, _ := r.st.Get(ctx, "enc-1015")
		return sum.LeasedBy == ""
	})
	if got, _ := r.diagnoses(t, "enc-1015"); !strings.HasPrefix(got, "S93") {
		t.Fatalf("the change on screen was not saved: %q", got)
	}
	r.waitStore(t, "bob's session alone left", func() bool { return r.srv.Sessions() == 1 })
	b.Send(sshload.KeyCtrlU, "enc-1015")
	must(b, "enc-1015")
}
