package main

import "runtime"

// minServeProcs is the fewest Go processors serve runs on, even on one
// core. With a single processor, a goroutine busy in a search (a few
// milliseconds of Bleve, now and then tens) holds every coder's key until
// it blocks or Go preempts it after 10 ms: keystroke-to-frame p99 grew to
// 18 ms at 50 sessions on one core. With four, the session answering a key
// runs on an idle processor whose thread the kernel schedules at once,
// interleaving it with the search (p99 4-13 ms at 50 sessions where it
// was 11-18, for 10-20% more CPU per key in thread switches; codebench
// bench ssh --serve-flag=--procs=1 measures the other way).
const minServeProcs = 4

// serveProcs is the number of Go processors for serve: --procs when given,
// else what Go chose (the CPUs serve may use, or $GOMAXPROCS), at least
// minServeProcs.
func serveProcs(flag, goChose int) int {
	if flag > 0 {
		return flag
	}
	return max(goChose, minServeProcs)
}

// setServeProcs applies serveProcs and returns the number in force.
func setServeProcs(flag int) int {
	n := serveProcs(flag, runtime.GOMAXPROCS(0))
	if n != runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(n)
	}
	return n
}
