package postgres

import (
	"errors"
	"testing"
	"time"

	"codebench/encounter/store/storetest"
)

// TestNodesMustAgree: a node joins beside live peers only with their data
// key and host key; a peer that left, or died and went stale, no longer
// holds the others to its keys.
func TestNodesMustAgree(t *testing.T) {
	clock := storetest.NewClock()
	db := newDB(t)
	s := open(t, db.AppDSN(), WithClock(clock.Now))
	a := Node{Name: "node-a", DataKey: "data-1", HostKey: "SHA256:host"}
	leaveA, err := s.Join(ctx, a, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var mm *NodeMismatchError
	b := Node{Name: "node-b", DataKey: "data-2", HostKey: "SHA256:host"}
	if _, err := s.Join(ctx, b, time.Minute); !errors.As(err, &mm) || mm.Field != "data key" || mm.Peer.Name != "node-a" {
		t.Fatalf("node with other code sets: %v", err)
	}
	b.DataKey, b.HostKey = "data-1", "SHA256:other"
	if _, err := s.Join(ctx, b, time.Minute); !errors.As(err, &mm) || mm.Field != "host key" {
		t.Fatalf("node with another host key: %v", err)
	}
	b.HostKey = "SHA256:host"
	leaveB, err := s.Join(ctx, b, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if nodes, _ := s.Nodes(ctx, time.Minute); len(nodes) != 2 {
		t.Fatalf("nodes: %+v", nodes)
	}
	leaveA()
	leaveB()
	// Both gone: a node with new code sets may start.
	c := Node{Name: "node-c", DataKey: "data-2", HostKey: "SHA256:host"}
	if _, err := s.Join(ctx, c, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A node that died (no leave, no heartbeat) stops counting after ttl.
	clock.Advance(2 * time.Minute)
	d := Node{Name: "node-d", DataKey: "data-3", HostKey: "SHA256:host"}
	if _, err := s.Join(ctx, d, time.Minute); err != nil {
		t.Fatalf("join after the peer went stale: %v", err)
	}
}
