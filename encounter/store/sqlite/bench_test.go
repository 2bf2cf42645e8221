package sqlite

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"codebench/encounter"
	"codebench/encounter/store/storetest"
)

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

// BenchmarkStore runs the benchmarks every backend shares (storetest),
// so SQLite's figures compare with PostgreSQL's.
func BenchmarkStore(b *testing.B) { storetest.Bench(b, backend) }
