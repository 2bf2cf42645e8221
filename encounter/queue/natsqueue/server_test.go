package natsqueue

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/encounter/queue"
)

// natsServer is a real nats-server running in the test process on
// 127.0.0.1, with JetStream storing into a temporary directory.
type natsServer struct {
	t        testing.TB
	storeDir string
	port     int
	srv      *server.Server
	opts     func(*server.Options)
}

// startNATS starts a server on a random port; tweak may change options.
func startNATS(t testing.TB, tweak func(*server.Options)) *natsServer {
	t.Helper()
	ns := &natsServer{t: t, storeDir: t.TempDir(), port: server.RANDOM_PORT, opts: tweak}
	ns.start()
	t.Cleanup(ns.stop)
	return ns
}

// start (re)starts the server on the same port and store directory.
func (ns *natsServer) start() {
	ns.t.Helper()
	o := &server.Options{
		ServerName: "codebench-test",
		Host:       "127.0.0.1",
		Port:       ns.port,
		JetStream:  true,
		StoreDir:   ns.storeDir,
		NoLog:      true,
		NoSigs:     true,
	}
	if ns.opts != nil {
		ns.opts(o)
	}
	var err error
	// Right after a shutdown the port may still be closing: retry briefly.
	for i := 0; i < 50; i++ {
		ns.srv, err = server.NewServer(o)
		if err != nil {
			ns.t.Fatal(err)
		}
		go ns.srv.Start()
		if ns.srv.ReadyForConnections(5 * time.Second) {
			break
		}
		ns.srv.Shutdown()
		err = fmt.Errorf("nats-server not ready on port %d", ns.port)
		time.Sleep(50 * time.Millisecond)
	}
	if ns.srv == nil || !ns.srv.Running() {
		ns.t.Fatal(err)
	}
	ns.port = ns.srv.Addr().(*net.TCPAddr).Port
}

func (ns *natsServer) stop() {
	if ns.srv != nil {
		ns.srv.Shutdown()
		ns.srv.WaitForShutdown()
	}
}

func (ns *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", ns.port) }

// jetStream is a plain client for inspecting the stream from the test.
func (ns *natsServer) jetStream() jetstream.JetStream {
	ns.t.Helper()
	nc, err := nats.Connect(ns.url())
	if err != nil {
		ns.t.Fatal(err)
	}
	ns.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		ns.t.Fatal(err)
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

// freePort returns a port nobody listens on (for "server down" tests).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

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
