// Package startup runs the registry's processes: it starts the embedded
// engine or reaches MONGODB_URI, opens the registry through gateway, and for
// the server runs the whole start-up sequence (listen at once and answer
// "starting", the store, memory's build and readiness, the sample data on a
// first start, the HTTP handlers) and the shutdown. cmd/registry only parses
// flags and calls it.
package startup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/gateway"
)

// Store says where the registry lives.
type Store struct {
	// Data is the embedded engine's data directory, used when URI is empty.
	Data     string
	URI      string
	Database string
	// Holidays is a JSON file replacing the built-in holiday calendar.
	Holidays string
}

// Open connects to s.URI, or starts the embedded engine on s.Data (which
// locks the directory to this process), and opens the registry; the
// returned func closes what was opened. engineLog receives the embedded
// engine's own log; configure, when not nil, completes the configuration.
func Open(ctx context.Context, s Store, log, engineLog *slog.Logger, configure func(*gateway.Config)) (*gateway.Registry, func(), error) {
	cal := calendar.Default()
	if s.Holidays != "" {
		data, err := os.ReadFile(s.Holidays)
		if err != nil {
			return nil, nil, fmt.Errorf("--holidays: %w", err)
		}
		if cal, err = calendar.Parse(data); err != nil {
			return nil, nil, fmt.Errorf("--holidays %s: %w", s.Holidays, err)
		}
	}
	cfg := gateway.Config{URI: s.URI, Database: s.Database, Calendar: cal, Logger: log}
	if configure != nil {
		configure(&cfg)
	}
	stopEngine := func() {}
	if s.URI == "" {
		eng, err := engine.Start(s.Data, engineLog)
		if err != nil {
			return nil, nil, err
		}
		log.Info("embedded store started", "data", s.Data)
		cfg.URI, cfg.Engine, stopEngine = eng.URI(), eng, eng.Stop
	}
	reg, err := gateway.Open(ctx, cfg)
	if err != nil {
		stopEngine()
		return nil, nil, err
	}
	return reg, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := reg.Close(cctx); err != nil {
			log.Warn("closing store", "err", err)
		}
		stopEngine()
	}, nil
}

// openRetrying opens the registry, retrying with backoff while a remote
// store (MONGODB_URI) cannot be reached; it gives up only when ctx ends.
// The embedded engine is not retried: its failures are configuration errors;
// nor a database another gateway holds: the server refuses to start.
func openRetrying(ctx context.Context, s Store, log, engineLog *slog.Logger, configure func(*gateway.Config)) (*gateway.Registry, func(), error) {
	wait := 500 * time.Millisecond
	for {
		reg, closeStore, err := Open(ctx, s, log, engineLog, configure)
		if err == nil || s.URI == "" || ctx.Err() != nil || errors.Is(err, gateway.ErrLeaseHeld) {
			return reg, closeStore, err
		}
		log.Error("store unreachable; /readyz answers 503 until it is; retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// emptyDir reports whether dir is missing or has no entries.
func emptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err != nil || len(entries) == 0
}
