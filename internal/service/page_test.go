package service_test

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// planned is a dossier of the list fixture: how it arrives and what happens to it.
type planned struct {
	agency, proc string
	channel      registry.Channel
	at           time.Time
	online       bool // registered online rather than received
	due          *calendar.Date
	steps        []registry.DossierStepInput
}

func at(month time.Month, day, hour int) *time.Time { return new(vn(month, day, hour, 0)) }

// listFixture stores dossiers with ties on every sort field (received at the
// same instant, due on the same date, no due date at all) and returns them as
// the store returned them after their last step.
func listFixture(t *testing.T, e *env) []*registry.Dossier {
	t.Helper()
	resolve := func(when *time.Time) registry.DossierStepInput {
		return registry.DossierStepInput{Action: registry.ActionResolve, Approved: new(true), At: when}
	}
	plans := []planned{
		// Received Tuesday 20 April with procA (3 days): due Monday 26 (21 is a holiday).
		{agency: agencyA, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 20, 9, 0)},
		{agency: agencyA, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 20, 9, 0), steps: []registry.DossierStepInput{
			{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch"), At: at(4, 20, 10)}}},
		{agency: agencyA, proc: procA, channel: registry.ChannelOnline, at: vn(4, 20, 9, 0), steps: []registry.DossierStepInput{
			resolve(at(4, 23, 10))}}, // early
		{agency: agencyB, proc: procB, channel: registry.ChannelInPerson, at: vn(4, 20, 9, 0), steps: []registry.DossierStepInput{
			{Action: registry.ActionStop, At: at(4, 22, 9)}}},
		// Received on the holiday: counted from Thursday 22, due Tuesday 27.
		{agency: agencyA, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 21, 9, 0), steps: []registry.DossierStepInput{
			resolve(at(4, 28, 10))}}, // late
		{agency: agencyA, proc: procA, channel: registry.ChannelPostal, at: vn(4, 22, 14, 0), steps: []registry.DossierStepInput{
			resolve(at(4, 27, 10))}}, // on time
		{agency: agencyA, proc: procB, channel: registry.ChannelInPerson, at: vn(4, 22, 14, 0)},
		{agency: agencyA, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 23, 8, 0), due: new(calendar.Date("2021-04-26"))},
		// Due 26 April, waiting since 23 April for a supplement: its clock is
		// stopped, so it is never overdue while it waits.
		{agency: agencyA, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 20, 9, 0), steps: []registry.DossierStepInput{
			{Action: registry.ActionRequestSupplement, Note: new("thiếu bản sao"), At: at(4, 23, 9)}}},
		{agency: agencyB, proc: procB, channel: registry.ChannelInPerson, at: vn(4, 26, 8, 0), steps: []registry.DossierStepInput{
			{Action: registry.ActionRequestSupplement, Note: new("thiếu tờ khai"), At: at(4, 26, 9)}}},
		{agency: agencyB, proc: procB, channel: registry.ChannelPostal, at: vn(4, 26, 8, 0), steps: []registry.DossierStepInput{
			resolve(at(5, 20, 9))}}, // late
		{agency: agencyB, proc: procA, channel: registry.ChannelInPerson, at: vn(4, 27, 8, 0), steps: []registry.DossierStepInput{
			{Action: registry.ActionWithdraw, At: at(4, 27, 9)}}},
		// Online registrations have no due date until received.
		{agency: agencyA, proc: procA, channel: registry.ChannelOnline, at: vn(4, 25, 20, 0), online: true},
		{agency: agencyA, proc: procA, channel: registry.ChannelOnline, at: vn(4, 25, 20, 0), online: true},
		{agency: agencyB, proc: procB, channel: registry.ChannelOnline, at: vn(4, 19, 7, 0), online: true, steps: []registry.DossierStepInput{
			{Action: registry.ActionRefuse, At: at(4, 19, 8)}}},
	}
	ctx := storetest.Context(t)
	var out []*registry.Dossier
	for _, p := range plans {
		in := receipt(p.agency, p.proc, p.at)
		in.Channel, in.DueDate = p.channel, p.due
		if p.due != nil {
			in.DueDateReason = new("gia hạn")
		}
		var d *registry.Dossier
		if p.online {
			d = must(e.s.RegisterDossier(ctx, in, source))(t)
		} else {
			d = must(e.s.ReceiveDossier(ctx, in, source))(t)
		}
		for _, st := range p.steps {
			d = must(e.s.RecordStep(ctx, d.Code, st, nil, source))(t)
		}
		out = append(out, d)
	}
	return out
}

