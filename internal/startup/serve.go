package startup

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	gqlgraphql "github.com/99designs/gqlgen/graphql"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/explore"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/limits"
	"github.com/vnregistry/registry/internal/playground"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/telemetry"
)

// shutdownGrace is how long in-flight requests may take to finish after a signal.
const shutdownGrace = 30 * time.Second

// Config is the server's configuration (`registry serve`'s flags).
type Config struct {
	Store Store
	Addr  string
	// Keys is the API keys file; without it every caller is an administrator.
	Keys string
	// Trusted is the trusted documents file; TrustedEnforce refuses others.
	Trusted        string
	TrustedEnforce bool
	// Demo loads the sample data on the embedded engine's first start.
	Demo       bool
	MinCell    int
	Origins    []string
	Production bool
	Limits     limits.Config
	HTTP       server.Config
}

// Serve serves until ctx ends, then drains. ready, when not nil, receives
// the bound address once the server accepts connections (tests use it).
func Serve(ctx context.Context, cfg Config, log, engineLog *slog.Logger, ready chan<- string) error {
	tel, err := telemetry.New(telemetry.Config{Version: version(), Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()
	keys, trusted, err := loadSecurity(cfg, log)
	if err != nil {
		return err
	}
	// Listen at once, answering /healthz and a 503 /readyz, so that an
	// orchestrator sees the process while the store is still away.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := newSwitchingServer(cfg.Store.URI == "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer srv.shutdown()

	p := &process{cfg: cfg, log: log, tel: tel, steps: feed.New()}
	reg, closeStore, err := p.openRegistry(ctx, engineLog, srv.setDoing)
	if closeStore != nil {
		defer closeStore()
	}
	if err != nil || ctx.Err() != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting for the store
		}
		return err
	}
	p.follow(ctx, reg)
	h, closeSubscriptions, err := p.handler(reg, keys, trusted)
	if err != nil {
		return err
	}
	defer closeSubscriptions()
	srv.RegisterOnShutdown(closeSubscriptions)
	srv.serve(h)
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

// loadSecurity reads the API keys and the trusted documents.
func loadSecurity(cfg Config, log *slog.Logger) (*auth.Keys, *graph.TrustedDocuments, error) {
	var keys *auth.Keys
	var err error
	if cfg.Keys != "" {
		if keys, err = auth.LoadKeys(cfg.Keys); err != nil {
			return nil, nil, fmt.Errorf("--keys: %w", err)
		}
	} else {
		log.Warn("no --keys file: every caller is an administrator; fine on a developer's machine, never in production")
	}
	var trusted *graph.TrustedDocuments
	if cfg.Trusted != "" {
		if trusted, err = graph.LoadTrustedDocuments(cfg.Trusted, cfg.TrustedEnforce, log); err != nil {
			return nil, nil, fmt.Errorf("--trusted-documents: %w", err)
		}
	}
	return keys, trusted, nil
}

// switchingServer answers "starting" until serve gives it the handler.
type switchingServer struct {
	*http.Server
	current atomic.Pointer[http.Handler]
	doing   atomic.Value // what the server is doing until it serves
}

func newSwitchingServer(embedded bool) *switchingServer {
	s := &switchingServer{}
	s.doing.Store("the store is not reachable yet")
	if embedded {
		s.doing.Store("starting the embedded store")
	}
	s.current.Store(new(startingHandler(func() string { return s.doing.Load().(string) })))
	s.Server = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*s.current.Load()).ServeHTTP(w, r) }),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
	}
	return s
}

func (s *switchingServer) setDoing(doing string) { s.doing.Store(doing) }

func (s *switchingServer) serve(h http.Handler) { s.current.Store(&h) }

func (s *switchingServer) shutdown() {
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = s.Shutdown(sctx)
}

// process is what the server's parts share once it runs.
type process struct {
	cfg   Config
	log   *slog.Logger
	tel   *telemetry.Telemetry
	steps *feed.Feed
	// crossInstance: a change stream brings every gateway's steps, so this
	// process's own are not published twice.
	crossInstance atomic.Bool
}

