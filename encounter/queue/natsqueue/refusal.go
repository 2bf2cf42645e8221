package natsqueue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"codebench/encounter/queue"
	"codebench/internal/secret"
)

// Refusals. An unreachable server is an outage: exports are spooled and
// forwarded when it is back. A server that answers "no" is not: wrong
// credentials (authorization violation, expired or revoked), a missing
// permission on the JetStream API or the billing subject, a stream that is
// missing and may not be created. Those are errors wrapping
// queue.ErrRefused, at Open or at Publish, and nothing is spooled, so a
// misconfigured queue never looks like a successful export.

// authFailure tells whether a connection error is the server refusing
// the credentials.
func authFailure(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range []error{nats.ErrAuthorization, nats.ErrAuthExpired, nats.ErrAuthRevoked, nats.ErrAccountAuthExpired} {
		if errors.Is(err, e) {
			return true
		}
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "authorization violation") || strings.Contains(msg, "authentication")
}

func refusedAuth(o Options, err error) error {
	return fmt.Errorf("%w: NATS %s refused the credentials (%v); check the user and password, token or creds file the queue is configured with (see the README: never on the command line)",
		queue.ErrRefused, o.Display(), err)
}

// violations remembers the permission violations the server reports
// (asynchronously: a denied publish or subscribe is dropped, and the
// request waiting for its reply would only time out).
type violations struct {
	mu   sync.Mutex
	last error
	at   time.Time
	// waiters are cancelled when a violation arrives, so a request the
	// server dropped fails at once.
	waiters map[*context.CancelFunc]struct{}
}

func (v *violations) note(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.last, v.at = err, time.Now()
	for c := range v.waiters {
		(*c)()
	}
}

// since returns the latest violation reported at or after t.
func (v *violations) since(t time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last != nil && !v.at.Before(t) {
		return v.last
	}
	return nil
}

// watch returns a context cancelled when a violation arrives, and the
// function that stops watching.
func (v *violations) watch(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	v.mu.Lock()
	if v.waiters == nil {
		v.waiters = map[*context.CancelFunc]struct{}{}
	}
	v.waiters[&cancel] = struct{}{}
	v.mu.Unlock()
	return ctx, func() {
		v.mu.Lock()
		delete(v.waiters, &cancel)
		v.mu.Unlock()
		cancel()
	}
}

func refusedPermission(o Options, what string, err error) error {
	return fmt.Errorf("%w: NATS %s: the account may not %s (%v); grant it publish on $JS.API.> and %s and subscribe on _INBOX.>, or use an account that has them",
		queue.ErrRefused, o.Display(), what, err, o.Subject)
}

// secretOptions reads the password or token file, if any, into client
// options, and returns the server list to dial: with a password file the
// user moves from the URLs into the options (a URL's user info would
// override them), so the secret is in no URL a log or error could show.
func (o Options) secretOptions() ([]nats.Option, string, error) {
	servers := strings.Join(o.Servers, ",")
	switch {
	case o.TokenFile != "":
		tok, err := secret.ReadFile(o.TokenFile)
		if err != nil {
			return nil, "", err
		}
		return []nats.Option{nats.Token(tok)}, servers, nil
	case o.PasswordFile != "":
		pass, err := secret.ReadFile(o.PasswordFile)
		if err != nil {
			return nil, "", err
		}
		user := ""
		bare := make([]string, len(o.Servers))
		for i, s := range o.Servers {
			u, err := url.Parse(s)
			if err != nil {
				return nil, "", err
			}
			if u.User != nil {
				user = u.User.Username()
			}
			u.User = nil
			bare[i] = u.String()
		}
		return []nats.Option{nats.UserInfo(user, pass)}, strings.Join(bare, ","), nil
	}
	return nil, servers, nil
}
