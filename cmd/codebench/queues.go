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
// for NATS JetStream (see queuenats.go).
func openQueue(spec string) (queue.Queue, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("empty --queue")
	}
	if path, ok := strings.CutPrefix(spec, "dir:"); ok {
		return dirqueue.Open(path)
	}
	if isNATSQueue(spec) {
		return openNATSQueue(spec)
	}
	if scheme, _, ok := strings.Cut(spec, "://"); ok {
		return nil, fmt.Errorf("queue %q: unknown scheme %q (want a directory, dir:PATH or nats://host:4222)", spec, scheme)
	}
	return dirqueue.Open(spec)
}
