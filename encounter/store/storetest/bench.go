package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store"
)

// Benchmarks every backend runs the same way, so their figures compare:
//
//	func BenchmarkStore(b *testing.B) { storetest.Bench(b, backend) }
func Bench(b *testing.B, be Backend) {
	b.Run("SaveDraft", func(b *testing.B) { benchSaveDraft(b, be) })
	b.Run("Export", func(b *testing.B) { benchExport(b, be, 1) })
	b.Run("ExportParallel8", func(b *testing.B) { benchExport(b, be, 8) })
	b.Run("List1000", func(b *testing.B) { benchList(b, be) })
}

func benchStore(b *testing.B, be Backend) store.Store {
	open := be.NewDB(b, time.Now)
	return open()
}

// benchSaveDraft is the autosave a coder's change triggers: one
// transaction with the lease check, the draft, the revision and the
// audit diff.
func benchSaveDraft(b *testing.B, be Backend) {
	s := benchStore(b, be)
	ctx := context.Background()
	enc := Sample("e", encounter.NewDate(2026, 11, 2))
	if err := s.Add(ctx, enc); err != nil {
		b.Fatal(err)
	}
	l, err := s.Lease(ctx, "e", "alice", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	enc.Diagnoses = []encounter.Diagnosis{{Code: "E1165"}, {Code: "I10"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: 1 + i%4, Pointers: []int{1, 2}}}
		if err := s.SaveDraft(ctx, l, enc.Revision, enc, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
}

// benchExport is the store's part of exporting a coded encounter, as the
// exporter does it: lease, BeginExport, MarkExported, release (four
// transactions), by workers at once, each on encounters of its own.
// Rendering and publishing the claim are the same for every backend and
// left out.
func benchExport(b *testing.B, be Backend, workers int) {
	s := benchStore(b, be)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		enc := Sample(fmt.Sprintf("e%07d", i), encounter.NewDate(2026, 11, 2))
		enc.Diagnoses = []encounter.Diagnosis{{Code: "J020"}}
		if err := s.Add(ctx, enc); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	errs := make(chan error, workers)
	b.ResetTimer()
	for range workers {
		go func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					errs <- nil
					return
				}
				id := fmt.Sprintf("e%07d", i)
				l, err := s.Lease(ctx, id, "alice", time.Minute)
				if err == nil {
					err = s.BeginExport(ctx, l, 0, id+"-r0")
				}
				if err == nil {
					err = s.MarkExported(ctx, l, id+"-r0")
				}
				if err == nil {
					err = s.Release(ctx, l)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exports/s")
}

// benchList is a worklist refresh over a thousand encounters.
func benchList(b *testing.B, be Backend) {
	s := benchStore(b, be)
	ctx := context.Background()
	for i := range 1000 {
		if err := s.Add(ctx, Sample(fmt.Sprintf("e%04d", i), encounter.NewDate(2026, 3, 1+i%28))); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if l, err := s.List(ctx); err != nil || len(l) != 1000 {
			b.Fatal(len(l), err)
		}
	}
}
