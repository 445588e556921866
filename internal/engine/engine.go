// Package engine runs FerretDB in-process on a loopback port, storing its data
// in SQLite files under a directory. It is the embedded default store: the
// only MongoDB-compatible engine that runs on machines without a MongoDB server.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Engine is a running embedded FerretDB.
type Engine struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
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
		return nil, fmt.Errorf("engine: start: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{dir: abs, cancel: cancel, done: make(chan struct{})}
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
}
