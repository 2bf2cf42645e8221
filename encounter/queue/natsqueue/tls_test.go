package natsqueue

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue/natstest"
	"codebench/internal/tlstest"
)

// TestTLSVerified: with tls_ca the queue talks TLS to a server whose
// certificate that authority signed and delivers; with another
// authority it never delivers to it (the export waits in the spool).
func TestTLSVerified(t *testing.T) {
	certs, err := tlstest.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := certs.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.Start(t, func(o *server.Options) { o.TLSConfig, o.TLS, o.TLSTimeout = cfg, true, 2 })
	open := func(ca string) *Queue {
		o, err := ParseURL(ns.URL() + "?timeout=500ms&tls_ca=" + ca + "&spool=" + filepath.Join(t.TempDir(), "spool"))
		if err != nil {
			t.Fatal(err)
		}
		q, err := Open(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Close() })
		return q
	}
	msg := queue.Message{EncounterID: "enc-1", Revision: 1, Data: []byte(`{}`), ContentType: queue.ContentFHIR}
	if out, err := open(certs.CA).PublishOutcome(context.Background(), msg); err != nil || out != Delivered {
		t.Fatalf("over verified TLS: %v %v", out, err)
	}
	other, err := tlstest.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if out, err := open(other.CA).PublishOutcome(context.Background(), msg); err != nil || out != Spooled {
		t.Fatalf("to a server another authority vouches for: %v %v", out, err)
	}
	if _, err := ParseURL(ns.URL() + "?tls_cert=a.pem&spool=x"); err != nil {
		t.Fatal(err) // parsing alone accepts it; Open checks the pair
	}
	o, _ := ParseURL(ns.URL() + "?tls_cert=a.pem&spool=" + t.TempDir())
	if _, err := Open(o); err == nil || !strings.Contains(err.Error(), "tls_key") {
		t.Fatalf("a client certificate without its key: %v", err)
	}
}
