package sshload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Config describes one measurement against a running server.
type Config struct {
	Addr string
	// PID is the server process, whose CPU time and memory are read.
	PID int
	// Coders, Keys and Encounters: session i logs in as Coders[i] with
	// Keys[i] and opens Encounters[i].
	Coders     []string
	Keys       []gossh.Signer
	Encounters []string
	Cols, Rows int
	// Env is sent by every client (e.g. NO_COLOR=1).
	Env []string
	// OpenParallel is how many sessions open at once.
	OpenParallel int
	// Rate is keys a second per session while typing; Think is the mean
	// pause after each query (reading the results).
	Rate  float64
	Think time.Duration
	// Warmup is typed before measuring; Duration is measured.
	Warmup, Duration time.Duration
	// Queries are typed in turn, each session starting at its own.
	Queries []string
	// Placeholder begins the empty search input's text.
	Placeholder string
	// ListMark is text every loaded worklist shows (part of the ids).
	ListMark string
	// Progress receives a line per phase; nil is silent.
	Progress io.Writer
	// During runs while the measured typing goes on (a profile of the
	// server, say); Measure waits for it.
	During func(ctx context.Context, d time.Duration)
}

// Result is what one measurement found.
type Result struct {
	Sessions int
	// Connect is dial to the worklist on screen; Open is the encounter
	// found, opened and the search input focused.
	Connect, Open Summary
	// OpenCPU is the server's CPU per session for connecting and opening.
	OpenCPU time.Duration
	// Server memory: before any session, with every session open, after
	// typing.
	RSSBase, RSSOpen, RSSTyped int64
	// IdleCPU is the server's share of a core with every session open and
	// nobody typing.
	IdleCPU float64
	// Keys sent in the measured window; Held waited for an identical
	// text's frame; Unanswered never got their frame.
	Keys, Held, Unanswered int
	Latency                Summary
	Elapsed                time.Duration
	// CPU is the server's CPU time in the window; CPUPerKey divides it by
	// the keys.
	CPU, CPUPerKey time.Duration
	// ClientCPU is this process's share of a core in the window: near the
	// cores it has, the clients are the bottleneck.
	ClientCPU float64
	// Reads and Bytes are what the clients received in the window (a read
	// is about a frame).
	Reads, Bytes int64
}

// PerSession is the server's memory per open session.
func (r Result) PerSession() float64 {
	if r.Sessions == 0 {
		return 0
	}
	return float64(r.RSSOpen-r.RSSBase) / float64(r.Sessions)
}

func (c *Config) logf(format string, a ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", a...)
	}
}

// Measure opens every session, measures the server idle, then has every
// session type for Warmup and Duration, and closes the sessions.
func Measure(ctx context.Context, cfg Config) (Result, error) {
	n := len(cfg.Coders)
	res := Result{Sessions: n}
	if n == 0 || len(cfg.Keys) != n || len(cfg.Encounters) != n || len(cfg.Queries) == 0 || cfg.Rate <= 0 {
		return res, errors.New("sshload: every session needs a coder, a key and an encounter; queries and a rate are required")
	}
	var err error
	if res.RSSBase, err = RSS(cfg.PID); err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cfg.logf("opening %d sessions (%d at a time)…", n, max(cfg.OpenParallel, 1))
	cpu0, err := CPUTime(cfg.PID)
	if err != nil {
		return res, err
	}
	terms, inputs, connect, open, err := openAll(ctx, cfg)
	for _, t := range terms {
		if t != nil {
			defer t.Close()
		}
	}
	if err != nil {
		return res, err
	}
	cpu1, _ := CPUTime(cfg.PID)
	res.OpenCPU = (cpu1 - cpu0) / time.Duration(n)
	res.Connect, res.Open = Summarize(connect), Summarize(open)
	res.RSSOpen, _ = RSS(cfg.PID)

	// Idle: after the opening's own work has settled.
	const settle, idleFor = 2 * time.Second, 3 * time.Second
	cfg.logf("measuring the server idle with %d sessions open (%v)…", n, idleFor)
	if sleepUntil(ctx, time.Now().Add(settle)) != nil {
		return res, ctx.Err()
	}
	cpu0, _ = CPUTime(cfg.PID)
	t0 := time.Now()
	if sleepUntil(ctx, t0.Add(idleFor)) != nil {
		return res, ctx.Err()
	}
	cpu1, _ = CPUTime(cfg.PID)
	res.IdleCPU = float64(cpu1-cpu0) / float64(time.Since(t0))

	var lat Latencies
	var sent, held atomic.Int64
	typeCtx, stopTyping := context.WithCancel(ctx)
	defer stopTyping()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, t := range terms {
		t.OnFrame(lat.Add)
		ty := &Typist{T: t, In: inputs[i], Queries: cfg.Queries, First: i * 7 % len(cfg.Queries), Rate: cfg.Rate, Think: cfg.Think,
			Rand: rand.New(rand.NewPCG(uint64(i), 17)), Sent: &sent, HeldKeys: &held}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ty.Run(typeCtx); err != nil {
				errs <- fmt.Errorf("%s: %w", cfg.Coders[i], err)
			}
		}()
	}
	cfg.logf("typing: %d sessions at %.1f keys/s each, %v pause after each query, %v warm-up then %v measured…", n, cfg.Rate, cfg.Think, cfg.Warmup, cfg.Duration)
	if sleepUntil(ctx, time.Now().Add(cfg.Warmup)) != nil {
		return res, ctx.Err()
	}
	lat.Reset()
	keys0, held0 := sent.Load(), held.Load()
	reads0, bytes0 := received(terms)
	cpu0, _ = CPUTime(cfg.PID)
	self0, _ := CPUTime(os.Getpid())
	t0 = time.Now()
	var during sync.WaitGroup
	if cfg.During != nil {
		during.Add(1)
		go func() {
			defer during.Done()
			cfg.During(ctx, cfg.Duration)
		}()
	}
	sleepUntil(ctx, t0.Add(cfg.Duration))
	res.Elapsed = time.Since(t0)
	res.Keys, res.Held = int(sent.Load()-keys0), int(held.Load()-held0)
	reads1, bytes1 := received(terms)
	res.Reads, res.Bytes = reads1-reads0, bytes1-bytes0
	cpu1, _ = CPUTime(cfg.PID)
	self1, _ := CPUTime(os.Getpid())
	stopTyping()
	wg.Wait()
	during.Wait()
	// The last keys get a moment for their frames.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		waiting := 0
		for _, t := range terms {
			k, _ := t.Pending()
			waiting += k
		}
		if waiting == 0 {
			break
		}
	}
	for _, t := range terms {
		res.Unanswered += t.Drop()
	}
	close(errs)
	for err := range errs {
		return res, err
	}
	res.Latency = lat.Summary()
	res.CPU = cpu1 - cpu0
	if res.Keys > 0 {
		res.CPUPerKey = res.CPU / time.Duration(res.Keys)
	}
	res.ClientCPU = float64(self1-self0) / float64(res.Elapsed)
	res.RSSTyped, _ = RSS(cfg.PID)
	return res, ctx.Err()
}

