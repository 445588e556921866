package service_test

import (
	"slices"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// validityFixture registers a chain (a decree amended, then replaced), a
// decree in force from signing, one past its own term, one a listing says
// expired, and procedures resting on them and on a symbol the registry
// lacks.
func validityFixture(t *testing.T, e *env) map[string]*registry.Directive {
	t.Helper()
	ctx := storetest.Context(t)
	date := func(s string) *calendar.Date { return new(calendar.Date(s)) }
	stated := registry.ValidityExpired
	out := map[string]*registry.Directive{}
	for _, in := range []registry.CreateDirectiveInput{
		{Symbol: "43/2014/NĐ-CP", IssuedOn: "2014-05-15", EffectiveFrom: date("2014-07-01")},
		{Symbol: "01/2017/NĐ-CP", IssuedOn: "2017-01-06", EffectiveFrom: date("2017-03-03"),
			Relations: []registry.RelationInput{{Kind: registry.RelAmends, Symbol: "43/2014/NĐ-CP", Article: new("Điều 2")}}},
		{Symbol: "102/2024/NĐ-CP", IssuedOn: "2024-07-30", EffectiveFrom: date("2024-08-01"),
			Relations: []registry.RelationInput{{Kind: registry.RelReplaces, Symbol: "43/2014/NĐ-CP", Article: new("Điều 9")}}},
		{Symbol: "61/2018/NĐ-CP", IssuedOn: "2018-04-23"},
		{Symbol: "20/2020/QĐ-UBND", IssuedOn: "2020-03-01", EffectiveTo: date("2020-12-31")},
		{Symbol: "5/KH-UBND", IssuedOn: "2020-01-10", Validity: &stated},
	} {
		d := drCreate(t, e, in)
		out[d.Symbol.String()] = d
	}
	must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{Code: "000.00.40.H56", Name: "Bộ phận một cửa", Level: registry.LevelDistrict}, source))(t)
	for code, bases := range map[string][]string{
		"1.900001": {"43/2014/NĐ-CP"},
		"1.900002": {"61/2018/NĐ-CP", "43/2014/ND-CP"},
		"1.900003": {"61/2018/NĐ-CP"},
		"1.900004": {"99/2020/NĐ-CP"},
	} {
		must(e.s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: code, Name: "Thủ tục " + code, Level: registry.LevelDistrict,
			AgencyCode: "000.00.40.H56", ProcessingDays: 5, LegalBases: bases}, source))(t)
	}
	return out
}

// TestDirectivesInForceOn: the filter leaves out what a directive's own
// dates and stated status put out of force (the stores' query) and what
// another directive replaced (the service's part), in pages and facets,
// in memory and in the MongoDB store's queries alike.
func TestDirectivesInForceOn(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		validityFixture(t, e)
		ctx := storetest.Context(t)
		for day, want := range map[calendar.Date][]string{
			// The listing's EXPIRED is recorded on 31 May 2021: before, the dates decide.
			"2021-01-01": drSorted("43/2014/NĐ-CP", "01/2017/NĐ-CP", "61/2018/NĐ-CP", "05/KH-UBND"),
			"2021-06-01": drSorted("43/2014/NĐ-CP", "01/2017/NĐ-CP", "61/2018/NĐ-CP"),
			// Signed on 30 July, in effect on 1 August: the old decree is in force until then.
			"2024-07-31": drSorted("43/2014/NĐ-CP", "01/2017/NĐ-CP", "61/2018/NĐ-CP"),
			"2024-08-01": drSorted("01/2017/NĐ-CP", "102/2024/NĐ-CP", "61/2018/NĐ-CP"),
		} {
			f := registry.DirectiveFilter{InForceOn: &day}
			var got []*registry.Directive
			args := registry.PageArgs{First: new(2)}
			for {
				page := must(e.s.Directives(ctx, f, args))(t)
				got = append(got, page.Items...)
				if n := must(page.TotalCount(ctx))(t); n != len(want) {
					t.Errorf("%s: totalCount %d, want %d", day, n, len(want))
				}
				if !page.HasNext {
					break
				}
				args.After = &page.Cursors[len(page.Cursors)-1]
			}
			if s := drSymbols(got); !slices.Equal(s, want) {
				t.Errorf("in force on %s: %v, want %v", day, s, want)
			}
			counted := 0
			for _, facet := range must(e.s.DirectiveFacet(ctx, f, registry.FacetYear))(t) {
				counted += facet.Count
			}
			if counted != len(want) {
				t.Errorf("%s: the year facet counts %d, want %d", day, counted, len(want))
			}
		}
		bad := calendar.Date("2024-02-30")
		_, err := e.s.Directives(ctx, registry.DirectiveFilter{InForceOn: &bad}, registry.PageArgs{})
		wantError(t, err, registry.CodeBadUserInput, "filter.inForceOn")
	})
}

