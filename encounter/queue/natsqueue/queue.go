// Package natsqueue is the billing queue on NATS JetStream: each export is
// published to a stream with the message id encounter-revision, so
// JetStream drops a second copy, and Publish waits for the server's
// acknowledgement. While NATS is unreachable, exports go to a durable
// on-disk spool that a background forwarder drains in order once the
// server is back.
package natsqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"codebench/encounter/queue"
)

// Headers set on every message besides Nats-Msg-Id, so the billing side
// can route without parsing the JSON.
const (
	HeaderEncounter   = "Codebench-Encounter"
	HeaderRevision    = "Codebench-Revision"
	HeaderContentType = "Content-Type"
)

// clockSkew is the allowance between this machine's clock and the
// server's when deciding whether JetStream may have forgotten a message id.
const clockSkew = time.Minute

// Outcome says what Publish did with an export.
type Outcome int

const (
	// Delivered: JetStream stored it and acknowledged.
	Delivered Outcome = iota + 1
	// Duplicate: JetStream acknowledged it as a copy of a message with the
	// same id already in the stream (a re-export).
	Duplicate
	// Spooled: NATS was unreachable or the spool was not empty; the export
	// is synced to disk and will be forwarded.
	Spooled
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Duplicate:
		return "already delivered"
	case Spooled:
		return "spooled"
	}
	return "unknown"
}

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("billing queue is closed")

// Queue is a JetStream billing queue with a disk spool. It is safe for
// concurrent use, and several processes may share one spool directory.
type Queue struct {
	o     Options
	nc    *nats.Conn
	js    jetstream.JetStream
	spool *spool

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wake   chan struct{} // something was spooled
	online chan struct{} // the connection is (re)established
	wg     sync.WaitGroup

	// closing is held for reading by every Publish, so Close waits for
	// publishes in flight before it closes the spool.
	closing sync.RWMutex
	closed  bool

	denied violations // permission violations the server reported

	mu          sync.Mutex // guards the fields below
	streamReady bool
	window      time.Duration
	maxMessage  int64      // see spoolState.MaxMessage; 0: not known
	delta       spoolState // counters not yet added to state.json
	dirty       bool
}

// Open connects to NATS (in the background if the server is unreachable:
// exports are spooled meanwhile), makes sure the stream exists and starts
// the forwarder. Bad options and a server that cannot host the stream are
// errors; an unreachable server is not.
func Open(o Options) (*Queue, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("nats queue: %w", err)
	}
	if o.Creds != "" {
		if _, err := os.Stat(o.Creds); err != nil {
			return nil, fmt.Errorf("nats queue: creds file: %w", err)
		}
	}
	sp, err := openSpool(o.SpoolDir, o.Notice)
	if err != nil {
		return nil, fmt.Errorf("nats queue: %w", err)
	}
	q := &Queue{o: o, spool: sp, wake: make(chan struct{}, 1), online: make(chan struct{}, 1)}
	if st, err := sp.readState(); err == nil {
		q.maxMessage = st.MaxMessage
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	opts := []nats.Option{
		nats.Name("codebench billing queue"),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.Timeout(2 * time.Second),
		// No in-memory buffering while disconnected: the disk spool is the
		// buffer, and it survives a crash.
		nats.ReconnectBufSize(-1),
		nats.ConnectHandler(func(*nats.Conn) { signal(q.online) }),
		nats.ReconnectHandler(func(*nats.Conn) { signal(q.online) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				q.noteError(fmt.Errorf("disconnected: %w", err))
			}
		}),
		nats.NoCallbacksAfterClientClose(),
	}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	authOpts, servers, err := o.secretOptions()
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("nats queue %s: %w", o.Display(), err)
	}
	opts = append(opts, authOpts...)
	tlsOpts, err := o.tlsOptions()
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("nats queue: %w", err)
	}
	opts = append(opts, tlsOpts...)
	opts = append(opts, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			q.noteError(err)
			q.denied.note(err)
		}
	}))
	// A first attempt that does not retry tells a server refusing the
	// credentials (a refusal) from one that cannot be reached (spool,
	// and connect in the background).
	q.nc, err = nats.Connect(servers, append(opts[:len(opts):len(opts)], nats.RetryOnFailedConnect(false))...)
	if authFailure(err) {
		sp.close()
		return nil, refusedAuth(o, err)
	}
	if err != nil {
		q.nc, err = nats.Connect(servers, opts...)
	}
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("nats queue %s: %w", o.Display(), err)
	}
	q.js, err = jetstream.New(q.nc)
	if err != nil {
		q.nc.Close()
		sp.close()
		return nil, fmt.Errorf("nats queue %s: %w", o.Display(), err)
	}
	if q.nc.IsConnected() {
		if err := q.ensureStream(); err != nil {
			var cfg errConfig
			if errors.As(err, &cfg) || errors.Is(err, queue.ErrRefused) {
				q.nc.Close()
				sp.close()
				return nil, fmt.Errorf("nats queue %s: %w", o.Display(), err)
			}
			q.noteError(err)
		}
	} else {
		q.noteError(fmt.Errorf("%s unreachable; exports are spooled in %s", o.Display(), o.SpoolDir))
	}
	q.wg.Add(1)
	go q.forward()
	q.poke()
	return q, nil
}

