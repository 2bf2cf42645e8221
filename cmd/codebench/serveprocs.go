package main

import "runtime"

// serve runs on as many Go processors as it has CPUs (Go's own choice),
// one on one core. Spare processors on one core cost CPU without buying
// latency back: every goroutine made ready (a key read, a frame written,
// a debounce tick) wakes a spare processor's thread to look for work, so
// with four processors on one core a key cost 1.02-1.30 ms of server CPU
// at 50 sessions on a quiet machine, and 0.85 ms with one (codebench bench
// ssh). They were there so that a long search does not hold other
// coders' keys; the search walk now yields every 512 documents instead
// (index: matches.next), which keeps keystroke-to-frame p99 within a
// frame on one processor. --procs still sets the number.

// serveProcs is the number of Go processors for serve: --procs when
// given, else what Go chose (the CPUs serve may use, or $GOMAXPROCS).
func serveProcs(flag, goChose int) int {
	if flag > 0 {
		return flag
	}
	return goChose
}

// setServeProcs applies serveProcs and returns the number in force.
func setServeProcs(flag int) int {
	n := serveProcs(flag, runtime.GOMAXPROCS(0))
	if n != runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(n)
	}
	return n
}
