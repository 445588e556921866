package registry_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// chainDirective builds a directive by hand: its symbol, issue and
// effective dates, and the relations it states.
type chainDirective struct {
	symbol, issued, from, to string
	validity                 registry.Validity
	recorded                 string // the day its stated validity was recorded
	relations                []registry.RelationInput
}

func (c chainDirective) build(t *testing.T) *registry.Directive {
	t.Helper()
	in := registry.CreateDirectiveInput{Symbol: c.symbol, IssuedOn: calendar.Date(c.issued), Relations: c.relations}
	if c.from != "" {
		in.EffectiveFrom = new(calendar.Date(c.from))
	}
	if c.to != "" {
		in.EffectiveTo = new(calendar.Date(c.to))
	}
	if c.validity != "" {
		in.Validity = &c.validity
	}
	prov := registry.Provenance{Source: "test"}
	if c.recorded != "" {
		prov.Recorded = calendar.Date(c.recorded).Time().Add(15 * time.Hour)
	}
	d, err := registry.NewDirective(in, prov)
	if err != nil {
		t.Fatalf("%s: %v", c.symbol, err)
	}
	return d
}

func rel(kind registry.RelationKind, symbol, article, part string) registry.RelationInput {
	r := registry.RelationInput{Kind: kind, Symbol: symbol}
	if article != "" {
		r.Article = &article
	}
	if part != "" {
		r.Part = &part
	}
	return r
}

// want is a state on a date: the state, since and until, what caused it
// (symbol and article, "" for none) and the source.
type want struct {
	on, state, since, until, by, article string
	source                               registry.ValiditySource
}

func checkChain(t *testing.T, target chainDirective, others []chainDirective, wants []want) {
	t.Helper()
	d := target.build(t)
	var sources []*registry.Directive
	for _, o := range others {
		sources = append(sources, o.build(t))
	}
	effects := registry.EffectsOn(d, sources)
	for _, w := range wants {
		v := registry.ValidityOn(d, effects, calendar.Date(w.on))
		by, article := "", ""
		if v.By != nil {
			by, article = v.By.Symbol, v.By.Article
		}
		source := w.source
		if source == "" {
			source = registry.SourceDerived
		}
		got := want{on: w.on, state: string(v.State), since: string(v.Since), until: string(v.Until), by: by, article: article, source: v.Source}
		if got != (want{w.on, w.state, w.since, w.until, w.by, w.article, source}) {
			t.Errorf("%s on %s:\n got  %+v\n want %+v", target.symbol, w.on, got, w)
		}
		if v.State.Label() == "" {
			t.Errorf("%s has no label", v.State)
		}
	}
}

// TestValidityAmendedThenReplaced: a decree in force from its effective
// date, amended in part, then replaced; the amendment and the replacement
// count from their own effective dates, not from the day they were signed.
func TestValidityAmendedThenReplaced(t *testing.T) {
	decree := chainDirective{symbol: "43/2014/NĐ-CP", issued: "2014-05-15", from: "2014-07-01"}
	amending := chainDirective{symbol: "01/2017/NĐ-CP", issued: "2017-01-06", from: "2017-03-03",
		relations: []registry.RelationInput{rel(registry.RelAmends, "43/2014/NĐ-CP", "Điều 2", "")}}
	replacing := chainDirective{symbol: "102/2024/NĐ-CP", issued: "2024-07-30", from: "2024-08-01",
		relations: []registry.RelationInput{rel(registry.RelReplaces, "43/2014/NĐ-CP", "Điều 111", "")}}
	checkChain(t, decree, []chainDirective{amending, replacing}, []want{
		{on: "2014-06-30", state: "NOT_YET_IN_FORCE", until: "2014-06-30"},
		{on: "2014-07-01", state: "IN_FORCE", since: "2014-07-01", until: "2024-07-31"},
		// Signed, not yet in force: the decree is not amended yet.
		{on: "2017-03-02", state: "IN_FORCE", since: "2014-07-01", until: "2024-07-31"},
		{on: "2017-03-03", state: "PARTLY_AMENDED", since: "2017-03-03", until: "2024-07-31", by: "01/2017/NĐ-CP", article: "Điều 2"},
		// The replacement is signed on 30 July and takes effect on 1 August.
		{on: "2024-07-30", state: "PARTLY_AMENDED", since: "2017-03-03", until: "2024-07-31", by: "01/2017/NĐ-CP", article: "Điều 2"},
		{on: "2024-08-01", state: "REPLACED", since: "2024-08-01", by: "102/2024/NĐ-CP", article: "Điều 111"},
		{on: "2030-01-01", state: "REPLACED", since: "2024-08-01", by: "102/2024/NĐ-CP", article: "Điều 111"},
	})
}

