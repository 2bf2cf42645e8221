package index

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"

	"codebench/codesets"
)

// BenchQueries makes n queries of the kinds a coder sends, from the
// development set, deterministically: whole queries, the prefixes typed on
// the way to them (as-you-type search sends one per keystroke), code
// fragments in several spellings and misspellings.
func BenchQueries(set *codesets.Set, cases []EvalCase, n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	var pool []string
	for _, c := range cases {
		if longKinds[c.Kind] {
			continue // phrases selected in a note: see LongPhrases
		}
		q := c.Query
		pool = append(pool, q)
		// As typed: every prefix of three characters or more.
		for i := 3; i < len(q); i += 2 {
			pool = append(pool, q[:i])
		}
		for _, g := range c.Gold {
			if code, ok := set.Lookup(g); ok && !code.DescriptorMissing {
				d := code.Display()
				pool = append(pool, d, strings.ToLower(d), d[:min(len(d), 3)])
			}
		}
		if typo := misspell(q, rng); typo != q {
			pool = append(pool, typo)
		}
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := make([]string, 0, n)
	for len(out) < n && len(pool) > 0 {
		out = append(out, pool[len(out)%len(pool)])
	}
	return out
}

// longKinds are the kinds of query that are phrases selected in a note,
// not typed: they are measured on their own.
var longKinds = map[string]bool{"codiesp": true, "note": true, "long": true}

// Bounds of a phrase a coder selects in a note and searches.
const (
	minPhraseWords = 4
	maxPhraseWords = 40
)

// Phrases makes the phrases a coder selects in notes and searches: the
// selected phrases of the evaluation cases (demo-note and CodiEsp
// sentences) and every sentence or line of 4 to 40 words of the notes
// given, in order, each once.
func Phrases(cases []EvalCase, notes []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		if n := len(strings.Fields(s)); n >= minPhraseWords && n <= maxPhraseWords && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, c := range cases {
		if longKinds[c.Kind] {
			add(c.Query)
		}
	}
	for _, n := range notes {
		for _, line := range strings.Split(n, "\n") {
			for _, sentence := range strings.SplitAfter(line, ". ") {
				add(sentence)
			}
		}
	}
	return out
}

// misspell swaps two neighbouring letters of the query's longest word.
func misspell(q string, rng *rand.Rand) string {
	words := strings.Fields(q)
	longest := -1
	for i, w := range words {
		if len(w) >= 5 && (longest < 0 || len(w) > len(words[longest])) && strings.IndexFunc(w, unicode.IsDigit) < 0 {
			longest = i
		}
	}
	if longest < 0 {
		return q
	}
	w := []byte(words[longest])
	i := 1 + rng.IntN(len(w)-2)
	w[i], w[i+1] = w[i+1], w[i]
	words[longest] = string(w)
	return strings.Join(words, " ")
}

// Latency sums up query times.
type Latency struct {
	Queries        int
	P50, P90, P99  time.Duration
	Max, Mean      time.Duration
	HitsPerQuery   float64
	EmptyQueries   int
	ElapsedWallClk time.Duration
}

// MeasureLatencyMedian runs every query runs times (the whole list each
// time) and reports the spread of each query's median time: on a machine
// that other processes share, one descheduled run does not count as the
// query's time, while a query slow every time still does.
func (ix *Index) MeasureLatencyMedian(ctx context.Context, queries []string, opt Options, runs int) (Latency, error) {
	runs = max(runs, 1)
	times := make([][]time.Duration, len(queries))
	var hits, empty int
	start := time.Now()
	for r := 0; r < runs; r++ {
		for i, q := range queries {
			t0 := time.Now()
			res, err := ix.Search(ctx, q, opt)
			if err != nil {
				return Latency{}, err
			}
			times[i] = append(times[i], time.Since(t0))
			if r == 0 {
				hits += len(res.Hits)
				if len(res.Hits) == 0 {
					empty++
				}
			}
		}
	}
	medians := make([]time.Duration, len(queries))
	for i, ts := range times {
		sort.Slice(ts, func(a, b int) bool { return ts[a] < ts[b] })
		medians[i] = ts[len(ts)/2]
	}
	l := spread(medians)
	l.Queries, l.EmptyQueries = len(queries), empty
	l.ElapsedWallClk = time.Since(start) / time.Duration(runs)
	if len(queries) > 0 {
		l.HitsPerQuery = float64(hits) / float64(len(queries))
	}
	return l, nil
}

// spread sums up query times (sorted in place).
func spread(times []time.Duration) Latency {
	var l Latency
	if len(times) == 0 {
		return l
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	l.P50, l.P90, l.P99, l.Max = at(0.50), at(0.90), at(0.99), times[len(times)-1]
	l.Mean = sum / time.Duration(len(times))
	return l
}

// MeasureLatency runs each query once, in order, and reports the spread of
// their times. Run it after a warm-up pass: the first queries also load
// the index's pages and fill its caches.
func (ix *Index) MeasureLatency(ctx context.Context, queries []string, opt Options) (Latency, error) {
	times := make([]time.Duration, 0, len(queries))
	var hits, empty int
	start := time.Now()
	for _, q := range queries {
		t0 := time.Now()
		res, err := ix.Search(ctx, q, opt)
		if err != nil {
			return Latency{}, err
		}
		times = append(times, time.Since(t0))
		hits += len(res.Hits)
		if len(res.Hits) == 0 {
			empty++
		}
	}
	l := spread(times)
	l.Queries, l.EmptyQueries, l.ElapsedWallClk = len(queries), empty, time.Since(start)
	if len(times) > 0 {
		l.HitsPerQuery = float64(hits) / float64(len(times))
	}
	return l, nil
}
