package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// statsComparison is the dashboard read from the rollups against the same
// recomputed from every dossier.
type statsComparison struct {
	query           stats.Query
	rows, received  int
	recompute, read []time.Duration
	identical       bool
}

// dashboard is the statistics dashboard the server is asked for too:
// twelve months by month and agency, with stocks and durations.
func (s *sample) dashboard() stats.Query {
	return stats.Query{From: s.from, To: s.to, AsOf: s.asOf,
		GroupBy: []stats.Dimension{stats.ByMonth, stats.ByAgency}, Stocks: true, Durations: true}
}

// compareStats answers the dashboard from the rollups and by recomputing
// from the dossiers, interleaved so both see the same machine, and checks
// every answer is the same.
func compareStats(ctx context.Context, cfg Config, st *gateway.Registry, s *sample) (*statsComparison, error) {
	q := s.dashboard()
	c := &statsComparison{query: q, identical: true}
	cfg.Log.Info("bench: statistics from the rollups against a recomputation", "recompute runs", cfg.RecomputeRuns, "rollup runs", cfg.RollupRuns)
	fast := func() (stats.Result, error) { return st.DossierStats(ctx, q) }
	slow := func() (stats.Result, error) {
		// What DossierStats does, with the rollup recomputed from every dossier.
		info := map[string]stats.ProcedureInfo{}
		err := st.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error {
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
	timed := func(f func() (stats.Result, error), path string, into *[]time.Duration) error {
		began := time.Now()
		res, err := f()
		if err != nil {
			return fmt.Errorf("bench: statistics %s: %w", path, err)
		}
		*into = append(*into, time.Since(began))
		got := fingerprint(res)
		if want == nil {
			want, wantRes = got, res
		} else if !slices.Equal(got, want) {
			c.identical = false
			cfg.Log.Error("bench: statistics differ", "path", path, "run", len(*into), "first difference", firstDiff(want, got))
		}
		return nil
	}
	if _, err := fast(); err != nil { // warm-up, not counted
		return nil, err
	}
	for i := range cfg.RecomputeRuns {
		if err := timed(slow, "recomputed", &c.recompute); err != nil {
			return nil, err
		}
		extra := 0
		if i < cfg.RollupRuns%cfg.RecomputeRuns {
			extra = 1
		}
		for range cfg.RollupRuns/cfg.RecomputeRuns + extra {
			if err := timed(fast, "from the rollups", &c.read); err != nil {
				return nil, err
			}
		}
	}
	if wantRes.Total == nil || wantRes.Total.ReceivedNew() == 0 {
		return nil, errors.New("bench: the statistics dashboard counts nothing")
	}
	c.rows, c.received = len(wantRes.Groups), wantRes.Total.ReceivedNew()
	if !c.identical {
		return c, errors.New("bench: the rollups and the recomputation differ")
	}
	return c, nil
}

// fingerprint renders every row and the total completely (the duration
// histograms included), in order.
func fingerprint(r stats.Result) []string {
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