// TestValidityOwnDates: effective later than issued; effective on signing
// (no effective date: the issue date stands in, and the result says so);
// an own term that ends; no date at all.
func TestValidityOwnDates(t *testing.T) {
	later := chainDirective{symbol: "15/2021/TT-BTC", issued: "2021-01-05", from: "2021-03-01"}
	checkChain(t, later, nil, []want{
		{on: "2021-01-05", state: "NOT_YET_IN_FORCE", until: "2021-02-28"},
		{on: "2021-03-01", state: "IN_FORCE", since: "2021-03-01"},
	})
	signing := chainDirective{symbol: "516/TTg-KSTT", issued: "2021-04-22"}
	checkChain(t, signing, nil, []want{
		{on: "2021-04-21", state: "NOT_YET_IN_FORCE", until: "2021-04-21"},
		{on: "2021-04-22", state: "IN_FORCE", since: "2021-04-22"},
	})
	if v := registry.OwnValidity(signing.build(t), "2021-05-01"); !v.InForceFromIssueDate || v.InForceFrom != "2021-04-22" {
		t.Errorf("in force from signing: %+v, want the issue date, said so", v)
	}
	if v := registry.OwnValidity(later.build(t), "2021-05-01"); v.InForceFromIssueDate || v.InForceFrom != "2021-03-01" {
		t.Errorf("in force from its effective date: %+v", v)
	}
	term := chainDirective{symbol: "20/2020/QĐ-UBND", issued: "2020-03-01", from: "2020-03-15", to: "2020-12-31"}
	checkChain(t, term, nil, []want{
		{on: "2020-12-31", state: "IN_FORCE", since: "2020-03-15", until: "2020-12-31"},
		{on: "2021-01-01", state: "EXPIRED", since: "2021-01-01"},
	})
	undated := chainDirective{symbol: "07/KH-UBND"}
	checkChain(t, undated, []chainDirective{{symbol: "09/KH-UBND", issued: "2022-02-01",
		relations: []registry.RelationInput{rel(registry.RelReplaces, "07/KH-UBND", "", "")}}}, []want{
		{on: "2022-01-31", state: "UNKNOWN", until: "2022-01-31"},
		{on: "2022-02-01", state: "REPLACED", since: "2022-02-01", by: "09/KH-UBND"},
	})
}

