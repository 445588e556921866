package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/transfer"
)

// sample is what the requests ask about, drawn with the seed.
type sample struct {
	codes    []string // dossier codes, in the order they are asked
	agencies []string // agencies with at least a page of returned dossiers
	open     [][]*openDossier
	searches []string
	from, to string        // the dashboard's twelve months
	asOf     calendar.Date // the dashboard's day for stocks
	seed     uint64
}

// openDossier is a dossier a writer records steps on. Only its writer
// touches it.
type openDossier struct {
	code  string
	last  time.Time // of its latest step
	steps int       // recorded by the bench so far
}

// prepare opens the store, fills it when empty, samples what the requests
// will ask and, when asked, compares the statistics paths; the store is
// closed on return, before the server opens it.
func prepare(ctx context.Context, cfg Config, rep *Report) (*sample, error) {
	log := cfg.Log
	st, closeStore, err := cfg.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	n, err := countDossiers(ctx, st, registry.DossierFilter{})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if rep.loaded, err = generateDossiers(ctx, cfg, st); err != nil {
			return nil, err
		}
		rep.generated = true
		if n, err = countDossiers(ctx, st, registry.DossierFilter{}); err != nil {
			return nil, err
		}
	} else if cfg.Dossiers != 0 && n != cfg.Dossiers {
		return nil, fmt.Errorf("bench: the store holds %d dossiers, not %d: give --dossiers %d, or an empty data directory", n, cfg.Dossiers, n)
	} else {
		log.Info("bench: measuring the dossiers already in the store", "dossiers", n)
	}
	rep.dossiers = n
	if rep.directives, rep.directivesAdded, err = completeDirectives(ctx, cfg, st); err != nil {
		return nil, err
	}
	if rep.generated {
		began := time.Now()
		if _, err := st.RebuildRollups(ctx); err != nil {
			return nil, err
		}
		rep.rebuilt = time.Since(began)
	}

	began := time.Now()
	log.Info("bench: sampling the requests' arguments through the store", "codes", cfg.Codes)
	s, err := draw(ctx, cfg, st, n)
	if err != nil {
		return nil, err
	}
	rep.sampled = time.Since(began)
	rep.sample = s
	if cfg.RecomputeRuns > 0 {
		if rep.statsCompare, err = compareStats(ctx, cfg, st, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func countDossiers(ctx context.Context, st *gateway.Registry, f registry.DossierFilter) (int, error) {
	page, err := st.Dossiers(ctx, f, registry.OrderByCode, registry.PageArgs{First: new(0)})
	if err != nil {
		return 0, err
	}
	return page.TotalCount(ctx)
}

// generateDossiers loads the generator's dossiers, with its agencies and
// procedures, receipts in 2021.
func generateDossiers(ctx context.Context, cfg Config, st *gateway.Registry) (time.Duration, error) {
	n := cmpOr(cfg.Dossiers, DefaultDossiers)
	cfg.Log.Info("bench: generating dossiers into the store", "dossiers", n, "seed", cfg.Seed)
	from, to := calendar.Date("2021-01-01").Time(), calendar.Date("2022-01-01").Time()
	gen := generate.Config{Seed: cfg.Seed, Dossiers: n, From: from, To: to, Now: to,
		Calendar: st.Calendar(), Source: fmt.Sprintf("bench seed=%d", cfg.Seed)}
	began := time.Now()
	b := transfer.NewBatcher(st, 1000)
	done := 0
	err := generate.Records(gen, generate.Reference(cfg.Seed), func(rec any) error {
		if _, ok := rec.(*registry.Dossier); ok {
			if done++; cfg.Progress != nil && done%1000 == 0 {
				cfg.Progress(int64(done), int64(n), b.Sum.Lines)
			}
		}
		return b.Add(ctx, rec)
	})
	if err == nil {
		err = b.Flush(ctx)
	}
	if cfg.Progress != nil {
		cfg.Progress(int64(n), int64(n), b.Sum.Lines)
	}
	if err != nil {
		return 0, err
	}
	if b.Sum.Refused > 0 {
		return 0, fmt.Errorf("bench: generate: %d records refused", b.Sum.Refused)
	}
	return time.Since(began), nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// completeDirectives adds synthetic directives until the store holds
// cfg.Directives; it returns how many it holds and how many were added.
func completeDirectives(ctx context.Context, cfg Config, st *gateway.Registry) (have, added int, err error) {
	count := func() (int, error) {
		page, err := st.Directives(ctx, registry.DirectiveFilter{}, registry.PageArgs{First: new(0)})
		if err != nil {
			return 0, err
		}
		return page.TotalCount(ctx)
	}
	if have, err = count(); err != nil || have >= cfg.Directives {
		return have, 0, err
	}
	dirs, err := syntheticDirectives(generate.Reference(cfg.Seed), cfg.Seed, cfg.Directives)
	if err != nil {
		return 0, 0, err
	}
	inserted, _, err := st.Load(ctx, dirs)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: directives: %w", err)
	}
	for _, ok := range inserted {
		if ok {
			added++
		}
	}
	have, err = count()
	return have, added, err
}

// syntheticDirectives are the directives the procedures cite, then
// provincial decisions and plans up to n in all, so that a search has
// something to scan.
func syntheticDirectives(ref generate.Data, seed uint64, n int) ([]any, error) {
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
	for i := 0; len(out) < n; i++ {
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

// searches are the directive searches, in turn: words without diacritics.
var searches = []string{"mot cua", "thu tuc hanh chinh dat dai", "ho tich", "61/2018/ND-CP", "ke hoach cai cach"}

// pageSize is the most the sampling reads in one store page.
const pageSize = registry.MaxPageSize

// openPerWriter is how many open dossiers each writer takes turns on, so
// that a run adds few steps to any one dossier.
const openPerWriter = 250

// draw samples the requests' arguments through the store's lists, which
// answer from memory on the embedded engine: dossier codes and open
// dossiers from pages at instants drawn with the seed across the receipts,
// and the agencies with enough returned dossiers for a page.
func draw(ctx context.Context, cfg Config, st *gateway.Registry, dossiers int) (*sample, error) {
	d := &drawer{ctx: ctx, st: st, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5a3e))}
	s := &sample{searches: searches, seed: cfg.Seed}
	last, err := d.edge(registry.DossierFilter{}, registry.OrderByReceivedDesc)
	if err != nil {
		return nil, err
	}
	if last == nil {
		return nil, fmt.Errorf("bench: the store holds no dossiers")
	}
	want := min(cfg.Codes, dossiers)
	ds, err := d.pages(registry.DossierFilter{}, want, 4*(want/pageSize+1), func(*registry.Dossier) bool { return true })
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		s.codes = append(s.codes, d.Code)
	}
	d.rng.Shuffle(len(s.codes), func(i, j int) { s.codes[i], s.codes[j] = s.codes[j], s.codes[i] })
	if s.open, err = d.openDossiers(cfg.Concurrency); err != nil {
		return nil, err
	}
	if s.agencies, err = d.agencies(); err != nil {
		return nil, err
	}
	// The dashboard: the twelve months ending with the latest receipt's.
	end := last.ReceivedAt.In(calendar.Vietnam)
	endMonth := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, calendar.Vietnam)
	s.to = endMonth.Format("2006-01")
	s.from = endMonth.AddDate(0, -11, 0).Format("2006-01")
	s.asOf = calendar.Date(endMonth.AddDate(0, 1, -1).Format(time.DateOnly))
	return s, nil
}

