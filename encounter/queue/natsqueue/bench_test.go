package natsqueue

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"codebench/encounter/queue"
)

// exportDoc is about the size of a real export (one encounter, a dozen
// diagnoses and service lines): 2 kB of JSON.
var exportDoc = func() []byte {
	b := []byte(`{"schema":"codebench.export/1","lines":[`)
	for len(b) < 2000 {
		b = append(b, `{"code":"99213","modifiers":["25"],"units":1,"pointers":[1,2]},`...)
	}
	return append(b[:len(b)-1], "]}"...)
}()

func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "exports/s")
}

// BenchmarkPublish: one export at a time, each waiting for JetStream's
// acknowledgement (file storage) from the in-process server.
func BenchmarkPublish(b *testing.B) {
	ns := startNATS(b, nil)
	q := openTest(b, ns.URL(), b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		m := queue.Message{EncounterID: fmt.Sprintf("ENC-%d", i), Revision: 1, Data: exportDoc}
		if err := q.Publish(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start)
}

// BenchmarkPublishParallel: many coder sessions exporting at once.
func BenchmarkPublishParallel(b *testing.B) {
	ns := startNATS(b, nil)
	q := openTest(b, ns.URL(), b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("ENC-%d", n.Add(1))
			if err := q.Publish(ctx, queue.Message{EncounterID: id, Revision: 1, Data: exportDoc}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, start)
}

// BenchmarkSpool: the server is down; every export is fsynced to the spool.
func BenchmarkSpool(b *testing.B) {
	q := openTest(b, fmt.Sprintf("nats://127.0.0.1:%d", freePort(b)), b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		m := queue.Message{EncounterID: fmt.Sprintf("ENC-%d", i), Revision: 1, Data: exportDoc}
		if out, err := q.PublishOutcome(ctx, m); err != nil || out != Spooled {
			b.Fatal(out, err)
		}
	}
	reportRate(b, start)
}

// BenchmarkForward: draining a spool of b.N exports once the server is up.
func BenchmarkForward(b *testing.B) {
	spool := b.TempDir()
	sp, err := openSpool(spool, nil)
	if err != nil {
		b.Fatal(err)
	}
	sp.acquire()
	for i := range b.N {
		m := queue.Message{EncounterID: fmt.Sprintf("ENC-%d", i), Revision: 1, Data: exportDoc}
		if _, err := sp.enqueue(m, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	sp.release()
	sp.close()
	ns := startNATS(b, nil)
	b.ResetTimer()
	start := time.Now()
	q := openTest(b, ns.URL(), spool)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	reportRate(b, start)
}
