package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/bench"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/transfer"
)

const benchUsage = `Usage: registry bench [flags]

Measure the server on generated data, in this process:

 1. open the store; when it holds no dossiers, generate --dossiers of them
    (seeded) and rebuild the rollups; add synthetic directives until it
    holds --directives; draw the requests' arguments (dossier codes across
    the store, open dossiers, agencies) from its lists; close it;
 2. start the server on it (a loopback port; no rate limit) and time it
    from start to /readyz 200; read the RSS once idle;
 3. for each operation (the floor { __typename }, the README's full dossier
    query, a page of 20 with procedures, a directive search with facets,
    the statistics dashboard, recordDossierStep), run --concurrency clients
    for --duration and report requests, req/s, p50, p99, errors, the p50
    over the floor's, the RSS under load, and the targets met.

Prints a markdown report; with --out, writes it into that file, replacing
the section of an earlier run with the same number of dossiers.

The store: without --data or --mongodb-uri, the embedded engine on a
temporary directory, removed afterwards. --data DIR keeps the store there:
an empty or missing DIR is filled, and a DIR holding a store (made by an
earlier run, or by registry generate) is measured as it is, without
generating. The writes add TRANSFER steps to the open dossiers drawn.

Flags (and the store flags of serve):
`

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := toolFlags("bench", benchUsage, stderr)
	// No default data directory: without --data the bench makes a temporary one.
	fs.Lookup("data").DefValue, c.data = "", ""
	var b bench.Config
	fs.IntVar(&b.Dossiers, "dossiers", 0, fmt.Sprintf("dossiers to generate into an empty store (%d when not given); a store holding dossiers must hold exactly this many", bench.DefaultDossiers))
	fs.IntVar(&b.Directives, "directives", 10000, "directives the store should hold: the procedures' legal bases and synthetic ones are added up to this number")
	fs.Uint64Var(&b.Seed, "seed", 1, "random seed of the data and of the requests")
	fs.IntVar(&b.Concurrency, "concurrency", 4, "concurrent clients per operation (and writers)")
	fs.DurationVar(&b.Duration, "duration", 10*time.Second, "how long each operation runs")
	fs.IntVar(&b.MaxRequests, "requests", 1000000, "at most this many requests per operation")
	fs.DurationVar(&b.Timeout, "request-timeout", time.Minute, "deadline of one request, in the clients and the server")
	fs.IntVar(&b.Codes, "codes", 20000, "distinct dossier codes the dossier query asks for, in turn")
	fs.IntVar(&b.RecomputeRuns, "stats-recompute-runs", 0, "when positive, also time the dashboard recomputed from every dossier (minutes at a million) this many times against rollup reads, and check they agree")
	fs.IntVar(&b.RollupRuns, "stats-rollup-runs", 30, "statistics read from the rollups this many times (with --stats-recompute-runs)")
	fs.StringVar(&b.Profiles, "cpuprofile", "", "directory to write a CPU profile of each operation into (floor.pprof, dossier.pprof...), for go tool pprof")
	out := fs.String("out", "", "markdown file to write the report into (its section for this number of dossiers is replaced)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	log, err := c.logger(stderr, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	switch {
	case c.mongoURI != "":
		b.Store = fmt.Sprintf("MongoDB-compatible server at --mongodb-uri, database %s", c.database)
	case c.data != "":
		b.Store = "embedded engine (FerretDB on SQLite, in-process), data directory given with --data"
	default:
		dir, err := os.MkdirTemp("", "registry-bench-")
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		c.data = dir
		b.Store = "embedded engine (FerretDB on SQLite, in-process), a fresh temporary data directory"
	}
	b.Command = "registry bench " + shellJoin(args)
	b.Log = log
	b.Progress = transfer.NewProgress(stderr, isTerminal(os.Stderr)).Update
	b.Open = func(ctx context.Context) (*gateway.Registry, func(), error) {
		return openStore(ctx, c, log, quietEngine(c, stderr), nil)
	}
	// The server at warn level (it would log every request), with no rate
	// or concurrency limit (the clients, all on one address, are the load)
	// and the bench's request deadline.
	warn := slog.LevelWarn
	srvLog, _ := c.logger(stderr, &warn)
	b.Serve = func(ctx context.Context, addr string) error {
		cfg := &serveConfig{store: *c, addr: addr, http: server.Config{Timeout: b.Timeout, Rate: math.Inf(1), Burst: 1, Concurrency: math.MaxInt32}}
		return runServer(ctx, cfg, srvLog, quietEngine(c, stderr), nil)
	}

	report, err := bench.Run(ctx, b)
	if report != nil {
		fmt.Fprint(stdout, report.Markdown())
		if *out != "" {
			if werr := report.WriteSection(*out); werr != nil {
				log.Error("write the report", "file", *out, "err", werr)
				return 1
			}
			log.Info("report written", "file", *out)
		}
	}
	if err != nil {
		log.Error("bench failed", "err", err)
		return 1
	}
	return 0
}

// shellJoin quotes args for a shell where needed.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
