package natsqueue

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue/natstest"
)

// startNATS starts a real in-process nats-server; tweak may change options.
func startNATS(t testing.TB, tweak func(*server.Options)) *natstest.Server {
	return natstest.Start(t, tweak)
}

// jetStream is a plain client for inspecting the stream from the test.
func jetStream(t testing.TB, ns *natstest.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// storedMsg is one message read back from the stream.
type storedMsg struct {
	seq       uint64
	id        string
	encounter string
	revision  string
	data      string
}

// readStream returns every message in the stream in sequence order.
func readStream(t testing.TB, js jetstream.JetStream, stream string) []storedMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	state := s.CachedInfo().State
	var out []storedMsg
	for seq := state.FirstSeq; seq <= state.LastSeq && state.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("get seq %d: %v", seq, err)
		}
		out = append(out, storedMsg{
			seq: seq, id: m.Header.Get(jetstream.MsgIDHeader),
			encounter: m.Header.Get(HeaderEncounter), revision: m.Header.Get(HeaderRevision),
			data: string(m.Data),
		})
	}
	return out
}

func freePort(t testing.TB) int { return natstest.FreePort(t) }

func msg(id string, rev int) queue.Message {
	return queue.Message{EncounterID: id, Revision: rev, Data: fmt.Appendf(nil, `{"encounter":%q,"revision":%d}`, id, rev)}
}

// openTest opens a queue on spec with the given spool directory.
func openTest(t testing.TB, spec, spool string) *Queue {
	t.Helper()
	o, err := ParseURL(spec)
	if err != nil {
		t.Fatal(err)
	}
	o.SpoolDir = spool
	q, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}