// orderedCodes sorts ds as the list order o should, ties broken by code.
func orderedCodes(ds []*registry.Dossier, o registry.DossierOrder) []string {
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(a, b *registry.Dossier) int {
		switch o {
		case registry.OrderByReceivedAt:
			return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), cmp.Compare(a.Code, b.Code))
		case registry.OrderByReceivedDesc:
			return cmp.Or(b.ReceivedAt.Compare(a.ReceivedAt), cmp.Compare(b.Code, a.Code))
		case registry.OrderByDueDate: // no due date sorts first, as null does
			return cmp.Or(cmp.Compare(a.DueDate, b.DueDate), cmp.Compare(a.Code, b.Code))
		}
		return cmp.Compare(a.Code, b.Code)
	})
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// walk follows a list page by page with first=size and returns the codes seen.
func walk(t *testing.T, e *env, f registry.DossierFilter, o registry.DossierOrder, size int) []string {
	t.Helper()
	var codes []string
	var after *string
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("%s by %d: more than 100 pages", o, size)
		}
		p := must(e.s.Dossiers(storetest.Context(t), f, o, registry.PageArgs{First: &size, After: after}))(t)
		if len(p.Items) > size || len(p.Cursors) != len(p.Items) {
			t.Fatalf("%s by %d: page of %d items with %d cursors", o, size, len(p.Items), len(p.Cursors))
		}
		if p.HasPrev != (after != nil) {
			t.Errorf("%s by %d, page %d: hasPrev = %v", o, size, pages+1, p.HasPrev)
		}
		for _, d := range p.Items {
			codes = append(codes, d.Code)
		}
		if !p.HasNext {
			return codes
		}
		if len(p.Items) == 0 {
			t.Fatalf("%s by %d: empty page says it has a next one", o, size)
		}
		after = &p.Cursors[len(p.Cursors)-1]
	}
}

// walkDiff says what a walk got wrong: items never seen, items seen twice,
// or only the order.
func walkDiff(got, want []string) string {
	seen := map[string]int{}
	for _, c := range got {
		seen[c]++
	}
	var missing, twice []string
	for _, c := range want {
		if seen[c] == 0 {
			missing = append(missing, c)
		}
	}
	for c, n := range seen {
		if n > 1 {
			twice = append(twice, c)
		}
	}
	if len(missing) == 0 && len(twice) == 0 {
		return "every item once, in the wrong order"
	}
	return fmt.Sprintf("never returned %q, returned more than once %q", missing, twice)
}

func TestDossierPagination(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := seeded(t, way)
		all := listFixture(t, e)
		agencyOnly := registry.DossierFilter{AgencyCode: new(agencyA)}
		var ofAgency []*registry.Dossier
		for _, d := range all {
			if d.AgencyCode == agencyA {
				ofAgency = append(ofAgency, d)
			}
		}
		for _, o := range []registry.DossierOrder{"", registry.OrderByCode, registry.OrderByReceivedAt, registry.OrderByReceivedDesc, registry.OrderByDueDate} {
			for _, size := range []int{1, 2, 5, 100} {
				t.Run(fmt.Sprintf("%s/first=%d", cmp.Or(o, "default"), size), func(t *testing.T) {
					if got, want := walk(t, e, registry.DossierFilter{}, o, size), orderedCodes(all, o); !slices.Equal(got, want) {
						t.Errorf("walking all dossiers %d at a time: %s\n got %q\nwant %q", size, walkDiff(got, want), got, want)
					}
					if got, want := walk(t, e, agencyOnly, o, size), orderedCodes(ofAgency, o); !slices.Equal(got, want) {
						t.Errorf("walking the dossiers of %s %d at a time: %s\n got %q\nwant %q", agencyA, size, walkDiff(got, want), got, want)
					}
				})
			}
		}
	})
}

