package sshserve

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingWriter takes nothing until released, as a client that stopped
// reading.
type blockingWriter struct {
	mu      sync.Mutex
	got     bytes.Buffer
	release chan struct{}
	writing chan struct{} // signalled when a write starts
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	select {
	case w.writing <- struct{}{}:
	default:
	}
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got.Write(p)
}

func stalls() (chan string, func(string)) {
	ch := make(chan string, 4)
	return ch, func(why string) { ch <- why }
}

func TestOutputStallsPastItsBoundWithoutBlocking(t *testing.T) {
	w := &blockingWriter{release: make(chan struct{}), writing: make(chan struct{}, 1)}
	stalled, onStall := stalls()
	o := newOutput(w, 1000, time.Hour, onStall)
	o.Write([]byte("first frame"))
	<-w.writing // the sender is stuck on the client
	for range 200 {
		o.Write(bytes.Repeat([]byte("x"), 10)) // never blocks
	}
	select {
	case why := <-stalled:
		if !strings.Contains(why, "bytes waited") {
			t.Errorf("why: %q", why)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not stalled past 1000 bytes waiting")
	}
	if o.stalledWhy() == "" {
		t.Error("stalledWhy empty")
	}
	o.Write([]byte("dropped"))
	select {
	case why := <-stalled:
		t.Fatalf("stalled twice: %q", why)
	default:
	}
	close(w.release) // the connection closes: the write under way ends
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		w.mu.Lock()
		got := w.got.String()
		w.mu.Unlock()
		if got != "" {
			if got != "first frame" {
				t.Errorf("sent after the stall: %q", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the write under way never ended")
		}
	}
}

func TestOutputStallsWhenTheClientTakesNothingForTheTimeout(t *testing.T) {
	w := &blockingWriter{release: make(chan struct{}), writing: make(chan struct{}, 1)}
	stalled, onStall := stalls()
	o := newOutput(w, 1<<20, 50*time.Millisecond, onStall)
	o.Write([]byte("frame"))
	select {
	case why := <-stalled:
		if !strings.Contains(why, "no output for") {
			t.Errorf("why: %q", why)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not stalled")
	}
	close(w.release)
	o.close()
}

func TestOutputSendsInOrderAndFlushes(t *testing.T) {
	var got bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return got.Write(p)
	})
	stalled, onStall := stalls()
	o := newOutput(w, 1<<20, time.Hour, onStall)
	var want strings.Builder
	for i := range 500 {
		s := strings.Repeat(string(rune('a'+i%26)), i%7+1)
		want.WriteString(s)
		o.Write([]byte(s))
	}
	o.flush(10 * time.Second)
	mu.Lock()
	if got.String() != want.String() {
		t.Errorf("sent %d bytes out of order or lost (want %d)", got.Len(), want.Len())
	}
	mu.Unlock()
	o.close()
	o.Write([]byte("after close"))
	select {
	case why := <-stalled:
		t.Fatalf("stalled: %q", why)
	default:
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