// Options returns the options in effect (defaults filled in).
func (q *Queue) Options() Options { return q.o }

// Locate implements queue.Locator: the stream and subject on the servers,
// without user info, and the message id.
func (q *Queue) Locate(m queue.Message) string {
	servers := make([]string, len(q.o.Servers))
	for i, s := range q.o.Servers {
		servers[i] = strings.Replace(redact(s), "xxxxx@", "", 1)
	}
	return fmt.Sprintf("NATS stream %s subject %s on %s, message %s", q.o.Stream, q.o.Subject, strings.Join(servers, ","), m.Key())
}

// Publish implements queue.Queue: it returns nil once JetStream has
// acknowledged m or m is synced in the spool.
func (q *Queue) Publish(ctx context.Context, m queue.Message) error {
	_, err := q.PublishOutcome(ctx, m)
	return err
}

// PublishDelivery implements queue.DeliveryReporter: delivered (a
// duplicate is delivered too) or spooled.
func (q *Queue) PublishDelivery(ctx context.Context, m queue.Message) (queue.Delivery, error) {
	out, err := q.PublishOutcome(ctx, m)
	if err != nil {
		return "", err
	}
	if out == Spooled {
		return queue.Spooled, nil
	}
	return queue.Delivered, nil
}

// PublishOutcome is Publish that also says whether the export reached
// JetStream, was a duplicate, or waits in the spool.
func (q *Queue) PublishOutcome(ctx context.Context, m queue.Message) (Outcome, error) {
	if err := validMessage(m); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	q.closing.RLock()
	defer q.closing.RUnlock()
	if q.closed {
		return 0, ErrClosed
	}
	if err := q.checkSize(m); err != nil {
		return 0, err
	}
	if err := q.spool.acquire(); err != nil {
		return 0, err
	}
	defer q.spool.release()
	// While anything waits in the spool, new exports queue behind it so
	// billing receives them in export order.
	empty, err := q.spool.isEmpty()
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", m.Key(), err)
	}
	var sendErr error
	if empty && q.ready() {
		started := time.Now()
		ack, err := q.send(ctx, m)
		if err == nil {
			return q.delivered(ack, false), nil
		}
		if denied := q.denied.since(started); denied != nil {
			q.noteError(fmt.Errorf("export %s refused: %w", m.Key(), denied))
			return 0, refusedPermission(q.o, "publish to "+q.o.Subject, denied)
		}
		if permanent(err) {
			q.noteError(fmt.Errorf("export %s refused: %w", m.Key(), err))
			return 0, fmt.Errorf("export %s refused by NATS (not retried): %w", m.Key(), err)
		}
		sendErr = err
		q.noteError(fmt.Errorf("publish %s: %w", m.Key(), err))
	}
	if _, err := q.spool.enqueue(m, time.Now()); err != nil {
		if sendErr != nil {
			return 0, fmt.Errorf("export %s neither acknowledged by NATS (%v) nor spooled: %w", m.Key(), sendErr, err)
		}
		return 0, fmt.Errorf("export %s not spooled: %w", m.Key(), err)
	}
	q.poke()
	return Spooled, nil
}

