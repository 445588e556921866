package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/vnregistry/registry/internal/limits"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/startup"
	"github.com/vnregistry/registry/internal/telemetry"
)

// envFlags remembers which environment variable stands for which flag, so
// one pass after parsing fills in the flags the command line left unset.
type envFlags struct {
	*flag.FlagSet
	vars map[string]string // flag name -> environment variable
}

func newFlagSet(name string, stderr io.Writer, usage string) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return &envFlags{FlagSet: fs, vars: map[string]string{}}
}

// env notes that variable sets flag and returns the usage suffix naming it.
func (e *envFlags) env(flag, variable string) string {
	e.vars[flag] = variable
	return " (" + variable + ")"
}

// parse parses args, then applies the environment to flags not given.
func (e *envFlags) parse(args []string) error {
	if err := e.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	e.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, variable := range e.vars {
		if v, ok := os.LookupEnv(variable); ok && !given[name] {
			if err := e.Set(name, v); err != nil {
				err = fmt.Errorf("%s=%q: %w", variable, v, err)
				fmt.Fprintln(e.Output(), err)
				return err
			}
		}
	}
	return nil
}

// storeConfig names the store; every subcommand that touches it shares these flags.
type storeConfig struct {
	data       string
	mongoURI   string
	database   string
	holidays   string
	logLevel   string
	logHandler string
}

func (c *storeConfig) register(e *envFlags) {
	fs := e.FlagSet
	fs.StringVar(&c.data, "data", "./data", "data directory of the embedded store"+e.env("data", "REGISTRY_DATA"))
	fs.StringVar(&c.mongoURI, "mongodb-uri", "", "MongoDB server to use; empty starts the embedded engine"+e.env("mongodb-uri", "MONGODB_URI"))
	fs.StringVar(&c.database, "database", "registry", "database name"+e.env("database", "REGISTRY_DATABASE"))
	fs.StringVar(&c.holidays, "holidays", "", "JSON file of public holidays and make-up working days replacing the built-in 2019-2027 calendar"+e.env("holidays", "REGISTRY_HOLIDAYS"))
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error"+e.env("log-level", "REGISTRY_LOG_LEVEL"))
	fs.StringVar(&c.logHandler, "log-format", "text", "text or json"+e.env("log-format", "REGISTRY_LOG_FORMAT"))
}

// location is where the registry lives.
func (c *storeConfig) location() startup.Store {
	return startup.Store{Data: c.data, URI: c.mongoURI, Database: c.database, Holidays: c.holidays}
}

