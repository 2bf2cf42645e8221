package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"codebench/encounter/queue/natsqueue"
)

const queueUsage = "usage: codebench queue status [--queue SPEC] [--max-age 5m] [--json] | queue drain [--queue SPEC] [--timeout 1m]"

// queueStuck is queue status's exit code while exports wait undelivered
// longer than --max-age (or were refused for good): the same code as an
// export that was spooled.
const queueStuck = exportSpooled

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
	maxAge := fs.Duration("max-age", 5*time.Minute, "status exits 3 while an export has waited in the spool longer than this (not delivered)")
	if args[0] != "status" && args[0] != "drain" {
		return e.errorf("unknown queue command %q\n%s", args[0], queueUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		return e.errorf("%s", queueUsage)
	}
	fromArgs := false
	fs.Visit(func(f *flag.Flag) { fromArgs = fromArgs || f.Name == "queue" })
	if fromArgs {
		if err := checkQueueNoSecret(*spec); err != nil {
			return e.errorf("queue %s: %v", args[0], err)
		}
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
	if args[0] == "status" && code == 0 {
		code = stuckCode(st, *maxAge, time.Now())
	}
	if *asJSON {
		if err := writeJSON(e.stdout, st); err != nil {
			return e.errorf("%v", err)
		}
		return code
	}
	st.WriteText(e.stdout)
	if code == queueStuck {
		if st.Spooled > 0 && time.Since(st.OldestSpooled) > *maxAge {
			fmt.Fprintf(e.stdout, "NOT DELIVERED: %d export(s) spooled, the oldest for %s (longer than --max-age %s); is the NATS server reachable? codebench queue drain forwards them\n",
				st.Spooled, time.Since(st.OldestSpooled).Round(time.Second), *maxAge)
		}
		if st.Rejected > 0 {
			fmt.Fprintf(e.stdout, "REFUSED: %d export(s) refused for good, in %s/rejected\n", st.Rejected, st.SpoolDir)
		}
	}
	if code == 0 && args[0] == "drain" {
		fmt.Fprintln(e.stdout, "spool empty: every export is acknowledged by JetStream")
	}
	return code
}

// stuckCode is queueStuck while an export has waited longer than maxAge
// or one was refused for good, else 0.
func stuckCode(st natsqueue.Status, maxAge time.Duration, now time.Time) int {
	if st.Spooled > 0 && now.Sub(st.OldestSpooled) > maxAge || st.Rejected > 0 {
		return queueStuck
	}
	return 0
}
