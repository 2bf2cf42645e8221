package natsqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/encounter/queue"
)

// openErr opens a queue that should be refused.
func openErr(t *testing.T, spec, spool string) error {
	t.Helper()
	o, err := ParseURL(spec)
	if err != nil {
		t.Fatal(err)
	}
	o.SpoolDir = spool
	q, err := Open(o)
	if err == nil {
		q.Close()
	}
	return err
}

func spooledFiles(t *testing.T, spool string) int {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(spool, "pending"))
	return len(entries)
}

func users(us ...*server.User) func(*server.Options) {
	return func(o *server.Options) { o.Users = us }
}

func allow(pub, sub []string) *server.Permissions {
	return &server.Permissions{Publish: &server.SubjectPermission{Allow: pub}, Subscribe: &server.SubjectPermission{Allow: sub}}
}

// TestWrongCredentialsAreARefusal: an authorization violation is not an
// outage: Open fails, saying so, and nothing is spooled.
func TestWrongCredentialsAreARefusal(t *testing.T) {
	ns := startNATS(t, func(o *server.Options) { o.Authorization = "s3cret" })
	spool := t.TempDir()
	for _, spec := range []string{ns.URL(), strings.Replace(ns.URL(), "nats://", "nats://wrong@", 1)} {
		err := openErr(t, spec, spool)
		if !errors.Is(err, queue.ErrRefused) || !strings.Contains(err.Error(), "refused the credentials") || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
			t.Fatalf("%s: %v", redact(spec), err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Fatalf("the token is in the message: %v", err)
		}
	}
	if n := spooledFiles(t, spool); n != 0 {
		t.Fatalf("%d spooled", n)
	}
	q := openTest(t, strings.Replace(ns.URL(), "nats://", "nats://s3cret@", 1), t.TempDir())
	if d, err := q.PublishDelivery(context.Background(), msg("E1", 1)); err != nil || d != queue.Delivered {
		t.Fatalf("with the token: %v %v", d, err)
	}
}

// TestMissingPermissionsAreRefusals: an account that may not use the
// JetStream API (so cannot find or create the stream), or may not publish
// to the billing subject, is refused, quickly, and nothing is spooled.
func TestMissingPermissionsAreRefusals(t *testing.T) {
	inbox := []string{"_INBOX.>"}
	ns := startNATS(t, users(
		&server.User{Username: "admin", Password: "a"},
		&server.User{Username: "nojs", Password: "n", Permissions: allow([]string{"other.>"}, inbox)},
		&server.User{Username: "nocreate", Password: "c", Permissions: allow([]string{"$JS.API.INFO", "$JS.API.STREAM.INFO.>"}, inbox)},
		&server.User{Username: "nopub", Password: "p", Permissions: allow([]string{"$JS.API.>"}, inbox)},
	))
	url := func(userpass string) string { return strings.Replace(ns.URL(), "nats://", "nats://"+userpass+"@", 1) }
	for _, tc := range []struct{ user, want string }{
		{"nojs:n", "may not look up or create stream BILLING"},
		{"nocreate:c", "may not look up or create stream BILLING"},
	} {
		spool := t.TempDir()
		start := time.Now()
		err := openErr(t, url(tc.user), spool)
		if !errors.Is(err, queue.ErrRefused) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Permissions Violation") {
			t.Fatalf("%s: %v", tc.user, err)
		}
		if el := time.Since(start); el > 4*time.Second {
			t.Logf("%s: refused after %v", tc.user, el)
		}
	}
	// The stream exists (made by the admin); nopub may use the API but
	// not publish claims.
	nc, err := nats.Connect(url("admin:a"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: DefaultStream, Subjects: []string{DefaultSubject}}); err != nil {
		t.Fatal(err)
	}
	spool := t.TempDir()
	q := openTest(t, url("nopub:p"), spool)
	_, err = q.PublishDelivery(context.Background(), msg("E1", 1))
	if !errors.Is(err, queue.ErrRefused) || !strings.Contains(err.Error(), "may not publish to "+DefaultSubject) {
		t.Fatalf("publish without permission: %v", err)
	}
	if n := spooledFiles(t, spool); n != 0 {
		t.Fatalf("a refused export was spooled (%d)", n)
	}
}

// TestUnreachableIsSpooledNotDelivered: a wrong port is an outage: the
// export is spooled, and says so.
func TestUnreachableIsSpooledNotDelivered(t *testing.T) {
	spool := t.TempDir()
	q := openTest(t, fmt.Sprintf("nats://127.0.0.1:%d?timeout=200ms", freePort(t)), spool)
	d, err := q.PublishDelivery(context.Background(), msg("E1", 1))
	if err != nil || d != queue.Spooled {
		t.Fatalf("unreachable: %v %v", d, err)
	}
	if n := spooledFiles(t, spool); n != 1 {
		t.Fatalf("spooled files: %d", n)
	}
}