func received(terms []*Terminal) (reads, bytes int64) {
	for _, t := range terms {
		r, b := t.Received()
		reads += r
		bytes += b
	}
	return reads, bytes
}

// openAll connects every session and opens its encounter, a few at a time.
func openAll(ctx context.Context, cfg Config) ([]*Terminal, []SearchInput, []time.Duration, []time.Duration, error) {
	n := len(cfg.Coders)
	terms := make([]*Terminal, n)
	inputs := make([]SearchInput, n)
	connect := make([]time.Duration, n)
	open := make([]time.Duration, n)
	sem := make(chan struct{}, max(cfg.OpenParallel, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t, in, c, o, err := openOne(ctx, cfg, i)
			mu.Lock()
			defer mu.Unlock()
			terms[i], inputs[i], connect[i], open[i] = t, in, c, o
			if err != nil && first == nil {
				first = fmt.Errorf("session %d (%s): %w", i, cfg.Coders[i], err)
			}
		}()
	}
	wg.Wait()
	return terms, inputs, connect, open, first
}

// openOne connects as coder i, finds encounter i on the worklist, opens
// it and focuses the search input.
func openOne(ctx context.Context, cfg Config, i int) (*Terminal, SearchInput, time.Duration, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	t0 := time.Now()
	t, err := Dial(context.WithoutCancel(ctx), cfg.Addr, cfg.Coders[i], cfg.Keys[i], cfg.Cols, cfg.Rows, cfg.Env...)
	if err != nil {
		return nil, SearchInput{}, 0, 0, err
	}
	id := cfg.Encounters[i]
	if err := t.WaitText(ctx, "Worklist", cfg.ListMark); err != nil {
		return t, SearchInput{}, 0, 0, err
	}
	connected := time.Since(t0)
	t1 := time.Now()
	if err := t.Send("/", KeyCtrlU, id, KeyEnter); err != nil {
		return t, SearchInput{}, connected, 0, err
	}
	var in SearchInput
	var focused bool
	err = t.WaitFor(ctx, "the encounter", func(s *Screen) bool {
		if !strings.Contains(s.Text(), " "+id+" ·") {
			return false
		}
		in, focused = FindSearchInput(s, cfg.Placeholder)
		return true
	})
	if err != nil || focused {
		// An uncoded chart opens with the search focused.
		return t, in, connected, time.Since(t1), err
	}
	if err := t.Send("/"); err != nil {
		return t, SearchInput{}, connected, 0, err
	}
	err = t.WaitFor(ctx, "the search input", func(s *Screen) bool {
		in, focused = FindSearchInput(s, cfg.Placeholder)
		return focused
	})
	return t, in, connected, time.Since(t1), err
}

// Capacity finds the most sessions for which ok(probe(n)) holds, between
// start and limit: it doubles from start until a probe fails, then halves
// the gap until it is within 5% (at least one session).
func Capacity(start, limit int, probe func(n int) (bool, error)) (best int, err error) {
	lo, hi := 0, limit+1 // lo passes (0: none yet), hi fails
	n := min(max(start, 1), limit)
	for {
		pass, err := probe(n)
		if err != nil {
			return lo, err
		}
		if pass {
			lo = n
		} else {
			hi = n
		}
		switch {
		case hi-lo <= max(1, lo/20):
			return lo, nil
		case hi > limit:
			n = min(2*n, limit)
			if n == lo {
				return lo, nil // limit passes
			}
		default:
			n = lo + (hi-lo)/2
		}
	}
}
