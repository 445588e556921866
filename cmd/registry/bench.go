package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/stats"
	"github.com/vnregistry/registry/internal/store"
	"github.com/vnregistry/registry/internal/transfer"
)

const benchUsage = `Usage: registry bench [flags]

Generate N dossiers (and synthetic directives) into a fresh store, then:

 1. answer the statistics dashboard (2021-01..2021-12 by month and agency,
    with stocks and durations, as of 2021-12-31) from the rollups and by
    recomputing from every dossier, alternately in the same run, and check
    both give identical rows and totals;
 2. start the server on a loopback port and, for each operation, run
    --concurrency HTTP clients sending its GraphQL query for --duration,
    then the same read made directly with the driver (the floor).

Prints a markdown report; with --out, writes it into that file, replacing
the section of an earlier run with the same number of dossiers.

Without --mongodb-uri the embedded engine runs on a fresh temporary data
directory (removed afterwards) unless --data names an empty one. With
--mongodb-uri the database must hold no dossiers.

Flags (and the store flags of serve):
`

// benchConfig is what `registry bench` was asked.
type benchConfig struct {
	dossiers, directives int
	seed                 uint64
	concurrency          int
	duration             time.Duration
	maxRequests          int
	timeout              time.Duration
	slowRuns, fastRuns   int
	out                  string
	command              string
	embedded             bool // the benchmark started the engine
}

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := toolFlags("bench", benchUsage, stderr)
	var b benchConfig
	fs.IntVar(&b.dossiers, "dossiers", 10000, "number of generated dossiers")
	fs.IntVar(&b.directives, "directives", 1000, "number of synthetic provincial directives, besides the legal bases of the procedures")
	fs.Uint64Var(&b.seed, "seed", 1, "random seed of the data and of the requests")
	fs.IntVar(&b.concurrency, "concurrency", 4, "concurrent clients per operation")
	fs.DurationVar(&b.duration, "duration", 10*time.Second, "how long each operation runs, on each side (gateway, driver)")
	fs.IntVar(&b.maxRequests, "requests", 100000, "at most this many requests per operation and side")
	fs.DurationVar(&b.timeout, "request-timeout", 5*time.Minute, "deadline of one request")
	fs.IntVar(&b.slowRuns, "stats-recompute-runs", 5, "statistics recomputed from the dossiers this many times")
	fs.IntVar(&b.fastRuns, "stats-rollup-runs", 30, "statistics read from the rollups this many times")
	fs.StringVar(&b.out, "out", "", "markdown file to write the report into (its section for this number of dossiers is replaced)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 || b.dossiers < 1 || b.concurrency < 1 || b.duration <= 0 || b.maxRequests < 1 || b.slowRuns < 1 || b.fastRuns < 1 {
		fmt.Fprintln(stderr, "bench: --dossiers, --concurrency, --duration, --requests and the stats runs must be positive; no arguments")
		return 2
	}
	b.command = "registry bench " + shellJoin(args)
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	log, err := c.logger(stderr, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	b.embedded = c.mongoURI == ""
	if b.embedded {
		// One engine serves the load, the server and the driver floor, so
		// both sides of every comparison read the same data the same way.
		if !explicit["data"] {
			dir, err := os.MkdirTemp("", "registry-bench-")
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			defer os.RemoveAll(dir)
			c.data = dir
		} else if !emptyDir(c.data) {
			fmt.Fprintf(stderr, "bench: --data %s is not empty; the benchmark needs a fresh store\n", c.data)
			return 2
		}
		eng, err := engine.Start(c.data, quietEngine(c, stderr))
		if err != nil {
			log.Error("start the embedded engine", "err", err)
			return 1
		}
		defer eng.Stop()
		log.Info("embedded store started", "data", c.data)
		c.mongoURI = eng.URI()
	}
	report, err := runBench(ctx, b, c, log, stderr)
	if report != "" {
		fmt.Fprint(stdout, report)
		if b.out != "" {
			if werr := writeReport(b.out, b.dossiers, report); werr != nil {
				log.Error("write the report", "file", b.out, "err", werr)
				return 1
			}
			log.Info("report written", "file", b.out)
		}
	}
	if err != nil {
		log.Error("bench failed", "err", err)
		return 1
	}
	return 0
}

