package coding

import (
	"testing"
	"time"
)

func TestRhythmWaitsForTheCodersPause(t *testing.T) {
	const least, most = 60 * time.Millisecond, 250 * time.Millisecond
	var r rhythm
	if got := r.wait(least, most); got != least {
		t.Errorf("before any key: %v", got)
	}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// A fast typist: 100 ms apart.
	for i := range 10 {
		r.key(at(100 * i))
	}
	if got := r.wait(least, most); got != 150*time.Millisecond {
		t.Errorf("100 ms apart: wait %v", got)
	}
	// A pause to read is not typing: the rhythm stays.
	r.key(at(900 + 2000))
	if got := r.wait(least, most); got != 150*time.Millisecond {
		t.Errorf("after a pause: wait %v", got)
	}
	// Slower keys raise the wait, up to the most.
	for i := 1; i <= 20; i++ {
		r.key(at(2900 + 400*i))
	}
	if got := r.wait(least, most); got != most {
		t.Errorf("400 ms apart: wait %v", got)
	}
	// An uneven typist, 100 to 200 ms apart: a 200 ms gap is their
	// rhythm, not a pause.
	var uneven rhythm
	for i, ms := 0, 0; i < 30; i++ {
		uneven.key(at(ms))
		ms += 100 + 100*(i%2)
	}
	if got := uneven.wait(least, 400*time.Millisecond); got < 250*time.Millisecond || got > 400*time.Millisecond {
		t.Errorf("100 to 200 ms apart: wait %v, want past their longest gap", got)
	}
	// A clock that does not move (tests) leaves the rhythm alone.
	var still rhythm
	for range 5 {
		still.key(t0)
	}
	if got := still.wait(least, most); got != least {
		t.Errorf("frozen clock: %v", got)
	}
	// The least wins over a smaller most (a fixed debounce).
	if got := r.wait(least, 30*time.Millisecond); got != least {
		t.Errorf("most below least: %v", got)
	}
}