// TestValidityRepealedInPartThenWhole: a part repealed leaves the rest in
// force; the whole repealed ends it. An ending on the day after the own
// term ended names its cause.
func TestValidityRepealedInPartThenWhole(t *testing.T) {
	target := chainDirective{symbol: "12/2018/QĐ-UBND", issued: "2018-05-02", from: "2018-05-15", to: "2022-12-31"}
	partly := chainDirective{symbol: "03/2020/QĐ-UBND", issued: "2020-01-10", from: "2020-02-01",
		relations: []registry.RelationInput{rel(registry.RelRepeals, "12/2018/QĐ-UBND", "Điều 3", "khoản 2 Điều 5")}}
	whole := chainDirective{symbol: "08/2022/QĐ-UBND", issued: "2022-04-01", from: "2022-04-15",
		relations: []registry.RelationInput{rel(registry.RelRepeals, "12/2018/QĐ-UBND", "Điều 4", "")}}
	checkChain(t, target, []chainDirective{partly, whole}, []want{
		{on: "2020-02-01", state: "PARTLY_EXPIRED", since: "2020-02-01", until: "2022-04-14", by: "03/2020/QĐ-UBND", article: "Điều 3"},
		{on: "2022-04-15", state: "REPEALED", since: "2022-04-15", by: "08/2022/QĐ-UBND", article: "Điều 4"},
		{on: "2023-06-01", state: "REPEALED", since: "2022-04-15", by: "08/2022/QĐ-UBND", article: "Điều 4"},
	})
	expired := chainDirective{symbol: "05/2019/QĐ-UBND", issued: "2019-01-02", to: "2019-12-31"}
	successor := chainDirective{symbol: "31/2019/QĐ-UBND", issued: "2019-12-20", from: "2020-01-01",
		relations: []registry.RelationInput{rel(registry.RelReplaces, "05/2019/QĐ-UBND", "", "")}}
	checkChain(t, expired, []chainDirective{successor}, []want{
		{on: "2020-01-01", state: "REPLACED", since: "2020-01-01", by: "31/2019/QĐ-UBND"},
	})
}

// TestValiditySuspended: a suspension holds while the suspending directive
// is in force, and lifts after its term.
func TestValiditySuspended(t *testing.T) {
	target := chainDirective{symbol: "30/2021/TT-BYT", issued: "2021-06-01", from: "2021-07-15"}
	suspending := chainDirective{symbol: "42/2021/TT-BYT", issued: "2021-12-20", from: "2022-01-01", to: "2022-06-30",
		relations: []registry.RelationInput{rel(registry.RelSuspends, "30/2021/TT-BYT", "Điều 1", "")}}
	checkChain(t, target, []chainDirective{suspending}, []want{
		{on: "2021-12-31", state: "IN_FORCE", since: "2021-07-15", until: "2021-12-31"},
		{on: "2022-03-01", state: "SUSPENDED", since: "2022-01-01", until: "2022-06-30", by: "42/2021/TT-BYT", article: "Điều 1"},
		{on: "2022-07-01", state: "IN_FORCE", since: "2021-07-15"},
	})
}

// TestValidityListingOverrides: a stated status decides from the day it
// was recorded, bounded by the directive's own dates, and gives way only to
// effects that took effect after it was recorded.
func TestValidityListingOverrides(t *testing.T) {
	expired := chainDirective{symbol: "45/2019/QĐ-UBND", issued: "2019-08-01", validity: registry.ValidityExpired, recorded: "2023-05-01"}
	checkChain(t, expired, nil, []want{
		{on: "2022-01-01", state: "IN_FORCE", since: "2019-08-01"},
		{on: "2023-05-01", state: "EXPIRED", source: registry.SourceListing},
	})
	inForce := chainDirective{symbol: "46/2019/QĐ-UBND", issued: "2019-08-01", validity: registry.ValidityInForce, recorded: "2025-01-01"}
	before := chainDirective{symbol: "12/2024/QĐ-UBND", issued: "2024-07-01", from: "2024-08-01",
		relations: []registry.RelationInput{rel(registry.RelReplaces, "46/2019/QĐ-UBND", "", "")}}
	checkChain(t, inForce, []chainDirective{before}, []want{
		// The listing, recorded after the replacement took effect, still says in force.
		{on: "2025-02-01", state: "IN_FORCE", since: "2019-08-01", source: registry.SourceListing},
	})
	after := before
	after.from = "2025-06-01"
	after.issued = "2025-05-20"
	after.symbol = "12/2025/QĐ-UBND"
	checkChain(t, inForce, []chainDirective{after}, []want{
		{on: "2025-05-31", state: "IN_FORCE", since: "2019-08-01", until: "2025-05-31", source: registry.SourceListing},
		{on: "2025-06-01", state: "REPLACED", since: "2025-06-01", by: "12/2025/QĐ-UBND"},
	})
	// A gazette crawled before the effective date said "chưa có hiệu lực".
	notYet := chainDirective{symbol: "21/NQ-HĐND", issued: "2026-06-10", from: "2026-07-01", validity: registry.ValidityNotYetInForce, recorded: "2026-06-12"}
	checkChain(t, notYet, nil, []want{
		{on: "2026-06-20", state: "NOT_YET_IN_FORCE", until: "2026-06-30"},
		{on: "2026-07-01", state: "IN_FORCE", since: "2026-07-01"},
	})
}

