package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	gqlgraphql "github.com/99designs/gqlgen/graphql"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/explore"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/playground"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/telemetry"
)

// shutdownGrace is how long in-flight requests may take to finish after a signal.
const shutdownGrace = 30 * time.Second

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
	tel, err := telemetry.New(telemetry.Config{Version: version(), Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()
	var keys *auth.Keys
	if cfg.keys != "" {
		if keys, err = auth.LoadKeys(cfg.keys); err != nil {
			return fmt.Errorf("--keys: %w", err)
		}
	} else {
		log.Warn("no --keys file: every caller is an administrator; fine on a developer's machine, never in production")
	}
	var trusted *graph.TrustedDocuments
	if cfg.trusted != "" {
		if trusted, err = graph.LoadTrustedDocuments(cfg.trusted, cfg.trustedMode == "enforce", log); err != nil {
			return fmt.Errorf("--trusted-documents: %w", err)
		}
	}
	// Listen at once, answering /healthz and a 503 /readyz, so that an
	// orchestrator sees the process while the store is still away.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	var current atomic.Pointer[http.Handler]
	var starting atomic.Value // what the server is doing until it serves
	starting.Store("the store is not reachable yet")
	if cfg.store.mongoURI == "" {
		starting.Store("starting the embedded store")
	}
	current.Store(new(startingHandler(func() string { return starting.Load().(string) })))
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*current.Load()).ServeHTTP(w, r) }),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	steps := feed.New()
	// Steps reach subscribers from this process's own writes, unless a
	// change stream brings every gateway's (then those would come twice).
	var crossInstance atomic.Bool
	publishLocal := func(d *registry.Dossier) {
		if !crossInstance.Load() {
			steps.Publish(d)
		}
	}
	fresh := cfg.store.mongoURI == "" && emptyDir(cfg.store.data)
	st, closeStore, err := openStoreRetrying(ctx, &cfg.store, log, engineLog, func(c *gateway.Config) {
		c.OnStep, c.MinCell, c.Monitor, c.Background = publishLocal, cfg.minCell, tel.MongoMonitor(), true
	})
	if err == nil {
		defer closeStore()
	}
	if ctx.Err() != nil {
		return nil // stopped while waiting for the store
	}
	if err != nil {
		return err
	}
	// Nothing reaches the store until it answers from memory: on the
	// embedded engine a request meanwhile would scan.
	if err := waitReady(ctx, st, func(loaded, total int) {
		if total == 0 {
			starting.Store("loading the registry into memory")
		} else {
			starting.Store(fmt.Sprintf("loading %d of %d dossiers into memory", loaded, total))
		}
	}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if fresh && cfg.demo {
		starting.Store("loading the sample data")
		log.Info("first start on an empty data directory: loading the sample data (turn off with --demo=false)")
		took, err := demo.Seed(ctx, st, st.Calendar())
		if err != nil {
			return fmt.Errorf("loading the sample data: %w", err)
		}
		log.Info("sample data loaded", "dossiers", demo.Dossiers, "took", took.Round(time.Millisecond))
	}
	// What start-up read and threw away goes back to the system now, not
	// over the next minutes.
	debug.FreeOSMemory()

	if cfg.store.mongoURI != "" {
		if stream, err := st.WatchDossiers(ctx); err == nil {
			crossInstance.Store(true)
			go func() {
				err := stream.Each(ctx, steps.Publish)
				crossInstance.Store(false)
				if ctx.Err() == nil {
					log.Error("change stream ended; subscriptions see this instance's steps only", "err", err)
				}
			}()
		} else {
			log.Info("no change streams on this store: subscriptions see the steps recorded by this instance only", "reason", err)
		}
	}
	// Rollups are updated with each step; the lag is how long one has been
	// missing, shown until a rebuild.
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			tel.SetRollupLag(st.RollupLag().Seconds())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	details := func() map[string]string {
		d := map[string]string{"subscriptions": "this instance only", "dossierLists": "engine queries"}
		if crossInstance.Load() {
			d["subscriptions"] = "all instances (change streams)"
		}
		if st.InMemory() {
			d["dossierLists"] = "memory"
		}
		return d
	}

	gql := graph.NewHandler(&graph.Resolver{Registry: st, Feed: steps}, graph.Options{
		Logger: log, Origins: cfg.origins(), Production: cfg.production, Limits: cfg.limits,
		Trusted: trusted, Extensions: []gqlgraphql.HandlerExtension{tel.GraphQL()}, Panicked: tel.Panicked,
	})
	subscriptions, closeSubscriptions := context.WithCancel(context.Background())
	defer closeSubscriptions()
	httpCfg := cfg.http
	httpCfg.CORSOrigins, httpCfg.Logger, httpCfg.Subscriptions = cfg.origins(), log, subscriptions
	httpCfg.Keys, httpCfg.Metrics, httpCfg.ReadyDetails, httpCfg.Audit = keys, tel.Handler(), details, st
	httpCfg.Panicked = tel.Panicked
	// The pages people open: the playground at /, the figures at /explore.
	pages := http.NewServeMux()
	pages.Handle("/", playground.Handler("/graphql"))
	pages.Handle("/explore", explore.Handler())
	pages.Handle("/explore/", explore.Handler())
	var api http.Handler = gql
	if !st.InMemory() {
		api = graph.WithLoaders(st, gql)
	}
	h, err := server.Handler(api, pages, st.Ping, st, httpCfg)
	if err != nil {
		return err
	}
	srv.RegisterOnShutdown(closeSubscriptions)
	current.Store(&h)
	log.Info("serving", "addr", "http://"+ln.Addr().String()+"/", "graphql", "http://"+ln.Addr().String()+"/graphql")
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(sctx)
}

