package sshserve

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// A session writes to its client through an output: writes never block
// the session's program, and a goroutine sends them on. A client that
// reads slower than the session draws (a frozen terminal, a dead link
// the kernel has not noticed) makes the bytes waiting grow. Past
// MaxPending bytes, or when the client has taken nothing for
// StallTimeout while bytes wait, the client is stalled: what the session
// writes after is dropped, and the session is stopped the clean way
// (draft saved, lease released) and its connection closed. So one
// stalled client holds neither memory nor a goroutine of the program
// for long, and never holds the coder's work.

// output is a session's bounded, never-blocking way to its client.
type output struct {
	w       io.Writer
	max     int
	timeout time.Duration
	onStall func(reason string)

	mu        sync.Mutex
	wake      *sync.Cond
	pending   []byte
	sending   bool // a write to the client is under way
	sendStart time.Time
	stalled   string
	closed    bool
	sent      int64
	idle      chan struct{} // closed and replaced whenever nothing waits
}

func newOutput(w io.Writer, maxPending int, timeout time.Duration, onStall func(reason string)) *output {
	o := &output{w: w, max: maxPending, timeout: timeout, onStall: onStall, idle: make(chan struct{})}
	o.wake = sync.NewCond(&o.mu)
	go o.send()
	return o
}

// Write queues p for the client; it never blocks and never fails (a
// stalled or closed output drops what it is given).
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stalled != "" || o.closed {
		return len(p), nil
	}
	if len(o.pending)+len(p) > o.max {
		o.stall(fmt.Sprintf("the connection took no output while %d bytes waited", len(o.pending)+len(p)))
		return len(p), nil
	}
	o.pending = append(o.pending, p...)
	o.wake.Signal()
	return len(p), nil
}

// stall gives up on the client once; mu is held.
func (o *output) stall(reason string) {
	if o.stalled != "" {
		return
	}
	o.stalled = reason
	o.pending = nil
	o.releaseIdle()
	go o.onStall(reason)
}

func (o *output) releaseIdle() {
	close(o.idle)
	o.idle = make(chan struct{})
}

// send writes what waits to the client, one batch at a time; a batch the
// client has not taken within the timeout stalls the output.
func (o *output) send() {
	var batch []byte
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		o.mu.Lock()
		for len(o.pending) == 0 && !o.closed && o.stalled == "" {
			o.releaseIdle()
			o.wake.Wait()
		}
		if o.closed && len(o.pending) == 0 || o.stalled != "" {
			o.releaseIdle()
			o.mu.Unlock()
			return
		}
		batch, o.pending = o.pending, batch[:0]
		o.sending, o.sendStart = true, time.Now()
		o.mu.Unlock()

		// One timer for every batch (a frame is a batch, most of the
		// time): armed while a write is under way.
		if timer == nil {
			timer = time.AfterFunc(o.timeout, o.overdue)
		} else {
			timer.Reset(o.timeout)
		}
		_, err := o.w.Write(batch)
		timer.Stop()

		o.mu.Lock()
		o.sending = false
		o.sent += int64(len(batch))
		if err != nil && o.stalled == "" && !o.closed {
			// The connection is gone: the session ends by its input.
			o.closed = true
			o.pending = nil
		}
		o.mu.Unlock()
	}
}

// overdue stalls the output when a write has been under way for the
// timeout. The timer is reused, so a firing late for a batch already sent
// must not stall the next one: the write's start tells.
func (o *output) overdue() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sending && time.Since(o.sendStart) >= o.timeout {
		o.stall(fmt.Sprintf("the connection took no output for %v", o.timeout))
	}
}

// flush waits until what was written has gone to the client, the output
// stalled, or the wait ran out.
func (o *output) flush(wait time.Duration) {
	deadline := time.After(wait)
	for {
		o.mu.Lock()
		done := len(o.pending) == 0 && !o.sending || o.stalled != "" || o.closed
		idle := o.idle
		o.mu.Unlock()
		if done {
			return
		}
		select {
		case <-idle:
		case <-deadline:
			return
		}
	}
}

// close stops sending; what still waits is dropped.
func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.pending = nil
	o.wake.Signal()
}

// stalledWhy is why the client was given up on ("" when it was not).
func (o *output) stalledWhy() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stalled
}
