// Package secret is the one way codebench takes passwords and tokens (for
// NATS, PostgreSQL): from the environment or from a file readable by its
// owner only, never from the command line, where every user of the
// machine can read them (ps, /proc) and shell histories keep them. Errors
// and logs name the file, never its content.
package secret

import (
	"errors"
	"fmt"
	"strings"

	"codebench/internal/safefile"
)

// maxSize bounds a secret file: a password or token, not a document.
const maxSize = 64 << 10

// ReadFile reads a secret from path: the first line, without surrounding
// space. The file must be a regular file no one but its owner can read
// or write (0600 or 0400), like an SSH private key.
func ReadFile(path string) (string, error) {
	f, st, err := safefile.OpenRegular(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	defer f.Close()
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("secret file %s is readable or writable by others (%04o); chmod 600 it", path, perm)
	}
	data, err := safefile.ReadOpened(f, path, maxSize)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return "", fmt.Errorf("secret file %s is empty", path)
	}
	return line, nil
}

// ErrOnCommandLine: a password or token was given in an argument.
var ErrOnCommandLine = errors.New("a password or token on the command line is visible to every user of this machine")

// OnCommandLine is the refusal of a secret given with flag (shown is the
// value with the secret masked); remedy says where to put it instead.
func OnCommandLine(flag, shown, remedy string) error {
	return fmt.Errorf("%s %s: %w; %s", flag, shown, ErrOnCommandLine, remedy)
}
