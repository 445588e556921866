// Package engine runs FerretDB in-process on a loopback port, storing its data
// in SQLite files under a directory. It is the embedded default store: the
// only MongoDB-compatible engine that runs on machines without a MongoDB server.
package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/gofrs/flock"
)

// Engine is a running embedded FerretDB.
type Engine struct {
	dir    string
	lock   *flock.Flock
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	docs   documents // Document's connections and statements
}

// Start starts FerretDB with its SQLite files under dir (created if missing)
// and returns once it accepts connections on a free loopback port.
func Start(dir string, logger *slog.Logger) (*Engine, error) {
	return StartAt(dir, "127.0.0.1:0", logger)
}

// StartAt is Start on a given address: an engine restarted on the same
// address is found again by clients that knew it.
func StartAt(dir, addr string, logger *slog.Logger) (*Engine, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("engine: data directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("engine: data directory: %w", err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: addr},
		Handler:  "sqlite",
		// FerretDB requires a file: URL naming a directory, ending with "/".
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		_ = lock.Unlock()
		return nil, fmt.Errorf("engine: start: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{dir: abs, lock: lock, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx)
	}()
	e.uri = f.MongoDBURI()
	return e, nil
}

// URI is the mongodb:// address of the running engine.
func (e *Engine) URI() string { return e.uri }

// Stop closes the listener, all connections and the SQLite files.
func (e *Engine) Stop() {
	e.cancel()
	<-e.done
	e.docs.close()
	_ = e.lock.Unlock()
}

// lockFile, in the data directory, is held by the one process using it and
// names that process.
const lockFile = "registry.lock"

// lockDir takes the data directory for this process. The engine and the
// store's memory are right only while one process writes the files: a tool
// run on the directory of a running server would have both disagree.
func lockDir(dir string) (*flock.Flock, error) {
	path := filepath.Join(dir, lockFile)
	lock := flock.New(path)
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("engine: lock %s: %w", path, err)
	}
	if !ok {
		holder, _ := os.ReadFile(path)
		return nil, fmt.Errorf("engine: the data directory %s is in use by %s; stop it first: the embedded store serves one process at a time",
			dir, strings.TrimSpace(cmp.Or(string(holder), "another process")))
	}
	// Stopping twice, or a second Start in this process after Stop, is fine:
	// the lock is on this file handle.
	holder := fmt.Sprintf("process %d (%s)", os.Getpid(), strings.Join(os.Args, " "))
	if err := os.WriteFile(path, []byte(holder+"\n"), 0o640); err != nil {
		_ = lock.Unlock()
		return nil, fmt.Errorf("engine: lock %s: %w", path, err)
	}
	return lock, nil
}
