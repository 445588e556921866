package stats

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

func TestPeriods(t *testing.T) {
	p := func(label, from, to string) Period { return Period{Label: label, From: from, To: to} }
	tests := []struct {
		from, to string
		step     int
		want     []Period
	}{
		{"2021-03", "2021-03", 1, []Period{p("2021-03", "2021-03", "2021-03")}},
		{"2020-11", "2021-02", 1, []Period{
			p("2020-11", "2020-11", "2020-11"), p("2020-12", "2020-12", "2020-12"),
			p("2021-01", "2021-01", "2021-01"), p("2021-02", "2021-02", "2021-02"),
		}},
		// Quarters start in January, April, July and October; the first
		// and last buckets are cut to the range.
		{"2021-02", "2021-11", 3, []Period{
			p("2021-Q1", "2021-02", "2021-03"), p("2021-Q2", "2021-04", "2021-06"),
			p("2021-Q3", "2021-07", "2021-09"), p("2021-Q4", "2021-10", "2021-11"),
		}},
		{"2021-01", "2021-03", 3, []Period{p("2021-Q1", "2021-01", "2021-03")}},
		{"2021-05", "2021-05", 3, []Period{p("2021-Q2", "2021-05", "2021-05")}},
		{"2020-12", "2021-01", 3, []Period{p("2020-Q4", "2020-12", "2020-12"), p("2021-Q1", "2021-01", "2021-01")}},
		{"2020-11", "2021-08", 6, []Period{
			p("2020-H2", "2020-11", "2020-12"), p("2021-H1", "2021-01", "2021-06"), p("2021-H2", "2021-07", "2021-08"),
		}},
		{"2021-06", "2021-07", 6, []Period{p("2021-H1", "2021-06", "2021-06"), p("2021-H2", "2021-07", "2021-07")}},
		{"2019-05", "2021-02", 12, []Period{
			p("2019", "2019-05", "2019-12"), p("2020", "2020-01", "2020-12"), p("2021", "2021-01", "2021-02"),
		}},
		{"2021-01", "2021-12", 12, []Period{p("2021", "2021-01", "2021-12")}},
	}
	for _, tt := range tests {
		if got := periods(tt.from, tt.to, tt.step); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("periods(%s, %s, %d) =\n  %v\nwant\n  %v", tt.from, tt.to, tt.step, got, tt.want)
		}
	}
}

func TestPeriodStartEnd(t *testing.T) {
	tests := []struct {
		from, to   string
		start, end calendar.Date
	}{
		{"2021-03", "2021-03", "2021-03-01", "2021-03-31"},
		{"2021-01", "2021-02", "2021-01-01", "2021-02-28"},
		{"2020-02", "2020-02", "2020-02-01", "2020-02-29"},
		{"2021-04", "2021-06", "2021-04-01", "2021-06-30"},
		{"2020-07", "2020-12", "2020-07-01", "2020-12-31"},
	}
	for _, tt := range tests {
		p := Period{From: tt.from, To: tt.to}
		if p.Start() != tt.start || p.End() != tt.end {
			t.Errorf("%s..%s: start %s end %s, want %s and %s", tt.from, tt.to, p.Start(), p.End(), tt.start, tt.end)
		}
	}
}

