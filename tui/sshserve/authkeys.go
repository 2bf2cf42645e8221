package sshserve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// AuthorizedKeys maps public keys to coder ids. The file is in OpenSSH
// authorized_keys format; the comment after the key is the coder id:
//
//	ssh-ed25519 AAAAC3Nz... alice
//	ssh-rsa AAAAB3Nz... bob
//
// The file is read again when it changes, so adding a coder needs no
// restart. A file that no longer parses keeps the last good keys and the
// error is reported through the logger.
type AuthorizedKeys struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	coders  map[string]string // key fingerprint -> coder id
}

// LoadAuthorizedKeys reads the file; an unreadable or invalid file is an
// error naming the file and line.
func LoadAuthorizedKeys(path string) (*AuthorizedKeys, error) {
	a := &AuthorizedKeys{path: path}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// ParseAuthorizedKeys parses authorized_keys data; name is used in errors.
func ParseAuthorizedKeys(data []byte, name string) (map[string]string, error) {
	coders := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %v", name, line, err)
		}
		coder := strings.TrimSpace(comment)
		if coder == "" {
			return nil, fmt.Errorf("%s line %d: key has no coder id (put the coder id after the key)", name, line)
		}
		if strings.ContainsFunc(coder, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
			return nil, fmt.Errorf("%s line %d: coder id %q must be one word without control characters", name, line, coder)
		}
		fp := gossh.FingerprintSHA256(key)
		if prev, dup := coders[fp]; dup && prev != coder {
			return nil, fmt.Errorf("%s line %d: key already belongs to coder %s", name, line, prev)
		}
		coders[fp] = coder
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return coders, nil
}

func (a *AuthorizedKeys) reload() error {
	st, err := os.Stat(a.path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	if st.ModTime().Equal(a.modTime) && st.Size() == a.size && a.coders != nil {
		return nil
	}
	if st.Size() > 1<<20 {
		return fmt.Errorf("authorized keys %s: larger than 1 MB", a.path)
	}
	data, err := os.ReadFile(a.path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	coders, err := ParseAuthorizedKeys(data, a.path)
	if err != nil {
		return err
	}
	a.coders, a.modTime, a.size = coders, st.ModTime(), st.Size()
	return nil
}

// Coder returns the coder id of a key, re-reading the file if it changed.
// The error reports a file that changed into something unreadable; the
// previous keys stay in force.
func (a *AuthorizedKeys) Coder(key ssh.PublicKey) (string, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.reload()
	coder, ok := a.coders[gossh.FingerprintSHA256(key)]
	return coder, ok, err
}
