package natsqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Status is the state of a queue: its spool on this machine and, when the
// server answers, its stream.
type Status struct {
	Queue    string `json:"queue"`
	SpoolDir string `json:"spool_dir"`
	// Spooled exports wait on disk now; OldestSpooled is when the first
	// of them was spooled.
	Spooled       int       `json:"spooled"`
	OldestSpooled time.Time `json:"oldest_spooled,omitzero"`
	// Rejected exports were refused for good and sit in SpoolDir/rejected.
	Rejected int `json:"rejected"`
	// Counters since the spool directory was created, all processes.
	SpooledTotal int64 `json:"spooled_total"`
	Delivered    int64 `json:"delivered"`
	// Forwarded of Delivered went through the spool; Duplicates of
	// Delivered were already in the stream (re-exports).
	Forwarded       int64     `json:"forwarded"`
	Duplicates      int64     `json:"duplicates"`
	LastDeliveredAt time.Time `json:"last_delivered_at,omitzero"`
	LastError       string    `json:"last_error,omitempty"`
	LastErrorAt     time.Time `json:"last_error_at,omitzero"`

	Connected   bool          `json:"connected"`
	Server      string        `json:"server,omitempty"`
	ServerError string        `json:"server_error,omitempty"`
	Stream      *StreamStatus `json:"stream,omitempty"`
}

// StreamStatus is what the server says about the stream.
type StreamStatus struct {
	Name            string        `json:"name"`
	Subjects        []string      `json:"subjects"`
	Messages        uint64        `json:"messages"`
	Bytes           uint64        `json:"bytes"`
	FirstSeq        uint64        `json:"first_seq"`
	LastSeq         uint64        `json:"last_seq"`
	DuplicateWindow time.Duration `json:"duplicate_window"`
}

// Status reports the spool and the stream as this open queue sees them.
func (q *Queue) Status(ctx context.Context) (Status, error) {
	if err := q.spool.acquire(); err != nil {
		return Status{}, err
	}
	st, err := readSpoolStatus(q.o)
	q.mu.Lock()
	d := q.delta
	q.mu.Unlock()
	q.spool.release()
	if err != nil {
		return st, err
	}
	st.apply(d)
	if q.nc.IsConnected() {
		st.Connected = true
		st.Server = redact(q.nc.ConnectedUrlRedacted())
		st.Stream, err = streamStatus(ctx, q.js, q.o.Stream)
		if err != nil {
			st.ServerError = err.Error()
		}
	} else {
		st.ServerError = "not connected"
		if err := q.nc.LastError(); err != nil {
			st.ServerError += ": " + err.Error()
		}
	}
	return st, nil
}

// Inspect reports a queue's status without opening it: it reads the spool
// directory (nothing is forwarded or changed) and asks the server about
// the stream, waiting at most a few seconds for it.
func Inspect(ctx context.Context, o Options) (Status, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return Status{}, fmt.Errorf("nats queue: %w", err)
	}
	st, err := readSpoolStatus(o)
	if err != nil {
		return st, err
	}
	opts := []nats.Option{nats.Name("codebench queue status"), nats.Timeout(2 * time.Second), nats.MaxReconnects(0)}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	authOpts, servers, err := o.secretOptions()
	if err != nil {
		return st, fmt.Errorf("nats queue %s: %w", o.Display(), err)
	}
	opts = append(opts, authOpts...)
	tlsOpts, err := o.tlsOptions()
	if err != nil {
		return st, fmt.Errorf("nats queue: %w", err)
	}
	opts = append(opts, tlsOpts...)
	nc, err := nats.Connect(servers, opts...)
	if err != nil {
		st.ServerError = err.Error()
		return st, nil
	}
	defer nc.Close()
	st.Connected = true
	st.Server = redact(nc.ConnectedUrlRedacted())
	js, err := jetstream.New(nc)
	if err != nil {
		st.ServerError = err.Error()
		return st, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	st.Stream, err = streamStatus(ctx, js, o.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st.ServerError = fmt.Sprintf("stream %s does not exist yet (the first export creates it)", o.Stream)
	} else if err != nil {
		st.ServerError = err.Error()
	}
	return st, nil
}

func streamStatus(ctx context.Context, js jetstream.JetStream, name string) (*StreamStatus, error) {
	s, err := js.Stream(ctx, name)
	if err != nil {
		return nil, err
	}
	info := s.CachedInfo()
	window := info.Config.Duplicates
	if window <= 0 {
		window = serverDefaultDuplicateWindow
	}
	return &StreamStatus{
		Name: name, Subjects: info.Config.Subjects, Messages: info.State.Msgs, Bytes: info.State.Bytes,
		FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, DuplicateWindow: window,
	}, nil
}

