package demo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
	"github.com/vnregistry/registry/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestSampleReconciles: the published March and January 2021 reports set
// beside the sample's generated dossiers: March agrees figure by figure;
// January's report contradicts itself and the dossiers follow its parts.
func TestSampleReconciles(t *testing.T) {
	st := storetest.Open(t)
	if _, err := demo.Seed(storetest.Context(t), st, calendar.Default()); err != nil {
		t.Fatal(err)
	}
	figures := func(period string) (stats.Comparison, *stats.Reconciliation) {
		t.Helper()
		rec, err := st.Reconcile(storetest.Context(t), generate.CentreCode, period, "2021-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Comparisons) != 1 {
			t.Fatalf("%s: %d published reports, want 1", period, len(rec.Comparisons))
		}
		return rec.Comparisons[0], rec
	}

	march, rec := figures("2021-03")
	if m := rec.Computed.Measures; m.Resolved() != 5570 || m.Early != 4671 || m.OnTime != 899 || m.Late != 0 {
		t.Errorf("March 2021 computed %d = %d + %d + %d, want 5570 = 4671 + 899 + 0", m.Resolved(), m.Early, m.OnTime, m.Late)
	}
	for _, f := range march.Figures {
		if f.Reported != nil && (f.Agrees == nil || !*f.Agrees) {
			t.Errorf("March 2021 %s: reported %v, computed %v: want agreement", f.Measure, *f.Reported, deref(f.Computed))
		}
	}
	if len(march.Notes) != 0 {
		t.Errorf("March 2021 notes %q, want none", march.Notes)
	}

	january, rec := figures("2021-01")
	if m := rec.Computed.Measures; m.Resolved() != 6192 || m.Early != 5184 || m.OnTime != 1008 {
		t.Errorf("January 2021 computed %d = %d + %d, want the parts 6192 = 5184 + 1008", m.Resolved(), m.Early, m.OnTime)
	}
	if len(january.Notes) != 1 || !strings.Contains(january.Notes[0], "following the parts") || !strings.Contains(january.Notes[0], "by 28") {
		t.Errorf("January 2021 notes %q, want one saying the dossiers follow the parts, which exceed the total by 28", january.Notes)
	}
	if drift, err := st.VerifyRollups(storetest.Context(t)); err != nil || len(drift) != 0 {
		t.Errorf("rollups after seeding: %v, %v; want no drift", drift, err)
	}
	checkValidityChains(t, st)
}

// checkValidityChains: the sample's chains say what the README's validity
// example says: the land decree amended, then replaced from 1 August 2024;
// the sample's five land procedures resting on it from that day; an
// amendment without an effective date in force from its issue date.
func checkValidityChains(t *testing.T, st *gateway.Registry) {
	ctx := storetest.Context(t)
	one := func(symbol string) *registry.Directive {
		ds, err := st.DirectivesBySymbol(ctx, symbol, nil, "")
		if err != nil || len(ds) != 1 {
			t.Fatalf("%s: %v, %v", symbol, ds, err)
		}
		return ds[0]
	}
	land := one("43/2014/NĐ-CP")
	for day, want := range map[calendar.Date]string{
		"2024-07-31": "PARTLY_AMENDED since 2017-03-03 until 2024-07-31 by 01/2017/NĐ-CP",
		"2024-08-01": "REPLACED since 2024-08-01 until  by 102/2024/NĐ-CP",
	} {
		v, err := st.DirectiveValidity(ctx, land, &day)
		if err != nil || v.By == nil {
			t.Fatalf("43/2014/NĐ-CP on %s: %+v, %v", day, v, err)
		}
		if got := fmt.Sprintf("%s since %s until %s by %s", v.State, v.Since, v.Until, v.By.Symbol); got != want || v.Source != registry.SourceDerived {
			t.Errorf("43/2014/NĐ-CP on %s: %s (%s), want %s (DERIVED)", day, got, v.Source, want)
		}
	}
	on := calendar.Date("2024-08-01")
	page, err := st.Directives(ctx, registry.DirectiveFilter{Search: new("dat dai"), InForceOn: &on}, registry.PageArgs{})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("in force on 1 August 2024, about land: %v, want 01/2017/NĐ-CP and 102/2024/NĐ-CP", err)
	}
	procs, err := st.Procedures(ctx, registry.ProcedureFilter{LegalBasisNotInForceOn: &on}, registry.PageArgs{})
	if err != nil || len(procs.Items) != 5 {
		t.Errorf("procedures on dead law on 1 August 2024: %v, want the 5 land procedures", err)
	}
	if v, err := st.DirectiveValidity(ctx, one("107/2021/NĐ-CP"), &on); err != nil || v.State != registry.StateInForce || !v.InForceFromIssueDate {
		t.Errorf("107/2021/NĐ-CP: %+v, %v; want in force from its issue date, said so", v, err)
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