// benchData is what the load left for the requests to ask about.
type benchData struct {
	codes    []string // dossier codes sampled with the seed
	agencies []string // agency codes in a seeded order
	load     string   // how the data was made, for the report
	stats    stats.Result
}

// runBench loads the data, compares the statistics paths and measures the
// operations. It returns the report written so far even on error.
func runBench(ctx context.Context, b benchConfig, c *storeConfig, log *slog.Logger, stderr io.Writer) (string, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(c.mongoURI).SetMaxPoolSize(uint64(max(100, 2*b.concurrency))))
	if err != nil {
		return "", err
	}
	defer client.Disconnect(context.Background())
	db := client.Database(c.database)
	if n, err := db.Collection("dossiers").CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1)); err != nil {
		return "", fmt.Errorf("count dossiers: %w", err)
	} else if n > 0 {
		return "", fmt.Errorf("database %q already holds dossiers; the benchmark needs a fresh one (--database)", c.database)
	}

	st, closeStore, err := openStore(ctx, c, log, quietEngine(c, stderr), nil)
	if err != nil {
		return "", err
	}
	data, err := benchLoad(ctx, b, st, stderr)
	var statsTable string
	if err == nil {
		statsTable, data.stats, err = benchStats(ctx, b, st, log)
	}
	closeStore()
	if err != nil {
		return "", err
	}

	// The server, on the same data, at warn level: it would log every request.
	warn := slog.LevelWarn
	srvLog, _ := c.logger(stderr, &warn)
	srvCtx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		// No rate limit (the clients are the load), and the request deadline
		// of the benchmark rather than the production default.
		cfg := &serveConfig{store: *c, addr: "127.0.0.1:0", http: server.Config{Timeout: b.timeout, Rate: math.Inf(1), Burst: 1}}
		served <- runServer(srvCtx, cfg, srvLog, quietEngine(c, stderr), ready)
	}()
	defer func() {
		stopServer()
		<-served
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		return "", fmt.Errorf("server: %w", err)
	case <-ctx.Done():
		return "", ctx.Err()
	}
	warm, err := waitWarm(ctx, "http://"+addr+"/readyz", b.embedded, log)
	if err != nil {
		return "", err
	}
	data.load += fmt.Sprintf("; the server was ready in %s", warm.Round(100*time.Millisecond))
	gw := &gateway{url: "http://" + addr + "/graphql", client: &http.Client{Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 4 * b.concurrency, MaxIdleConnsPerHost: 4 * b.concurrency,
	}}}

	var rows []benchRow
	for _, op := range benchOps(db, data) {
		log.Info("bench", "operation", op.name)
		var note string
		if err := op.check(ctx, gw); err != nil {
			note = fmt.Sprintf("%s: the first request, made both ways before measuring, failed its check: %v", op.name, err)
			log.Error("bench", "check", note)
		}
		g := measure(ctx, b, func(ctx context.Context, i int) error {
			q, v := op.gql(i)
			_, err := gw.do(ctx, q, v)
			return err
		})
		d := measure(ctx, b, func(ctx context.Context, i int) error {
			_, err := op.driver(ctx, i)
			return err
		})
		for _, r := range []struct {
			side string
			res  benchResult
		}{{"gateway", g}, {"driver", d}} {
			if r.res.firstErr != nil {
				note += fmt.Sprintf(" %s: %d requests failed, the first with: %v.", r.side, r.res.errors, r.res.firstErr)
			}
		}
		rows = append(rows, benchRow{op: op, gateway: g, driver: d, note: strings.TrimSpace(note)})
		if ctx.Err() != nil {
			break
		}
	}
	report := benchReport(b, data, statsTable, rows)
	for _, r := range rows {
		if r.note != "" {
			return report, errors.New(r.note)
		}
	}
	return report, ctx.Err()
}

