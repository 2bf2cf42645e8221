package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Benchmarks run over the full index built by TestMain:
//
//	go test -run '^$' -bench . -benchtime 3000x ./index
func benchQueries(b *testing.B) []string {
	cases, err := DevSet()
	if err != nil {
		b.Fatal(err)
	}
	return BenchQueries(testIndex.set, cases, 1000)
}

// BenchmarkSearchMixed cycles through 1,000 mixed queries (whole queries,
// as-you-type prefixes, codes, misspellings).
func BenchmarkSearchMixed(b *testing.B) {
	qs := benchQueries(b)
	ctx := context.Background()
	for _, q := range qs { // warm the caches as a running server has them
		testIndex.Search(ctx, q, Options{})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := testIndex.Search(ctx, qs[i%len(qs)], Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchLatency reports the 1,000 queries' p50 and p99.
func BenchmarkSearchLatency(b *testing.B) {
	qs := benchQueries(b)
	ctx := context.Background()
	testIndex.MeasureLatency(ctx, qs, Options{})
	b.ResetTimer()
	var l Latency
	for i := 0; i < b.N; i++ {
		var err error
		if l, err = testIndex.MeasureLatency(ctx, qs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(l.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.P99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(l.Max.Microseconds())/1000, "max-ms")
}

// BenchmarkSearchParallel runs the mixed queries from many goroutines, as
// many SSH sessions share one index.
func BenchmarkSearchParallel(b *testing.B) {
	qs := benchQueries(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := testIndex.Search(ctx, qs[i%len(qs)], Options{}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkSearchFiltered(b *testing.B) {
	qs := benchQueries(b)
	ctx := context.Background()
	opt := Options{BillableOnly: true, ValidOn: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := testIndex.Search(ctx, qs[i%len(qs)], opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen opens the cached index read-only. The lookups Open builds
// in the background are left out of the time.
func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ix, err := Open(testIndex.set, testIndex.Dir())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		<-ix.primed
		ix.Close()
		b.StartTimer()
	}
}

// BenchmarkBuild builds the full index (about 15-20 s an iteration).
func BenchmarkBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "index")
		if err := Build(context.Background(), testIndex.set, dir, nil); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
}

// BenchmarkSearchPhrases reports the latency of phrases selected in a
// note (the development set's demo-note and CodiEsp sentences): p50, p99
// and the slowest.
func BenchmarkSearchPhrases(b *testing.B) {
	cases, err := DevSet()
	if err != nil {
		b.Fatal(err)
	}
	qs := Phrases(cases, nil)
	ctx := context.Background()
	testIndex.MeasureLatency(ctx, qs, Options{})
	b.ResetTimer()
	var l Latency
	for i := 0; i < b.N; i++ {
		if l, err = testIndex.MeasureLatency(ctx, qs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(l.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.P99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(l.Max.Microseconds())/1000, "max-ms")
}
