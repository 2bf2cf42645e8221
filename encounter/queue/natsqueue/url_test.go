package natsqueue

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		spec string
		want Options
	}{
		{"nats://host", Options{Servers: []string{"nats://host:4222"}}},
		{"nats://127.0.0.1:4223/", Options{Servers: []string{"nats://127.0.0.1:4223"}}},
		{"NATS://[::1]:4222", Options{Servers: []string{"nats://[::1]:4222"}}},
		{"nats://u:p%40ss@a:1,b?stream=CLAIMS&subject=billing.claims.east&spool=/var/spool/cb&timeout=500ms&duplicate_window=72h&creds=/etc/cb.creds",
			Options{Servers: []string{"nats://u:p%40ss@a:1", "nats://b:4222"}, Stream: "CLAIMS", Subject: "billing.claims.east",
				SpoolDir: "/var/spool/cb", PublishTimeout: 500 * time.Millisecond, DuplicateWindow: 72 * time.Hour, Creds: "/etc/cb.creds"}},
	}
	for _, g := range good {
		got, err := ParseURL(g.spec)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", g.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, g.want) {
			t.Errorf("ParseURL(%q) = %+v, want %+v", g.spec, got, g.want)
		}
	}
	bad := []struct{ spec, want string }{
		{"", "not a URL"},
		{"localhost:4222", "not a URL"},
		{"http://host:4222", `scheme "http" is not supported`},
		{"dir:///var/queue", `scheme "dir"`},
		{"nats://", "missing host"},
		{"nats://:4222", "missing host"},
		{"nats://host:", `port "" is not a number`},
		{"nats://host:abc", `port "abc" is not a number`},
		{"nats://host:0", `port "0"`},
		{"nats://host:70000", `port "70000"`},
		{"nats://host:4222/path", "must not have a path"},
		{"nats://a,,b", "empty server address"},
		{"nats://::1:4222", "IPv6 addresses in brackets"},
		{"nats://[::1:4222", "missing ']'"},
		{"nats://ho st:4222", "spaces or control characters"},
		{"nats://host?steam=X", `unknown parameter "steam"`},
		{"nats://host?stream=a.b", "stream name"},
		{"nats://host?stream=", "stream name is empty"},
		{"nats://host?subject=billing.*", "must be literal"},
		{"nats://host?subject=billing..x", "empty token"},
		{"nats://host?timeout=soon", "not a positive duration"},
		{"nats://host?timeout=-1s", "not a positive duration"},
		{"nats://host?duplicate_window=10ms", "minimum of 100ms"},
		{"nats://host?stream=A&stream=B", "given 2 times"},
		{"nats://host?stream=%zz", "unparsable parameters"},
	}
	for _, b := range bad {
		_, err := ParseURL(b.spec)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded, want error containing %q", b.spec, b.want)
			continue
		}
		if !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseURL(%q) = %v, want it to contain %q", b.spec, err, b.want)
		}
	}
}

func TestParseURLHidesPassword(t *testing.T) {
	_, err := ParseURL("nats://coder:s3cret@host:99999")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v should exist and not show the password", err)
	}
	o, err := ParseURL("nats://coder:s3cret@host")
	if err != nil {
		t.Fatal(err)
	}
	if d := o.Display(); strings.Contains(d, "s3cret") {
		t.Errorf("Display() = %q shows the password", d)
	}
}

func TestDefaultSpoolDir(t *testing.T) {
	a, _ := ParseURL("nats://billing.example.org:4222")
	b, _ := ParseURL("nats://billing.example.org:4222?stream=OTHER")
	da, db := DefaultSpoolDir("/data", a), DefaultSpoolDir("/data", b)
	if da == db {
		t.Errorf("two streams share spool %s", da)
	}
	if want := "/data/spool/nats/billing.example.org_4222-BILLING"; da != want {
		t.Errorf("DefaultSpoolDir = %s, want %s", da, want)
	}
}

func TestSubjectMatches(t *testing.T) {
	cases := []struct {
		filter, subject string
		want            bool
	}{
		{"billing.claims", "billing.claims", true},
		{"billing.*", "billing.claims", true},
		{"billing.>", "billing.claims.east", true},
		{">", "billing", true},
		{"billing.>", "billing", false},
		{"billing.*", "billing.claims.east", false},
		{"billing.claims", "billing.claim", false},
		{"billing.claims.x", "billing.claims", false},
	}
	for _, c := range cases {
		if got := subjectMatches(c.filter, c.subject); got != c.want {
			t.Errorf("subjectMatches(%q, %q) = %v", c.filter, c.subject, got)
		}
	}
}
