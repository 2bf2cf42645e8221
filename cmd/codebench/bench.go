package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"codebench/encounter/demo"
	"codebench/index"
)

type latencyJSON struct {
	Queries int     `json:"queries"`
	P50MS   float64 `json:"p50_ms"`
	P90MS   float64 `json:"p90_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
	MeanMS  float64 `json:"mean_ms"`
	QPS     float64 `json:"queries_per_second"`
}

type benchJSON struct {
	Codes          int         `json:"codes"`
	CodesetsLoadMS float64     `json:"codesets_load_ms"`
	CodesetsBudget float64     `json:"codesets_load_budget_ms"`
	BuildSeconds   float64     `json:"build_seconds"`
	BuildFresh     bool        `json:"build_fresh"`
	IndexMB        float64     `json:"index_mb"`
	OpenMS         float64     `json:"open_ms"`
	OpenMaxMS      float64     `json:"open_max_ms"`
	FirstQueryMS   float64     `json:"first_query_ms"`
	Cold           latencyJSON `json:"cold"`
	Warm           latencyJSON `json:"warm"`
	// WarmMedian is the second pass run typedRuns times, each query's
	// median: on a machine others share, one descheduled run is not the
	// query's time.
	WarmMedian latencyJSON `json:"warm_median"`
	Parallel   latencyJSON `json:"parallel"`
	// Phrases is the pass over phrases selected in notes (demo notes,
	// CodiEsp sentences of the development set), after a warm-up pass.
	Phrases    latencyJSON `json:"phrases"`
	Goroutines int         `json:"goroutines"`
	HeapMB     float64     `json:"heap_mb"`
	GoSysMB    float64     `json:"go_sys_mb"`
	RSSMB      float64     `json:"rss_mb"`
	PeakRSSMB  float64     `json:"peak_rss_mb"`
}

// codesetsLoadBudget is what loading the embedded code sets may cost at
// start-up. Only the benchmark and this command measure it: a unit test on
// a loaded machine cannot.
const codesetsLoadBudget = 300 * time.Millisecond

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func latencyOf(l index.Latency) latencyJSON {
	return latencyJSON{Queries: l.Queries, P50MS: ms(l.P50), P90MS: ms(l.P90), P99MS: ms(l.P99), MaxMS: ms(l.Max), MeanMS: ms(l.Mean),
		QPS: float64(l.Queries) / l.ElapsedWallClk.Seconds()}
}

func runBench(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "ssh" {
		return runBenchSSH(ctx, e, args[1:])
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	n := fs.Int("queries", 1000, "number of mixed queries")
	noBuild := fs.Bool("no-build", false, "use the cached index instead of timing a fresh build")
	workers := fs.Int("parallel", 8, "goroutines for the concurrent pass (as many SSH sessions)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	if *n <= 0 || *workers <= 0 {
		return e.errorf("--queries and --parallel must be positive")
	}
	var out benchJSON
	t0 := time.Now()
	set, err := openCodesets()
	if err != nil {
		return e.errorf("%v", err)
	}
	out.CodesetsLoadMS, out.CodesetsBudget = ms(time.Since(t0)), ms(codesetsLoadBudget)
	root, err := index.DefaultCacheRoot()
	if err != nil {
		return e.errorf("%v", err)
	}

	dir := index.CacheDir(set, root)
	if *noBuild {
		ix, err := index.OpenOrBuild(ctx, set, root, progressPrinter(e.stderr))
		if err != nil {
			return e.errorf("%v", err)
		}
		st := ix.Stats()
		ix.Close()
		out.BuildSeconds = st.BuildSeconds
	} else {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return e.errorf("%v", err)
		}
		tmp, err := os.MkdirTemp(root, ".bench-")
		if err != nil {
			return e.errorf("%v", err)
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "index")
		start := time.Now()
		if err := index.Build(ctx, set, dir, progressPrinter(e.stderr)); err != nil {
			return e.errorf("bench build: %v", err)
		}
		out.BuildSeconds = time.Since(start).Seconds()
		out.BuildFresh = true
		runtime.GC() // the build's garbage is not the searches' to pay for
	}

	// Open: the median of several opens of the built index, read-only.
	var opens []time.Duration
	var ix *index.Index
	for i := 0; i < 7; i++ {
		start := time.Now()
		x, err := index.Open(set, dir)
		if err != nil {
			return e.errorf("%v", err)
		}
		opens = append(opens, time.Since(start))
		if i < 6 {
			x.Close()
		} else {
			ix = x
		}
	}
	defer ix.Close()
	sort.Slice(opens, func(i, j int) bool { return opens[i] < opens[j] })
	out.OpenMS, out.OpenMaxMS = ms(opens[len(opens)/2]), ms(opens[len(opens)-1])
	st := ix.Stats()
	out.Codes, out.IndexMB = st.Codes, float64(st.Bytes)/(1<<20)

	start := time.Now()
	if _, err := ix.Search(ctx, "chf", index.Options{}); err != nil {
		return e.errorf("%v", err)
	}
	out.FirstQueryMS = ms(time.Since(start))

	cases, err := index.DevSet()
	if err != nil {
		return e.errorf("%v", err)
	}
	queries := index.BenchQueries(set, cases, *n)
	cold, err := ix.MeasureLatency(ctx, queries, index.Options{})
	if err != nil {
		return e.errorf("%v", err)
	}
	warm, err := ix.MeasureLatency(ctx, queries, index.Options{})
	if err != nil {
		return e.errorf("%v", err)
	}
	warmMedian, err := ix.MeasureLatencyMedian(ctx, queries, index.Options{}, typedRuns)
	if err != nil {
		return e.errorf("%v", err)
	}
	out.Cold, out.Warm, out.WarmMedian = latencyOf(cold), latencyOf(warm), latencyOf(warmMedian)
	phrases, err := benchPhrases(cases)
	if err != nil {
		return e.errorf("%v", err)
	}
	if _, err := ix.MeasureLatency(ctx, phrases, index.Options{}); err != nil {
		return e.errorf("%v", err)
	}
	long, err := ix.MeasureLatencyMedian(ctx, phrases, index.Options{}, phraseRuns)
	if err != nil {
		return e.errorf("%v", err)
	}
	out.Phrases = latencyOf(long)
	par, err := parallelLatency(ctx, ix, queries, *workers)
	if err != nil {
		return e.errorf("%v", err)
	}
	out.Parallel, out.Goroutines = latencyOf(par), *workers

	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out.HeapMB, out.GoSysMB = float64(m.HeapAlloc)/(1<<20), float64(m.Sys)/(1<<20)
	out.RSSMB, out.PeakRSSMB = procMemory()

	if *asJSON {
		if err := writeJSON(e.stdout, out); err != nil {
			return e.errorf("%v", err)
		}
		return 0
	}
	w := e.stdout
	fmt.Fprintf(w, "codes indexed        %d (ICD-10-CM, HCPCS Level II, %d imported CPT)\n", out.Codes, len(set.CPTCodes()))
	verdict := "within"
	if out.CodesetsLoadMS > out.CodesetsBudget {
		verdict = "OVER"
	}
	fmt.Fprintf(w, "code sets load       %.0f ms (budget %.0f ms: %s)\n", out.CodesetsLoadMS, out.CodesetsBudget, verdict)
	how := "fresh build"
	if !out.BuildFresh {
		how = "recorded when the cached index was built"
	}
	fmt.Fprintf(w, "index build          %.1f s (%s)\n", out.BuildSeconds, how)
	fmt.Fprintf(w, "index size           %.1f MB\n", out.IndexMB)
	fmt.Fprintf(w, "index open           %.1f ms median, %.1f ms max of %d (read-only)\n", out.OpenMS, out.OpenMaxMS, len(opens))
	fmt.Fprintf(w, "first query          %.1f ms (after open)\n", out.FirstQueryMS)
	row := func(name string, l latencyJSON) {
		fmt.Fprintf(w, "%-20s p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  mean %.2f ms  (%.0f queries/s)\n",
			name, l.P50MS, l.P90MS, l.P99MS, l.MaxMS, l.MeanMS, l.QPS)
	}
	fmt.Fprintf(w, "queries              %d mixed: whole queries, as-you-type prefixes, codes, misspellings\n", len(queries))
	row("  first pass", out.Cold)
	fmt.Fprintf(w, "%-20s (a freshly opened index: each code is analysed for ranking the first time it is a candidate)\n", "")
	row("  second pass", out.Warm)
	fmt.Fprintf(w, "%-20s (steady state of a running process)\n", "")
	row(fmt.Sprintf("  median of %d", typedRuns), out.WarmMedian)
	fmt.Fprintf(w, "%-20s (each query's median of %d more passes: what a busy machine's scheduling adds to one run is left out)\n", "", typedRuns)
	row(fmt.Sprintf("  %d goroutines", *workers), out.Parallel)
	fmt.Fprintf(w, "phrases              %d selected in notes (demo notes, CodiEsp sentences), 4-40 words, after a warm-up pass;\n", out.Phrases.Queries)
	fmt.Fprintf(w, "%-20s each phrase's median of %d runs\n", "", phraseRuns)
	row("  phrases", out.Phrases)
	fmt.Fprintf(w, "memory               Go heap %.0f MB, Go total %.0f MB, RSS %.0f MB (peak %.0f MB, index files mapped)\n",
		out.HeapMB, out.GoSysMB, out.RSSMB, out.PeakRSSMB)
	fmt.Fprintf(w, "(%d cores; see also go test -bench . ./index)\n", runtime.NumCPU())
	return 0
}

// parallelLatency runs the queries from several goroutines at once and
// reports each query's time.
func parallelLatency(ctx context.Context, ix *index.Index, queries []string, workers int) (index.Latency, error) {
	times := make([]time.Duration, len(queries))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				_, err := ix.Search(ctx, queries[i], index.Options{})
				times[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range queries {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return index.Latency{}, firstErr
	}
	l := index.Latency{Queries: len(times), ElapsedWallClk: time.Since(start)}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	l.P50, l.P90, l.P99, l.Max, l.Mean = at(0.5), at(0.9), at(0.99), times[len(times)-1], sum/time.Duration(len(times))
	return l, nil
}

// procMemory reads the resident set size and its peak from /proc (Linux);
// zeros elsewhere.
func procMemory() (rss, peak float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb float64
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%f", &kb)
			rss = kb / 1024
		case strings.HasPrefix(line, "VmHWM:"):
			fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%f", &kb)
			peak = kb / 1024
		}
	}
	return rss, peak
}

// phraseRuns is how many times the long-phrase pass runs each phrase;
// typedRuns the typed queries' median pass.
const (
	phraseRuns = 3
	typedRuns  = 3
)

// benchPhrases are the phrases of the long-phrase pass: the development
// set's selected phrases and the sentences of the demo notes.
func benchPhrases(cases []index.EvalCase) ([]string, error) {
	encs, err := demo.Encounters()
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, enc := range encs {
		for _, n := range enc.Notes {
			notes = append(notes, n.Text)
		}
	}
	return index.Phrases(cases, notes), nil
}
