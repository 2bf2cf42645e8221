package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"codebench/encounter/queue/natsqueue"
)

const queueUsage = "usage: codebench queue status [--queue SPEC] [--json] | queue drain [--queue SPEC] [--timeout 1m]"

// runQueue reports on the billing queue (status) or forwards what waits in
// its spool (drain), e.g. after exports made while NATS was down by a
// process that has since exited.
func runQueue(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		return e.errorf("%s", queueUsage)
	}
	fs := flag.NewFlagSet("queue "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	spec := fs.String("queue", os.Getenv("CODEBENCH_QUEUE"), "billing queue, e.g. nats://host:4222?stream=BILLING (default $CODEBENCH_QUEUE)")
	asJSON := fs.Bool("json", false, "print JSON (status)")
	timeout := fs.Duration("timeout", time.Minute, "how long to wait for the spool to empty (drain)")
	if args[0] != "status" && args[0] != "drain" {
		return e.errorf("unknown queue command %q\n%s", args[0], queueUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		return e.errorf("%s", queueUsage)
	}
	if *spec == "" {
		return e.errorf("queue %s: no queue given; use --queue nats://host:4222 or set CODEBENCH_QUEUE", args[0])
	}
	if !isNATSQueue(*spec) {
		return e.errorf("queue %s: %q is not a nats:// queue; only the NATS queue keeps a spool (a directory queue's exports are the *.json files in it)", args[0], *spec)
	}
	o, err := natsQueueOptions(*spec)
	if err != nil {
		return e.errorf("%v", err)
	}
	var st natsqueue.Status
	code := 0
	if args[0] == "status" {
		// Inspect only reads the spool: a status check never forwards.
		st, err = natsqueue.Inspect(ctx, o)
		if err != nil {
			return e.errorf("queue status: %v", err)
		}
	} else {
		q, err := natsqueue.Open(o)
		if err != nil {
			return e.errorf("queue drain: %v", err)
		}
		dctx, cancel := context.WithTimeout(ctx, *timeout)
		ferr := q.Flush(dctx)
		cancel()
		st, err = q.Status(ctx)
		q.Close()
		if ferr != nil {
			code = e.errorf("queue drain: %v", ferr)
		} else if err != nil {
			return e.errorf("queue drain: %v", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return e.errorf("%v", err)
		}
		return code
	}
	st.WriteText(e.stdout)
	if code == 0 && args[0] == "drain" {
		fmt.Fprintln(e.stdout, "spool empty: every export is acknowledged by JetStream")
	}
	return code
}
