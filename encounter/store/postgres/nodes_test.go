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
	ma, err := s.Join(ctx, a, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mm *NodeMismatchError
	b := Node{Name: "node-b", DataKey: "data-2", HostKey: "SHA256:host"}
	if _, err := s.Join(ctx, b, time.Minute, nil); !errors.As(err, &mm) || mm.Field != "data key" || mm.Peer.Name != "node-a" {
		t.Fatalf("node with other code sets: %v", err)
	}
	b.DataKey, b.HostKey = "data-1", "SHA256:other"
	if _, err := s.Join(ctx, b, time.Minute, nil); !errors.As(err, &mm) || mm.Field != "host key" {
		t.Fatalf("node with another host key: %v", err)
	}
	b.HostKey = "SHA256:host"
	mb, err := s.Join(ctx, b, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	if nodes, _ := s.Nodes(ctx, time.Minute); len(nodes) != 2 {
		t.Fatalf("nodes: %+v", nodes)
	}
	ma.Leave()
	mb.Leave()
	// Both gone: a node with new code sets may start.
	c := Node{Name: "node-c", DataKey: "data-2", HostKey: "SHA256:host"}
	mc, err := s.Join(ctx, c, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Leave()
	// A node that died (no leave, no heartbeat) stops counting after ttl.
	clock.Advance(2 * time.Minute)
	d := Node{Name: "node-d", DataKey: "data-3", HostKey: "SHA256:host"}
	md, err := s.Join(ctx, d, time.Minute, nil)
	if err != nil {
		t.Fatalf("join after the peer went stale: %v", err)
	}
	md.Leave()
}

// TestNodeSwitchingCodeSetsIsSeen: when one node switches to new code
// sets while serving (a live import), its entry says so at its next
// heartbeat, its peers hear of the difference, and a node restarted with
// the old code sets is refused.
func TestNodeSwitchingCodeSetsIsSeen(t *testing.T) {
	db := newDB(t)
	s := open(t, db.AppDSN())
	const ttl = 900 * time.Millisecond // heartbeats every 300 ms
	ma, err := s.Join(ctx, Node{Name: "node-a", DataKey: "data-1", HostKey: "h"}, ttl, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ma.Leave()
	heard := make(chan *NodeMismatchError, 16)
	mb, err := s.Join(ctx, Node{Name: "node-b", DataKey: "data-1", HostKey: "h"}, ttl, func(e *NodeMismatchError) {
		select {
		case heard <- e:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Leave()
	ma.SetDataKey("data-2")
	select {
	case e := <-heard:
		if e.Peer.Name != "node-a" || e.Peer.DataKey != "data-2" || e.Field != "data key" {
			t.Fatalf("heard: %v", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("node-b never heard that node-a switched code sets")
	}
	var mm *NodeMismatchError
	if _, err := s.Join(ctx, Node{Name: "node-c", DataKey: "data-1", HostKey: "h"}, ttl, nil); !errors.As(err, &mm) {
		t.Fatalf("a node with the code sets node-a left behind: %v", err)
	}
}