// openRegistry opens the registry, waits for it to answer, and loads the
// sample data on a first start; doing says what it is at meanwhile.
func (p *process) openRegistry(ctx context.Context, engineLog *slog.Logger, doing func(string)) (*gateway.Registry, func(), error) {
	fresh := p.cfg.Store.URI == "" && emptyDir(p.cfg.Store.Data)
	publishLocal := func(d *registry.Dossier) {
		if !p.crossInstance.Load() {
			p.steps.Publish(d)
		}
	}
	reg, closeStore, err := openRetrying(ctx, p.cfg.Store, p.log, engineLog, func(c *gateway.Config) {
		c.OnStep, c.MinCell, c.Monitor, c.Background = publishLocal, p.cfg.MinCell, p.tel.MongoMonitor(), true
	})
	if err != nil || ctx.Err() != nil {
		return nil, closeStore, err
	}
	// Nothing reaches the store until it answers from memory: on the
	// embedded engine a request meanwhile would scan.
	if err := waitReady(ctx, reg, func(loaded, total int) {
		if total == 0 {
			doing("loading the registry into memory")
		} else {
			doing(fmt.Sprintf("loading %d of %d dossiers into memory", loaded, total))
		}
	}); err != nil {
		return nil, closeStore, err
	}
	// Memory's build repaired what differed before anything could see it:
	// the metric keeps it visible.
	if r := reg.RollupsRepaired(); r != nil {
		p.tel.RollupsRepaired(r.Documents, r.Counters)
	}
	if fresh && p.cfg.Demo {
		doing("loading the sample data")
		p.log.Info("first start on an empty data directory: loading the sample data (turn off with --demo=false)")
		took, err := demo.Seed(ctx, reg, reg.Calendar())
		if err != nil {
			return nil, closeStore, fmt.Errorf("loading the sample data: %w", err)
		}
		p.log.Info("sample data loaded", "dossiers", demo.Dossiers, "took", took.Round(time.Millisecond))
	}
	// What start-up read and threw away goes back to the system now, not
	// over the next minutes.
	debug.FreeOSMemory()
	return reg, closeStore, nil
}

// follow subscribes to every gateway's steps where the store streams
// changes, and keeps the rollup lag metric.
func (p *process) follow(ctx context.Context, reg *gateway.Registry) {
	if p.cfg.Store.URI != "" {
		if stream, err := reg.WatchDossiers(ctx); err == nil {
			p.crossInstance.Store(true)
			go func() {
				err := stream.Each(ctx, p.steps.Publish)
				p.crossInstance.Store(false)
				if ctx.Err() == nil {
					p.log.Error("change stream ended; subscriptions see this instance's steps only", "err", err)
				}
			}()
		} else {
			p.log.Info("no change streams on this store: subscriptions see the steps recorded by this instance only", "reason", err)
		}
	}
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			p.tel.SetRollupLag(reg.RollupLag().Seconds())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// handler is the server's HTTP handler over reg; the returned func ends
// the subscriptions.
func (p *process) handler(reg *gateway.Registry, keys *auth.Keys, trusted *graph.TrustedDocuments) (http.Handler, func(), error) {
	details := func() map[string]string {
		d := map[string]string{"subscriptions": "this instance only", "dossierLists": "engine queries"}
		if p.crossInstance.Load() {
			d["subscriptions"] = "all instances (change streams)"
		}
		if reg.InMemory() {
			d["dossierLists"] = "memory"
		}
		return d
	}
	gql := graph.NewHandler(&graph.Resolver{Registry: reg, Feed: p.steps}, graph.Options{
		Logger: p.log, Origins: p.cfg.Origins, Production: p.cfg.Production, Limits: p.cfg.Limits.WithSizes(reg),
		Trusted: trusted, Extensions: []gqlgraphql.HandlerExtension{p.tel.GraphQL()}, Panicked: p.tel.Panicked,
	})
	var api http.Handler = gql
	if !reg.InMemory() {
		api = graph.WithLoaders(reg, gql)
	}
	subscriptions, closeSubscriptions := context.WithCancel(context.Background())
	httpCfg := p.cfg.HTTP
	httpCfg.CORSOrigins, httpCfg.Logger, httpCfg.Subscriptions = p.cfg.Origins, p.log, subscriptions
	httpCfg.Keys, httpCfg.Metrics, httpCfg.ReadyDetails, httpCfg.Audit = keys, p.tel.Handler(), details, reg
	httpCfg.Panicked, httpCfg.CacheVersion = p.tel.Panicked, reg.CacheVersion
	// The pages people open: the playground at /, the figures at /explore.
	pages := http.NewServeMux()
	pages.Handle("/", playground.Handler("/graphql"))
	pages.Handle("/explore", explore.Handler())
	pages.Handle("/explore/", explore.Handler())
	h, err := server.Handler(api, pages, reg.Ping, reg, httpCfg)
	if err != nil {
		closeSubscriptions()
		return nil, nil, err
	}
	return h, closeSubscriptions, nil
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

// waitReady waits for the registry to answer, reporting memory's progress.
func waitReady(ctx context.Context, reg *gateway.Registry, progress func(loaded, total int)) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for !reg.Ready() {
		progress(reg.Progress())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := reg.BuildError(); err != nil {
			return err
		}
	}
	return nil
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