func TestDossierPageArguments(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := seeded(t, way)
		all := listFixture(t, e)
		ctx := storetest.Context(t)

		first := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{First: new(3)}))(t)
		if len(first.Items) != 3 || !first.HasNext || first.HasPrev {
			t.Fatalf("first page of 3: %d items, hasNext %v, hasPrev %v", len(first.Items), first.HasNext, first.HasPrev)
		}
		next := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{First: new(3), After: &first.Cursors[2]}))(t)
		if n := must(next.TotalCount(ctx))(t); n != len(all) {
			t.Errorf("totalCount after a cursor = %d, want %d (all of them)", n, len(all))
		}
		def := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{}))(t)
		if want := min(len(all), registry.DefaultPageSize); len(def.Items) != want {
			t.Errorf("default page size: %d items, want %d", len(def.Items), want)
		}
		zero := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{First: new(0)}))(t)
		if len(zero.Items) != 0 {
			t.Errorf("first=0 returned %d items", len(zero.Items))
		}
		if n := must(zero.TotalCount(ctx))(t); n != len(all) {
			t.Errorf("totalCount with first=0 = %d, want %d", n, len(all))
		}
		hundred := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{First: new(100)}))(t)
		if len(hundred.Items) != len(all) || hundred.HasNext {
			t.Errorf("first=100: %d items, hasNext %v; want %d, false", len(hundred.Items), hundred.HasNext, len(all))
		}

		enc := func(s string) *string { return new(base64.RawURLEncoding.EncodeToString([]byte(s))) }
		codeCursor := &first.Cursors[0]
		for _, tc := range []struct {
			name  string
			order registry.DossierOrder
			args  registry.PageArgs
			field string
		}{
			{"first=101", registry.OrderByCode, registry.PageArgs{First: new(101)}, "first"},
			{"first=-1", registry.OrderByCode, registry.PageArgs{First: new(-1)}, "first"},
			{"cursor not base64", registry.OrderByCode, registry.PageArgs{After: new("garbage!")}, "after"},
			{"cursor not JSON", registry.OrderByCode, registry.PageArgs{After: enc("garbage")}, "after"},
			{"cursor without id", registry.OrderByCode, registry.PageArgs{After: enc(`{"v":"2021-04-26"}`)}, "after"},
			{"cursor of another order", registry.OrderByReceivedAt, registry.PageArgs{After: codeCursor}, "after"},
			{"cursor with a bad time", registry.OrderByReceivedAt, registry.PageArgs{After: enc(`{"v":"yesterday","id":"x"}`)}, "after"},
			{"cursor with a bad date", registry.OrderByDueDate, registry.PageArgs{After: enc(`{"v":"26/04/2021","id":"x"}`)}, "after"},
			{"unknown order", "PRIORITY", registry.PageArgs{}, "orderBy"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.Dossiers(ctx, registry.DossierFilter{}, tc.order, tc.args)
				wantError(t, err, registry.CodeBadUserInput, tc.field)
			})
		}
	})
}

