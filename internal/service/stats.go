package service

import (
	"context"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// DossierStats answers a statistics query from the rollups.
func (s *Service) DossierStats(ctx context.Context, q stats.Query) (stats.Result, error) {
	// Memory answers without looking at ctx: a request already out of time
	// is refused as the engine would.
	if err := ctx.Err(); err != nil {
		return stats.Result{}, &registry.Error{Code: registry.CodeUnavailable, Message: "the request ran out of time", Cause: err}
	}
	if err := q.Validate(calendar.DateOf(s.now())); err != nil {
		return stats.Result{}, err
	}
	info, err := s.procedureInfo(ctx)
	if err != nil {
		return stats.Result{}, err
	}
	q.ProcedureInfo = info
	from := q.From
	if q.Stocks {
		from = "" // stocks add up every flow since the beginning
	}
	r, err := s.store.Rollup(ctx, from, q.To, q.Agencies, q.ByProcedure())
	if err != nil {
		return stats.Result{}, err
	}
	res, err := stats.ComputeContext(ctx, q, r)
	if err != nil {
		return stats.Result{}, err
	}
	if !seesPersonalData(ctx) {
		// A total as small as a withheld group would tell the same thing.
		if n := res.Total.Size(); n > 0 && n < s.minCell {
			return stats.Result{}, registry.Errorf(registry.CodeForbidden,
				"statistics about fewer than %d dossiers are not published to anonymous readers; widen the filter", s.minCell)
		}
		res.Suppress(s.minCell)
	}
	return res, nil
}

// procedureInfo maps every procedure to its field and level.
func (s *Service) procedureInfo(ctx context.Context) (map[string]stats.ProcedureInfo, error) {
	out := map[string]stats.ProcedureInfo{}
	err := s.store.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error {
		out[p.Code] = stats.ProcedureInfo{Field: p.Field, Level: p.Level}
		return nil
	})
	return out, err
}

// StatDimensionSizes counts the values the statistics dimensions taken from
// the records have: agencies, procedures, and procedure fields (none being
// one). The cost limit (internal/limits) bounds a grouping's rows with them.
func (s *Service) StatDimensionSizes(ctx context.Context) (map[string]int, error) {
	agencies := 0
	if err := s.store.EachAgency(ctx, registry.AgencyFilter{}, func(*registry.Agency) error { agencies++; return nil }); err != nil {
		return nil, err
	}
	procedures, fields := 0, map[string]bool{"": true}
	err := s.store.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error {
		procedures++
		fields[p.Field] = true
		return nil
	})
	return map[string]int{string(stats.ByAgency): agencies, string(stats.ByProcedure): procedures, string(stats.ByField): len(fields)}, err
}

// Reconcile compares the reports published for agency and period (a
// Period's code: a month, a quarter, a year...) with the statistics of the
// dossiers over the same months.
func (s *Service) Reconcile(ctx context.Context, agency, period string, asOf calendar.Date) (*stats.Reconciliation, error) {
	span, err := registry.ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	res, err := s.DossierStats(ctx, stats.Query{From: span.From, To: span.To, AsOf: asOf, Agencies: []string{agency}, Durations: true})
	if err != nil {
		return nil, registry.AsField("period", err)
	}
	a, err := s.store.Agency(ctx, agency)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, registry.Invalid("agency", "no agency with code %q", agency)
	}
	rec := &stats.Reconciliation{AgencyCode: agency, Period: period, Computed: res.Total}
	// A report names its agency as written; one imported before the agency
	// was registered has no code, so the name decides.
	name := fold.String(a.Name)
	err = s.store.EachReport(ctx, registry.ReportFilter{Period: &period}, func(r *registry.Report) error {
		if r.AgencyCode == agency || (r.AgencyCode == "" && fold.String(r.AgencyName) == name) {
			rec.Comparisons = append(rec.Comparisons, stats.Reconcile(r, &res.Total.Measures))
		}
		return nil
	})
	return rec, err
}

// Rollup reads the cells of months from..to (inclusive; from "" means from
// the beginning), for the given agencies (all when empty). Read only: the
// cells may be shared with the store.
func (s *Service) Rollup(ctx context.Context, from, to string, agencies []string) (stats.Rollup, error) {
	return s.store.Rollup(ctx, from, to, agencies, true)
}

// RecomputeRollup sums the contributions of every dossier: the truth the
// rollups must equal.
func (s *Service) RecomputeRollup(ctx context.Context) (stats.Rollup, error) {
	return s.store.RecomputeRollup(ctx)
}

// VerifyRollups recomputes the rollups from the dossiers and lists every
// stored counter that differs.
func (s *Service) VerifyRollups(ctx context.Context) ([]stats.Drift, error) {
	return s.store.VerifyRollups(ctx)
}
