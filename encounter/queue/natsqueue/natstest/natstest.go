// Package natstest runs a real nats-server with JetStream inside a test
// process, on 127.0.0.1 and a random port, storing into a temporary
// directory. Only tests import it.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an in-process nats-server that can be stopped and started
// again on the same port and store directory, like a restarted machine.
type Server struct {
	t        testing.TB
	StoreDir string
	Port     int
	srv      *server.Server
	tweak    func(*server.Options)
}

// Start starts a server; tweak (may be nil) adjusts its options. The
// server is shut down when the test ends.
func Start(t testing.TB, tweak func(*server.Options)) *Server {
	t.Helper()
	s := &Server{t: t, StoreDir: t.TempDir(), Port: server.RANDOM_PORT, tweak: tweak}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// At prepares a server for a given port without starting it: call
// Restart when the test wants it up.
func At(t testing.TB, port int, tweak func(*server.Options)) *Server {
	s := &Server{t: t, StoreDir: t.TempDir(), Port: port, tweak: tweak}
	t.Cleanup(s.Stop)
	return s
}

// Restart starts the server (again) on the same port and store directory.
func (s *Server) Restart() {
	s.t.Helper()
	o := &server.Options{
		ServerName: "codebench-test",
		Host:       "127.0.0.1",
		Port:       s.Port,
		JetStream:  true,
		StoreDir:   s.StoreDir,
		NoLog:      true,
		NoSigs:     true,
	}
	if s.tweak != nil {
		s.tweak(o)
	}
	// Right after a shutdown the port may still be closing: retry briefly.
	var err error
	for range 50 {
		s.srv, err = server.NewServer(o)
		if err != nil {
			s.t.Fatal(err)
		}
		go s.srv.Start()
		if s.srv.ReadyForConnections(5 * time.Second) {
			s.Port = s.srv.Addr().(*net.TCPAddr).Port
			return
		}
		s.srv.Shutdown()
		err = fmt.Errorf("nats-server not ready on 127.0.0.1:%d", s.Port)
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatal(err)
}

// Stop shuts the server down and waits until it is gone.
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}

// URL is nats://127.0.0.1:PORT.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.Port) }

// FreePort returns a port nobody listens on, for "server down" tests.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