// readSpoolStatus reads counters and counts files; a spool directory that
// does not exist yet means nothing was ever spooled.
func readSpoolStatus(o Options) (Status, error) {
	st := Status{Queue: o.Display(), SpoolDir: o.SpoolDir}
	state, err := readStateFile(filepath.Join(o.SpoolDir, "state.json"))
	if err != nil {
		return st, err
	}
	st.apply(state)
	pending, err := listMsgs(filepath.Join(o.SpoolDir, "pending"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return st, err
	}
	st.Spooled = len(pending)
	if len(pending) > 0 {
		if e, err := readHeader(filepath.Join(o.SpoolDir, "pending", pending[0])); err == nil {
			st.OldestSpooled = e.Enqueued
		}
	}
	rejected, err := listMsgs(filepath.Join(o.SpoolDir, "rejected"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return st, err
	}
	st.Rejected = len(rejected)
	return st, nil
}

// apply adds counters (from state.json or an unflushed delta).
func (st *Status) apply(s spoolState) {
	st.SpooledTotal += s.Spooled
	st.Delivered += s.Delivered
	st.Forwarded += s.Forwarded
	st.Duplicates += s.Duplicates
	if s.LastErrorAt.After(st.LastErrorAt) {
		st.LastError, st.LastErrorAt = s.LastError, s.LastErrorAt
	}
	if s.LastDeliveredAt.After(st.LastDeliveredAt) {
		st.LastDeliveredAt = s.LastDeliveredAt
	}
}

// readHeader reads only a spool file's header line.
func readHeader(path string) (spoolEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return spoolEntry{}, err
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return spoolEntry{}, err
	}
	head, _, ok := strings.Cut(string(buf[:n]), "\n")
	if !ok {
		return spoolEntry{}, fmt.Errorf("spool file %s: no header line", path)
	}
	var e spoolEntry
	err = json.Unmarshal([]byte(head), &e)
	return e, err
}

// WriteText prints the status for people.
func (st Status) WriteText(w io.Writer) {
	ago := func(t time.Time) string {
		return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), time.Since(t).Round(time.Second))
	}
	fmt.Fprintf(w, "queue       %s\n", st.Queue)
	fmt.Fprintf(w, "spool       %s\n", st.SpoolDir)
	spooled := fmt.Sprintf("%d waiting", st.Spooled)
	if st.Spooled > 0 && !st.OldestSpooled.IsZero() {
		spooled += ", oldest spooled " + ago(st.OldestSpooled)
	}
	fmt.Fprintf(w, "spooled     %s; %d spooled in all\n", spooled, st.SpooledTotal)
	delivered := fmt.Sprintf("%d acknowledged by JetStream (forwarded from the spool: %d; re-exports already in the stream: %d)",
		st.Delivered, st.Forwarded, st.Duplicates)
	if !st.LastDeliveredAt.IsZero() {
		delivered += "; last " + ago(st.LastDeliveredAt)
	}
	fmt.Fprintf(w, "delivered   %s\n", delivered)
	if st.Rejected > 0 {
		fmt.Fprintf(w, "rejected    %d refused by the server for good; see %s\n", st.Rejected, filepath.Join(st.SpoolDir, "rejected"))
	}
	if st.LastError != "" {
		recovered := ""
		if st.LastDeliveredAt.After(st.LastErrorAt) && st.Spooled == 0 {
			recovered = " (delivering again since)"
		}
		fmt.Fprintf(w, "last error  %s: %s%s\n", ago(st.LastErrorAt), st.LastError, recovered)
	}
	switch {
	case st.Connected && st.Stream != nil:
		fmt.Fprintf(w, "server      %s reachable; stream %s: %d messages, %d bytes, sequences %d-%d, duplicate window %s\n",
			st.Server, st.Stream.Name, st.Stream.Messages, st.Stream.Bytes, st.Stream.FirstSeq, st.Stream.LastSeq, st.Stream.DuplicateWindow)
	case st.Connected:
		fmt.Fprintf(w, "server      %s reachable; %s\n", st.Server, st.ServerError)
	default:
		fmt.Fprintf(w, "server      unreachable: %s\n", st.ServerError)
	}
}
