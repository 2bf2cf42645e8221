package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"codebench/encounter/store/postgres"
)

// nodeTTLMin is the least time a node stays live without a heartbeat.
const nodeTTLMin = time.Minute

// joinNodes registers this serve among the nodes sharing a PostgreSQL
// store. Behind one load balancer a coder may land on any node, so every
// node must code against the same code-set releases (data key) and show
// the same SSH host key; a node that differs from a live peer refuses to
// serve. The host key must therefore exist before the node starts: nodes
// that each created their own would present different ones.
func joinNodes(ctx context.Context, pg *postgres.Store, cfg serveConfig, dataKey string, logger *log.Logger) (*postgres.Membership, error) {
	data, err := os.ReadFile(cfg.hostKey)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("host key %s: missing; with a shared work store every node must present the same host key: create it once (ssh-keygen -t ed25519 -N '' -f %s) and give every node that file", cfg.hostKey, cfg.hostKey)
	}
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", cfg.hostKey, err)
	}
	// Peers are live while seen within two lease lengths (at least a
	// minute): a node killed outright stops counting after that.
	ttl := max(2*cfg.leaseTTL, nodeTTLMin)
	// A live switch of code sets (codebench data import while serving)
	// reaches the nodes one by one: until they agree, say so.
	mismatch := func(e *postgres.NodeMismatchError) {
		logger.Error("nodes serve different code sets or host keys", "err", e.Error())
	}
	return pg.Join(ctx, postgres.Node{Name: cfg.node, DataKey: dataKey, HostKey: gossh.FingerprintSHA256(signer.PublicKey())}, ttl, mismatch)
}
