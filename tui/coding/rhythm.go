package coding

import "time"

// The search waits for a pause in the coder's own rhythm: a fast typist's
// keys come closer together than a fixed debounce of 60 ms ever absorbs
// (six keys a second are 170 ms apart), so every key would start a search
// whose results are replaced by the next key's before anyone reads them.
// A pause is a gap longer than the coder's gaps usually are: one and a
// half times their usual gap, or more for an uneven typist, their usual
// gap and four times how far gaps stray from it (as TCP tells a lost
// packet from a late one), within Timing.Debounce and Timing.DebounceMax.
// Without the spread, a coder whose gaps vary by half either way started
// a search in the middle of one query in two (codebench bench ssh: two
// searches per query where one is read).

// pauseGap is the gap from which a key follows a pause, not typing.
const pauseGap = 600 * time.Millisecond

// rhythm follows the gaps between the keys that edit the query.
type rhythm struct {
	last time.Time
	gap  time.Duration // moving mean of the gaps while typing
	dev  time.Duration // moving mean of how far a gap is from gap
}

// key records a key typed at now.
func (r *rhythm) key(now time.Time) {
	if !r.last.IsZero() {
		if d := now.Sub(r.last); d > 0 && d < pauseGap {
			if r.gap == 0 {
				r.gap, r.dev = d, d/2
			} else {
				r.dev = (3*r.dev + (d - r.gap).Abs()) / 4
				r.gap = (3*r.gap + d) / 4
			}
		}
	}
	r.last = now
}

// wait is how long to wait after a key before searching.
func (r *rhythm) wait(least, most time.Duration) time.Duration {
	return min(max(r.gap*3/2, r.gap+4*r.dev, least), max(most, least))
}
