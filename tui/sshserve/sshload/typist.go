package sshload

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// SearchInput is where a focused, empty search input sits on screen: its
// "/ " prompt and the placeholder after it.
type SearchInput struct {
	X, Y        int
	Placeholder string
}

// FindSearchInput locates the focused search input showing placeholder
// (its first few words are enough) with the cursor on its first cell.
func FindSearchInput(s *Screen, placeholder string) (SearchInput, bool) {
	x, y, ok := s.Find("/ " + placeholder)
	if !ok || !s.Reverse(x+2, y) {
		return SearchInput{}, false
	}
	return SearchInput{X: x, Y: y, Placeholder: placeholder}, true
}

// Shows tells whether the input holds exactly q with the cursor right
// after it (an empty input shows the placeholder under the cursor). The
// cursor makes it exact: "dia" then a space differs from "dia " by where
// the reverse-video cell is.
func (in SearchInput) Shows(s *Screen, q string) bool {
	if q == "" {
		return s.Row(in.X, in.Y, 2+len(in.Placeholder)) == "/ "+in.Placeholder && s.Reverse(in.X+2, in.Y)
	}
	return s.Row(in.X, in.Y, 2+len(q)) == "/ "+q && s.Reverse(in.X+2+len(q), in.Y)
}

// Typist types search queries into one session at a set rate, as a coder
// does: each query a character at a time with one slip corrected on the
// way (a wrong character, then backspace), a pause to read the results,
// then ctrl+u to start the next. Every key is timed to the frame that
// shows it in the input.
type Typist struct {
	T       *Terminal
	In      SearchInput
	Queries []string // typed in turn from First; ASCII, shorter than the input
	First   int
	// Rate is keys a second; each gap is drawn evenly from half to one and
	// a half times the mean, so sessions do not type in step.
	Rate float64
	// Think is the mean pause after a query, reading the results; each is
	// drawn evenly from half to one and a half times it.
	Think time.Duration
	Rand  *rand.Rand
	// Sent counts the keys sent; HeldKeys counts keys that waited because
	// the same text was still awaiting its frame (a frame could not tell
	// them apart). Several typists may share the counters.
	Sent, HeldKeys *atomic.Int64
}

// typed is a key and the query the input shows after it; think marks
// the pause before the key.
type typed struct {
	key, state string
	think      bool
}

// script is the keys that type q: halfway, a neighbouring key is hit by
// mistake and taken back.
func script(q string) []typed {
	var out []typed
	slip := len(q) / 2
	for i := range q {
		if i == slip && len(q) >= 4 {
			wrong := string(rune(q[i]) ^ 1) // a neighbour in ASCII, never the right one
			if wrong < " " || wrong > "~" {
				wrong = "x"
			}
			out = append(out, typed{key: wrong, state: q[:i] + wrong}, typed{key: KeyBackspace, state: q[:i]})
		}
		out = append(out, typed{key: q[i : i+1], state: q[:i+1]})
	}
	return append(out, typed{key: KeyCtrlU, state: "", think: true})
}

// Run types until ctx is done.
func (ty *Typist) Run(ctx context.Context) error {
	mean := time.Duration(float64(time.Second) / ty.Rate)
	next := time.Now().Add(time.Duration(ty.Rand.Int64N(int64(mean))))
	for i := ty.First; ; i++ {
		for _, k := range script(ty.Queries[i%len(ty.Queries)]) {
			if k.think && ty.Think > 0 {
				next = next.Add(ty.Think/2 + time.Duration(ty.Rand.Int64N(int64(ty.Think))))
			}
			if err := sleepUntil(ctx, next); err != nil {
				return nil
			}
			if ty.T.Ambiguous(k.state) {
				ty.HeldKeys.Add(1)
			}
			for ty.T.Ambiguous(k.state) {
				if err := sleepUntil(ctx, time.Now().Add(time.Millisecond)); err != nil {
					return nil
				}
			}
			state := k.state
			if err := ty.T.Timed(k.key, state, func(s *Screen) bool { return ty.In.Shows(s, state) }); err != nil {
				return err
			}
			ty.Sent.Add(1)
			next = next.Add(mean/2 + time.Duration(ty.Rand.Int64N(int64(mean))))
			if now := time.Now(); next.Before(now.Add(-mean)) {
				next = now // fell behind (the client was starved): do not burst
			}
		}
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