// logger logs to w at the configured level, or at least at min when given.
func (c *storeConfig) logger(w io.Writer, min *slog.Level) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	if min != nil && *min > level {
		level = *min
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logHandler {
	case "text":
		return slog.New(telemetry.LogRequestIDs(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(telemetry.LogRequestIDs(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, fmt.Errorf("--log-format: must be text or json, got %q", c.logHandler)
}

// serveConfig is the configuration of `registry serve`.
type serveConfig struct {
	store       storeConfig
	addr        string
	corsOrigins string
	demo        bool
	production  bool
	keys        string
	trusted     string
	trustedMode string
	minCell     int
	http        server.Config
	limits      limits.Config
}

const serveUsage = `Usage: registry serve [flags]

Run the GraphQL server: /graphql, the playground at /, /stats.csv, /metrics,
/healthz and /readyz. Every flag has an environment variable, named in its
help.

Flags:
`

func parseServe(args []string, stderr io.Writer) (*serveConfig, error) {
	var c serveConfig
	e := newFlagSet("serve", stderr, serveUsage)
	fs := e.FlagSet
	c.store.register(e)
	d, l := server.Defaults(), limits.Defaults()
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address"+e.env("addr", "REGISTRY_ADDR"))
	fs.StringVar(&c.corsOrigins, "cors-origins", "", "comma-separated browser origins allowed to call the API, e.g. https://app.example.vn; never a wildcard"+e.env("cors-origins", "REGISTRY_CORS_ORIGINS"))
	fs.BoolVar(&c.demo, "demo", true, "on first start of the embedded store (empty data directory), load the sample data"+e.env("demo", "REGISTRY_DEMO"))
	fs.BoolVar(&c.production, "production", false, "production: API keys required, introspection and field suggestions off"+e.env("production", "REGISTRY_PRODUCTION"))
	fs.StringVar(&c.keys, "keys", "", "JSON file of API keys (registry keys new makes entries); without it every caller is an administrator (development only)"+e.env("keys", "REGISTRY_KEYS"))
	fs.StringVar(&c.trusted, "trusted-documents", "", "JSON file of trusted operations {sha256: document}"+e.env("trusted-documents", "REGISTRY_TRUSTED_DOCUMENTS"))
	fs.StringVar(&c.trustedMode, "trusted-mode", "enforce", "enforce (only trusted documents run) or log (others run and are logged)"+e.env("trusted-mode", "REGISTRY_TRUSTED_MODE"))
	fs.IntVar(&c.minCell, "min-cell", 5, "statistics rows counting fewer dossiers are withheld from anonymous readers"+e.env("min-cell", "REGISTRY_MIN_CELL"))
	fs.Int64Var(&c.http.MaxBody, "max-body", d.MaxBody, "largest request body in bytes (413 above)"+e.env("max-body", "REGISTRY_MAX_BODY"))
	fs.IntVar(&c.http.MaxBatch, "max-batch", d.MaxBatch, "most operations in one batched request"+e.env("max-batch", "REGISTRY_MAX_BATCH"))
	fs.DurationVar(&c.http.Timeout, "timeout", d.Timeout, "time limit of each request; its store work is cancelled"+e.env("timeout", "REGISTRY_TIMEOUT"))
	fs.Float64Var(&c.http.Rate, "rate", d.Rate, "requests per second per API key, or per client address without one"+e.env("rate", "REGISTRY_RATE"))
	fs.IntVar(&c.http.Burst, "burst", d.Burst, "requests a caller may make at once above the rate"+e.env("burst", "REGISTRY_BURST"))
	fs.IntVar(&c.http.Concurrency, "concurrency", d.Concurrency, "requests per API key, or per client address without one, running at once; one more waits up to 2s, then 429"+e.env("concurrency", "REGISTRY_CONCURRENCY"))
	fs.DurationVar(&c.http.CacheMaxAge, "cache-max-age", d.CacheMaxAge, "how long shared caches may keep an anonymous GET answer (Cache-Control max-age; at most 10m)"+e.env("cache-max-age", "REGISTRY_CACHE_MAX_AGE"))
	fs.BoolVar(&c.http.BehindProxy, "behind-proxy", false, "trust X-Forwarded-For for the client address"+e.env("behind-proxy", "REGISTRY_BEHIND_PROXY"))
	fs.IntVar(&c.limits.MaxDepth, "max-depth", l.MaxDepth, "deepest selection nesting"+e.env("max-depth", "REGISTRY_MAX_DEPTH"))
	fs.IntVar(&c.limits.MaxAliases, "max-aliases", l.MaxAliases, "most aliased fields in a document"+e.env("max-aliases", "REGISTRY_MAX_ALIASES"))
	fs.IntVar(&c.limits.MaxRootFields, "max-root-fields", l.MaxRootFields, "most fields at the root of an operation"+e.env("max-root-fields", "REGISTRY_MAX_ROOT_FIELDS"))
	fs.IntVar(&c.limits.MaxCost, "max-cost", l.MaxCost, "highest query cost (a batch's: the sum of its operations'): a list costs its bound (first, or 20; statistics groups: periods times the values of each dimension) times its selection"+e.env("max-cost", "REGISTRY_MAX_COST"))
	if err := e.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if c.http.CacheMaxAge < 0 || c.http.CacheMaxAge > server.MaxCacheMaxAge {
		return nil, fmt.Errorf("serve: --cache-max-age must be between 0 (the default, %v) and %v, got %v", server.DefaultCacheMaxAge, server.MaxCacheMaxAge, c.http.CacheMaxAge)
	}
	if c.production && c.keys == "" {
		return nil, fmt.Errorf("serve: --production needs --keys: without a key file every caller would be an administrator")
	}
	if c.trustedMode != "enforce" && c.trustedMode != "log" {
		return nil, fmt.Errorf("serve: --trusted-mode must be enforce or log, got %q", c.trustedMode)
	}
	return &c, nil
}

// origins splits the --cors-origins list.
func (c *serveConfig) origins() []string {
	var out []string
	for o := range strings.SplitSeq(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