func TestValidate(t *testing.T) {
	const today calendar.Date = "2021-10-15"
	valid := func() Query {
		return Query{From: "2021-01", To: "2021-09", AsOf: today, GroupBy: []Dimension{ByQuarter, ByAgency}}
	}
	tests := []struct {
		name  string
		edit  func(*Query)
		field string // "" when valid
	}{
		{"valid", func(q *Query) {}, ""},
		{"one month", func(q *Query) { q.To = q.From }, ""},
		{"no grouping", func(q *Query) { q.GroupBy = nil }, ""},
		{"every non-time dimension and a time one", func(q *Query) {
			q.GroupBy = []Dimension{ByYear, ByAgency, ByProcedure, ByField, ByLevel, ByChannel}
		}, ""},
		{"from missing", func(q *Query) { q.From = "" }, "filter.from"},
		{"from month 13", func(q *Query) { q.From = "2021-13" }, "filter.from"},
		{"from month 00", func(q *Query) { q.From = "2021-00" }, "filter.from"},
		{"from one-digit month", func(q *Query) { q.From = "2021-3" }, "filter.from"},
		{"from a date", func(q *Query) { q.From = "2021-03-01" }, "filter.from"},
		{"from two-digit year", func(q *Query) { q.From = "21-03" }, "filter.from"},
		{"to month 13", func(q *Query) { q.To = "2021-13" }, "filter.to"},
		{"to Vietnamese style", func(q *Query) { q.To = "03/2021" }, "filter.to"},
		{"to before from", func(q *Query) { q.From, q.To = "2021-05", "2021-04" }, "filter.to"},
		{"to a year before from", func(q *Query) { q.From, q.To = "2021-01", "2020-12" }, "filter.to"},
		{"119 months apart", func(q *Query) { q.From, q.To = "2011-01", "2020-12" }, ""},
		{"120 months apart", func(q *Query) { q.From, q.To = "2011-01", "2021-01" }, "filter.to"},
		{"two time dimensions", func(q *Query) { q.GroupBy = []Dimension{ByMonth, ByAgency, ByQuarter} }, "groupBy"},
		{"year and half year", func(q *Query) { q.GroupBy = []Dimension{ByYear, ByHalfYear} }, "groupBy"},
		{"duplicate dimension", func(q *Query) { q.GroupBy = []Dimension{ByAgency, ByChannel, ByAgency} }, "groupBy"},
		{"duplicate time dimension", func(q *Query) { q.GroupBy = []Dimension{ByMonth, ByMonth} }, "groupBy"},
		{"unknown dimension", func(q *Query) { q.GroupBy = []Dimension{"WEEK"} }, "groupBy"},
		{"lower-case dimension", func(q *Query) { q.GroupBy = []Dimension{"month"} }, "groupBy"},
		{"asOf today", func(q *Query) { q.AsOf = today }, ""},
		{"asOf in the future, mid-month", func(q *Query) { q.AsOf = "2021-10-20" }, ""},
		{"asOf next year", func(q *Query) { q.AsOf = "2022-03-05" }, ""},
		{"asOf a past month end", func(q *Query) { q.AsOf = "2021-06-30" }, ""},
		{"asOf a past February end", func(q *Query) { q.AsOf = "2021-02-28" }, ""},
		{"asOf a past leap February end", func(q *Query) { q.AsOf = "2020-02-29" }, ""},
		{"asOf 28 February of a leap year", func(q *Query) { q.AsOf = "2020-02-28" }, "asOf"},
		{"asOf past, mid-month", func(q *Query) { q.AsOf = "2021-06-15" }, "asOf"},
		{"asOf yesterday", func(q *Query) { q.AsOf = "2021-10-14" }, "asOf"},
		{"asOf past first of month", func(q *Query) { q.AsOf = "2021-10-01" }, "asOf"},
		{"asOf 30th of a 31-day month", func(q *Query) { q.AsOf = "2021-05-30" }, "asOf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := valid()
			tt.edit(&q)
			err := q.Validate(today)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want no error", q, err)
				}
				return
			}
			var e *registry.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate(%+v) = %v (%T), want a BAD_USER_INPUT on %s", q, err, err, tt.field)
			}
			if e.Code != registry.CodeBadUserInput || e.Field != tt.field {
				t.Fatalf("Validate(%+v) = %s on %q (%v), want BAD_USER_INPUT on %s", q, e.Code, e.Field, err, tt.field)
			}
		})
	}
}