// validMessage rejects what cannot become a message id or header.
func validMessage(m queue.Message) error {
	switch {
	case m.EncounterID == "":
		return fmt.Errorf("export: encounter id is empty")
	case len(m.EncounterID) > 200:
		return fmt.Errorf("export: encounter id %.40q... is longer than 200 bytes", m.EncounterID)
	case strings.ContainsFunc(m.EncounterID, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }):
		return fmt.Errorf("export: encounter id %q has control characters or invalid UTF-8", m.EncounterID)
	case m.Revision < 0:
		return fmt.Errorf("export %s: negative revision %d", m.EncounterID, m.Revision)
	case len(m.Data) == 0:
		return fmt.Errorf("export %s: empty document", m.Key())
	}
	return nil
}

// checkSize refuses an export larger than the server or stream accepts
// (as last seen), so it is not spooled only to be rejected at forwarding.
// Headers count too; when connected, the client checks the exact size.
func (q *Queue) checkSize(m queue.Message) error {
	q.mu.Lock()
	limit := q.maxMessage
	q.mu.Unlock()
	if limit > 0 && int64(len(m.Data)) > limit {
		return fmt.Errorf("export %s refused: %d bytes, more than the %d the NATS server or stream %s accepts (raise max_payload or the stream's max message size)",
			m.Key(), len(m.Data), limit, q.o.Stream)
	}
	return nil
}

func (q *Queue) ready() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.streamReady && q.nc.IsConnected()
}

// send publishes m and waits (at most PublishTimeout) for the ack; a
// permission violation reported meanwhile ends the wait.
func (q *Queue) send(ctx context.Context, m queue.Message) (*jetstream.PubAck, error) {
	ctx, cancel := context.WithTimeout(ctx, q.o.PublishTimeout)
	defer cancel()
	ctx, stop := q.denied.watch(ctx)
	defer stop()
	msg := nats.NewMsg(q.o.Subject)
	msg.Data = m.Data
	msg.Header.Set(HeaderEncounter, m.EncounterID)
	msg.Header.Set(HeaderRevision, strconv.Itoa(m.Revision))
	msg.Header.Set(HeaderContentType, m.Type())
	ack, err := q.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(m.Key()),
		jetstream.WithExpectStream(q.o.Stream),
		jetstream.WithRetryWait(100*time.Millisecond))
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no acknowledgement from JetStream within %s: %w", q.o.PublishTimeout, err)
	}
	if errors.Is(err, jetstream.ErrNoStreamResponse) {
		// The stream may have been deleted: look for it (and recreate
		// it) before the next attempt.
		q.mu.Lock()
		q.streamReady = false
		q.mu.Unlock()
	}
	return ack, err
}

// delivered counts an acknowledgement.
func (q *Queue) delivered(ack *jetstream.PubAck, forwarded bool) Outcome {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.delta.Delivered++
	if forwarded {
		q.delta.Forwarded++
	}
	q.delta.LastDeliveredAt = time.Now().UTC()
	q.dirty = true
	if ack != nil && ack.Duplicate {
		q.delta.Duplicates++
		return Duplicate
	}
	return Delivered
}

func (q *Queue) noteError(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.delta.LastError = err.Error()
	q.delta.LastErrorAt = time.Now().UTC()
	q.dirty = true
}

func (q *Queue) poke() { signal(q.wake) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// ensureStream checks (or creates) the stream and notes its window.
func (q *Queue) ensureStream() error {
	ctx, cancel := context.WithTimeout(q.ctx, 5*time.Second)
	defer cancel()
	ctx, stop := q.denied.watch(ctx)
	defer stop()
	started := time.Now()
	facts, err := ensureStream(ctx, q.js, q.o)
	if denied := q.denied.since(started); err != nil && denied != nil {
		return refusedPermission(q.o, "look up or create stream "+q.o.Stream, denied)
	}
	if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) {
		// Nobody answers the JetStream API. If the server also says it
		// has no JetStream, waiting will not help; otherwise it may be
		// starting up.
		if js, _ := q.nc.ConnectedServerJetStream(); !js && q.nc.IsConnected() {
			return errConfig{fmt.Errorf("NATS server %s has JetStream disabled (start nats-server with -js)", redact(q.nc.ConnectedUrlRedacted()))}
		}
	}
	if err != nil {
		return err
	}
	limit := q.nc.MaxPayload()
	if facts.maxMsgSize > 0 && (limit <= 0 || facts.maxMsgSize < limit) {
		limit = facts.maxMsgSize
	}
	q.mu.Lock()
	q.streamReady = true
	q.window = facts.window
	if limit > 0 && limit != q.maxMessage {
		q.maxMessage, q.delta.MaxMessage, q.dirty = limit, limit, true
	}
	q.mu.Unlock()
	return nil
}

