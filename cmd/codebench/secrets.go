package main

import (
	"fmt"
	"net/url"
	"strings"

	"codebench/encounter/store/postgres"
)

// Secrets never go on a command line: argv is visible to every process
// on the machine (ps, /proc) and ends up in shell histories and logs.
// URLs with credentials come from the environment ($CODEBENCH_STORE,
// $CODEBENCH_QUEUE) or files (PGPASSFILE, a NATS creds file).

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
		return fmt.Errorf("--store %s: a password on the command line is visible to every user of this machine; put it in PGPASSWORD, a password file (PGPASSFILE or ~/.pgpass), or pass the whole URL in $%s", postgres.Redact(spec), StoreEnv)
	}
	return nil
}

// checkQueueNoSecret refuses a NATS queue URL given on the command line
// with a user, password or token in it.
func checkQueueNoSecret(spec string) error {
	if !isNATSQueue(spec) {
		return nil
	}
	hosts, _, _ := strings.Cut(strings.SplitN(spec, "://", 2)[1], "?")
	for _, h := range strings.Split(hosts, ",") {
		if strings.Contains(h, "@") {
			// Not even the host is repeated: the text before '@' is secret.
			return fmt.Errorf("--queue: credentials on the command line are visible to every user of this machine; use a creds file (?creds=FILE) or pass the whole URL in $CODEBENCH_QUEUE")
		}
	}
	return nil
}