// TestProceduresOnDeadLaw: procedures with a legal basis not in force on a
// date, each with which basis and why; a basis the registry lacks is
// UNKNOWN, not dead.
func TestProceduresOnDeadLaw(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		validityFixture(t, e)
		ctx := storetest.Context(t)
		list := func(day calendar.Date) []string {
			page := must(e.s.Procedures(ctx, registry.ProcedureFilter{LegalBasisNotInForceOn: &day}, registry.PageArgs{}))(t)
			var codes []string
			for _, p := range page.Items {
				codes = append(codes, p.Code)
			}
			if n := must(page.TotalCount(ctx))(t); n != len(codes) {
				t.Errorf("%s: totalCount %d for %d procedures", day, n, len(codes))
			}
			return codes
		}
		if got := list("2024-07-31"); len(got) != 0 {
			t.Errorf("on dead law on 31 July 2024: %v, want none", got)
		}
		if got := list("2024-08-01"); !slices.Equal(got, []string{"1.900001", "1.900002"}) {
			t.Errorf("on dead law on 1 August 2024: %v, want 1.900001 and 1.900002", got)
		}
		p := must(e.s.Procedure(ctx, "1.900002"))(t)
		problems := must(e.s.LegalBasisProblems(ctx, p, "2024-08-01"))(t)
		if len(problems) != 1 || problems[0].Basis != "43/2014/NĐ-CP" || problems[0].State() != registry.StateReplaced ||
			problems[0].Validity.Since != "2024-08-01" || problems[0].Validity.By == nil || problems[0].Validity.By.Symbol != "102/2024/NĐ-CP" {
			t.Errorf("1.900002's problems: %+v, want 43/2014/NĐ-CP replaced by 102/2024/NĐ-CP since 2024-08-01", problems)
		}
		unknown := must(e.s.LegalBasisProblems(ctx, must(e.s.Procedure(ctx, "1.900004"))(t), "2024-08-01"))(t)
		if len(unknown) != 1 || unknown[0].Directive != nil || unknown[0].State() != registry.StateUnknown {
			t.Errorf("a basis not in the registry: %+v, want UNKNOWN", unknown)
		}
	})
}

// TestDirectiveEffectsBothWays: what a directive changed and what changed
// it, dated by the changing directive's effective date, in date order; and
// its state today by the service's clock.
func TestDirectiveEffectsBothWays(t *testing.T) {
	e := newEnv(t)
	ds := validityFixture(t, e)
	ctx := storetest.Context(t)
	by := must(e.s.DirectiveAffectedBy(ctx, ds["43/2014/NĐ-CP"]))(t)
	if len(by) != 2 || by[0].Kind != registry.RelAmendedBy || by[0].Date != "2017-03-03" || by[0].Article != "Điều 2" ||
		by[1].Kind != registry.RelReplacedBy || by[1].Date != "2024-08-01" || by[1].Symbol != "102/2024/NĐ-CP" || len(by[1].Directives) != 1 {
		t.Errorf("affected by: %+v", by)
	}
	effects := must(e.s.DirectiveEffects(ctx, ds["102/2024/NĐ-CP"]))(t)
	if len(effects) != 1 || effects[0].Kind != registry.RelReplaces || effects[0].Symbol != "43/2014/NĐ-CP" ||
		effects[0].Date != "2024-08-01" || len(effects[0].Directives) != 1 || effects[0].Article != "Điều 9" {
		t.Errorf("effects: %+v", effects)
	}
	v := must(e.s.DirectiveValidity(ctx, ds["43/2014/NĐ-CP"], nil))(t) // today: 31 May 2021
	if v.On != "2021-05-31" || v.State != registry.StatePartlyAmended || v.Since != "2017-03-03" || v.Until != "2024-07-31" {
		t.Errorf("today: %+v", v)
	}
	v = must(e.s.DirectiveValidity(ctx, ds["61/2018/NĐ-CP"], new(calendar.Date("2021-05-31"))))(t)
	if v.State != registry.StateInForce || !v.InForceFromIssueDate || v.InForceFrom != "2018-04-23" {
		t.Errorf("in force from signing: %+v", v)
	}
}
