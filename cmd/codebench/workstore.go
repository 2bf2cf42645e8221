package main

import (
	"os"
	"os/user"
	"path/filepath"

	"codebench/codesets"
)

// DefaultStoreFile is the work store's file name in the data directory.
const DefaultStoreFile = "codebench.db"

// defaultStorePath is the data directory's work store.
func defaultStorePath() (string, error) {
	dir, err := codesets.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, DefaultStoreFile), nil
}

// defaultCoder is who the audit log names when --coder is not given: the
// login name.
func defaultCoder() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return "codebench"
}