// TestEffectsOnKeepLaterDirectivesOut: a symbol without a year names one
// directive a year; an edge cannot bear on a directive issued after the
// one stating it, and an effect without a date changes nothing.
func TestEffectsOnKeepLaterDirectivesOut(t *testing.T) {
	later := chainDirective{symbol: "63/KH-UBND", issued: "2023-04-09"}.build(t)
	earlier := chainDirective{symbol: "63/KH-UBND", issued: "2021-04-09"}.build(t)
	by := chainDirective{symbol: "70/KH-UBND", issued: "2022-01-03",
		relations: []registry.RelationInput{rel(registry.RelReplaces, "63/KH-UBND", "", "")}}.build(t)
	if got := registry.EffectsOn(later, []*registry.Directive{by}); len(got) != 0 {
		t.Errorf("effects on the later plan: %+v, want none", got)
	}
	if got := registry.EffectsOn(earlier, []*registry.Directive{by}); len(got) != 1 || got[0].On != "2022-01-03" || !got[0].OnIssue {
		t.Errorf("effects on the earlier plan: %+v, want the replacement, dated by its issue", got)
	}
	undated := chainDirective{symbol: "71/KH-UBND", relations: []registry.RelationInput{rel(registry.RelRepeals, "63/KH-UBND", "", "")}}.build(t)
	if v := registry.ValidityOn(earlier, registry.EffectsOn(earlier, []*registry.Directive{undated}), "2030-01-01"); v.State != registry.StateInForce {
		t.Errorf("an undated repeal: %+v, want in force", v)
	}
}

// TestInForceFilterIsOwnValidity: the list filter's predicate selects what
// OwnValidity says is in force.
func TestInForceFilterIsOwnValidity(t *testing.T) {
	days := []calendar.Date{"2019-01-01", "2020-06-15", "2023-05-01", "2026-07-01"}
	ds := []chainDirective{
		{symbol: "1/2020/QĐ-UBND", issued: "2020-01-01"},
		{symbol: "2/2020/QĐ-UBND", issued: "2020-01-01", from: "2020-07-01", to: "2022-12-31"},
		{symbol: "3/KH-UBND"},
		{symbol: "4/KH-UBND", validity: registry.ValidityInForce, recorded: "2020-01-01"},
		{symbol: "5/KH-UBND", issued: "2019-06-01", validity: registry.ValiditySuspended, recorded: "2023-05-01"},
	}
	for _, day := range days {
		match, err := registry.DirectiveFilter{InForceOn: &day}.Matcher()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ds {
			d := c.build(t)
			if got, want := match(d), registry.OwnValidity(d, day).State.InForce(); got != want {
				t.Errorf("%s on %s: filter %v, OwnValidity %v", c.symbol, day, got, want)
			}
		}
	}
	bad := calendar.Date("2021-02-30")
	if _, err := (registry.DirectiveFilter{InForceOn: &bad}).Matcher(); err == nil || !strings.Contains(err.Error(), "filter.inForceOn") {
		t.Errorf("a malformed date: %v, want BAD_USER_INPUT on filter.inForceOn", err)
	}
}