// startingHandler answers until the store serves; doing says what the
// server is doing meanwhile.
func startingHandler(doing func() string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "starting", "doing": doing()})
	})
	// The pages' addresses: a person sees a page that refreshes itself.
	starting := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="2">`+
			`<title>registry: starting</title><p>The registry is starting: %s. This page reloads by itself.`, html.EscapeString(doing()))
	}
	mux.HandleFunc("GET /{$}", starting)
	mux.HandleFunc("GET /explore", starting)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
			"message": "starting: " + doing(), "extensions": map[string]string{"code": string(registry.CodeUnavailable)}}}})
	})
	return mux
}

// waitReady waits for the store to answer, reporting the build's progress.
func waitReady(ctx context.Context, st *gateway.Registry, progress func(loaded, total int)) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for !st.Ready() {
		progress(st.Progress())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := st.BuildError(); err != nil {
			return err
		}
	}
	return nil
}

// openStoreRetrying opens the store, retrying with backoff while a remote
// store (MONGODB_URI) cannot be reached; it gives up only when ctx ends.
// The embedded engine is not retried: its failures are configuration errors.
func openStoreRetrying(ctx context.Context, c *storeConfig, log, engineLog *slog.Logger, configure func(*gateway.Config)) (*gateway.Registry, func(), error) {
	wait := 500 * time.Millisecond
	for {
		st, closeStore, err := openStore(ctx, c, log, engineLog, configure)
		if err == nil || c.mongoURI == "" || ctx.Err() != nil {
			return st, closeStore, err
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

// openStore connects to MONGODB_URI, or starts the embedded engine on the
// data directory; the returned func closes what was opened.
// engineLog receives the embedded engine's own log; configure, when not
// nil, completes the store's configuration.
func openStore(ctx context.Context, c *storeConfig, log, engineLog *slog.Logger, configure func(*gateway.Config)) (*gateway.Registry, func(), error) {
	cal := calendar.Default()
	if c.holidays != "" {
		data, err := os.ReadFile(c.holidays)
		if err != nil {
			return nil, nil, fmt.Errorf("--holidays: %w", err)
		}
		if cal, err = calendar.Parse(data); err != nil {
			return nil, nil, fmt.Errorf("--holidays %s: %w", c.holidays, err)
		}
	}
	cfg := gateway.Config{URI: c.mongoURI, Database: c.database, Calendar: cal, Logger: log}
	if configure != nil {
		configure(&cfg)
	}
	stopEngine := func() {}
	if c.mongoURI == "" {
		eng, err := engine.Start(c.data, engineLog)
		if err != nil {
			return nil, nil, err
		}
		log.Info("embedded store started", "data", c.data)
		cfg.URI, cfg.Engine, stopEngine = eng.URI(), eng, eng.Stop
	}
	st, err := gateway.Open(ctx, cfg)
	if err != nil {
		stopEngine()
		return nil, nil, err
	}
	return st, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.Close(cctx); err != nil {
			log.Warn("closing store", "err", err)
		}
		stopEngine()
	}, nil
}

// emptyDir reports whether dir is missing or has no entries.
func emptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err != nil || len(entries) == 0
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