func TestDossierFilters(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := seeded(t, way)
		all := listFixture(t, e)
		ctx := storetest.Context(t)
		const overdueOn = calendar.Date("2021-04-27")
		overdue := func(d *registry.Dossier) bool {
			state, ok := d.DeadlineAt(overdueOn)
			return ok && state == registry.DeadlineOverdue
		}
		between := func(t *time.Time, from, to time.Time) bool { return t != nil && !t.Before(from) && t.Before(to) }

		for _, tc := range []struct {
			name   string
			filter registry.DossierFilter
			want   func(*registry.Dossier) bool
		}{
			{"agency", registry.DossierFilter{AgencyCode: new(agencyB)}, func(d *registry.Dossier) bool { return d.AgencyCode == agencyB }},
			{"procedure", registry.DossierFilter{ProcedureCode: new(procB)}, func(d *registry.Dossier) bool { return d.ProcedureCode == procB }},
			{"status", registry.DossierFilter{Status: new(registry.StatusInProcess)}, func(d *registry.Dossier) bool { return d.Status == registry.StatusInProcess }},
			{"status registered online", registry.DossierFilter{Status: new(registry.StatusRegisteredOnline)}, func(d *registry.Dossier) bool { return d.Status == registry.StatusRegisteredOnline }},
			{"channel", registry.DossierFilter{Channel: new(registry.ChannelPostal)}, func(d *registry.Dossier) bool { return d.Channel == registry.ChannelPostal }},
			{"outcome", registry.DossierFilter{Outcome: new(registry.OutcomeLate)}, func(d *registry.Dossier) bool { return d.Outcome == registry.OutcomeLate }},
			{"agency and channel", registry.DossierFilter{AgencyCode: new(agencyB), Channel: new(registry.ChannelPostal)}, func(d *registry.Dossier) bool {
				return d.AgencyCode == agencyB && d.Channel == registry.ChannelPostal
			}},
			// Ranges are [from, to): the bounds are receipt instants of the fixture.
			{"received from, to", registry.DossierFilter{ReceivedFrom: at(4, 20, 9), ReceivedTo: new(vn(4, 22, 14, 0))}, func(d *registry.Dossier) bool {
				return between(&d.ReceivedAt, vn(4, 20, 9, 0), vn(4, 22, 14, 0))
			}},
			{"received from", registry.DossierFilter{ReceivedFrom: at(4, 26, 8)}, func(d *registry.Dossier) bool { return !d.ReceivedAt.Before(vn(4, 26, 8, 0)) }},
			{"received to", registry.DossierFilter{ReceivedTo: at(4, 20, 9)}, func(d *registry.Dossier) bool { return d.ReceivedAt.Before(vn(4, 20, 9, 0)) }},
			{"resolved from, to", registry.DossierFilter{ResolvedFrom: at(4, 23, 0), ResolvedTo: at(4, 28, 0)}, func(d *registry.Dossier) bool {
				return between(d.ResolvedAt, vn(4, 23, 0, 0), vn(4, 28, 0, 0))
			}},
			{"resolved from", registry.DossierFilter{ResolvedFrom: at(4, 28, 10)}, func(d *registry.Dossier) bool {
				return d.ResolvedAt != nil && !d.ResolvedAt.Before(vn(4, 28, 10, 0))
			}},
			{"overdue", registry.DossierFilter{OverdueAsOf: new(overdueOn)}, overdue},
			{"overdue and received", registry.DossierFilter{OverdueAsOf: new(overdueOn), Status: new(registry.StatusReceived)}, func(d *registry.Dossier) bool {
				return overdue(d) && d.Status == registry.StatusReceived
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want []*registry.Dossier
				for _, d := range all {
					if tc.want(d) {
						want = append(want, d)
					}
				}
				if len(want) == 0 || len(want) == len(all) {
					t.Fatalf("fixture: the filter should select some dossiers but not all, selects %d of %d", len(want), len(all))
				}
				p := must(e.s.Dossiers(ctx, tc.filter, registry.OrderByCode, registry.PageArgs{First: new(registry.MaxPageSize)}))(t)
				var got []*registry.Dossier
				got = append(got, p.Items...)
				if g, w := orderedCodes(got, registry.OrderByCode), orderedCodes(want, registry.OrderByCode); !slices.Equal(g, w) {
					t.Errorf("got %q\nwant %q", g, w)
				}
				if n := must(p.TotalCount(ctx))(t); n != len(want) {
					t.Errorf("totalCount = %d, want %d", n, len(want))
				}
			})
		}

		// The overdue dossiers, spelt out: two received and one in process, all
		// due 26 April; not the one due that day but waiting for a supplement.
		p := must(e.s.Dossiers(ctx, registry.DossierFilter{OverdueAsOf: new(overdueOn)}, registry.OrderByCode, registry.PageArgs{}))(t)
		var statuses []registry.Status
		for _, d := range p.Items {
			statuses = append(statuses, d.Status)
			if !d.Status.Open() || d.DueDate != "2021-04-26" {
				t.Errorf("overdue on %s: %s is %s, due %s", overdueOn, d.Code, d.Status, d.DueDate)
			}
		}
		slices.Sort(statuses)
		if want := []registry.Status{registry.StatusInProcess, registry.StatusReceived, registry.StatusReceived}; !slices.Equal(statuses, want) {
			t.Errorf("overdue on %s: dossiers in %v, want %v", overdueOn, statuses, want)
		}

		_, err := e.s.Dossiers(ctx, registry.DossierFilter{OverdueAsOf: new(overdueOn), Status: new(registry.StatusResolved)}, registry.OrderByCode, registry.PageArgs{})
		wantError(t, err, registry.CodeBadUserInput, "filter.overdueAsOf")
	})
}

