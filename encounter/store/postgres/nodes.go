package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Node is one serve process sharing the store, as its peers see it.
type Node struct {
	Name string
	// DataKey identifies the code-set releases the node serves
	// (index.DataKey): every node must code against the same ones.
	DataKey string
	// HostKey is the SHA256 fingerprint of the node's SSH host key: behind
	// one load balancer every node must present the same.
	HostKey string
}

// NodeMismatchError: a live peer serves other code sets or another host
// key; the node must not serve beside it.
type NodeMismatchError struct {
	Node, Peer Node
	Field      string // "data key" or "host key"
	PeerSeen   time.Time
}

func (e *NodeMismatchError) Error() string {
	mine, theirs := e.Node.DataKey, e.Peer.DataKey
	hint := "import the same code-set releases on every node (codebench data import), then restart them"
	if e.Field == "host key" {
		mine, theirs = e.Node.HostKey, e.Peer.HostKey
		hint = "give every node the same host key file (--host-key on shared storage, or a copy of it)"
	}
	return fmt.Sprintf("node %q has %s %s, but live node %q (seen %s) has %s: %s",
		e.Node.Name, e.Field, mine, e.Peer.Name, e.PeerSeen.UTC().Format(time.RFC3339), theirs, hint)
}

// Membership is a node's entry among the nodes sharing the store, kept
// fresh until Leave.
type Membership struct {
	s      *Store
	ttl    time.Duration
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	node Node
	// Mismatch, if set, is called at each heartbeat while a live peer
	// has another data key or host key (after a live switch of code sets
	// on one node and not yet on the others).
	mismatch func(*NodeMismatchError)
}

// Join registers n among the nodes serving this store and keeps its entry
// fresh (every ttl/3) until ctx ends or Leave is called, which removes
// it. It refuses, with a *NodeMismatchError, to let n join while a node
// seen within ttl has another data key or host key. A node that died
// without leaving stops counting after ttl. mismatch (may be nil) hears
// of peers that differ later on.
func (s *Store) Join(ctx context.Context, n Node, ttl time.Duration, mismatch func(*NodeMismatchError)) (*Membership, error) {
	if strings.TrimSpace(n.Name) == "" || n.DataKey == "" || n.HostKey == "" {
		return nil, fmt.Errorf("join: node name, data key and host key are required")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("join: ttl %v must be positive", ttl)
	}
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		// One join at a time, so two nodes starting together with
		// different data cannot both see an empty table.
		if _, err := tx.Exec(ctx, `LOCK TABLE nodes IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		if err := differingPeer(ctx, tx, n, now.Add(-ttl)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO nodes(name, data_key, host_key, started_ns, seen_ns) VALUES ($1,$2,$3,$4,$4)
			ON CONFLICT (name) DO UPDATE SET data_key = $2, host_key = $3, started_ns = $4, seen_ns = $4`,
			n.Name, n.DataKey, n.HostKey, nanos(now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("join %s: %w", s.display, err)
	}
	hctx, cancel := context.WithCancel(ctx)
	m := &Membership{s: s, ttl: ttl, cancel: cancel, done: make(chan struct{}), node: n, mismatch: mismatch}
	go m.heartbeat(hctx)
	return m, nil
}

// differingPeer is a *NodeMismatchError for the first peer seen since
// `since` whose keys differ from n's.
func differingPeer(ctx context.Context, tx pgx.Tx, n Node, since time.Time) error {
	rows, err := tx.Query(ctx, `SELECT name, data_key, host_key, seen_ns FROM nodes WHERE name <> $1 AND seen_ns > $2 ORDER BY name`,
		n.Name, nanos(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Node
		var seen int64
		if err := rows.Scan(&p.Name, &p.DataKey, &p.HostKey, &seen); err != nil {
			return err
		}
		switch {
		case p.DataKey != n.DataKey:
			return &NodeMismatchError{Node: n, Peer: p, Field: "data key", PeerSeen: fromNanos(seen)}
		case p.HostKey != n.HostKey:
			return &NodeMismatchError{Node: n, Peer: p, Field: "host key", PeerSeen: fromNanos(seen)}
		}
	}
	return rows.Err()
}

func (m *Membership) heartbeat(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(m.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.mu.Lock()
			n, report := m.node, m.mismatch
			m.mu.Unlock()
			var differs error
			m.s.write(ctx, func(tx pgx.Tx, now time.Time) error {
				if _, err := tx.Exec(ctx, `UPDATE nodes SET seen_ns = $1, data_key = $2 WHERE name = $3`, nanos(now), n.DataKey, n.Name); err != nil {
					return err
				}
				differs = differingPeer(ctx, tx, n, now.Add(-m.ttl))
				return nil
			})
			var mm *NodeMismatchError
			if report != nil && errors.As(differs, &mm) {
				report(mm)
			}
		}
	}
}

// SetDataKey records that the node now serves other code sets (a live
// switch after an import); peers see it at the next heartbeat.
func (m *Membership) SetDataKey(key string) {
	m.mu.Lock()
	m.node.DataKey = key
	m.mu.Unlock()
}

// Leave stops the heartbeat and removes the node's entry.
func (m *Membership) Leave() {
	m.cancel()
	<-m.done
	c, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	m.s.pool.Exec(c, `DELETE FROM nodes WHERE name = $1`, m.node.Name)
}

// Nodes lists the nodes seen within ttl.
func (s *Store) Nodes(ctx context.Context, ttl time.Duration) ([]Node, error) {
	var out []Node
	err := s.write(ctx, func(tx pgx.Tx, now time.Time) error {
		rows, err := tx.Query(ctx, `SELECT name, data_key, host_key FROM nodes WHERE seen_ns > $1 ORDER BY name`, nanos(now.Add(-ttl)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n Node
			if err := rows.Scan(&n.Name, &n.DataKey, &n.HostKey); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}
