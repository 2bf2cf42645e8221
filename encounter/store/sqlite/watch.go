package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"codebench/encounter/store"
)

var _ store.Watcher = (*Store)(nil)

// hubs has one hub per database file, so every handle on a file in this
// process (every session of one serve) hears of the others' changes.
// Other processes sharing the file are not told: they see the changes on
// their next read.
var (
	hubsMu sync.Mutex
	hubs   = map[string]*store.Hub{}
)

func hubFor(path string) *store.Hub {
	hubsMu.Lock()
	defer hubsMu.Unlock()
	h := hubs[path]
	if h == nil {
		h = new(store.Hub)
		hubs[path] = h
	}
	return h
}

// Watch delivers the ids of encounters whose lease, status or revision
// changed through any handle on this file in this process.
func (s *Store) Watch(ctx context.Context) (<-chan store.Change, error) {
	return s.hub.Subscribe(ctx), nil
}

// change is write for a change watchers hear of once it is committed.
func (s *Store) change(ctx context.Context, id string, fn func(tx *sql.Tx, now time.Time) error) error {
	if err := s.write(ctx, fn); err != nil {
		return err
	}
	s.hub.Publish(store.Change{EncounterID: id})
	return nil
}

// Watchers is the number of live subscriptions on this file in this
// process.
func (s *Store) Watchers() int { return s.hub.Watchers() }
