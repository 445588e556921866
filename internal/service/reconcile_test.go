package service_test

import (
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestReconcileOverAPeriod compares a quarterly report with the dossiers of
// its three months, and a monthly one with its month only.
func TestReconcileOverAPeriod(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := seeded(t, way)
		ctx := storetest.Context(t)
		for _, day := range []struct{ month, day int }{{4, 5}, {5, 10}, {3, 15}} {
			at := vn(time.Month(day.month), day.day, 9, 0)
			d := must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, at), source))(t)
			done := at.Add(24 * time.Hour)
			must(e.s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionResolve, At: &done, Approved: new(true)}, nil, source))(t)
		}
		reports := []any{}
		for _, r := range []registry.Report{
			{AgencyCode: agencyA, AgencyName: "Sở Tư pháp", Period: "2021-Q2", Resolved: new(2), Early: new(2)},
			{AgencyCode: agencyA, AgencyName: "Sở Tư pháp", Period: "2021-04", Resolved: new(1), Early: new(1)},
		} {
			reports = append(reports, must(registry.NewReport(r, registry.Provenance{Source: "test", Excerpt: r.Period}))(t))
		}
		if _, refused, err := e.s.Load(ctx, reports); err != nil || refused[0] != nil || refused[1] != nil {
			t.Fatalf("load reports: %v %v", refused, err)
		}
		for _, c := range []struct {
			period   string
			resolved int
		}{{"2021-Q2", 2}, {"2021-04", 1}, {"2021-Q1", 1}, {"2021", 3}} {
			rec := must(e.s.Reconcile(ctx, agencyA, c.period, "2021-06-30"))(t)
			if got := rec.Computed.Measures.Resolved(); got != c.resolved {
				t.Errorf("%s: %d resolved, want %d", c.period, got, c.resolved)
			}
			var periods []string
			for _, cmp := range rec.Comparisons {
				periods = append(periods, cmp.Report.Period)
			}
			want := map[string]string{"2021-Q2": "2021-Q2", "2021-04": "2021-04"}[c.period]
			if (want == "" && len(periods) != 0) || (want != "" && (len(periods) != 1 || periods[0] != want)) {
				t.Errorf("%s: compared with reports %v, want only the report of that period", c.period, periods)
			}
		}
		_, err := e.s.Reconcile(ctx, agencyA, "2021-Q5", "2021-06-30")
		wantError(t, err, registry.CodeBadUserInput, "period")
	})
}
