package main

import (
	"os"
	"os/user"
	"path/filepath"

	"codebench/codesets"
	"codebench/index"
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

// workPaths fills in the work store, billing queue and index cache that
// were not given: the demo store and queue (kept apart from real work) when
// demo is set, else the data directory's store and the default queue.
func workPaths(data string, demo bool, storePath, queueSpec, cacheRoot *string) error {
	if *storePath == "" {
		*storePath = filepath.Join(data, DefaultStoreFile)
		if demo {
			*storePath = filepath.Join(data, demoDir, DefaultStoreFile)
			if *queueSpec == "" {
				*queueSpec = filepath.Join(data, demoDir, DefaultQueueDir)
			}
		}
	}
	var err error
	if *queueSpec == "" {
		if *queueSpec, err = defaultQueueSpec(); err != nil {
			return err
		}
	}
	if *cacheRoot == "" {
		*cacheRoot, err = index.DefaultCacheRoot()
	}
	return err
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