// TestValidateMalformedAsOf: Validate is the guard of Store.DossierStats,
// which takes a Query from any caller; a zero or malformed AsOf must be an
// input error, not a panic.
func TestValidateMalformedAsOf(t *testing.T) {
	for _, asOf := range []calendar.Date{"", "2021", "2021-6-30"} {
		t.Run(fmt.Sprintf("%q", asOf), func(t *testing.T) {
			q := Query{From: "2021-01", To: "2021-06", AsOf: asOf}
			var err error
			panicked := func() (p any) {
				defer func() { p = recover() }()
				err = q.Validate("2021-10-15")
				return nil
			}()
			if panicked != nil {
				t.Fatalf("BUG: Query.Validate with AsOf %q panics (%v) instead of returning BAD_USER_INPUT on asOf "+
					"(query.go: string(q.AsOf)[:7] on a date shorter than 7 bytes)", asOf, panicked)
			}
			if e, ok := errors.AsType[*registry.Error](err); !ok || e.Field != "asOf" {
				t.Fatalf("BUG: Query.Validate with AsOf %q = %v, want BAD_USER_INPUT on asOf (the date is never parsed)", asOf, err)
			}
		})
	}
}

func median(counts map[int]int) *float64 { return (&Measures{days: counts}).MedianWorkingDays() }

func TestMedianWorkingDays(t *testing.T) {
	tests := []struct {
		days map[int]int
		want float64
	}{
		{map[int]int{4: 1}, 4},
		{map[int]int{0: 1}, 0},
		{map[int]int{1: 1, 2: 1, 9: 1}, 2},           // odd: the middle value
		{map[int]int{1: 1, 4: 1}, 2.5},               // even: the mean of the two middle values
		{map[int]int{3: 2}, 3},                       // even, both middle values equal
		{map[int]int{1: 2, 5: 2}, 3},                 // even, middle values in different buckets
		{map[int]int{2: 3, 10: 1}, 2},                // even, both middle values in one bucket
		{map[int]int{1: 1, 2: 1, 3: 1, 100: 1}, 2.5}, // an outlier does not move it
		{map[int]int{7: 1, 0: 4, 3: 2}, 0},           // 0 0 0 0 3 3 7
		{map[int]int{7: 1, 0: 3, 3: 2}, 1.5},         // 0 0 0 3 3 7
		{map[int]int{5: 0, 2: 1, 8: 1}, 5},           // zero-count buckets (left by deltas) do not count
		{map[int]int{12: 5, 1: 1}, 12},
	}
	for _, tt := range tests {
		got := median(tt.days)
		if got == nil || *got != tt.want {
			t.Errorf("median of %v = %s, want %v", tt.days, ptr(got), tt.want)
		}
	}
	for _, empty := range []map[int]int{nil, {}, {3: 0}} {
		if got := median(empty); got != nil {
			t.Errorf("median of %v = %v, want nil", empty, *got)
		}
	}
}

func TestMedianMeanWorkingDays(t *testing.T) {
	m := Measures{Early: 2, OnTime: 1, Late: 1, DaysSum: 10, days: map[int]int{1: 1, 2: 1, 3: 1, 4: 1}}
	if got := m.MeanWorkingDays(); got == nil || *got != 2.5 {
		t.Errorf("mean = %s, want 2.5", ptr(got))
	}
	if got := (&Measures{days: map[int]int{}}).MeanWorkingDays(); got != nil {
		t.Errorf("mean with nothing resolved = %v, want nil", *got)
	}
	// Without Durations the histogram is not kept and neither is computed.
	m.days = nil
	if got := m.MeanWorkingDays(); got != nil {
		t.Errorf("mean without durations = %v, want nil", *got)
	}
	if got := m.MedianWorkingDays(); got != nil {
		t.Errorf("median without durations = %v, want nil", *got)
	}
}

func ptr(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprint(*f)
}

