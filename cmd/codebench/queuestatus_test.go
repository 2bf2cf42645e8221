package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue"
	"codebench/encounter/queue/natsqueue/natstest"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}

func TestQueueStatusAndDrain(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	t.Setenv("CODEBENCH_QUEUE", "")
	ns := natstest.Start(t, nil)
	spec := ns.URL() + "?stream=CLAIMS&timeout=300ms"

	// Two exports while the server is down are spooled in the data directory.
	ns.Stop()
	q, err := openNATSQueue(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	nq, ok := q.(*natsqueue.Queue)
	if !ok {
		t.Fatalf("openNATSQueue(%q) = %T", spec, q)
	}
	for i := range 2 {
		m := queue.Message{EncounterID: fmt.Sprintf("E%d", i), Revision: 1, Data: []byte(`{}`)}
		if out, err := nq.PublishOutcome(context.Background(), m); err != nil || out != natsqueue.Spooled {
			t.Fatalf("publish: %v %v", out, err)
		}
	}
	q.Close()

	code, out, errs := runCmd(t, "queue", "status", "--queue", spec)
	if code != 0 || !strings.Contains(out, "2 waiting") || !strings.Contains(out, "unreachable") {
		t.Errorf("status while down: %d\n%s%s", code, out, errs)
	}

	ns.Restart()
	code, out, errs = runCmd(t, "queue", "drain", "--queue", spec, "--timeout", "10s")
	if code != 0 || !strings.Contains(out, "spool empty") || !strings.Contains(out, "2 acknowledged") {
		t.Errorf("drain: %d\n%s%s", code, out, errs)
	}

	t.Setenv("CODEBENCH_QUEUE", spec)
	code, out, errs = runCmd(t, "queue", "status", "--json")
	var st natsqueue.Status
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("status --json: %d %v\n%s%s", code, err, out, errs)
	}
	if st.Spooled != 0 || st.Delivered != 2 || st.Forwarded != 2 || st.Stream == nil || st.Stream.Messages != 2 || st.Stream.Name != "CLAIMS" {
		t.Errorf("status --json: %+v", st)
	}
}

func TestQueueCommandErrors(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	t.Setenv("CODEBENCH_QUEUE", "")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"queue"}, "usage: codebench queue"},
		{[]string{"queue", "purge"}, `unknown queue command "purge"`},
		{[]string{"queue", "status"}, "no queue given"},
		{[]string{"queue", "status", "--queue", "/srv/billing"}, "not a nats:// queue"},
		{[]string{"queue", "status", "--queue", "nats://:4222"}, "missing host"},
		{[]string{"queue", "status", "--queue", "nats://host:http"}, `port "http" is not a number`},
		{[]string{"queue", "drain", "--queue", "nats://host?stream=a.b"}, "stream name"},
	}
	for _, c := range cases {
		code, _, errs := runCmd(t, c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
}

func TestOpenQueueNATS(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	ns := natstest.Start(t, nil)
	q, err := openQueue(ns.URL()+"?stream=CLAIMS", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, ok := q.(*natsqueue.Queue); !ok {
		t.Fatalf("openQueue(nats://...) = %T", q)
	}
	for _, spec := range []string{"nats://:4222", "nats://host:65536", "nats://host/x"} {
		if q, err := openQueue(spec, nil); err == nil || q != nil {
			t.Errorf("openQueue(%q) = %v, %v; want a nil queue and an error", spec, q, err)
		}
	}
}
