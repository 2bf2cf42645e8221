package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	gossh "golang.org/x/crypto/ssh"

	"codebench/encounter"
	"codebench/encounter/demo"
	"codebench/encounter/exporter"
	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue"
	"codebench/encounter/queue/natsqueue/natstest"
	"codebench/encounter/store"
	"codebench/encounter/store/postgres"
	"codebench/encounter/store/postgres/pgtest"
)

// cluster is two or more `codebench serve` nodes on one PostgreSQL work
// store and one JetStream billing queue, as behind a load balancer.
type cluster struct {
	t        *testing.T
	dir      string
	st       *postgres.Store // the test's own view of the shared store
	env      []string        // CODEBENCH_STORE for the nodes
	natsURL  string
	keys     map[string]gossh.Signer
	keysPath string
	hostKey  string
}

const nodeLeaseTTL = 3 * time.Second

func newCluster(t *testing.T, coders ...string) *cluster {
	t.Helper()
	testIndex(t) // built once here, so every node opens it from the cache
	db := pgtest.Require(t).NewDatabase(t)
	ctx := context.Background()
	if _, err := postgres.Setup(ctx, db.OwnerDSN(), pgtest.AppRole); err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(ctx, db.AppDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := seedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	ns := natstest.Start(t, nil)
	c := &cluster{t: t, dir: t.TempDir(), st: st, env: []string{StoreEnv + "=" + db.AppDSN()},
		natsURL: fmt.Sprintf("nats://127.0.0.1:%d", ns.Port)}
	c.keys, c.keysPath = writeKeys(t, c.dir, coders...)
	c.hostKey = writeHostKey(t, filepath.Join(c.dir, "host_ed25519"))
	return c
}

// writeHostKey writes a new ed25519 host key in OpenSSH format.
func writeHostKey(t *testing.T, path string) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// queueSpec is the shared JetStream queue, with a spool of the node's own.
func (c *cluster) queueSpec(node string) string {
	return c.natsURL + "?spool=" + filepath.Join(c.dir, "spool-"+node)
}

// node starts one serve node; its own data directory holds its log.
type node struct {
	name   string
	cmd    *exec.Cmd
	rig    *sshRig
	exited <-chan error
	stderr *strings.Builder
}

func (c *cluster) start(name string, extra ...string) *node {
	c.t.Helper()
	dir := filepath.Join(c.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	args := append([]string{"--node", name, "--lease-ttl", nodeLeaseTTL.String(), "--queue", c.queueSpec(name),
		"--authorized-keys", c.keysPath, "--host-key", c.hostKey, "--log", filepath.Join(dir, "serve.log")}, extra...)
	cmd, addr, exited, stderr := startServeWith(c.t, dir, c.env, args...)
	return &node{name: name, cmd: cmd, exited: exited, stderr: stderr, rig: &sshRig{addr: addr, keys: c.keys}}
}

func (c *cluster) summary(id string) store.Summary {
	c.t.Helper()
	_, sum, err := c.st.Get(context.Background(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	return sum
}

// waitStore polls the shared store until cond holds; on failure it
// shows the screens of the terminals given.
func (c *cluster) waitStore(what string, cond func() bool, show ...*term) {
	c.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			var screens strings.Builder
			for _, tm := range show {
				screens.WriteString(tm.screen() + "\n")
			}
			c.t.Fatalf("store never reached: %s\n%s", what, screens.String())
		}
	}
}

// precode saves the answer key's coding of a demo encounter, as a coder
// on some node would have, and releases it.
func (c *cluster) precode(id string) {
	c.t.Helper()
	ctx := context.Background()
	l, err := c.st.Lease(ctx, id, "setup", time.Minute)
	if err != nil {
		c.t.Fatal(err)
	}
	enc, _, _ := c.st.Get(ctx, id)
	coded, ok := demo.Code(enc)
	if !ok {
		c.t.Fatalf("no answer for %s", id)
	}
	if err := c.st.SaveDraft(ctx, l, enc.Revision, coded, "coded"); err != nil {
		c.t.Fatal(err)
	}
	if err := c.st.Release(ctx, l); err != nil {
		c.t.Fatal(err)
	}
}

// queued counts the messages in the billing stream per key (Nats-Msg-Id).
func (c *cluster) queued() map[string]int {
	c.t.Helper()
	nc, err := nats.Connect(c.natsURL)
	if err != nil {
		c.t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		c.t.Fatal(err)
	}
	info, err := js.StreamInfo(natsqueue.DefaultStream)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]int{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := js.GetMsg(natsqueue.DefaultStream, seq)
		if err != nil {
			c.t.Fatal(err)
		}
		out[m.Header.Get(nats.MsgIdHdr)]++
	}
	return out
}

// TestMultiNode runs two serve nodes on one PostgreSQL store and one
// JetStream queue with real SSH clients: a lease taken on one node shuts
// coders on the other out (and their worklist shows it); an encounter
// exported on one node and again from the other lands once; node A is
// killed with SIGKILL mid-session, and the coder's saved draft is on
// node B once A's lease expires; an export that a dead node began is
// finished from the other node, once; and a node with another host key
// is refused.
func TestMultiNode(t *testing.T) {
	c := newCluster(t, "alice", "bob")
	c.precode("enc-1012")
	c.precode("enc-1001")
	a := c.start("node-a")
	b := c.start("node-b")
	ctx := context.Background()

	// Bob's worklist on B is up before alice leases on A: the lock
	// reaches it by LISTEN/NOTIFY.
	bob := b.rig.connect(t, "bob", 80, 24)
	bob.waitFor("Worklist", "enc-1015")
	alice := a.rig.connect(t, "alice", 80, 24)
	alice.waitFor("Worklist", "enc-1015")
	alice.open("enc-1015")
	alice.waitFor("enc-1015 · Chloe Anderson", "1 Documentation")
	bob.waitFor("locked: alice")
	bob.open("enc-1015")
	bob.waitFor("enc-1015 is being coded by alice")
	if strings.Contains(bob.screen(), "1 Documentation") {
		t.Fatalf("bob opened on node B what alice holds on node A:\n%s", bob.screen())
	}
	if sum := c.summary("enc-1015"); sum.LeasedBy != "alice" {
		t.Fatalf("holder %q", sum.LeasedBy)
	}

	// Bob exports enc-1012 on B; the same export asked again through
	// node A's configuration finds it done and publishes nothing.
	bob.open("enc-1012")
	bob.waitFor("enc-1012 · Sofia Delgado")
	bob.send(keyCtrlX)
	bob.waitFor("Export enc-1012")
	bob.send("J") // the JSON view shows once the document is built
	bob.waitFor(`"resourceType"`)
	bob.send("y")
	c.waitStore("enc-1012 exported", func() bool { return c.summary("enc-1012").Status == store.Exported }, bob)
	key := c.summary("enc-1012").ExportKey
	if out, code := c.exportCLI("node-a", "carol", "enc-1012"); code != 0 || !strings.Contains(out, "already-exported") {
		t.Fatalf("export again from node A: exit %d\n%s", code, out)
	}

	// Alice codes on A and sees it saved; then A dies outright.
	rev := c.summary("enc-1015").Revision
	alice.search("ankle sprain", "S93")
	alice.send(keyEnter)
	alice.waitFor("A S93")
	// The header says the revision once it is saved ("saving…" before).
	c.waitStore("the header to show the change saved", func() bool {
		scr := alice.screen()
		return strings.Contains(scr, fmt.Sprintf("r%d", rev+1)) && !strings.Contains(scr, "saving")
	}, alice)
	killed := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	c.waitStore("alice's lease from node A expired", func() bool { return c.summary("enc-1015").LeasedBy == "" })
	expired := time.Since(killed)
	// Alice reconnects (the load balancer sends her to B): her draft is
	// there and she holds the encounter again.
	again := b.rig.connect(t, "alice", 80, 24)
	again.waitFor("Worklist", "enc-1015")
	again.open("enc-1015")
	again.waitFor("enc-1015 · Chloe Anderson", "A S93")
	handOver := time.Since(killed)
	if sum := c.summary("enc-1015"); sum.LeasedBy != "alice" || sum.Revision != rev+1 {
		t.Fatalf("after the hand-over: %+v", sum)
	}
	t.Logf("node A killed: its lease expired %v later (lease TTL %v); the encounter reopened on node B %v after the kill",
		expired.Round(time.Millisecond), nodeLeaseTTL, handOver.Round(time.Millisecond))

	// A node that published enc-1001 and died before recording it: the
	// export is finished from node B under the same key, and the queue
	// keeps one copy.
	l, err := c.st.Lease(ctx, "enc-1001", "dave", nodeLeaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	_, sum, _ := c.st.Get(ctx, "enc-1001")
	pendingKey := encounter.ExportKey("enc-1001", sum.Revision)
	set, _ := testIndex(t)
	data, err := (&exporter.Exporter{Store: c.st, Codes: set}).Document(ctx, "enc-1001")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.st.BeginExport(ctx, l, sum.Revision, pendingKey); err != nil {
		t.Fatal(err)
	}
	q, err := openQueue(c.queueSpec("dead-node"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, queue.Message{EncounterID: "enc-1001", Revision: sum.Revision, Data: data, ContentType: queue.ContentFHIR}); err != nil {
		t.Fatal(err)
	}
	q.Close()
	c.waitStore("dave's lease expired", func() bool { return c.summary("enc-1001").LeasedBy == "" })
	if out, code := c.exportCLI("node-b", "bob", "enc-1001"); code != 0 || !strings.Contains(out, "resumed") {
		t.Fatalf("finishing the dead node's export on node B: exit %d\n%s", code, out)
	}
	if sum := c.summary("enc-1001"); sum.Status != store.Exported || sum.ExportKey != pendingKey {
		t.Fatalf("enc-1001 after the resumed export: %+v", sum)
	}
	queued := c.queued()
	if queued[key] != 1 || queued[pendingKey] != 1 || len(queued) != 2 {
		t.Fatalf("billing stream: %v, want %s and %s once each", queued, key, pendingKey)
	}

	// A node with its own host key cannot join: coders would see the
	// key change from one connection to the next.
	other := writeHostKey(t, filepath.Join(c.dir, "other_host_key"))
	refused := exec.Command(os.Args[0], "serve", "--addr", freePort(t), "--node", "node-c", "--cache", testCache(),
		"--queue", c.queueSpec("node-c"), "--authorized-keys", c.keysPath, "--host-key", other)
	refused.Env = append(append(os.Environ(), "CODEBENCH_TEST_MAIN=1", "CODEBENCH_DATA="+filepath.Join(c.dir, "node-c")), c.env...)
	out, err := refused.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "host key") || !strings.Contains(string(out), "but live node") {
		t.Fatalf("node with another host key: %v\n%s", err, out)
	}
}

// exportCLI runs `codebench export --json` as it would run beside a node
// (that node's queue spool), on the shared store and queue.
func (c *cluster) exportCLI(nodeName, coder, id string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "export", "--json", "--coder", coder, "--queue", c.queueSpec(nodeName), id)
	cmd.Env = append(append(os.Environ(), "CODEBENCH_TEST_MAIN=1", "CODEBENCH_DATA="+filepath.Join(c.dir, nodeName)), c.env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return string(out), 0
}