// forward is the background forwarder: it drains the spool when woken (an
// export was spooled, the connection came back) and polls every second
// for exports spooled by other processes. After a failure it waits a
// growing backoff (up to 5 s) unless the connection is re-established.
func (q *Queue) forward() {
	defer q.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var backoff time.Duration
	var retryAt time.Time
	for {
		select {
		case <-q.ctx.Done():
			return
		case <-q.online:
			backoff, retryAt = 0, time.Time{}
		case <-q.wake:
		case <-tick.C:
		}
		q.flushStats()
		if !q.nc.IsConnected() || time.Now().Before(retryAt) {
			continue
		}
		err := q.drain()
		if err == nil {
			backoff, retryAt = 0, time.Time{}
			continue
		}
		if q.ctx.Err() != nil {
			return
		}
		q.noteError(err)
		backoff = min(max(2*backoff, 250*time.Millisecond), 5*time.Second)
		retryAt = time.Now().Add(backoff)
		time.AfterFunc(backoff, q.poke)
	}
}

// drain forwards every spooled export in sequence order, stopping at the
// first failure so order is kept.
func (q *Queue) drain() error {
	names, err := q.spool.pendingNames()
	if err != nil || len(names) == 0 {
		return err
	}
	q.mu.Lock()
	ready, window := q.streamReady, q.window
	q.mu.Unlock()
	if !ready {
		if err := q.ensureStream(); err != nil {
			return err
		}
		window = q.window
	}
	// JetStream remembers message ids for its duplicate window only. If the
	// oldest spooled export may have reached the server (a publish whose
	// ack was lost, or a crash between ack and removal) longer ago than
	// that, look in the stream itself for ids already stored.
	var stored map[string]bool
	if head, err := q.spool.read(names[0]); err == nil && time.Since(head.Enqueued)+q.o.PublishTimeout+clockSkew >= window {
		ctx, cancel := context.WithTimeout(q.ctx, 30*time.Second)
		stored, err = storedIDs(ctx, q.js, q.o.Stream, head.Enqueued.Add(-q.o.PublishTimeout-clockSkew))
		cancel()
		if err != nil {
			return fmt.Errorf("checking stream %s for exports stored before the outage: %w", q.o.Stream, err)
		}
	}
	for _, name := range names {
		if q.ctx.Err() != nil {
			return nil
		}
		if err := q.forwardOne(name, stored); err != nil {
			return err
		}
	}
	return nil
}

// forwardOne publishes one spooled export and removes it after the ack.
// The spool lock is not held while waiting for the ack, so exports made
// meanwhile are spooled behind it at once instead of waiting; two
// forwarders sending the same file are harmless (same message id), and
// the file stays until its ack, so nothing overtakes it.
func (q *Queue) forwardOne(name string, stored map[string]bool) error {
	e, gone, err := q.readForForwarding(name)
	if err != nil || gone {
		return err
	}
	m := e.message()
	if stored[m.Key()] {
		if err := q.spool.remove(name); err != nil {
			return err
		}
		q.delivered(&jetstream.PubAck{Duplicate: true}, true)
		return nil
	}
	ack, err := q.send(q.ctx, m)
	if err != nil {
		if permanent(err) {
			return q.rejectEntry(name, fmt.Errorf("export %s refused by NATS: %w", m.Key(), err))
		}
		return fmt.Errorf("forwarding %s: %w", m.Key(), err)
	}
	if err := q.spool.remove(name); err != nil {
		return err
	}
	q.delivered(ack, true)
	return nil
}

// readForForwarding reads a spooled export under the lock; gone means
// another process forwarded it already. A damaged file is set aside
// rather than block the queue.
func (q *Queue) readForForwarding(name string) (e spoolEntry, gone bool, err error) {
	if err := q.spool.acquire(); err != nil {
		return e, false, err
	}
	defer q.spool.release()
	e, err = q.spool.read(name)
	if errors.Is(err, errGone) {
		return e, true, nil
	}
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			return e, false, err // an I/O problem: retry later
		}
		return e, true, q.rejectEntryLocked(name, err)
	}
	return e, false, nil
}

