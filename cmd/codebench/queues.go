package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"codebench/codesets"
	"codebench/encounter/queue"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/queue/natsqueue"
)

// DefaultQueueDir is the directory queue under the data directory.
const DefaultQueueDir = "billing-queue"

// defaultQueueSpec is $CODEBENCH_QUEUE, else the directory queue in the
// data directory.
func defaultQueueSpec() (string, error) {
	if s := os.Getenv("CODEBENCH_QUEUE"); s != "" {
		return s, nil
	}
	dir, err := codesets.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, DefaultQueueDir), nil
}

// checkQueueSpec refuses a --queue spec that names no queue, without
// opening anything.
func checkQueueSpec(spec string) error {
	if strings.TrimSpace(spec) == "" {
		return fmt.Errorf("empty --queue")
	}
	if isNATSQueue(spec) {
		_, err := natsqueue.ParseURL(spec)
		return err
	}
	if scheme, _, ok := strings.Cut(spec, "://"); ok && !strings.HasPrefix(spec, "dir:") {
		return fmt.Errorf("queue %q: unknown scheme %q (want a directory, dir:PATH or nats://host:4222)", spec, scheme)
	}
	return nil
}

// openQueue opens the billing queue a --queue spec names: a directory
// path or dir:PATH for the directory queue, nats://host:4222[?stream=...]
// for NATS JetStream (see queuenats.go). notice hears of permissions
// tightened on the queue directory or spool.
func openQueue(spec string, notice func(string)) (queue.Queue, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("empty --queue")
	}
	if path, ok := strings.CutPrefix(spec, "dir:"); ok {
		return dirqueue.Open(path, notice)
	}
	if isNATSQueue(spec) {
		return openNATSQueue(spec, notice)
	}
	if scheme, _, ok := strings.Cut(spec, "://"); ok {
		return nil, fmt.Errorf("queue %q: unknown scheme %q (want a directory, dir:PATH or nats://host:4222)", spec, scheme)
	}
	if scheme, ok := schemeLike(spec); ok {
		// nats:/host:4222 (one slash) is a mistyped URL, not a directory
		// named "nats:" that would quietly collect the exports.
		return nil, fmt.Errorf("queue %q looks like a %s URL but is not one (a URL has \"://\", as in %s://host:4222); for a directory whose name starts %q, write dir:%s", spec, scheme, strings.ToLower(scheme), scheme+":", spec)
	}
	return dirqueue.Open(spec, notice)
}

// schemeLike tells whether spec starts like a URL scheme ("nats:",
// "http:"): letters, then a colon. One letter is a Windows drive (C:).
func schemeLike(spec string) (string, bool) {
	scheme, _, ok := strings.Cut(spec, ":")
	if !ok || len(scheme) < 2 {
		return "", false
	}
	for _, r := range scheme {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return "", false
		}
	}
	return scheme, true
}
