package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/encounter/store"
)

// Watch delivers the ids of encounters whose lease, status or revision
// changed, on any node, as PostgreSQL announces them (LISTEN/NOTIFY).
// One connection per Store listens for all its watchers; when it is lost
// it reconnects and delivers an empty Change, since changes may have been
// missed meanwhile. Watch returns once the LISTEN is in place, so a change
// committed after it returns is delivered.
func (s *Store) Watch(ctx context.Context) (<-chan store.Change, error) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.stop == nil {
		lctx, cancel := context.WithCancel(context.Background())
		stopped, first := make(chan struct{}), make(chan error, 1)
		go s.listen(lctx, first, stopped)
		if err := <-first; err != nil {
			cancel()
			<-stopped
			return nil, fmt.Errorf("watch %s: %w", s.display, err)
		}
		s.stop, s.stopped = cancel, stopped
	}
	return s.hub.Subscribe(ctx), nil
}

// listen holds the LISTEN connection until ctx ends; first receives the
// outcome of the first attempt.
func (s *Store) listen(ctx context.Context, first chan<- error, stopped chan struct{}) {
	defer close(stopped)
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		conn, err := pgx.ConnectConfig(ctx, s.cfg.ConnConfig)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+ChangeChannel)
		}
		if attempt == 0 {
			first <- err
			if err != nil {
				if conn != nil {
					conn.Close(context.Background())
				}
				return
			}
		} else if err == nil {
			s.hub.Publish(store.Change{}) // back after a gap: reload everything
			backoff = 100 * time.Millisecond
		}
		if err == nil {
			err = s.relay(ctx, conn)
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
			backoff = min(2*backoff, 5*time.Second)
		}
	}
}

// relay passes notifications to the watchers until the connection fails.
func (s *Store) relay(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		s.hub.Publish(store.Change{EncounterID: n.Payload})
	}
}
