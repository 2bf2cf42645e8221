package exporter

import (
	"codebench/encounter"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkExport measures exports end to end, one after another: lease,
// read, validate, build the claim, record the start, write the queue file
// (fsync file and directory), record the export, release. Every export is
// a different encounter, as in a day's billing run.
func BenchmarkExport(b *testing.B) {
	r := newRig(b)
	ids := addClaims(b, r, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.x.Export(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exports/s")
	if n := len(r.files(b)); n != b.N {
		b.Fatalf("%d files for %d exports", n, b.N)
	}
}

// BenchmarkExportParallel runs exports from concurrent goroutines (coders
// exporting over SSH at once) into one store and one queue.
func BenchmarkExportParallel(b *testing.B) {
	r := newRig(b)
	ids := addClaims(b, r, b.N)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.x.Export(ctx, ids[next.Add(1)-1]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exports/s")
}

// BenchmarkReexport measures the idempotent path: the encounter is
// already exported, so nothing is published.
func BenchmarkReexport(b *testing.B) {
	r := newRig(b)
	ids := addClaims(b, r, 1)
	if _, err := r.x.Export(ctx, ids[0]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := r.x.Export(ctx, ids[0]); err != nil || !res.Already {
			b.Fatal(res, err)
		}
	}
}

func addClaims(b *testing.B, r *rig, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("B%07d", i)
		if err := r.store.Add(ctx, claim(ids[i])); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// BenchmarkDocumentFHIR measures what an export adds before the queue:
// validate, build the claim, render the Bundle and validate it with
// Google's FHIR library, for one typical claim.
func BenchmarkDocumentFHIR(b *testing.B) {
	r := newRig(b, "D1")
	enc, sum, err := r.store.Get(ctx, "D1")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := RenderFHIR(enc, r.x.Codes, sum.RevisedAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDocument837P is the same for the 837P: build, render with the
// stored control number, and the structure check.
func BenchmarkDocument837P(b *testing.B) {
	r := newRig(b, "D1")
	env := testEnvelope
	r.x.Format, r.x.Envelope = Format837P, &env
	enc, sum, err := r.store.Get(ctx, "D1")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := r.x.render837P(ctx, enc, sum, encounter.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
