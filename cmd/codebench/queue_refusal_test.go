package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"codebench/encounter/queue/natsqueue/natstest"
	"codebench/encounter/store"
	"codebench/encounter/store/sqlite"
)

// TestExportToAnUnreachableQueueIsSpooledNotExported: with NATS down (a
// wrong port), export says "spooled, NOT delivered" and exits 3, --json
// says spooled; queue status exits 3 once the export is older than
// --max-age, and 0 after the server is back and the spool drained.
func TestExportToAnUnreachableQueueIsSpooledNotExported(t *testing.T) {
	exportEnv(t, exportClaim("ENC-1"), exportClaim("ENC-2"))
	port := natstest.FreePort(t)
	spec := fmt.Sprintf("nats://127.0.0.1:%d?timeout=300ms", port)
	code, out, errOut := runCmd(t, "export", "--queue", spec, "ENC-1")
	if code != exportSpooled || !strings.Contains(out, "ENC-1 revision 0 spooled, NOT delivered") || strings.Contains(out, " exported:") {
		t.Fatalf("export to an unreachable queue: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "export", "--json", "--queue", spec, "ENC-2")
	var rep exportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exportSpooled || rep.Result != "spooled" || rep.Delivery != "spooled" {
		t.Fatalf("--json: exit %d %v %+v", code, err, rep)
	}
	t.Setenv("CODEBENCH_QUEUE", spec)
	if code, out, _ := runCmd(t, "queue", "status", "--max-age", "1h"); code != 0 || !strings.Contains(out, "2") {
		t.Fatalf("status within --max-age: %d\n%s", code, out)
	}
	if code, out, _ := runCmd(t, "queue", "status", "--max-age", "1ns"); code != queueStuck || !strings.Contains(out, "NOT DELIVERED: 2 export(s) spooled") {
		t.Fatalf("status past --max-age: %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "queue", "status", "--json", "--max-age", "1ns"); code != queueStuck {
		t.Fatalf("status --json past --max-age: %d", code)
	}
	ns := natstest.At(t, port, nil)
	ns.Restart()
	if code, out, errOut := runCmd(t, "queue", "drain"); code != 0 {
		t.Fatalf("drain: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "queue", "status", "--max-age", "1ns"); code != 0 {
		t.Fatalf("status after the drain: %d\n%s", code, out)
	}
}

// TestExportToARefusingQueueFails: wrong credentials or a missing
// permission are refusals: export exits 2 saying so, nothing is spooled
// and the encounter is not marked exported.
func TestExportToARefusingQueueFails(t *testing.T) {
	data := exportEnv(t, exportClaim("ENC-1"))
	ns := natstest.Start(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "coder", Password: "pw",
			Permissions: &server.Permissions{Publish: &server.SubjectPermission{Allow: []string{"other.>"}}}}}
	})
	for _, tc := range []struct{ spec, want string }{
		{ns.URL(), "refused the credentials"},
		{strings.Replace(ns.URL(), "nats://", "nats://coder:pw@", 1), "may not look up or create stream"},
	} {
		t.Setenv("CODEBENCH_QUEUE", tc.spec) // credentials only from the environment
		code, out, errOut := runCmd(t, "export", "--json", "ENC-1")
		var rep exportReport
		json.Unmarshal([]byte(out), &rep)
		if code != exportFailed || !strings.Contains(errOut, tc.want) || rep.Result != "failed" && rep.Result != "queue-refused" {
			t.Fatalf("%s: exit %d %+v\n%s", tc.want, code, rep, errOut)
		}
		if strings.Contains(out+errOut, ":pw@") {
			t.Fatalf("the password was printed:\n%s%s", out, errOut)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(data, "spool", "nats", "*"))
	for _, d := range dirs {
		if pending, _ := os.ReadDir(filepath.Join(d, "pending")); len(pending) != 0 {
			t.Fatalf("refused exports were spooled in %s: %d", d, len(pending))
		}
	}
	st := openTestStore(t, filepath.Join(data, DefaultStoreFile))
	if _, sum, _ := st.Get(t.Context(), "ENC-1"); sum.Status == store.Exported {
		t.Fatalf("a refused export was recorded as exported: %+v", sum)
	}
}

// TestQueueCredentialsFromFilesOrEnvironmentOnly: a password on the
// command line is refused (and not echoed); from a 0600 password file it
// works; a loose file is refused.
func TestQueueCredentialsFromFilesOrEnvironmentOnly(t *testing.T) {
	exportEnv(t, exportClaim("ENC-1"))
	ns := natstest.Start(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "coder", Password: "hunter2"}}
	})
	withPass := strings.Replace(ns.URL(), "nats://", "nats://coder:hunter2@", 1)
	code, out, errOut := runCmd(t, "export", "--queue", withPass, "ENC-1")
	if code != exportFailed || !strings.Contains(errOut, "command line") || strings.Contains(out+errOut, "hunter2") {
		t.Fatalf("password on argv: %d\n%s\n%s", code, out, errOut)
	}
	pass := filepath.Join(t.TempDir(), "nats.pass")
	os.WriteFile(pass, []byte("hunter2\n"), 0o644)
	spec := strings.Replace(ns.URL(), "nats://", "nats://coder@", 1) + "?password_file=" + pass
	if code, out, errOut := runCmd(t, "export", "--queue", spec, "ENC-1"); code != exportFailed || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("loose password file: %d\n%s\n%s", code, out, errOut)
	}
	os.Chmod(pass, 0o600)
	if code, out, errOut := runCmd(t, "export", "--queue", spec, "ENC-1"); code != 0 || strings.Contains(out+errOut, "hunter2") {
		t.Fatalf("password file: %d\n%s\n%s", code, out, errOut)
	}
}

func TestMistypedQueueURLsAreErrors(t *testing.T) {
	exportEnv(t, exportClaim("ENC-1"))
	for _, spec := range []string{"nats:/127.0.0.1:4222", "nats:127.0.0.1:4222", "NATS:/host:4222", "http:/x"} {
		code, _, errOut := runCmd(t, "export", "--queue", spec, "ENC-1")
		if code != exportFailed || !strings.Contains(errOut, "is not one") {
			t.Errorf("%s: exit %d %q", spec, code, errOut)
		}
		if _, err := os.Stat(strings.SplitN(spec, ":", 2)[0] + ":"); err == nil {
			t.Errorf("%s created a directory", spec)
		}
	}
}

func openTestStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
