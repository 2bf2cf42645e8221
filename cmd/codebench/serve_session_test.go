package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// waitStore polls the store until cond holds (the server saves on its own
// goroutines).
func (r *sshRig) waitStore(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("store never reached: %s", what)
		}
	}
}

func (r *sshRig) diagnoses(t *testing.T, id string) (string, int) {
	t.Helper()
	enc, sum, err := r.st.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range enc.Diagnoses {
		codes = append(codes, d.Code)
	}
	return strings.Join(codes, ","), sum.Revision
}

// TestSSHOneCoderTwoSessionsLosesNothing is the probe's lost update over
// real SSH: alice opens enc-1015 in two sessions with one key. The second
// is refused until she takes it over; the first session's next change is
// refused and reloaded with a word, never saved over the second's work;
// closing the first releases nothing the second holds.
func TestSSHOneCoderTwoSessionsLosesNothing(t *testing.T) {
	r := newSSHRig(t, "alice")
	a := r.connect(t, "alice", 80, 24)
	a.waitFor("Worklist", "enc-1015")
	a.send(keyEnter)
	a.waitFor("enc-1015 · Chloe Anderson", "1 Documentation")
	a.search("ankle sprain", "S93")
	a.send(keyEnter)
	a.waitFor("A S93")
	r.waitStore(t, "A's first diagnosis", func() bool { _, rev := r.diagnoses(t, "enc-1015"); return rev == 1 })

	b := r.connect(t, "alice", 80, 24)
	b.waitFor("Worklist", "your other session")
	b.send("g") // the cursor starts on the first chart to do, which this one is not
	b.send(keyEnter)
	b.waitFor("enter again takes it over")
	if strings.Contains(b.screen(), "1 Documentation") {
		t.Fatalf("the second session opened the encounter alongside the first:\n%s", b.screen())
	}
	b.send(keyEnter)
	b.waitFor("enc-1015 · Chloe Anderson", "A S93")

	// A types on, not knowing: refused, reloaded, and told.
	a.search("essential hypertension", "I10")
	a.send(keyEnter)
	a.waitFor("took enc-1015 over")
	first, rev := r.diagnoses(t, "enc-1015")
	if rev != 1 || strings.Contains(first, "I10") {
		t.Fatalf("the first session saved over the second's lease: %s r%d", first, rev)
	}

	b.search("essential hypertension", "I10")
	b.send(keyEnter)
	b.waitFor("B I10")
	r.waitStore(t, "B's diagnosis", func() bool { _, rev := r.diagnoses(t, "enc-1015"); return rev == 2 })

	// A's connection goes; B's lease stays and B keeps saving.
	a.client.Close()
	r.waitStore(t, "A's session gone", func() bool { return r.srv.Sessions() == 1 })
	b.search("chronic kidney disease stage 3a", "N18.31")
	b.send(keyEnter)
	b.waitFor("C N18.31")
	r.waitStore(t, "B's third diagnosis", func() bool { _, rev := r.diagnoses(t, "enc-1015"); return rev == 3 })
	got, _ := r.diagnoses(t, "enc-1015")
	if !strings.HasPrefix(got, "S93") || !strings.HasSuffix(got, ",I10,N1831") {
		t.Fatalf("diagnoses after both sessions: %s", got)
	}
	audit, _ := r.st.Audit(context.Background(), "enc-1015")
	refused := false
	for _, e := range audit {
		refused = refused || e.Action == "draft refused" && strings.Contains(e.Detail, "I10")
	}
	if !refused {
		t.Fatalf("the first session's refused change is not in the audit log: %+v", audit)
	}
}

// TestSSHKilledClientReleasesItsLease: the ssh client is killed (its TCP
// connection reset without an SSH goodbye) while an encounter is open
// with a change on screen. The server stops the session the clean way:
// the change is saved and the lease released at once, not when it
// expires minutes later.
func TestSSHKilledClientReleasesItsLease(t *testing.T) {
	r := newSSHRig(t, "alice")
	raw, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := gossh.NewClientConn(raw, r.addr, r.clientConfig("alice"))
	if err != nil {
		t.Fatal(err)
	}
	a := attach(t, gossh.NewClient(sc, chans, reqs), 80, 24)
	a.waitFor("Worklist", "enc-1015")
	a.send(keyEnter)
	a.waitFor("enc-1015 · Chloe Anderson")
	a.search("ankle sprain", "S93")
	a.send(keyEnter)
	a.waitFor("A S93")
	if _, sum, _ := r.st.Get(context.Background(), "enc-1015"); sum.LeasedBy != "alice" {
		t.Fatalf("lease before the kill: %+v", sum)
	}
	raw.(*net.TCPConn).SetLinger(0)
	raw.Close() // RST: what the server sees when the client is kill -9ed
	r.waitStore(t, "lease released after the client died", func() bool {
		_, sum, _ := r.st.Get(context.Background(), "enc-1015")
		return sum.LeasedBy == ""
	})
	if got, _ := r.diagnoses(t, "enc-1015"); !strings.HasPrefix(got, "S93") {
		t.Fatalf("the change on screen was not saved: %q", got)
	}
	// The session ends once its program has quit, a moment after the
	// release.
	r.waitStore(t, "no session left after the kill", func() bool { return r.srv.Sessions() == 0 })
}