func (q *Queue) rejectEntry(name string, why error) error {
	if err := q.spool.acquire(); err != nil {
		return err
	}
	defer q.spool.release()
	return q.rejectEntryLocked(name, why)
}

func (q *Queue) rejectEntryLocked(name string, why error) error {
	if err := q.spool.reject(name, why.Error()); err != nil {
		return err
	}
	q.mu.Lock()
	q.delta.Rejected++
	q.dirty = true
	q.mu.Unlock()
	q.noteError(fmt.Errorf("%v (moved to %s)", why, q.spool.dir+"/rejected"))
	return nil
}

// flushStats adds this process's counters to state.json. The delta moves
// under the spool lock, so Status never counts it twice.
func (q *Queue) flushStats() {
	q.mu.Lock()
	dirty := q.dirty
	q.mu.Unlock()
	if !dirty || q.spool.acquire() != nil {
		return
	}
	defer q.spool.release()
	st, err := q.spool.readState()
	if err != nil {
		return
	}
	q.mu.Lock()
	d := q.delta
	q.mu.Unlock()
	st.add(d)
	if q.spool.writeState(st) != nil {
		return // keep the counts for the next flush
	}
	q.mu.Lock()
	q.delta.sub(d)
	q.dirty = q.delta != (spoolState{})
	q.mu.Unlock()
}

// add merges counter deltas; the later error and delivery time win.
func (st *spoolState) add(d spoolState) {
	st.Spooled += d.Spooled
	st.Delivered += d.Delivered
	st.Forwarded += d.Forwarded
	st.Duplicates += d.Duplicates
	st.Rejected += d.Rejected
	if d.LastErrorAt.After(st.LastErrorAt) {
		st.LastError, st.LastErrorAt = d.LastError, d.LastErrorAt
	}
	if d.LastDeliveredAt.After(st.LastDeliveredAt) {
		st.LastDeliveredAt = d.LastDeliveredAt
	}
	if d.MaxMessage > 0 {
		st.MaxMessage = d.MaxMessage
	}
}

// sub removes counts already written; error and delivery times stay
// only if newer ones arrived meanwhile.
func (st *spoolState) sub(d spoolState) {
	st.Spooled -= d.Spooled
	st.Delivered -= d.Delivered
	st.Forwarded -= d.Forwarded
	st.Duplicates -= d.Duplicates
	st.Rejected -= d.Rejected
	if !st.LastErrorAt.After(d.LastErrorAt) {
		st.LastError, st.LastErrorAt = "", time.Time{}
	}
	if !st.LastDeliveredAt.After(d.LastDeliveredAt) {
		st.LastDeliveredAt = time.Time{}
	}
	if st.MaxMessage == d.MaxMessage {
		st.MaxMessage = 0
	}
}

// Flush waits until the spool is empty (everything forwarded and
// acknowledged) or ctx ends.
func (q *Queue) Flush(ctx context.Context) error {
	q.closing.RLock()
	closed := q.closed
	q.closing.RUnlock()
	if closed {
		return ErrClosed
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	q.poke()
	for {
		names, err := q.spool.pendingNames()
		if err != nil {
			return err
		}
		if len(names) == 0 {
			q.flushStats()
			return nil
		}
		select {
		case <-ctx.Done():
			st, _ := q.Status(context.Background())
			msg := fmt.Sprintf("%d exports still spooled in %s", len(names), q.o.SpoolDir)
			if st.LastError != "" {
				msg += "; last error: " + st.LastError
			}
			return fmt.Errorf("%s: %w", msg, ctx.Err())
		case <-t.C:
		}
	}
}

// Close stops the forwarder and closes the connection; spooled exports
// stay on disk for the next Open. Close waits for publishes in flight.
func (q *Queue) Close() error {
	q.closing.Lock()
	if q.closed {
		q.closing.Unlock()
		return nil
	}
	q.closed = true
	q.closing.Unlock()
	q.cancel()
	q.wg.Wait()
	q.flushStats()
	q.nc.Close()
	return q.spool.close()
}

var _ queue.Queue = (*Queue)(nil)
