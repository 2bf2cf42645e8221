package main

import (
	"fmt"
	"net/url"
	"strings"

	"codebench/encounter/queue/natsqueue"
	"codebench/encounter/store/postgres"
	"codebench/internal/secret"
)

// Secrets never go on a command line: argv is visible to every process
// on the machine (ps, /proc) and ends up in shell histories and logs.
// URLs with credentials come from the environment ($CODEBENCH_STORE,
// $CODEBENCH_QUEUE) or files readable by their owner only (PGPASSFILE; a
// NATS creds file, password_file or token_file: internal/secret).

// checkNoSecret refuses a PostgreSQL URL given on the command line with a
// password in it: argv is visible to every process (ps, /proc) and ends
// up in shell histories and logs.
func checkNoSecret(spec string, fromArgs bool) error {
	if !fromArgs || !isPostgres(spec) {
		return nil
	}
	u, err := url.Parse(spec)
	if err != nil {
		return fmt.Errorf("--store %s: not a valid URL", postgres.Redact(spec))
	}
	_, hasPassword := u.User.Password()
	if hasPassword || u.Query().Has("password") {
		return secret.OnCommandLine("--store", postgres.Redact(spec),
			fmt.Sprintf("put it in PGPASSWORD, a password file (PGPASSFILE or ~/.pgpass), or pass the whole URL in $%s", StoreEnv))
	}
	return nil
}

// checkQueueNoSecret refuses a NATS queue URL given on the command line
// with a password or token in it. A user name is fine with ?password_file
// (the password is in the file); otherwise the text before '@' is the
// secret (a token), so not even the host is repeated.
func checkQueueNoSecret(spec string) error {
	if !isNATSQueue(spec) {
		return nil
	}
	if o, err := natsqueue.ParseURL(spec); err == nil && !o.SecretInURL() {
		return nil
	}
	hosts, _, _ := strings.Cut(strings.SplitN(spec, "://", 2)[1], "?")
	for _, h := range strings.Split(hosts, ",") {
		if strings.Contains(h, "@") {
			return secret.OnCommandLine("--queue", "(not repeated)",
				"put the password in a file readable by you only (nats://USER@host?password_file=PATH), a token in ?token_file=PATH, use a creds file (?creds=FILE), or pass the whole URL in $CODEBENCH_QUEUE")
		}
	}
	return nil
}