// checkIdentities checks the II.06a identities and the ones between the
// figures of one row.
func checkIdentities(t *testing.T, what string, r *Row, stocks bool) {
	t.Helper()
	m := &r.Measures
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s %s %+v: "+format, append([]any{what, r.Period.Label, r.Key}, args...)...)
	}
	if m.ReceivedTotal() != m.ReceivedOnline+m.ReceivedInPerson+m.ReceivedPostal+m.CarriedOver {
		fail("received.total %d != online %d + inPerson %d + postal %d + carriedOver %d",
			m.ReceivedTotal(), m.ReceivedOnline, m.ReceivedInPerson, m.ReceivedPostal, m.CarriedOver)
	}
	if m.Resolved() != m.Early+m.OnTime+m.Late {
		fail("resolved %d != early %d + onTime %d + late %d", m.Resolved(), m.Early, m.OnTime, m.Late)
	}
	if m.InProgress() != m.InProgressWithin+m.InProgressOverdue {
		fail("inProgress %d != within %d + overdue %d", m.InProgress(), m.InProgressWithin, m.InProgressOverdue)
	}
	if m.NationalOnTime()+m.NationalLate != m.Resolved() || m.NationalLate < m.Late || m.NationalLate > m.Resolved() {
		fail("national on time %d, late %d, provincial late %d, resolved %d", m.NationalOnTime(), m.NationalLate, m.Late, m.Resolved())
	}
	for name, v := range map[string]int{"online": m.ReceivedOnline, "inPerson": m.ReceivedInPerson, "postal": m.ReceivedPostal,
		"carriedOver": m.CarriedOver, "early": m.Early, "onTime": m.OnTime, "late": m.Late, "withdrawn": m.Withdrawn,
		"stopped": m.Stopped, "within": m.InProgressWithin, "overdue": m.InProgressOverdue} {
		if v < 0 {
			fail("%s = %d < 0", name, v)
		}
	}
	if !stocks {
		if m.CarriedOver != 0 || m.InProgress() != 0 {
			fail("stocks not asked for, got carriedOver %d, inProgress %d", m.CarriedOver, m.InProgress())
		}
		return
	}
	if m.StockDate == r.Period.End() {
		if in, out := m.CarriedOver+m.ReceivedNew(), m.Resolved()+m.Withdrawn+m.Stopped+m.InProgress(); in != out {
			fail("carriedOver %d + new %d = %d, but resolved %d + withdrawn %d + stopped %d + inProgress %d = %d at %s",
				m.CarriedOver, m.ReceivedNew(), in, m.Resolved(), m.Withdrawn, m.Stopped, m.InProgress(), out, m.StockDate)
		}
	}
}

// flowsOf are the figures of a row that add up across groups and periods.
func flowsOf(m *Measures) [10]int {
	return [10]int{m.ReceivedOnline, m.ReceivedInPerson, m.ReceivedPostal, m.Early, m.OnTime, m.Late, m.NationalLate, m.Withdrawn, m.Stopped, m.DaysSum}
}

func addFlows(a, b [10]int) [10]int {
	for i := range a {
		a[i] += b[i]
	}
	return a
}

