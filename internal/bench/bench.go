// Package bench measures the gateway as it is deployed: the real server,
// started in this process on a store of generated data, asked the README's
// queries over loopback HTTP by concurrent clients, each operation beside
// the floor `{ __typename }` measured in the same run. It reports time to
// ready, resident memory, and every operation's throughput and latency
// against the project's targets, as a markdown section of BENCHMARKS.md.
package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/vnregistry/registry/internal/gateway"
)

// DefaultDossiers is how many dossiers an empty store receives when
// Config.Dossiers does not say.
const DefaultDossiers = 10000

// Config is one run.
type Config struct {
	// Dossiers is how many dossiers to generate into an empty store
	// (DefaultDossiers when 0). A store that holds dossiers is measured as it
	// is; when Dossiers is not 0 it must hold exactly that many.
	Dossiers int
	// Directives is how many directives the store should hold: when it holds
	// fewer, the procedures' legal bases and synthetic provincial decisions
	// and plans are added (those already there are left as they are).
	Directives int
	// Seed draws the generated data and every request's arguments.
	Seed uint64
	// Concurrency clients run each operation for Duration, making at most
	// MaxRequests requests, each with a deadline of Timeout.
	Concurrency int
	Duration    time.Duration
	MaxRequests int
	Timeout     time.Duration
	// Codes is how many distinct dossier codes the dossier query asks for.
	Codes int
	// RecomputeRuns, when positive, times the statistics dashboard
	// recomputed from every dossier that many times against RollupRuns
	// reads from the rollups, and checks they agree. It reads every dossier
	// from the engine: minutes at a million.
	RecomputeRuns, RollupRuns int
	// Command and Store describe the run in the report: the command line,
	// and which store it measured.
	Command, Store string

	// Open opens the store the data is generated into and sampled from;
	// the function returned closes it. Serve runs the server under test on
	// the same store, listening on addr, until ctx ends. The two are never
	// open at once (on the embedded engine both start it on one data
	// directory), so the server starts cold, as it would in production.
	Open  func(ctx context.Context) (*gateway.Registry, func(), error)
	Serve func(ctx context.Context, addr string) error
	// Profiles, when not empty, is a directory that receives a CPU profile
	// of each operation's measurement, named for it (dossier.pprof...).
	Profiles string
	// Progress, when not nil, learns how far the generation has come.
	Progress func(done, total int64, records int)
	Log      *slog.Logger
}

func (c Config) validate() error {
	if c.Dossiers < 0 || c.Directives < 0 || c.Concurrency < 1 || c.Duration <= 0 || c.MaxRequests < 1 ||
		c.Timeout <= 0 || c.Codes < 1 || c.RecomputeRuns < 0 || (c.RecomputeRuns > 0 && c.RollupRuns < 1) {
		return errors.New("bench: the counts and durations must be positive (--dossiers and --directives may be 0)")
	}
	if c.Open == nil || c.Serve == nil || c.Log == nil {
		return errors.New("bench: Open, Serve and Log are required")
	}
	return nil
}

// Run prepares the data, starts the server and measures. A run whose
// operations failed returns its report and an error naming the first
// failure; a run that could not measure returns no report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rep := &Report{cfg: cfg, began: time.Now()}
	sample, err := prepare(ctx, cfg, rep)
	if err != nil {
		return nil, err
	}

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srvCtx, stopServer := context.WithCancel(ctx)
	stopped := make(chan struct{})
	var serveErr error
	started, cpu := time.Now(), readCPU()
	go func() {
		serveErr = cfg.Serve(srvCtx, addr)
		close(stopped)
	}()
	defer func() {
		stopServer()
		<-stopped
		if serveErr != nil {
			cfg.Log.Error("bench: the server stopped with an error", "err", serveErr)
		}
	}()
	base := "http://" + addr
	if rep.ready, err = waitReady(ctx, base+"/readyz", started, stopped, cfg.Log); err != nil {
		return nil, err
	}
	rep.readyOthers = cpu.othersShare(readCPU())
	cfg.Log.Info("bench: server ready", "took", rep.ready.Round(time.Millisecond))
	// What the process keeps once serving: the generation's and the
	// sampling's garbage returned to the system first.
	debug.FreeOSMemory()
	rep.rssIdle = rss()

	gw := newGateway(base+"/graphql", cfg.Concurrency)
	peak := watchRSS(200 * time.Millisecond)
	rep.floor = measureOp(ctx, cfg, gw, floorOp())
	for _, op := range operations(sample) {
		rep.rows = append(rep.rows, measureOp(ctx, cfg, gw, op))
		if ctx.Err() != nil {
			break
		}
	}
	rep.rssPeak, rep.rssEnd = peak()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	for _, r := range append([]row{rep.floor}, rep.rows...) {
		if r.failure() != "" {
			return rep, fmt.Errorf("%s: %s", r.op.name, r.failure())
		}
	}
	return rep, nil
}

// measureOp checks the operation's first answer, then measures it.
func measureOp(ctx context.Context, cfg Config, gw *poster, op operation) row {
	cfg.Log.Info("bench: measuring", "operation", op.name, "clients", cfg.Concurrency, "for", cfg.Duration)
	r := row{op: op}
	q, v := op.request(0, 0)
	data, err := gw.do(ctx, q, v)
	if err == nil {
		err = op.check(data)
	}
	if err != nil {
		r.checkErr = err
		cfg.Log.Error("bench: the first answer failed its check", "operation", op.name, "err", err)
	}
	stopProfile, err := startProfile(cfg.Profiles, op.slug)
	if err != nil {
		cfg.Log.Error("bench: no CPU profile", "operation", op.name, "err", err)
	}
	before := readCPU()
	r.res = measure(ctx, cfg, func(ctx context.Context, worker, i int) error {
		q, v := op.request(worker, i)
		_, err := gw.do(ctx, q, v)
		return err
	})
	r.others = before.othersShare(readCPU())
	if err := stopProfile(); err != nil {
		cfg.Log.Error("bench: CPU profile", "operation", op.name, "err", err)
	}
	if r.res.firstErr != nil {
		cfg.Log.Error("bench: requests failed", "operation", op.name, "failed", r.res.errors, "first", r.res.firstErr)
	}
	return r
}

// startProfile starts profiling the CPU into dir/slug.pprof when dir is
// not empty; the function returned stops and writes it.
func startProfile(dir, slug string) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() error { return nil }, err
	}
	f, err := os.Create(filepath.Join(dir, slug+".pprof"))
	if err != nil {
		return func() error { return nil }, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() error { return nil }, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// freeAddr is a loopback address nothing listens on: the server is started
// on it so that /readyz can be watched from the first moment.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url from the server's start until it answers 200, and
// returns how long that took from started.
func waitReady(ctx context.Context, url string, started time.Time, stopped <-chan struct{}, log *slog.Logger) (time.Duration, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	lastLog := started
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(started), nil
			}
		}
		if time.Since(lastLog) > 30*time.Second {
			log.Info("bench: waiting for the server to be ready", "for", time.Since(started).Round(time.Second))
			lastLog = time.Now()
		}
		select {
		case <-stopped:
			return 0, errors.New("bench: the server stopped before it was ready (its error follows)")
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
