package coding

import "time"

// The search waits for a pause in the coder's own rhythm: a fast typist's
// keys come closer together than a fixed debounce of 60 ms ever absorbs
// (six keys a second are 170 ms apart), so every key would start a search
// whose results are replaced by the next key's before anyone reads them.
// The wait is one and a half times the coder's usual gap between keys,
// within Timing.Debounce and Timing.DebounceMax.

// pauseGap is the gap from which a key follows a pause, not typing.
const pauseGap = 600 * time.Millisecond

// rhythm follows the gaps between the keys that edit the query.
type rhythm struct {
	last time.Time
	gap  time.Duration // moving mean of the gaps while typing
}

// key records a key typed at now.
func (r *rhythm) key(now time.Time) {
	if !r.last.IsZero() {
		if d := now.Sub(r.last); d > 0 && d < pauseGap {
			if r.gap == 0 {
				r.gap = d
			} else {
				r.gap = (3*r.gap + d) / 4
			}
		}
	}
	r.last = now
}

// wait is how long to wait after a key before searching.
func (r *rhythm) wait(least, most time.Duration) time.Duration {
	return min(max(r.gap*3/2, least), max(most, least))
}