// TestStatsComputeIdentities runs queries on the rollup of random dossiers and
// checks, on every row: the II.06a identities; the balance carried + new =
// ended + in progress when stocks are taken at the period's end; that a
// period's in-progress count is the next period's carried over; and that
// the groups add up to the total.
func TestStatsComputeIdentities(t *testing.T) {
	info := map[string]ProcedureInfo{}
	for _, p := range testProcs {
		info[p.Code] = ProcedureInfo{Field: p.Field, Level: p.Level}
	}
	for _, seed := range []uint64{1, 2, 3} {
		rollup, _ := randomRollup(t, seed, 400)
		queries := []Query{
			{From: "2021-01", To: "2021-12", AsOf: "2021-12-31"},
			{From: "2021-01", To: "2021-12", AsOf: "2021-12-31", GroupBy: []Dimension{ByMonth}},
			{From: "2020-11", To: "2022-02", AsOf: "2022-02-28", GroupBy: []Dimension{ByQuarter, ByAgency}},
			{From: "2021-02", To: "2021-11", AsOf: "2021-11-30", GroupBy: []Dimension{ByHalfYear, ByField, ByLevel}},
			{From: "2020-06", To: "2022-01", AsOf: "2022-01-31", GroupBy: []Dimension{ByYear, ByProcedure, ByChannel}},
			{From: "2021-03", To: "2021-08", AsOf: "2021-08-31", GroupBy: []Dimension{ByMonth, ByAgency, ByChannel},
				Channels: []registry.Channel{registry.ChannelOnline, registry.ChannelPostal}},
			{From: "2021-01", To: "2021-09", AsOf: "2021-09-30", GroupBy: []Dimension{ByMonth, ByLevel},
				Levels: []registry.Level{registry.LevelDistrict, registry.LevelCommune}},
			{From: "2021-01", To: "2021-09", AsOf: "2021-09-30", GroupBy: []Dimension{ByQuarter}, Fields: []string{"Hộ tịch"}, Agencies: []string{testAgency2}},
		}
		for qi, q := range queries {
			for _, stocks := range []bool{true, false} {
				q.Stocks, q.Durations, q.ProcedureInfo = stocks, true, info
				what := fmt.Sprintf("seed %d query %d stocks %v", seed, qi, stocks)
				if err := q.Validate("2022-06-01"); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				res := Compute(q, rollup)
				if res.Total == nil || res.Total.Period.Label != q.From+".."+q.To {
					t.Fatalf("%s: total %+v", what, res.Total)
				}
				checkIdentities(t, what+" total", res.Total, stocks)
				var sum [10]int
				type next struct {
					key  Key
					from string
				}
				carried := map[next]int{}
				inProgress := map[next]int{}
				for _, r := range res.Groups {
					checkIdentities(t, what, r, stocks)
					if r.empty() {
						t.Errorf("%s: empty row %s %+v", what, r.Period.Label, r.Key)
					}
					sum = addFlows(sum, flowsOf(&r.Measures))
					k := r.Key
					k.Period = Period{}
					carried[next{k, r.Period.From}] = r.CarriedOver
					inProgress[next{k, monthAt(monthIndex(r.Period.To) + 1)}] = r.InProgress()
				}
				if sum != flowsOf(&res.Total.Measures) {
					t.Errorf("%s: groups add up to %v, total has %v", what, sum, flowsOf(&res.Total.Measures))
				}
				if !stocks || len(q.GroupBy) == 0 {
					continue
				}
				// Continuity: what is in progress at a period's end is
				// carried over into the next one (a missing row is zero).
				for n, v := range inProgress {
					if n.from > q.To {
						continue
					}
					if carried[n] != v {
						t.Errorf("%s: %+v: in progress at the end of the period before %s = %d, carried over into it = %d", what, n.key, n.from, v, carried[n])
					}
				}
				for n, v := range carried {
					if n.from > q.From && inProgress[n] != v {
						t.Errorf("%s: %+v: carried over into %s = %d, in progress at the end of the period before = %d", what, n.key, n.from, v, inProgress[n])
					}
				}
			}
		}
	}
}

// twoDossiers: one received 1 March and resolved early on 3 March; one
// received 26 March (due 31 March, overdue from 1 April) and resolved late
// on 4 May.
func twoDossiers(t *testing.T) Rollup {
	early := final(t, newTestDossier(t, proc3, testAgency, registry.ChannelInPerson, registry.ActionReceive, at(3, 1, 9)),
		step{registry.ActionResolve, at(3, 3, 10)})
	late := final(t, newTestDossier(t, proc3, testAgency, registry.ChannelOnline, registry.ActionReceive, at(3, 26, 9)),
		step{registry.ActionResolve, at(5, 4, 10)})
	r := Rollup{}
	r.Add(Contributions(early), 1)
	r.Add(Contributions(late), 1)
	return r
}

type figures struct {
	online, inPerson, carried, early, late, natLate, within, overdue int
	stockDate                                                        calendar.Date
}