// drawer reads the store's lists with the seed's random numbers.
type drawer struct {
	ctx context.Context
	st  *gateway.Registry
	rng *rand.Rand
}

// edge is the first dossier matching f in order o, or nil.
func (d *drawer) edge(f registry.DossierFilter, o registry.DossierOrder) (*registry.Dossier, error) {
	page, err := d.st.Dossiers(d.ctx, f, o, registry.PageArgs{First: new(1)})
	if err != nil || len(page.Items) == 0 {
		return nil, err
	}
	return page.Items[0], nil
}

// pages reads pages of dossiers matching f, the first from the beginning,
// the others from instants drawn between the first and the last receipt
// matching f, until want distinct dossiers are kept or tries pages were read.
func (d *drawer) pages(f registry.DossierFilter, want, tries int, keep func(*registry.Dossier) bool) ([]*registry.Dossier, error) {
	first, err := d.edge(f, registry.OrderByReceivedAt)
	if err != nil || first == nil {
		return nil, err
	}
	last, err := d.edge(f, registry.OrderByReceivedDesc)
	if err != nil || last == nil {
		return nil, err
	}
	span := last.ReceivedAt.Sub(first.ReceivedAt)
	seen := map[string]bool{}
	var out []*registry.Dossier
	for try := 0; try < tries && len(out) < want; try++ {
		g := f
		if try > 0 { // the first page starts at the beginning, which no instant drawn after it reaches
			from := first.ReceivedAt.Add(time.Duration(d.rng.Int64N(int64(span) + 1)))
			g.ReceivedFrom = &from
		}
		page, err := d.st.Dossiers(d.ctx, g, registry.OrderByReceivedAt, registry.PageArgs{First: new(min(pageSize, want))})
		if err != nil {
			return nil, err
		}
		for _, x := range page.Items {
			if !seen[x.Code] && keep(x) && len(out) < want {
				seen[x.Code] = true
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// openDossiers draws the open dossiers each of the writers takes turns on.
func (d *drawer) openDossiers(writers int) ([][]*openDossier, error) {
	var open []*registry.Dossier
	for _, status := range []registry.Status{registry.StatusInProcess, registry.StatusReceived} {
		want := writers*openPerWriter - len(open)
		ds, err := d.pages(registry.DossierFilter{Status: &status}, want, 4*(want/pageSize+1), func(x *registry.Dossier) bool {
			// TRANSFER is allowed, and a step a day after the last one is not in the future.
			return slices.Contains(registry.AllowedActions(x.Status), registry.ActionTransfer) &&
				x.History[len(x.History)-1].At.Before(time.Now().Add(-24*time.Hour))
		})
		if err != nil {
			return nil, err
		}
		open = append(open, ds...)
	}
	if len(open) < writers {
		return nil, fmt.Errorf("bench: %d open dossiers (RECEIVED or IN_PROCESS) found for %d writers", len(open), writers)
	}
	for _, x := range open {
		// The writers change these dossiers: only generated data may be.
		if !generated(x) {
			return nil, fmt.Errorf("bench: dossier %s was not generated (provenance %q): the bench records steps "+
				"and measures only stores made by registry generate or registry bench", x.Code, x.Provenance.Source)
		}
	}
	d.rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
	out := make([][]*openDossier, writers)
	for i, x := range open {
		out[i%writers] = append(out[i%writers], &openDossier{code: x.Code, last: x.History[len(x.History)-1].At})
	}
	return out, nil
}

// agencies draws the agencies with a full page of returned dossiers.
func (d *drawer) agencies() ([]string, error) {
	agencies := []string{}
	returned := registry.StatusResultReturned
	err := d.st.EachAgency(d.ctx, registry.AgencyFilter{}, func(a *registry.Agency) error {
		n, err := countDossiers(d.ctx, d.st, registry.DossierFilter{AgencyCode: &a.Code, Status: &returned})
		if n >= registry.DefaultPageSize {
			agencies = append(agencies, a.Code)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(agencies) == 0 {
		return nil, fmt.Errorf("bench: no agency has %d returned dossiers for the page", registry.DefaultPageSize)
	}
	d.rng.Shuffle(len(agencies), func(i, j int) { agencies[i], agencies[j] = agencies[j], agencies[i] })
	return agencies, nil
}

// generated reports whether registry generate or registry bench made d.
func generated(d *registry.Dossier) bool {
	src := d.Provenance.Source
	return strings.HasPrefix(src, "generate seed=") || strings.HasPrefix(src, "bench seed=")
}
