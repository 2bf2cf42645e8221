package exporter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/codesets"
	"codebench/encounter/demo"
	"codebench/encounter/fhir"
	"codebench/encounter/queue"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/queue/natsqueue"
	"codebench/encounter/queue/natsqueue/natstest"
	"codebench/encounter/store/sqlite"
	"codebench/encounter/x12"
)

// demoStore is a work store holding every demo chart coded as the answer
// key says.
func demoStore(t *testing.T) (*sqlite.Store, []string) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "work.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	encs, err := demo.Encounters()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range encs {
		coded, ok := demo.Code(e)
		if !ok {
			t.Fatalf("%s not in the answer key", e.ID)
		}
		demo.FeeSchedule().Fill(coded)
		if err := st.Add(ctx, coded); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return st, ids
}

// natsQueue is a NATS JetStream billing queue on a real in-process
// server, and a client of the stream for the billing side.
func natsQueue(t *testing.T, stream, subject string) (*natsqueue.Queue, jetstream.JetStream) {
	t.Helper()
	ns := natstest.Start(t, nil)
	o, err := natsqueue.ParseURL(ns.URL() + "?stream=" + stream + "&subject=" + subject)
	if err != nil {
		t.Fatal(err)
	}
	o.SpoolDir = t.TempDir()
	nq, err := natsqueue.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nq.Close() })
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nq, js
}

// TestDemoChartsReachBothQueues exports every demo chart to the directory
// queue and to NATS JetStream (a real in-process server): each document
// that arrives is a Bundle Google's FHIR R4 validation accepts, with the
// content type and key billing routes by.
func TestDemoChartsReachBothQueues(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}

	// Directory queue.
	st, ids := demoStore(t)
	dq, err := dirqueue.Open(filepath.Join(t.TempDir(), "billing"))
	if err != nil {
		t.Fatal(err)
	}
	x := &Exporter{Store: st, Queue: dq, Codes: set, Coder: "alice"}
	for _, id := range ids {
		res, err := x.Export(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		data, err := os.ReadFile(dq.Path(res.Key))
		if err != nil {
			t.Fatal(err)
		}
		if err := fhir.Validate(data); err != nil {
			t.Errorf("%s in the directory queue: %v", id, err)
		}
		if sum, err := fhir.Summarize(data); err != nil || sum.Key != res.Key || sum.EncounterID != id {
			t.Errorf("%s: %+v %v", id, sum, err)
		}
	}

	// NATS JetStream.
	nq, js := natsQueue(t, "CLAIMS", "billing.claims")
	st2, _ := demoStore(t)
	x = &Exporter{Store: st2, Queue: nq, Codes: set, Coder: "alice"}
	for _, id := range ids {
		if _, err := x.Export(ctx, id); err != nil {
			t.Fatalf("%s over NATS: %v", id, err)
		}
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "CLAIMS", jetstream.ConsumerConfig{Durable: "billing", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(len(ids), jetstream.FetchMaxWait(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for m := range batch.Messages() {
		got++
		id := m.Headers().Get(natsqueue.HeaderEncounter)
		if ct := m.Headers().Get(natsqueue.HeaderContentType); ct != queue.ContentFHIR {
			t.Errorf("%s: content type %q", id, ct)
		}
		if err := fhir.Validate(m.Data()); err != nil {
			t.Errorf("%s over NATS: %v", id, err)
		}
		sum, err := fhir.Summarize(m.Data())
		if err != nil || sum.EncounterID != id || m.Headers().Get("Nats-Msg-Id") != sum.Key {
			t.Errorf("%s: %+v %v", id, sum, err)
		}
		m.Ack()
	}
	if got != len(ids) {
		t.Fatalf("%d messages for %d charts", got, len(ids))
	}
}

var testEnvelope = x12.Envelope{
	SenderQualifier: "ZZ", SenderID: "CODEBENCH01", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE",
	Usage: "T", SubmitterName: "Lakeside Billing Office", SubmitterID: "CB0001", SubmitterContact: "Billing Desk",
	SubmitterPhone: "2175550100", ReceiverName: "Example Clearinghouse", ReceiverETIN: "CH0001",
}

// TestExport837P: with the 837P format every demo chart is queued as an
// interchange that passes the structure check, each with its own control
// number; the preview and a retry give the same bytes, and NATS carries
// it with the X12 content type.
func TestExport837P(t *testing.T) {
	set, err := codesets.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	st, ids := demoStore(t)
	dq, err := dirqueue.Open(filepath.Join(t.TempDir(), "billing"))
	if err != nil {
		t.Fatal(err)
	}
	env := testEnvelope
	x := &Exporter{Store: st, Queue: dq, Codes: set, Coder: "alice", Format: Format837P, Envelope: &env}
	controls := map[int]string{}
	for _, id := range ids {
		preview, err := x.Document(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		res, err := x.Export(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		data, err := os.ReadFile(dq.PathOf(res.Key, queue.ContentX12))
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != string(preview) {
			t.Errorf("%s: queued interchange differs from the preview", id)
		}
		if err := x12.Check(data); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		n, err := x12.ControlOf(data)
		if err != nil || controls[n] != "" {
			t.Errorf("%s: control number %d (%v) already used by %s", id, n, err, controls[n])
		}
		controls[n] = id
		if again, _ := x.Document(ctx, id); string(again) != string(data) {
			t.Errorf("%s: re-rendering the exported revision differs", id)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dq.Dir(), "*.json")); len(files) != 0 {
		t.Errorf("FHIR files in an 837P queue: %v", files)
	}

	// No envelope: a configuration error, not a refused claim.
	x.Envelope = nil
	if _, err := x.Document(ctx, ids[0]); err == nil || !strings.Contains(err.Error(), "no 837P envelope") {
		t.Errorf("without an envelope: %v", err)
	}

	// NATS carries the interchange with its content type.
	nq, js := natsQueue(t, "X12", "billing.x12")
	st2, ids2 := demoStore(t)
	x = &Exporter{Store: st2, Queue: nq, Codes: set, Coder: "alice", Format: Format837P, Envelope: &env}
	if _, err := x.Export(ctx, ids2[0]); err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, "X12")
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.GetLastMsgForSubject(ctx, "billing.x12")
	if err != nil {
		t.Fatal(err)
	}
	if ct := m.Header.Get(natsqueue.HeaderContentType); ct != queue.ContentX12 {
		t.Errorf("content type %q", ct)
	}
	if err := x12.Check(m.Data); err != nil {
		t.Error(err)
	}
}
