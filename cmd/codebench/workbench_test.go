package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"codebench/encounter/demo"
	"codebench/encounter/store/sqlite"
)

func TestWorkbenchQueueNameHidesCredentials(t *testing.T) {
	for spec, want := range map[string]string{
		"nats://coder:s3cret@nats.example:4222?stream=BILLING": "billing queue nats://nats.example:4222?stream=BILLING",
		"dir:/srv/queue": "billing queue /srv/queue",
		"/srv/queue":     "billing queue /srv/queue",
	} {
		if got := queueName(spec); got != want || strings.Contains(got, "s3cret") {
			t.Errorf("queueName(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestWorkbenchSeedsTheDemoStoreOnce(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	n, err := seedDemo(ctx, st)
	if err != nil || n != len(demo.Names()) {
		t.Fatalf("seeded %d of %d: %v", n, len(demo.Names()), err)
	}
	if n, err := seedDemo(ctx, st); err != nil || n != 0 {
		t.Fatalf("second start seeded %d: %v", n, err)
	}
}

func TestWorkbenchFlags(t *testing.T) {
	t.Setenv("CODEBENCH_DATA", t.TempDir())
	t.Setenv("CODEBENCH_CACHE", t.TempDir())
	var errb bytes.Buffer
	e := &env{stderr: &errb, stdout: &errb}
	c, code := workbenchFlags(e, []string{"--coder", "alice"})
	if code != -1 || !c.demo || c.coder != "alice" || !strings.Contains(c.storePath, demoDir) || !strings.Contains(c.queueSpec, demoDir) {
		t.Fatalf("%+v %d %s", c, code, errb.String())
	}
	if _, code := workbenchFlags(e, []string{"--coder", "a/b"}); code != 1 {
		t.Fatal("a coder id with a slash was accepted")
	}
	c, code = workbenchFlags(e, []string{"--store", "/x/work.db", "--queue", "dir:/q"})
	if code != -1 || c.demo || c.queueSpec != "dir:/q" {
		t.Fatalf("%+v %d", c, code)
	}
}