// waitWarm polls /readyz until the server says it is ready and, when it
// keeps an in-memory dossier list index (the embedded engine), that the
// index is built: measuring before would measure the warm-up.
func waitWarm(ctx context.Context, url string, embedded bool, log *slog.Logger) (time.Duration, error) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	for {
		var body struct {
			Status  string
			Details map[string]string
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			lists := body.Details["dossierLists"]
			if resp.StatusCode == http.StatusOK && (!embedded || lists == "" || strings.Contains(lists, "memory")) {
				return time.Since(began), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("the server did not get ready: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
		if time.Since(began) > 30*time.Second && time.Since(began)%(30*time.Second) < 500*time.Millisecond {
			log.Info("bench: waiting for the server to be ready", "readyz", body)
		}
	}
}

// benchLoad generates the dossiers and directives and rebuilds the rollups.
func benchLoad(ctx context.Context, b benchConfig, st *store.Store, stderr io.Writer) (*benchData, error) {
	from, to := calendar.Date("2021-01-01").Time(), calendar.Date("2022-01-01").Time()
	cfg := generate.Config{Seed: b.seed, Dossiers: b.dossiers, From: from, To: to, Now: to,
		Calendar: st.Calendar(), Source: fmt.Sprintf("bench seed=%d", b.seed)}
	ref := generate.Reference(b.seed)
	rng := rand.New(rand.NewPCG(b.seed, 0xbe9c))
	sample := &codeSampler{Loader: st, rng: rng, codes: make([]string, 0, 1000)}
	began := time.Now()
	sum, err := generateInto(ctx, sample, cfg, 1000, transfer.NewProgress(stderr, isTerminal(os.Stderr)).Update)
	if err != nil {
		return nil, err
	}
	if sum.Refused > 0 {
		return nil, fmt.Errorf("generate: %d records refused", sum.Refused)
	}
	loaded := time.Since(began)
	dirs, err := benchDirectives(ref, b.seed, b.directives)
	if err != nil {
		return nil, err
	}
	if _, _, err := st.Load(ctx, dirs); err != nil {
		return nil, fmt.Errorf("directives: %w", err)
	}
	began = time.Now()
	if _, err := st.RebuildRollups(ctx); err != nil {
		return nil, err
	}
	rebuilt := time.Since(began)
	data := &benchData{codes: sample.codes}
	rng.Shuffle(len(data.codes), func(i, j int) { data.codes[i], data.codes[j] = data.codes[j], data.codes[i] })
	for _, a := range ref.Agencies {
		data.agencies = append(data.agencies, a.Code)
	}
	rng.Shuffle(len(data.agencies), func(i, j int) {
		data.agencies[i], data.agencies[j] = data.agencies[j], data.agencies[i]
	})
	data.load = fmt.Sprintf("%s dossiers (%s records with the agencies and procedures) generated and stored in %s, "+
		"%s directives, rollups rebuilt in %s", thousands(b.dossiers), thousands(sum.Lines), loaded.Round(time.Second),
		thousands(len(dirs)), rebuilt.Round(100*time.Millisecond))
	return data, nil
}

// codeSampler passes records on to the store and keeps a uniform sample of
// the dossier codes (reservoir sampling, seeded).
type codeSampler struct {
	transfer.Loader
	rng   *rand.Rand
	seen  int
	codes []string
}

func (s *codeSampler) Load(ctx context.Context, records []any) ([]bool, []error, error) {
	for _, r := range records {
		d, ok := r.(*registry.Dossier)
		if !ok {
			continue
		}
		s.seen++
		if len(s.codes) < cap(s.codes) {
			s.codes = append(s.codes, d.Code)
		} else if j := s.rng.IntN(s.seen); j < len(s.codes) {
			s.codes[j] = d.Code
		}
	}
	return s.Loader.Load(ctx, records)
}

// benchDirectives are the directives the procedures cite and n synthetic
// provincial decisions and plans, so that a search has something to scan.
func benchDirectives(ref generate.Data, seed uint64, n int) ([]any, error) {
	rng := rand.New(rand.NewPCG(seed, 0xd17e))
	prov := registry.Provenance{Source: fmt.Sprintf("bench seed=%d", seed), Recorded: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	var out []any
	add := func(symbol string, issued calendar.Date, summary, issuerName string) error {
		in := registry.CreateDirectiveInput{Symbol: symbol, IssuedOn: issued, Summary: &summary}
		if issuerName != "" {
			in.IssuerName = &issuerName
		}
		d, err := registry.NewDirective(in, prov)
		if err != nil {
			return fmt.Errorf("directive %s: %w", symbol, err)
		}
		out = append(out, d)
		return nil
	}
	day := func(year int) calendar.Date {
		return calendar.Date(fmt.Sprintf("%d-%02d-%02d", year, 1+rng.IntN(12), 1+rng.IntN(28)))
	}
	seen := map[string]bool{}
	var fields []string
	for _, p := range ref.Procedures {
		if !slices.Contains(fields, p.Field) {
			fields = append(fields, p.Field)
		}
		for _, s := range p.LegalBases {
			if seen[s] {
				continue
			}
			seen[s] = true
			sym, err := registry.ParseSymbol(s)
			if err != nil {
				return nil, err
			}
			summary := "Quy định chi tiết thủ tục hành chính lĩnh vực " + strings.ToLower(p.Field)
			if s == "61/2018/NĐ-CP" {
				summary = "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"
			}
			if err := add(s, day(sym.Year), summary, ""); err != nil {
				return nil, err
			}
		}
	}
	templates := []func(field, agency string, year int) string{
		func(f, _ string, _ int) string {
			return "Công bố danh mục thủ tục hành chính lĩnh vực " + strings.ToLower(f) + " thuộc thẩm quyền giải quyết của tỉnh"
		},
		func(f, _ string, _ int) string {
			return "Phê duyệt quy trình nội bộ giải quyết thủ tục hành chính lĩnh vực " + strings.ToLower(f)
		},
		func(_, a string, _ int) string { return "Kiện toàn Bộ phận Một cửa " + a },
		func(_, a string, _ int) string {
			return "Triển khai cơ chế một cửa, một cửa liên thông tại " + a
		},
		func(_, _ string, y int) string {
			return fmt.Sprintf("Kế hoạch cải cách hành chính năm %d", y)
		},
	}
	for i := range n {
		year := 2019 + i%3
		typ := "QĐ"
		t := rng.IntN(len(templates))
		if t == 4 {
			typ = "KH"
		}
		field := fields[rng.IntN(len(fields))]
		agency := ref.Agencies[rng.IntN(len(ref.Agencies))].Name
		symbol := fmt.Sprintf("%d/%s-UBND", i/3+1, typ)
		if err := add(symbol, day(year), templates[t](field, agency, year), "Ủy ban nhân dân tỉnh"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dashboardQuery is the statistics dashboard: twelve months by agency, with
// stocks and durations, as of the end of the year.
func dashboardQuery() stats.Query {
	return stats.Query{From: "2021-01", To: "2021-12", AsOf: "2021-12-31",
		GroupBy: []stats.Dimension{stats.ByMonth, stats.ByAgency}, Stocks: true, Durations: true}
}

// benchStats answers the dashboard from the rollups and by recomputing from
// the dossiers, alternately, and checks every answer is the same.
func benchStats(ctx context.Context, b benchConfig, st *store.Store, log *slog.Logger) (string, stats.Result, error) {
	q := dashboardQuery()
	fast := func() (stats.Result, error) { return st.DossierStats(ctx, q) }
	slow := func() (stats.Result, error) {
		// What DossierStats does, with the rollup recomputed from every dossier.
		info := map[string]stats.ProcedureInfo{}
		err := st.EachProcedure(ctx, store.ProcedureFilter{}, func(p *registry.Procedure) error {
			info[p.Code] = stats.ProcedureInfo{Field: p.Field, Level: p.Level}
			return nil
		})
		if err != nil {
			return stats.Result{}, err
		}
		r, err := st.RecomputeRollup(ctx)
		if err != nil {
			return stats.Result{}, err
		}
		qq := q
		qq.ProcedureInfo = info
		return stats.Compute(qq, r), nil
	}
	var want []string
	var wantRes stats.Result
	identical := true
	check := func(res stats.Result, path string, run int) {
		got := statsFingerprint(res)
		if want == nil {
			want, wantRes = got, res
			return
		}
		if !slices.Equal(got, want) {
			identical = false
			log.Error("statistics differ", "path", path, "run", run, "first difference", firstDiff(want, got))
		}
	}
	var slowTimes, fastTimes []time.Duration
	timed := func(f func() (stats.Result, error), path string, into *[]time.Duration) error {
		began := time.Now()
		res, err := f()
		took := time.Since(began)
		if err != nil {
			return fmt.Errorf("statistics %s: %w", path, err)
		}
		*into = append(*into, took)
		check(res, path, len(*into))
		return nil
	}
	log.Info("bench: statistics dashboard, rollups against a recomputation", "recompute runs", b.slowRuns, "rollup runs", b.fastRuns)
	if _, err := fast(); err != nil { // warm-up, not counted
		return "", stats.Result{}, err
	}
	// Interleaved, so both paths see the same machine.
	for i := range b.slowRuns {
		if err := timed(slow, "recompute", &slowTimes); err != nil {
			return "", stats.Result{}, err
		}
		for range b.fastRuns/b.slowRuns + boolInt(i < b.fastRuns%b.slowRuns) {
			if err := timed(fast, "rollups", &fastTimes); err != nil {
				return "", stats.Result{}, err
			}
		}
	}
	if wantRes.Total == nil || wantRes.Total.ReceivedNew() == 0 {
		return "", stats.Result{}, errors.New("statistics: the dashboard counts nothing")
	}
	slowMed, fastMed := median(slowTimes), median(fastTimes)
	var t strings.Builder
	fmt.Fprintf(&t, "Statistics dashboard (2021-01..2021-12 by month and agency, stocks and durations, as of 2021-12-31): "+
		"%d rows plus the total, %s dossiers received in the year.\n\n", len(wantRes.Groups), thousands(wantRes.Total.ReceivedNew()))
	fmt.Fprintf(&t, "| path | runs | median | min | max |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&t, "| recomputed from every dossier (`RecomputeRollup` + `stats.Compute`) | %d | %s | %s | %s |\n",
		len(slowTimes), fmtDur(slowMed), fmtDur(slices.Min(slowTimes)), fmtDur(slices.Max(slowTimes)))
	fmt.Fprintf(&t, "| read from the rollups (`Store.DossierStats`) | %d | %s | %s | %s |\n\n",
		len(fastTimes), fmtDur(fastMed), fmtDur(slices.Min(fastTimes)), fmtDur(slices.Max(fastTimes)))
	yes := "yes"
	if !identical {
		yes = "**NO**"
	}
	fmt.Fprintf(&t, "Ratio of the medians, recompute / rollups: **%s** (aim: at least 50×). "+
		"Identical results (every row and the total, every run): %s.\n\n", fmtRatio(ratio(slowMed, fastMed)), yes)
	if !identical {
		return t.String(), wantRes, errors.New("statistics: the rollups and the recomputation differ")
	}
	return t.String(), wantRes, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// statsFingerprint renders every row and the total completely (the
// duration histograms included), in order.
func statsFingerprint(r stats.Result) []string {
	out := make([]string, 0, len(r.Groups)+1)
	if r.Total != nil {
		out = append(out, fmt.Sprintf("total %+v", *r.Total))
	}
	for _, g := range r.Groups {
		out = append(out, fmt.Sprintf("%+v", *g))
	}
	return out
}

func firstDiff(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("row %d: %s, then %s", i, want[i], got[i])
		}
	}
	return fmt.Sprintf("%d rows, then %d", len(want), len(got))
}

// benchOp is one operation made through the gateway and with the driver.
type benchOp struct {
	name, gateway, floor string
	gql                  func(i int) (string, map[string]any)
	driver               func(ctx context.Context, i int) (int, error) // returns the items read
	count                func(data json.RawMessage) (int, error)       // the items the gateway returned
}

// check makes request 0 both ways and compares what came back.
func (op benchOp) check(ctx context.Context, gw *gateway) error {
	q, v := op.gql(0)
	data, err := gw.do(ctx, q, v)
	if err != nil {
		return err
	}
	got, err := op.count(data)
	if err != nil {
		return err
	}
	want, err := op.driver(ctx, 0)
	if err != nil {
		return err
	}
	if got != want || got == 0 {
		return fmt.Errorf("the gateway returned %d items, the driver %d", got, want)
	}
	return nil
}

const (
	gqlDossier = `query Dossier($code: String!) {
  dossier(code: $code) {
    code status receivedAt dueDate outcome workingDaysTaken
    history { seq action at actor fromUnit toUnit note statusBefore statusAfter onTime }
  }
}`
	gqlPage = `query Page($agency: String!) {
  dossiers(first: 20, filter: {agencyCode: $agency, status: RESULT_RETURNED}, orderBy: RECEIVED_AT_DESC) {
    edges { cursor node { code status receivedAt outcome procedure { code name processingDays } } }
    pageInfo { hasNextPage endCursor }
  }
}`
	gqlSearch = `query Search($q: String!) {
  directives(first: 20, filter: {search: $q}) {
    edges { node { symbol { text } typeName issuerCode issuedOn summary } }
    pageInfo { hasNextPage endCursor }
  }
}`
	gqlStatsRow = `received { total new } resolved { total early onTime late } inProgress { total overdue }
    withdrawn stopped meanWorkingDays medianWorkingDays`
	gqlStats = `query Dashboard {
  dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH, AGENCY], asOf: "2021-12-31") {
    total { ` + gqlStatsRow + ` }
    groups { period { label } agencyCode ` + gqlStatsRow + ` }
  }
}`
)

// searches are the directive searches, in turn.
var searches = []string{"mot cua", "thu tuc hanh chinh dat dai", "ho tich", "61/2018/ND-CP", "ke hoach cai cach"}

// benchOps are the measured operations: the GraphQL document and the
// fewest driver reads that fetch the same data (decoded as raw BSON).
func benchOps(db *mongo.Database, data *benchData) []benchOp {
	dossiers, procedures := db.Collection("dossiers"), db.Collection("procedures")
	directives, rollups := db.Collection("directives"), db.Collection("rollups")
	code := func(i int) string { return data.codes[i%len(data.codes)] }
	agency := func(i int) string { return data.agencies[i%len(data.agencies)] }
	search := func(i int) string { return searches[i%len(searches)] }
	all := func(ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]bson.Raw, error) {
		cur, err := c.Find(ctx, filter, opts...)
		if err != nil {
			return nil, err
		}
		var out []bson.Raw
		err = cur.All(ctx, &out)
		return out, err
	}
	page := func(docs []bson.Raw) int { return min(len(docs), 20) }
	return []benchOp{{
		name:    "dossier by code, with history",
		gateway: "`dossier(code:)` with 10 fields and `history` (10 fields a step)",
		floor:   "`FindOne({_id: code})`, a bare value: the only filter form the embedded engine hands to SQLite",
		gql:     func(i int) (string, map[string]any) { return gqlDossier, map[string]any{"code": code(i)} },
		driver: func(ctx context.Context, i int) (int, error) {
			raw, err := dossiers.FindOne(ctx, bson.D{{Key: "_id", Value: code(i)}}).Raw()
			if err != nil {
				return 0, err
			}
			h, _ := raw.Lookup("history").ArrayOK()
			vals, _ := h.Values()
			return len(vals), nil
		},
		count: func(data json.RawMessage) (int, error) {
			var v struct {
				Dossier *struct{ History []json.RawMessage }
			}
			if err := json.Unmarshal(data, &v); err != nil || v.Dossier == nil {
				return 0, fmt.Errorf("no dossier in %s", data)
			}
			return len(v.Dossier.History), nil
		},
	}, {
		name:    "page of 20 dossiers with procedures",
		gateway: "`dossiers(first: 20, filter: {agencyCode, status: RESULT_RETURNED}, orderBy: RECEIVED_AT_DESC)` with each one's `procedure`",
		floor:   "`Find({agency, status}).Sort({receivedAt: -1, _id: -1}).Limit(21)`, then `Find({_id: {$in: procedure codes}})`",
		gql:     func(i int) (string, map[string]any) { return gqlPage, map[string]any{"agency": agency(i)} },
		driver: func(ctx context.Context, i int) (int, error) {
			docs, err := all(ctx, dossiers, bson.D{{Key: "agency", Value: agency(i)}, {Key: "status", Value: registry.StatusResultReturned}},
				options.Find().SetSort(bson.D{{Key: "receivedAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(21))
			if err != nil {
				return 0, err
			}
			var codes bson.A
			for _, d := range docs[:page(docs)] {
				if p, ok := d.Lookup("procedure").StringValueOK(); ok && !slices.Contains(codes, any(p)) {
					codes = append(codes, p)
				}
			}
			if len(codes) > 0 {
				if _, err := all(ctx, procedures, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}}); err != nil {
					return 0, err
				}
			}
			return page(docs), nil
		},
		count: countEdges("dossiers"),
	}, {
		name:    "directive search",
		gateway: "`directives(first: 20, filter: {search})`, words without diacritics",
		floor:   "`Find({search: {$regex: word}, ...}).Sort({issuedOn: -1, _id: -1}).Limit(21)`",
		gql:     func(i int) (string, map[string]any) { return gqlSearch, map[string]any{"q": search(i)} },
		driver: func(ctx context.Context, i int) (int, error) {
			terms, err := registry.SearchTerms(search(i))
			if err != nil {
				return 0, err
			}
			filter := bson.D{}
			for _, t := range terms { // as the store writes it
				filter = append(filter, bson.E{Key: "search", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(t)}}})
			}
			docs, err := all(ctx, directives, filter,
				options.Find().SetSort(bson.D{{Key: "issuedOn", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(21))
			return page(docs), err
		},
		count: countEdges("directives"),
	}, {
		name:    "statistics dashboard",
		gateway: "`dossierStats` 2021-01..2021-12 by `[MONTH, AGENCY]` with totals, stocks and durations",
		floor:   "`Find` of the rollup documents up to 2021-12 and of the procedures",
		gql:     func(int) (string, map[string]any) { return gqlStats, nil },
		driver: func(ctx context.Context, _ int) (int, error) {
			if _, err := all(ctx, procedures, bson.D{}); err != nil {
				return 0, err
			}
			if _, err := all(ctx, rollups, bson.D{{Key: "month", Value: bson.D{{Key: "$lte", Value: "2021-12"}}}}); err != nil {
				return 0, err
			}
			// The driver reads the cells; the rows are the server's work. What
			// is compared before measuring is the gateway's rows with those
			// computed in-process.
			return len(data.stats.Groups), nil
		},
		count: func(data json.RawMessage) (int, error) {
			var v struct {
				DossierStats struct{ Groups []json.RawMessage }
			}
			err := json.Unmarshal(data, &v)
			return len(v.DossierStats.Groups), err
		},
	}}
}

// countEdges counts the edges of the connection field.
func countEdges(field string) func(json.RawMessage) (int, error) {
	return func(data json.RawMessage) (int, error) {
		var v map[string]struct{ Edges []json.RawMessage }
		if err := json.Unmarshal(data, &v); err != nil {
			return 0, err
		}
		return len(v[field].Edges), nil
	}
}

// gateway posts GraphQL documents.
type gateway struct {
	url    string
	client *http.Client
}

type benchResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (g *gateway) do(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	var r benchResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("%s (%v)", r.Errors[0].Message, r.Errors[0].Extensions["code"])
	}
	return r.Data, nil
}

// benchResult is one side of one operation.
type benchResult struct {
	requests, errors int
	elapsed          time.Duration
	p50, p99         time.Duration
	firstErr         error
}

func (r benchResult) throughput() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// measure runs b.concurrency workers making requests 0, 1, 2... until
// b.duration has passed or b.maxRequests were started; requests in flight
// at the end finish and count.
func measure(ctx context.Context, b benchConfig, do func(ctx context.Context, i int) error) benchResult {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		res      benchResult
		wg       sync.WaitGroup
		began    = time.Now()
		deadline = began.Add(b.duration)
	)
	for range b.concurrency {
		wg.Go(func() {
			var mine []time.Duration
			var errs int
			var first error
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= b.maxRequests {
					break
				}
				rctx, cancel := context.WithTimeout(ctx, b.timeout)
				t0 := time.Now()
				err := do(rctx, i)
				took := time.Since(t0)
				cancel()
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(began)
	res.requests = len(lat)
	slices.Sort(lat)
	res.p50, res.p99 = quantile(lat, 0.50), quantile(lat, 0.99)
	return res
}

// quantile is the nearest-rank q-quantile of sorted values.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func median(d []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(d))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

// fmtRatio prints a ratio with two significant figures or so.
func fmtRatio(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	case r >= 0.1:
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2g×", r)
}

// fmtDur prints a latency with three significant figures or so.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

type benchRow struct {
	op              benchOp
	gateway, driver benchResult
	note            string // what went wrong, if anything
}

// benchReport is the markdown section of one run.
func benchReport(b benchConfig, data *benchData, statsTable string, rows []benchRow) string {
	var w strings.Builder
	fmt.Fprintf(&w, "%s\n## %s dossiers\n\n", sectionStart(b.dossiers), thousands(b.dossiers))
	fmt.Fprintf(&w, "- Command: `%s`\n", b.command)
	fmt.Fprintf(&w, "- Date: %s\n", time.Now().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&w, "- Machine: %s\n", machine())
	fmt.Fprintf(&w, "- Code: %s\n", revision())
	fmt.Fprintf(&w, "- Data: %s.\n\n", data.load)
	fmt.Fprintf(&w, "### Statistics: rollups against recomputing from the dossiers\n\n%s", statsTable)
	fmt.Fprintf(&w, "### Gateway against the driver\n\n")
	fmt.Fprintf(&w, "%d concurrent clients per operation for %s on each side (at most %d requests), "+
		"the gateway over loopback HTTP (POST /graphql; no rate limit, request deadline %s), then the driver straight to the engine. "+
		"Latencies of successful requests; ratio = gateway p50 / driver p50; "+
		"the p99 of fewer than 100 requests is their maximum.\n\n", b.concurrency, b.duration, b.maxRequests, b.timeout)
	fmt.Fprintf(&w, "| operation | side | requests | errors | req/s | p50 | p99 | p50 ratio |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		g, d := r.gateway, r.driver
		times := func(r benchResult) string {
			if r.requests == 0 {
				return "— | —"
			}
			return fmtDur(r.p50) + " | " + fmtDur(r.p99)
		}
		x := "—"
		if g.requests > 0 && d.requests > 0 {
			x = "**" + fmtRatio(ratio(g.p50, d.p50)) + "**"
		}
		fmt.Fprintf(&w, "| %s | gateway | %d | %d | %.1f | %s | %s |\n", r.op.name, g.requests, g.errors, g.throughput(), times(g), x)
		fmt.Fprintf(&w, "| | driver | %d | %d | %.1f | %s | |\n", d.requests, d.errors, d.throughput(), times(d))
	}
	for _, r := range rows {
		if r.note != "" {
			fmt.Fprintf(&w, "\n**Failed**: %s\n", r.note)
		}
	}
	fmt.Fprintf(&w, "\nWhat each side does:\n\n")
	for _, r := range rows {
		fmt.Fprintf(&w, "- %s: gateway %s; driver %s.\n", r.op.name, r.op.gateway, r.op.floor)
	}
	fmt.Fprintf(&w, "\n%s\n", sectionEnd(b.dossiers))
	return w.String()
}

func sectionStart(n int) string {
	return fmt.Sprintf("<!-- registry bench --dossiers %d: start -->", n)
}
func sectionEnd(n int) string { return fmt.Sprintf("<!-- registry bench --dossiers %d: end -->", n) }

// writeReport replaces the section for n dossiers in the markdown file, or
// appends it (creating the file with a title when missing).
func writeReport(path string, n int, section string) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		old, err = []byte("# Benchmarks\n\nWritten by `registry bench`.\n"), nil
	}
	if err != nil {
		return err
	}
	text := string(old)
	start, end := sectionStart(n), sectionEnd(n)
	i, j := strings.Index(text, start), strings.Index(text, end)
	if i >= 0 && j > i {
		text = text[:i] + strings.TrimSuffix(section, "\n") + text[j+len(end):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// machine describes where the benchmark ran: nproc, the CPU, Go, uname -m.
func machine() string {
	arch := runtime.GOARCH
	if out, err := exec.Command("uname", "-m").Output(); err == nil {
		arch = strings.TrimSpace(string(out))
	}
	cpu := ""
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = " (" + strings.TrimSpace(v) + ")"
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs%s, %s, %s/%s (uname -m: %s)", runtime.NumCPU(), cpu, runtime.Version(), runtime.GOOS, runtime.GOARCH, arch)
}

// revision names the commit the binary was built from, as go build
// records it.
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		// Built with -buildvcs=false: the repository it runs in, if any.
		out, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			return "unknown"
		}
		rev = strings.TrimSpace(string(out))
		if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
			modified = "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return "commit " + rev + " with uncommitted changes"
	}
	return "commit " + rev
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
