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
	l := Latency{Queries: len(queries), EmptyQueries: empty, ElapsedWallClk: time.Since(start)}
	if len(times) == 0 {
		return l, nil
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	l.P50, l.P90, l.P99, l.Max = at(0.50), at(0.90), at(0.99), times[len(times)-1]
	l.Mean = sum / time.Duration(len(times))
	l.HitsPerQuery = float64(hits) / float64(len(times))
	return l, nil
}
