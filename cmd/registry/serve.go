package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/startup"
)

func serve(ctx context.Context, args []string, _, stderr io.Writer) int {
	cfg, err := parseServe(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log, err := cfg.store.logger(stderr, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := runServer(ctx, cfg, log, quietEngine(&cfg.store, stderr), nil); err != nil {
		log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}

// runServer serves until ctx ends, then drains. ready, when not nil, receives
// the bound address once the server accepts connections (tests use it).
func runServer(ctx context.Context, cfg *serveConfig, log, engineLog *slog.Logger, ready chan<- string) error {
	return startup.Serve(ctx, startup.Config{
		Store: cfg.store.location(), Addr: cfg.addr, Keys: cfg.keys,
		Trusted: cfg.trusted, TrustedEnforce: cfg.trustedMode == "enforce", Demo: cfg.demo, MinCell: cfg.minCell,
		Origins: cfg.origins(), Production: cfg.production, Limits: cfg.limits, HTTP: cfg.http,
	}, log, engineLog, ready)
}

// openStore opens the registry where c says it lives.
func openStore(ctx context.Context, c *storeConfig, log, engineLog *slog.Logger, configure func(*gateway.Config)) (*gateway.Registry, func(), error) {
	return startup.Open(ctx, c.location(), log, engineLog, configure)
}
