package natsqueue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// serverDefaultDuplicateWindow is JetStream's window when a stream does not
// set one.
const serverDefaultDuplicateWindow = 2 * time.Minute

// errConfig marks a problem only an administrator can fix (JetStream off,
// a stream that does not take our subject); Open reports it instead of
// spooling forever.
type errConfig struct{ err error }

func (e errConfig) Error() string { return e.err.Error() }
func (e errConfig) Unwrap() error { return e.err }

// streamFacts is what the queue needs to know about its stream.
type streamFacts struct {
	window time.Duration
	// maxMsgSize is the stream's own limit (0: none).
	maxMsgSize int64
}

// ensureStream finds the stream or creates it (file storage, our subject,
// the configured duplicate window). An existing stream is never changed:
// its owner may have tuned limits and retention.
func ensureStream(ctx context.Context, js jetstream.JetStream, o Options) (streamFacts, error) {
	var facts streamFacts
	st, err := js.Stream(ctx, o.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st, err = js.CreateStream(ctx, jetstream.StreamConfig{
			Name:        o.Stream,
			Description: "codebench billing exports (one message per encounter revision)",
			Subjects:    []string{o.Subject},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Duplicates:  o.DuplicateWindow,
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			// Another codebench process created it a moment ago.
			st, err = js.Stream(ctx, o.Stream)
		}
	}
	if err != nil {
		return facts, classifyStreamErr(o, err)
	}
	cfg := st.CachedInfo().Config
	if !anySubjectMatches(cfg.Subjects, o.Subject) {
		return facts, errConfig{fmt.Errorf("stream %s exists but does not take subject %s (its subjects: %s); choose ?subject= accordingly or another ?stream=",
			o.Stream, o.Subject, strings.Join(cfg.Subjects, ", "))}
	}
	facts.maxMsgSize = int64(max(cfg.MaxMsgSize, 0))
	facts.window = cfg.Duplicates
	if facts.window <= 0 {
		facts.window = serverDefaultDuplicateWindow
	}
	return facts, nil
}

func classifyStreamErr(o Options, err error) error {
	switch {
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return errConfig{fmt.Errorf("NATS server has JetStream disabled (start nats-server with -js): %w", err)}
	case transient(err):
		return fmt.Errorf("stream %s: %w", o.Stream, err)
	}
	var api *jetstream.APIError
	if errors.As(err, &api) && api.Code >= 400 && api.Code < 500 {
		return errConfig{fmt.Errorf("stream %s with subject %s: %w", o.Stream, o.Subject, err)}
	}
	return fmt.Errorf("stream %s: %w", o.Stream, err)
}

// transient reports errors that go away when the server is back.
func transient(err error) bool {
	for _, t := range []error{
		context.DeadlineExceeded, context.Canceled, nats.ErrTimeout, nats.ErrNoResponders,
		jetstream.ErrNoStreamResponse, nats.ErrConnectionClosed, nats.ErrConnectionDraining,
		nats.ErrConnectionReconnecting, nats.ErrDisconnected, nats.ErrNoServers,
		nats.ErrReconnectBufExceeded, nats.ErrStaleConnection,
	} {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// permanent reports publish errors that retrying cannot fix: the export is
// too large for this server or stream.
func permanent(err error) bool {
	if errors.Is(err, nats.ErrMaxPayload) {
		return true
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode {
		case jetstream.JSErrCodeStreamMessageExceedsMaximum, 10097: // 10097: header size exceeds maximum
			return true
		}
	}
	return false
}

// anySubjectMatches reports whether one of the stream's subject filters
// (which may hold wildcards) takes the literal subject.
func anySubjectMatches(filters []string, subject string) bool {
	for _, f := range filters {
		if subjectMatches(f, subject) {
			return true
		}
	}
	return false
}

func subjectMatches(filter, subject string) bool {
	ft := strings.Split(filter, ".")
	st := strings.Split(subject, ".")
	for i, f := range ft {
		if f == ">" {
			return len(st) > i
		}
		if i >= len(st) || (f != "*" && f != st[i]) {
			return false
		}
	}
	return len(ft) == len(st)
}

// storedIDs lists the message ids stored in the stream since the given
// time, headers only. It is the check behind replays older than the
// duplicate window, when JetStream itself no longer remembers the ids.
// Message ids are per stream, so every subject is scanned.
func storedIDs(ctx context.Context, js jetstream.JetStream, stream string, since time.Time) (map[string]bool, error) {
	ids := map[string]bool{}
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	state := st.CachedInfo().State
	if state.Msgs == 0 || state.LastTime.Before(since) {
		return ids, nil
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy,
		OptStartTime:  &since,
		HeadersOnly:   true,
		// The server removes the scan's consumer soon after it is done.
		InactiveThreshold: 30 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	for stalls := 0; ; {
		batch, err := cons.FetchNoWait(1000)
		if err != nil {
			return nil, err
		}
		n := 0
		done := false
		for msg := range batch.Messages() {
			n++
			if id := msg.Headers().Get(jetstream.MsgIDHeader); id != "" {
				ids[id] = true
			}
			md, err := msg.Metadata()
			if err != nil {
				return nil, err
			}
			if md.Sequence.Stream >= state.LastSeq || md.NumPending == 0 {
				done = true
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, err
		}
		if done {
			return ids, nil
		}
		if n == 0 {
			if stalls++; stalls == 20 {
				return nil, fmt.Errorf("stream %s: scan for message ids stalled before sequence %d", stream, state.LastSeq)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
