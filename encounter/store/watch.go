package store

import (
	"context"
	"sync"
)

// Change says that an encounter's row changed in the store: a lease was
// taken or released, a draft saved, the status moved. It may come from
// another process (another serve node). An empty EncounterID means "any
// encounter may have changed" (the watcher reconnected and may have
// missed changes).
type Change struct {
	EncounterID string
}

// Watcher is a Store that tells its readers about changes as they happen,
// so a worklist shows leases taken and released without polling.
type Watcher interface {
	// Watch delivers changes until ctx ends, then closes the channel. A
	// reader that falls behind loses changes, never blocks the store:
	// readers reload what they show on any change.
	Watch(ctx context.Context) (<-chan Change, error)
}

// Hub fans changes out to watchers. The zero value is ready to use.
type Hub struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
}

// watchBuffer is how many undelivered changes a slow reader may have
// before further ones are dropped for it.
const watchBuffer = 64

// Subscribe delivers changes published after it returns until ctx ends.
func (h *Hub) Subscribe(ctx context.Context) <-chan Change {
	ch := make(chan Change, watchBuffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Change]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, ch)
		close(ch)
		h.mu.Unlock()
	}()
	return ch
}

// Publish hands c to every subscriber that has room for it.
func (h *Hub) Publish(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// Watchers is the number of live subscriptions.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
