package sqlite

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"codebench/encounter"
)

// BenchmarkSaveDraft is the autosave a coder's keystroke triggers: one
// transaction with the draft, the revision, the audit diff, fsynced.
func BenchmarkSaveDraft(b *testing.B) {
	s := openTest(b, filepath.Join(b.TempDir(), "w.db"), nil)
	enc := sample("e", encounter.NewDate(2026, 3, 2))
	s.Add(ctx, enc)
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

// BenchmarkSaveDraftParallel is many coders autosaving different
// encounters at once (an SSH server).
func BenchmarkSaveDraftParallel(b *testing.B) {
	s := openTest(b, filepath.Join(b.TempDir(), "w.db"), nil)
	const coders = 16
	for i := range coders {
		s.Add(ctx, sample(fmt.Sprintf("e%d", i), encounter.NewDate(2026, 3, 2)))
	}
	var next atomic.Int64
	b.SetParallelism(coders / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("e%d", next.Add(1)%coders)
		l, err := s.Lease(ctx, id, "coder-"+id, time.Hour)
		if err != nil {
			b.Error(err)
			return
		}
		enc := sample(id, encounter.NewDate(2026, 3, 2))
		for i := 0; pb.Next(); i++ {
			enc.Lines = []encounter.ServiceLine{{Code: "99213", Units: 1 + i%4, Pointers: []int{1}}}
			if err := s.SaveDraft(ctx, l, enc.Revision, enc, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
}

// BenchmarkList is the worklist refresh over a thousand encounters.
func BenchmarkList(b *testing.B) {
	s := openTest(b, filepath.Join(b.TempDir(), "w.db"), nil)
	for i := range 1000 {
		s.Add(ctx, sample(fmt.Sprintf("e%04d", i), encounter.NewDate(2026, 3, 1+i%28)))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if l, err := s.List(ctx); err != nil || len(l) != 1000 {
			b.Fatal(len(l), err)
		}
	}
}