func figuresOf(m Measures) figures {
	return figures{m.ReceivedOnline, m.ReceivedInPerson, m.CarriedOver, m.Early, m.Late, m.NationalLate, m.InProgressWithin, m.InProgressOverdue, m.StockDate}
}

func TestStatsComputeByMonth(t *testing.T) {
	q := Query{From: "2021-03", To: "2021-05", AsOf: "2021-05-31", GroupBy: []Dimension{ByMonth}, Stocks: true, Durations: true}
	res := Compute(q, twoDossiers(t))
	want := map[string]figures{
		// 31 March is the late one's due date: still within.
		"2021-03": {online: 1, inPerson: 1, early: 1, within: 1, stockDate: "2021-03-31"},
		"2021-04": {carried: 1, overdue: 1, stockDate: "2021-04-30"},
		"2021-05": {carried: 1, late: 1, natLate: 1, stockDate: "2021-05-31"},
	}
	got := map[string]figures{}
	var labels []string
	for _, r := range res.Groups {
		got[r.Period.Label] = figuresOf(r.Measures)
		labels = append(labels, r.Period.Label)
		if r.Period.From != r.Period.Label || r.Period.To != r.Period.Label {
			t.Errorf("period %+v, want from and to %s", r.Period, r.Period.Label)
		}
	}
	if strings.Join(labels, " ") != "2021-03 2021-04 2021-05" {
		t.Errorf("periods in order %v, want 2021-03 2021-04 2021-05", labels)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n  %+v\nwant\n  %+v", got, want)
	}
	total := figuresOf(res.Total.Measures)
	if w := (figures{online: 1, inPerson: 1, early: 1, late: 1, natLate: 1, stockDate: "2021-05-31"}); total != w {
		t.Errorf("total %+v, want %+v", total, w)
	}
	if p := res.Total.Period; p.Label != "2021-03..2021-05" || p.From != "2021-03" || p.To != "2021-05" {
		t.Errorf("total period %+v", p)
	}
	// Early took 2 working days, late 24: mean and median 13.
	if m, md := res.Total.MeanWorkingDays(), res.Total.MedianWorkingDays(); m == nil || *m != 13 || md == nil || *md != 13 {
		t.Errorf("total mean %s median %s, want 13 and 13", ptr(m), ptr(md))
	}
}

// TestStatsComputeAsOfBeforeTo: with asOf a past month end before the end of
// the range, the periods after asOf are left out of the groups; the total
// must then not count what happened in them either, or it counts a dossier
// resolved after asOf both as resolved and as in progress on asOf.
func TestStatsComputeAsOfBeforeTo(t *testing.T) {
	q := Query{From: "2021-03", To: "2021-05", AsOf: "2021-04-30", GroupBy: []Dimension{ByMonth}, Stocks: true}
	if err := q.Validate("2021-10-15"); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	res := Compute(q, twoDossiers(t))
	var sum [10]int
	var labels []string
	for _, r := range res.Groups {
		sum = addFlows(sum, flowsOf(&r.Measures))
		labels = append(labels, r.Period.Label)
	}
	if strings.Join(labels, " ") != "2021-03 2021-04" {
		t.Fatalf("periods %v, want 2021-03 2021-04 (May starts after asOf)", labels)
	}
	tot := &res.Total.Measures
	if flowsOf(tot) != sum {
		t.Errorf("BUG: stats.Compute: with asOf %s before the end of %s..%s the groups stop at April but the total "+
			"still counts May's flows: total late %d, nationalLate %d (groups: %d, %d) while the same dossier is "+
			"in progress overdue on %s (total overdue %d); carriedOver %d + new %d != resolved %d + withdrawn %d + stopped %d + inProgress %d",
			q.AsOf, q.From, q.To, tot.Late, tot.NationalLate, sum[5], sum[6], q.AsOf, tot.InProgressOverdue,
			tot.CarriedOver, tot.ReceivedNew(), tot.Resolved(), tot.Withdrawn, tot.Stopped, tot.InProgress())
	}
}
