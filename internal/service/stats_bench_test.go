package service_test

// The statistics dashboard answered from the rollups and by recomputing from
// every dossier, on generated data: the Go-benchmark form of the comparison
// `registry bench` reports (see BENCHMARKS.md). Benchmarks run only with
// -bench; REGISTRY_BENCH_DOSSIERS sets the size (default 500), e.g.
//
//	REGISTRY_BENCH_DOSSIERS=100000 go test ./internal/service -run '^$' -bench Dashboard -benchtime 5x -timeout 30m

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

func BenchmarkDashboard(b *testing.B) {
	n := 500
	if v := os.Getenv("REGISTRY_BENCH_DOSSIERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("REGISTRY_BENCH_DOSSIERS=%q: want a positive number", v)
		}
	}
	ctx := context.Background()
	s := storetest.Open(b)
	from, to := calendar.Date("2021-01-01").Time(), calendar.Date("2022-01-01").Time()
	cfg := generate.Config{Seed: 1, Dossiers: n, From: from, To: to, Now: to, Calendar: s.Calendar()}
	load := transfer.NewBatcher(s, 1000)
	if err := generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error { return load.Add(ctx, rec) }); err != nil {
		b.Fatal(err)
	}
	if err := load.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.RebuildRollups(ctx); err != nil {
		b.Fatal(err)
	}

	q := stats.Query{From: "2021-01", To: "2021-12", AsOf: "2021-12-31",
		GroupBy: []stats.Dimension{stats.ByMonth, stats.ByAgency}, Stocks: true, Durations: true}
	rollups := func(b *testing.B) stats.Result {
		res, err := s.DossierStats(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	recompute := func(b *testing.B) stats.Result {
		// What DossierStats does, with the rollup recomputed from every dossier.
		info := map[string]stats.ProcedureInfo{}
		err := s.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error {
			info[p.Code] = stats.ProcedureInfo{Field: p.Field, Level: p.Level}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		r, err := s.RecomputeRollup(ctx)
		if err != nil {
			b.Fatal(err)
		}
		qq := q
		qq.ProcedureInfo = info
		return stats.Compute(qq, r)
	}
	fast, slow := stRender(rollups(b)), stRender(recompute(b))
	if !slices.Equal(fast, slow) || len(fast) < 2 {
		b.Fatalf("the rollups and the recomputation differ (or count nothing):\nrollups   %q\nrecompute %q", fast, slow)
	}
	b.Run("rollups", func(b *testing.B) {
		for b.Loop() {
			rollups(b)
		}
	})
	b.Run("recompute", func(b *testing.B) {
		for b.Loop() {
			recompute(b)
		}
	})
}

// stRender writes out every row and the total completely, histograms included.
func stRender(r stats.Result) []string {
	var out []string
	if r.Total != nil {
		out = append(out, fmt.Sprintf("total %+v", *r.Total))
	}
	for _, g := range r.Groups {
		out = append(out, fmt.Sprintf("%+v", *g))
	}
	return out
}
