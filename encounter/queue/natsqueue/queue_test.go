package natsqueue

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue/natstest"
)

func flush(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, q *Queue) Status {
	t.Helper()
	st, err := q.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wantKeys checks the stream holds exactly these message ids, in order.
func wantKeys(t *testing.T, got []storedMsg, keys []string) {
	t.Helper()
	ids := make([]string, len(got))
	for i, m := range got {
		ids[i] = m.id
	}
	if strings.Join(ids, " ") != strings.Join(keys, " ") {
		t.Fatalf("stream holds %d messages\n%v\nwant %d\n%v", len(ids), ids, len(keys), keys)
	}
}

func TestPublishAndConsume(t *testing.T) {
	ns := startNATS(t, nil)
	q := openTest(t, ns.URL()+"?stream=CLAIMS&subject=billing.claims.test", t.TempDir())
	ctx := context.Background()
	var keys []string
	for i := range 5 {
		m := msg(fmt.Sprintf("ENC-%d", i), 1)
		out, err := q.PublishOutcome(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if out != Delivered {
			t.Errorf("publish %s: %v, want delivered", m.Key(), out)
		}
		keys = append(keys, m.Key())
	}
	js := jetStream(t, ns)
	got := readStream(t, js, "CLAIMS")
	wantKeys(t, got, keys)
	if got[2].encounter != "ENC-2" || got[2].revision != "1" || got[2].data != `{"encounter":"ENC-2","revision":1}` {
		t.Errorf("message 3 = %+v", got[2])
	}

	// A billing consumer sees the same messages.
	cons, err := js.CreateOrUpdateConsumer(ctx, "CLAIMS", jetstream.ConsumerConfig{Durable: "billing", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m := range batch.Messages() {
		if m.Subject() != "billing.claims.test" || m.Headers().Get(jetstream.MsgIDHeader) != keys[n] {
			t.Errorf("consumed %s %s, want %s", m.Subject(), m.Headers().Get(jetstream.MsgIDHeader), keys[n])
		}
		m.Ack()
		n++
	}
	if n != len(keys) {
		t.Errorf("consumer got %d messages, want %d", n, len(keys))
	}

	s, err := js.Stream(ctx, "CLAIMS")
	if err != nil {
		t.Fatal(err)
	}
	if cfg := s.CachedInfo().Config; cfg.Duplicates != DefaultDuplicateWindow || cfg.Storage != jetstream.FileStorage {
		t.Errorf("stream created with window %v storage %v", cfg.Duplicates, cfg.Storage)
	}
	st := status(t, q)
	if st.Delivered != 5 || st.Spooled != 0 || st.SpooledTotal != 0 || !st.Connected || st.Stream == nil || st.Stream.Messages != 5 {
		t.Errorf("status = %+v", st)
	}
}

func TestReexportIsDeduplicated(t *testing.T) {
	ns := startNATS(t, nil)
	q := openTest(t, ns.URL(), t.TempDir())
	ctx := context.Background()
	m := msg("ENC-1", 3)
	if out, err := q.PublishOutcome(ctx, m); err != nil || out != Delivered {
		t.Fatalf("first export: %v %v", out, err)
	}
	m.Data = []byte(`{"encounter":"ENC-1","revision":3,"again":true}`)
	if out, err := q.PublishOutcome(ctx, m); err != nil || out != Duplicate {
		t.Fatalf("re-export: %v %v, want duplicate", out, err)
	}
	if err := q.Publish(ctx, msg("ENC-1", 4)); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, jetStream(t, ns), DefaultStream)
	wantKeys(t, got, []string{"ENC-1-r3", "ENC-1-r4"})
	if strings.Contains(got[0].data, "again") {
		t.Error("the re-export replaced the first copy")
	}
	if st := status(t, q); st.Delivered != 3 || st.Duplicates != 1 {
		t.Errorf("status delivered %d duplicates %d, want 3 and 1", st.Delivered, st.Duplicates)
	}
}

// The server stops while exports keep coming, then comes back: every
// export acknowledged to the caller reaches the stream once, in order.
func TestServerStoppedMidStream(t *testing.T) {
	ns := startNATS(t, nil)
	q := openTest(t, ns.URL()+"?timeout=300ms", t.TempDir())
	ctx := context.Background()
	var keys []string
	publish := func(m queue.Message) Outcome {
		t.Helper()
		// How long a publish waits with the server down is the queue's
		// timeout (300 ms here); it is not timed: on a loaded machine any
		// bound flakes, and a publish that hung would stop the test.
		out, err := q.PublishOutcome(ctx, m)
		if err != nil {
			t.Fatalf("publish %s: %v", m.Key(), err)
		}
		return out
	}
	for i := range 10 {
		m := msg(fmt.Sprintf("A%02d", i), 1)
		if out := publish(m); out != Delivered {
			t.Fatalf("%s: %v before the outage", m.Key(), out)
		}
		keys = append(keys, m.Key())
	}

	// Stop the server while a publisher is mid-stream.
	var wg sync.WaitGroup
	stopped := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		ns.Stop()
		close(stopped)
	}()
	spooled := 0
	for i := 10; i < 40; i++ {
		if i == 25 {
			<-stopped
		}
		m := msg(fmt.Sprintf("A%02d", i), 1)
		if publish(m) == Spooled {
			spooled++
		}
		keys = append(keys, m.Key())
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	// Re-exports during the outage are spooled too and must not double.
	publish(msg("A03", 1))
	publish(msg("A30", 1))
	t.Logf("%d of 30 exports spooled during the outage", spooled)
	if spooled < 15 {
		t.Fatalf("only %d of 30 exports spooled while the server was down", spooled)
	}
	if st := status(t, q); st.Spooled < 15 || st.Connected {
		t.Fatalf("during outage: %+v", st)
	}

	ns.Restart()
	flush(t, q)
	wantKeys(t, readStream(t, jetStream(t, ns), DefaultStream), keys)
	st := status(t, q)
	if st.Spooled != 0 || st.Delivered < 40 || st.Forwarded < 15 || st.LastError == "" {
		t.Errorf("after outage: %+v", st)
	}
}

// Exports spooled by one process are forwarded by the next one that opens
// the same spool, even if the first never saw the server.
func TestRestartForwardsSpool(t *testing.T) {
	spool := t.TempDir()
	port := freePort(t)
	spec := fmt.Sprintf("nats://127.0.0.1:%d?timeout=300ms", port)
	q1 := openTest(t, spec, spool)
	var keys []string
	for i := range 6 {
		m := msg(fmt.Sprintf("R%d", i), 2)
		out, err := q1.PublishOutcome(context.Background(), m)
		if err != nil || out != Spooled {
			t.Fatalf("%s: %v %v, want spooled", m.Key(), out, err)
		}
		keys = append(keys, m.Key())
	}
	if err := q1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := q1.Publish(context.Background(), msg("late", 1)); err != ErrClosed {
		t.Errorf("publish after close: %v", err)
	}

	ns := natstest.At(t, port, nil)
	ns.Restart()
	q2 := openTest(t, spec, spool)
	// New exports while the old ones are being forwarded queue behind them.
	for i := 6; i < 9; i++ {
		m := msg(fmt.Sprintf("R%d", i), 2)
		if err := q2.Publish(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, m.Key())
	}
	flush(t, q2)
	wantKeys(t, readStream(t, jetStream(t, ns), DefaultStream), keys)
	st := status(t, q2)
	if st.Delivered != 9 || st.Forwarded < 6 || st.Spooled != 0 {
		t.Errorf("status after restart: %+v", st)
	}
}

// Two processes (two queues on one spool directory) spool during an
// outage; after it every export is in the stream once.
func TestSharedSpool(t *testing.T) {
	ns := startNATS(t, nil)
	spool := t.TempDir()
	spec := ns.URL() + "?timeout=300ms"
	qa, qb := openTest(t, spec, spool), openTest(t, spec, spool)
	ns.Stop()
	var wg sync.WaitGroup
	for _, w := range []struct {
		q    *Queue
		name string
	}{{qa, "a"}, {qb, "b"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := w.q.Publish(context.Background(), msg(fmt.Sprintf("%s%02d", w.name, i), 1)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	ns.Restart()
	flush(t, qa)
	flush(t, qb)
	got := readStream(t, jetStream(t, ns), DefaultStream)
	if len(got) != 40 {
		t.Fatalf("stream holds %d messages, want 40", len(got))
	}
	// Each process's exports stay in its own order.
	last := map[byte]string{}
	for _, m := range got {
		if m.id <= last[m.id[0]] {
			t.Errorf("%s after %s", m.id, last[m.id[0]])
		}
		last[m.id[0]] = m.id
	}
}

// JetStream forgets message ids after its window. A spooled export whose
// first attempt may have been stored before that is looked up in the
// stream instead of being sent twice.
func TestReplayAfterDuplicateWindow(t *testing.T) {
	ns := startNATS(t, nil)
	spool := t.TempDir()
	q := openTest(t, ns.URL()+"?duplicate_window=300ms", spool)
	ctx := context.Background()
	if err := q.Publish(ctx, msg("OLD", 1)); err != nil {
		t.Fatal(err)
	}
	enqueued := time.Now()
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)

	// Premise: past the window JetStream stores a second copy itself.
	js := jetStream(t, ns)
	for range 2 {
		if _, err := js.Publish(ctx, DefaultSubject, []byte("{}"), jetstream.WithMsgID("PREMISE-r1")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
	}

	// As if the ack for OLD had been lost: it waits in the spool as well.
	sp, err := openSpool(spool, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp.acquire()
	_, err = sp.enqueue(msg("OLD", 1), enqueued)
	if err == nil {
		_, err = sp.enqueue(msg("NEW", 1), time.Now())
	}
	sp.release()
	sp.close()
	if err != nil {
		t.Fatal(err)
	}

	q2 := openTest(t, ns.URL(), spool)
	flush(t, q2)
	wantKeys(t, readStream(t, js, DefaultStream), []string{"OLD-r1", "PREMISE-r1", "PREMISE-r1", "NEW-r1"})
	if st := status(t, q2); st.Duplicates != 1 || st.Forwarded != 2 {
		t.Errorf("status: %+v", st)
	}
}

func TestDamagedSpoolFileIsSetAside(t *testing.T) {
	spool := t.TempDir()
	sp, err := openSpool(spool, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp.acquire()
	for _, id := range []string{"D1", "D2", "D3"} {
		if _, err := sp.enqueue(msg(id, 1), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	sp.release()
	sp.close()
	damaged := filepath.Join(spool, "pending", seqName(2))
	raw, _ := os.ReadFile(damaged)
	raw[len(raw)-2] ^= 0x20
	os.WriteFile(damaged, raw, 0o600)

	ns := startNATS(t, nil)
	q := openTest(t, ns.URL(), spool)
	flush(t, q)
	wantKeys(t, readStream(t, jetStream(t, ns), DefaultStream), []string{"D1-r1", "D3-r1"})
	st := status(t, q)
	if st.Rejected != 1 || !strings.Contains(st.LastError, "checksum mismatch") {
		t.Errorf("status: %+v", st)
	}
	reason, err := os.ReadFile(filepath.Join(spool, "rejected", seqName(2)+".reason"))
	if err != nil || !strings.Contains(string(reason), "checksum") {
		t.Errorf("reason file: %q %v", reason, err)
	}
}

func TestTooLargeExportIsRefused(t *testing.T) {
	ns := startNATS(t, func(o *server.Options) { o.MaxPayload = 4096 })
	q := openTest(t, ns.URL(), t.TempDir())
	big := queue.Message{EncounterID: "BIG", Revision: 1, Data: []byte(`"` + strings.Repeat("x", 8000) + `"`)}
	err := q.Publish(context.Background(), big)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("publish of 8 kB to a 4 kB server: %v", err)
	}
	// It is not spooled either: the queue behind it keeps moving.
	if err := q.Publish(context.Background(), msg("SMALL", 1)); err != nil {
		t.Fatal(err)
	}
	if st := status(t, q); st.Spooled != 0 || st.Delivered != 1 {
		t.Errorf("status: %+v", st)
	}

	// The limit is remembered: with the server down, a new process still
	// refuses the export instead of spooling what cannot be delivered.
	spool := q.Options().SpoolDir
	q.Close()
	ns.Stop()
	q2 := openTest(t, ns.URL(), spool)
	err = q2.Publish(context.Background(), big)
	if err == nil || !strings.Contains(err.Error(), "more than the 4096") {
		t.Fatalf("offline publish of 8 kB to a 4 kB server: %v", err)
	}
	if out, err := q2.PublishOutcome(context.Background(), msg("SMALL", 2)); err != nil || out != Spooled {
		t.Fatalf("small export offline: %v %v", out, err)
	}
}

func TestOpenErrors(t *testing.T) {
	noJS := startNATS(t, func(o *server.Options) { o.JetStream = false })
	_, err := Open(Options{Servers: []string{noJS.URL()}, SpoolDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "JetStream disabled") {
		t.Errorf("server without JetStream: %v", err)
	}

	ns := startNATS(t, nil)
	q := openTest(t, ns.URL()+"?stream=ORDERS&subject=orders.new", t.TempDir())
	q.Close()
	_, err = Open(Options{Servers: []string{ns.URL()}, Stream: "ORDERS", Subject: "billing.claims", SpoolDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "does not take subject billing.claims") {
		t.Errorf("stream with other subjects: %v", err)
	}

	_, err = Open(Options{Servers: []string{ns.URL()}})
	if err == nil || !strings.Contains(err.Error(), "spool directory") {
		t.Errorf("no spool directory: %v", err)
	}

	q = openTest(t, ns.URL(), t.TempDir())
	for _, m := range []queue.Message{
		{Revision: 1, Data: []byte("{}")},
		{EncounterID: "E\r\nX", Revision: 1, Data: []byte("{}")},
		{EncounterID: "E", Revision: -1, Data: []byte("{}")},
		{EncounterID: "E", Revision: 1},
	} {
		if err := q.Publish(context.Background(), m); err == nil {
			t.Errorf("publish %+v succeeded", m)
		}
	}
}

func TestInspect(t *testing.T) {
	ns := startNATS(t, nil)
	spool := t.TempDir()
	q := openTest(t, ns.URL(), spool)
	if err := q.Publish(context.Background(), msg("S1", 1)); err != nil {
		t.Fatal(err)
	}
	q.Close()
	o, _ := ParseURL(ns.URL())
	o.SpoolDir = spool
	st, err := Inspect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Delivered != 1 || !st.Connected || st.Stream == nil || st.Stream.Messages != 1 {
		t.Errorf("inspect: %+v", st)
	}
	var b strings.Builder
	st.WriteText(&b)
	for _, want := range []string{"1 acknowledged", "0 waiting", "stream BILLING: 1 messages"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, b.String())
		}
	}

	ns.Stop()
	o.SpoolDir = filepath.Join(t.TempDir(), "never-created")
	st, err = Inspect(context.Background(), o)
	if err != nil || st.Connected || st.ServerError == "" || st.Spooled != 0 {
		t.Errorf("inspect of a stopped server and empty spool: %+v %v", st, err)
	}
}
