package tui

import (
	"codebench/index"
	"context"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkKeystrokeToFrame measures what a key costs the coder: Update
// plus View, with the full index, an encounter open and coded, results on
// screen. The keys cycle through the panes the way a coder works: typing a
// query, moving in the results, the documentation and the claim, switching
// panes. Search itself runs in a command, off the frame path; its latency
// is reported separately (search-ms). Reported: p50 and p99 per key.
func BenchmarkKeystrokeToFrame(b *testing.B) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"160x48", 160, 48}} {
		b.Run(size.name, func(b *testing.B) {
			ix := fullIndex(b)
			r := newRig(b, ix)
			r.opts.Width, r.opts.Height = size.w, size.h
			d := newDriver(b, New(r.opts))
			d.openEncounter("enc-1001")
			for _, c := range []string{"E11.22", "I12.9", "N18.31", "99214"} {
				d.search(c)
				d.press("enter")
			}
			d.search("type 2 diabetes chronic kidney")
			m := d.m

			// Keys per pane; each cycle leaves the state as it found it.
			cycle := []tea.KeyPressMsg{
				keyMsg("s"), keyMsg("t"), keyMsg("a"), keyMsg("g"), keyMsg("e"), // typing into the query
				keyMsg("backspace"), keyMsg("backspace"), keyMsg("backspace"), keyMsg("backspace"), keyMsg("backspace"),
				keyMsg("down"), keyMsg("down"), keyMsg("up"), keyMsg("up"), // results
				keyMsg("tab"), keyMsg("tab"), // search -> detail -> claim
				keyMsg("j"), keyMsg("j"), keyMsg("k"), keyMsg("k"), // claim rows
				keyMsg("1"), keyMsg("j"), keyMsg("l"), keyMsg("l"), keyMsg("v"), keyMsg("l"), keyMsg("v"), keyMsg("h"), keyMsg("h"), keyMsg("k"), // documentation
				keyMsg("/"), // back to the query
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := cycle[i%len(cycle)]
				t0 := time.Now()
				m.Update(k)
				_ = m.View()
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			p := func(q float64) float64 {
				return float64(lat[min(int(q*float64(len(lat))), len(lat)-1)].Microseconds()) / 1000
			}
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")

			// Search latency on the same index, for the record.
			var sl []time.Duration
			for _, q := range []string{"type 2 diabetes chronic kidney", "fracture distal radius", "E11.65", "hypertensive ckd", "vitamin b12 injection", "99214"} {
				t0 := time.Now()
				if _, err := ix.Search(context.Background(), q, index.Options{ValidOn: d.m.w.DosTime(), Limit: 50}); err != nil {
					b.Fatal(err)
				}
				sl = append(sl, time.Since(t0))
			}
			slices.Sort(sl)
			b.ReportMetric(float64(sl[len(sl)/2].Microseconds())/1000, "search-ms")
		})
	}
}
