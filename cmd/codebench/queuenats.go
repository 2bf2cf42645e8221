package main

import (
	"strings"

	"codebench/codesets"
	"codebench/encounter/queue"
	"codebench/encounter/queue/natsqueue"
)

// isNATSQueue reports whether a --queue spec names a NATS JetStream queue.
func isNATSQueue(spec string) bool {
	scheme, _, ok := strings.Cut(spec, "://")
	return ok && strings.EqualFold(scheme, "nats")
}

// natsQueueOptions parses nats://host:4222[?stream=&subject=&spool=...];
// without spool= the spool lives in the data directory, one per server
// and stream.
func natsQueueOptions(spec string) (natsqueue.Options, error) {
	o, err := natsqueue.ParseURL(spec)
	if err != nil {
		return o, err
	}
	if o.SpoolDir == "" {
		dir, err := codesets.DataDir()
		if err != nil {
			return o, err
		}
		o.SpoolDir = natsqueue.DefaultSpoolDir(dir, o)
	}
	return o, nil
}

// openNATSQueue opens the JetStream billing queue named by spec. The
// result is a *natsqueue.Queue (PublishOutcome says whether an export
// was delivered or spooled).
func openNATSQueue(spec string, notice func(string)) (queue.Queue, error) {
	o, err := natsQueueOptions(spec)
	if err != nil {
		return nil, err
	}
	o.Notice = notice
	q, err := natsqueue.Open(o)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return q, nil
}
