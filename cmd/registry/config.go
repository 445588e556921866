package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// storeConfig names the store; every subcommand that touches it shares these flags.
type storeConfig struct {
	data       string
	mongoURI   string
	database   string
	holidays   string
	logLevel   string
	logHandler string
}

func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", env("REGISTRY_DATA", "./data"), "data directory of the embedded store (REGISTRY_DATA)")
	fs.StringVar(&c.mongoURI, "mongodb-uri", env("MONGODB_URI", ""), "MongoDB server to use; empty starts the embedded engine (MONGODB_URI)")
	fs.StringVar(&c.database, "database", env("REGISTRY_DATABASE", "registry"), "database name (REGISTRY_DATABASE)")
	fs.StringVar(&c.holidays, "holidays", env("REGISTRY_HOLIDAYS", ""), "JSON file of public holidays and make-up working days replacing the built-in 2019-2027 calendar (REGISTRY_HOLIDAYS)")
	fs.StringVar(&c.logLevel, "log-level", env("REGISTRY_LOG_LEVEL", "info"), "debug, info, warn or error (REGISTRY_LOG_LEVEL)")
	fs.StringVar(&c.logHandler, "log-format", env("REGISTRY_LOG_FORMAT", "text"), "text or json (REGISTRY_LOG_FORMAT)")
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
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: must be text or json, got %q", c.logHandler)
}

// serveConfig is the configuration of `registry serve`.
type serveConfig struct {
	store       storeConfig
	addr        string
	corsOrigins string
	demo        bool
}

func parseServe(args []string, stderr io.Writer) (*serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: registry serve [flags]\n\nRun the GraphQL server: /graphql, the playground at /, /healthz and /readyz.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	c.store.register(fs)
	fs.StringVar(&c.addr, "addr", env("REGISTRY_ADDR", "127.0.0.1:8080"), "listen address (REGISTRY_ADDR)")
	fs.StringVar(&c.corsOrigins, "cors-origins", env("REGISTRY_CORS_ORIGINS", ""), "comma-separated browser origins allowed to call the API, e.g. https://app.example.vn; never a wildcard (REGISTRY_CORS_ORIGINS)")
	fs.BoolVar(&c.demo, "demo", env("REGISTRY_DEMO", "true") == "true", "on first start of the embedded store (empty data directory), load the sample data (REGISTRY_DEMO)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
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

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