func TestDirectivePagination(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		var all []*registry.Directive
		for i, issued := range []calendar.Date{"2021-03-27", "2021-03-27", "2021-03-27", "2020-01-05", "2021-06-01", "2020-01-05", "2019-12-31"} {
			all = append(all, must(e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: fmt.Sprintf("%d/QĐ-UBND", 100+i), IssuedOn: issued}, source))(t))
		}
		// Newest first, ties by key descending.
		slices.SortFunc(all, func(a, b *registry.Directive) int {
			return cmp.Or(cmp.Compare(b.IssuedOn, a.IssuedOn), cmp.Compare(b.Key, a.Key))
		})
		var want, got []string
		for _, d := range all {
			want = append(want, d.Key)
		}
		var after *string
		for range len(all) + 1 {
			p := must(e.s.Directives(ctx, registry.DirectiveFilter{}, registry.PageArgs{First: new(2), After: after}))(t)
			for _, d := range p.Items {
				got = append(got, d.Key)
			}
			if !p.HasNext {
				break
			}
			after = &p.Cursors[len(p.Cursors)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("walking directives 2 at a time:\n got %q\nwant %q", got, want)
		}
	})
}

// TestCursorsOfOtherLists: a cursor belongs to one list and order; one from
// another list, another order, or made up is BAD_USER_INPUT, not a
// position in this one (they gave silently wrong pages).
func TestCursorsOfOtherLists(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	for i := range 3 {
		must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(5, 20+i, 9, 0)), source))(t)
	}
	one := 1
	agencies := must(e.s.Agencies(ctx, registry.AgencyFilter{}, registry.PageArgs{First: &one}))(t)
	byReceipt := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByReceivedAt, registry.PageArgs{First: &one}))(t)
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"id":"zzz"}`))
	for name, c := range map[string]struct {
		cursor string
		order  registry.DossierOrder
	}{
		"an agency cursor":          {agencies.Cursors[0], registry.OrderByCode},
		"a cursor of another order": {byReceipt.Cursors[0], registry.OrderByDueDate},
		"a made-up cursor":          {forged, registry.OrderByCode},
		"text that is not a cursor": {"not a cursor", registry.OrderByCode},
	} {
		_, err := e.s.Dossiers(ctx, registry.DossierFilter{}, c.order, registry.PageArgs{First: &one, After: &c.cursor})
		if registry.ErrorCode(err) != registry.CodeBadUserInput {
			t.Errorf("%s: %v, want BAD_USER_INPUT", name, err)
		}
	}
	// The list's own cursor still reads the next page.
	next := must(e.s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByReceivedAt, registry.PageArgs{First: &one, After: &byReceipt.Cursors[0]}))(t)
	if len(next.Items) != 1 || next.Items[0].Code == byReceipt.Items[0].Code {
		t.Errorf("the next page after the list's own cursor: %v", next.Items)
	}
}

// TestPagingReachesRecordsWithoutSortValue: records whose sort field is
// empty (a report stating no month, a directive read from text without its
// date) are listed too when a list is paged to its end, both ways.
func TestPagingReachesRecordsWithoutSortValue(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		var recs []any
		for i, period := range []string{"2021-03", "", "2021-01"} {
			recs = append(recs, &registry.Report{Key: registry.ReportKey("Trung tâm", period, fmt.Sprint("câu ", i)), AgencyName: "Trung tâm", Period: period,
				Provenance: registry.Provenance{Source: source}})
		}
		for i, issued := range []calendar.Date{"2021-04-22", "", "2018-04-23", ""} {
			d, err := registry.NewDirective(registry.CreateDirectiveInput{Symbol: fmt.Sprintf("%d/QĐ-UBND", i+1), IssuedOn: issued}, registry.Provenance{Source: source})
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, d)
		}
		if _, refused, err := e.s.Load(ctx, recs); err != nil || slices.ContainsFunc(refused, func(e error) bool { return e != nil }) {
			t.Fatal(err, refused)
		}
		one := 1
		var reports, directives []string
		for args := (registry.PageArgs{First: &one}); ; {
			page := must(e.s.Reports(ctx, registry.ReportFilter{}, args))(t)
			for _, r := range page.Items {
				reports = append(reports, r.Period)
			}
			if !page.HasNext {
				break
			}
			args.After = &page.Cursors[len(page.Cursors)-1]
		}
		for args := (registry.PageArgs{First: &one}); ; {
			page := must(e.s.Directives(ctx, registry.DirectiveFilter{}, args))(t)
			for _, d := range page.Items {
				directives = append(directives, d.Symbol.String())
			}
			if !page.HasNext {
				break
			}
			args.After = &page.Cursors[len(page.Cursors)-1]
		}
		if len(reports) != 3 || len(directives) != 4 {
			t.Errorf("paged to the end: reports %q (want 3), directives %q (want 4)", reports, directives)
		}
	})
}
