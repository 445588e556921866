package stats

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/historytest"
	"github.com/vnregistry/registry/internal/registry"
)

// Fixtures shared by the tests of this package. All times are in 2021, in
// Vietnam; March 2021 starts on a Monday and has no public holiday.

var testCal = calendar.Default()

// testNow is the clock handed to NewDossier and Apply: after every step.
var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	testAgency  = "000.00.06.H56"
	testAgency2 = "000.00.07.H56"
)

var (
	proc3  = &registry.Procedure{Code: "1.001612", Field: "Hộ tịch", Level: registry.LevelProvincial, AgencyCode: testAgency, ProcessingDays: 3}
	proc10 = &registry.Procedure{Code: "1.003560.000.00.00.H56", Field: "Đất đai", Level: registry.LevelDistrict, AgencyCode: testAgency2, ProcessingDays: 10}
	proc0  = &registry.Procedure{Code: "2.000635", Field: "Hộ tịch", Level: registry.LevelCommune, AgencyCode: testAgency2, ProcessingDays: 0}
)

// at is a wall-clock time in Vietnam in 2021.
func at(month time.Month, day, hour int) time.Time {
	return time.Date(2021, month, day, hour, 0, 0, 0, calendar.Vietnam)
}

var codeSeq int

// newTestDossier builds a dossier that starts with first (RECEIVE or
// REGISTER_ONLINE) at when.
func newTestDossier(t testing.TB, proc *registry.Procedure, agency string, ch registry.Channel, first registry.Action, when time.Time) *registry.Dossier {
	t.Helper()
	codeSeq++
	code := fmt.Sprintf("%s%04d", registry.DossierCodePrefix(agency, when), codeSeq%10000)
	in := registry.ReceiveDossierInput{
		ProcedureCode: proc.Code, AgencyCode: agency, Channel: ch,
		Applicant: registry.ApplicantInput{Name: "Nguyễn Văn An"}, ReceivedAt: &when,
	}
	d, err := registry.NewDossier(in, first, code, proc, testCal, testNow, registry.Provenance{Source: "test"})
	if err != nil {
		t.Fatalf("NewDossier(%s at %s): %v", first, when, err)
	}
	return d
}

// stepInput is a valid input for action at when, with the inputs the action requires.
func stepInput(action registry.Action, when time.Time) registry.DossierStepInput {
	in := registry.DossierStepInput{Action: action, At: &when}
	switch action {
	case registry.ActionTransfer:
		unit := "Phòng chuyên môn"
		in.ToUnit = &unit
	case registry.ActionResolve:
		approved := true
		in.Approved = &approved
	case registry.ActionApologizeResched:
		due := calendar.DateOf(when).AddDays(5)
		note := "Cần xác minh thêm"
		in.NewDueDate, in.Note = &due, &note
	}
	return in
}

type step struct {
	action registry.Action
	when   time.Time
}

// history applies steps to d and returns every state it went through, the
// first being d as given. States are independent copies.
func history(t testing.TB, d *registry.Dossier, steps ...step) []*registry.Dossier {
	t.Helper()
	first := *d
	out := []*registry.Dossier{&first}
	cur := *d
	for _, s := range steps {
		if err := cur.Apply(stepInput(s.action, s.when), testCal, testNow); err != nil {
			t.Fatalf("%s at %s from %s: %v", s.action, s.when, cur.Status, err)
		}
		snap := cur
		out = append(out, &snap)
	}
	return out
}

// final is the last state of a history.
func final(t testing.TB, d *registry.Dossier, steps ...step) *registry.Dossier {
	t.Helper()
	h := history(t, d, steps...)
	return h[len(h)-1]
}

// normalized drops zero map entries and zero cells, so rollups that count
// the same compare equal with reflect.DeepEqual.
func normalized(r Rollup) Rollup {
	out := Rollup{}
	for c, v := range r {
		n := *v
		n.OverdueStarts = nonZero(v.OverdueStarts)
		n.Days = nonZero(v.Days)
		if !n.Zero() {
			out[c] = &n
		}
	}
	return out
}

func nonZero(m map[string]int) map[string]int {
	var out map[string]int
	for k, v := range m {
		if v != 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[k] = v
		}
	}
	return out
}

func describe(r Rollup) string {
	var lines []string
	for c, v := range r {
		lines = append(lines, fmt.Sprintf("  %s %s %s %s: %+v", c.Month, c.Agency, c.Procedure, c.Channel, *v))
	}
	slices.Sort(lines)
	if len(lines) == 0 {
		return "  (nothing)"
	}
	return strings.Join(lines, "\n")
}

func sameRollup(t testing.TB, what string, got, want Rollup) {
	t.Helper()
	if g, w := normalized(got), normalized(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\ngot\n%s\nwant\n%s", what, describe(g), describe(w))
	}
}

// flows builds an expected rollup for one dossier's cell coordinates.
type flows map[string]Counters // by month

func (f flows) rollup(d *registry.Dossier) Rollup {
	r := Rollup{}
	for month, c := range f {
		c := c
		r[Cell{Month: month, Agency: d.AgencyCode, Procedure: d.ProcedureCode, Channel: d.Channel}] = &c
	}
	return r
}

func days(n int) map[string]int { return map[string]int{fmt.Sprint(n): 1} }

func TestContributions(t *testing.T) {
	inPerson, online, postal := registry.ChannelInPerson, registry.ChannelOnline, registry.ChannelPostal
	receive, register := registry.ActionReceive, registry.ActionRegisterOnline
	// Received Monday 1 March 09:00 with 3 working days: due Thursday 4
	// March, overdue from Friday 5 March.
	mar1 := func(ch registry.Channel) *registry.Dossier {
		return newTestDossier(t, proc3, testAgency, ch, receive, at(3, 1, 9))
	}
	// Received Friday 26 March 09:00 with 3 working days: due Wednesday 31
	// March, overdue from Thursday 1 April.
	mar26 := newTestDossier(t, proc3, testAgency, inPerson, receive, at(3, 26, 9))
	// 10 working days from Monday 1 March: due Monday 15 March.
	long := func() *registry.Dossier { return newTestDossier(t, proc10, testAgency2, postal, receive, at(3, 1, 9)) }

	tests := []struct {
		name string
		d    *registry.Dossier
		want flows
	}{
		{
			// Still open: it will fall overdue on 5 March (and counts from
			// then on, for stocks taken on or after that day).
			name: "received only",
			d:    mar1(inPerson),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"05": 1}}},
		},
		{
			name: "received online by the desk",
			d:    mar1(online),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"05": 1}}},
		},
		{
			name: "resolved early",
			d:    final(t, mar1(inPerson), step{registry.ActionTransfer, at(3, 2, 9)}, step{registry.ActionResolve, at(3, 3, 10)}),
			want: flows{"2021-03": {Received: 1, Early: 1, DaysSum: 2, Days: days(2)}},
		},
		{
			name: "resolved on time, result returned later",
			d:    final(t, mar1(inPerson), step{registry.ActionResolve, at(3, 4, 16)}, step{registry.ActionReturnResult, at(4, 2, 9)}),
			want: flows{"2021-03": {Received: 1, OnTime: 1, DaysSum: 3, Days: days(3)}},
		},
		{
			name: "resolved late the day it fell overdue",
			d:    final(t, mar1(inPerson), step{registry.ActionResolve, at(3, 5, 8)}),
			want: flows{"2021-03": {Received: 1, Late: 1, NationalLate: 1, DaysSum: 4, Days: days(4),
				OverdueStarts: map[string]int{"05": 1}, ClosedOverdue: 1}},
		},
		{
			name: "resolved late the same month",
			d:    final(t, mar1(inPerson), step{registry.ActionTransfer, at(3, 2, 9)}, step{registry.ActionResolve, at(3, 8, 10)}),
			want: flows{"2021-03": {Received: 1, Late: 1, NationalLate: 1, DaysSum: 5, Days: days(5),
				OverdueStarts: map[string]int{"05": 1}, ClosedOverdue: 1}},
		},
		{
			// Overdue from 1 April, resolved Tuesday 4 May: working days
			// 29-31 March (3), April without 21 and 30 (20), 4 May (3 May is
			// the compensation for 1 May) = 24.
			name: "overdue then resolved late two months on",
			d:    final(t, mar26, step{registry.ActionTransfer, at(3, 29, 9)}, step{registry.ActionResolve, at(5, 4, 10)}),
			want: flows{
				"2021-03": {Received: 1},
				"2021-04": {OverdueStarts: map[string]int{"01": 1}},
				"2021-05": {Late: 1, NationalLate: 1, ClosedOverdue: 1, DaysSum: 24, Days: days(24)},
			},
		},
		{
			// Two supplement requests (one working day each) push the due
			// date to 17 March; resolved 8 March: early by the dates, late
			// under Decision 766. Days taken: 5 minus 2 paused.
			name: "national late after two supplement requests",
			d: final(t, long(),
				step{registry.ActionRequestSupplement, at(3, 2, 10)}, step{registry.ActionReceiveSupplement, at(3, 3, 10)},
				step{registry.ActionRequestSupplement, at(3, 4, 10)}, step{registry.ActionReceiveSupplement, at(3, 5, 10)},
				step{registry.ActionResolve, at(3, 8, 10)}),
			want: flows{"2021-03": {Received: 1, Early: 1, NationalLate: 1, DaysSum: 3, Days: days(3)}},
		},
		{
			name: "one supplement request is not national late",
			d: final(t, long(),
				step{registry.ActionRequestSupplement, at(3, 2, 10)}, step{registry.ActionReceiveSupplement, at(3, 3, 10)},
				step{registry.ActionResolve, at(3, 8, 10)}),
			want: flows{"2021-03": {Received: 1, Early: 1, DaysSum: 4, Days: days(4)}},
		},
		{
			name: "withdrawn before the due date",
			d:    final(t, mar1(inPerson), step{registry.ActionWithdraw, at(3, 2, 10)}),
			want: flows{"2021-03": {Received: 1, Withdrawn: 1}},
		},
		{
			name: "withdrawn after falling overdue",
			d:    final(t, mar1(inPerson), step{registry.ActionTransfer, at(3, 2, 9)}, step{registry.ActionWithdraw, at(4, 2, 10)}),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"05": 1}}, "2021-04": {Withdrawn: 1, ClosedOverdue: 1}},
		},
		{
			name: "stopped before the due date",
			d:    final(t, long(), step{registry.ActionStop, at(3, 10, 10)}),
			want: flows{"2021-03": {Received: 1, Stopped: 1}},
		},
		{
			name: "stopped after falling overdue",
			d:    final(t, long(), step{registry.ActionTransfer, at(3, 2, 9)}, step{registry.ActionStop, at(4, 6, 10)}),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"16": 1}}, "2021-04": {Stopped: 1, ClosedOverdue: 1}},
		},
		{
			// Waiting for a supplement requested by the due date: the clock
			// is stopped, so it never falls overdue while it waits.
			name: "paused in time, still waiting",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 3, 10)}),
			want: flows{"2021-03": {Received: 1}},
		},
		{
			name: "paused on the due date, still waiting",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 4, 16)}),
			want: flows{"2021-03": {Received: 1}},
		},
		{
			name: "paused in time, stopped while waiting",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 3, 10)}, step{registry.ActionStop, at(4, 20, 10)}),
			want: flows{"2021-03": {Received: 1}, "2021-04": {Stopped: 1}},
		},
		{
			name: "paused in time, withdrawn while waiting",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 3, 10)}, step{registry.ActionWithdraw, at(5, 20, 10)}),
			want: flows{"2021-03": {Received: 1}, "2021-05": {Withdrawn: 1}},
		},
		{
			// Requested on 10 March, after the due date (4 March): overdue
			// from 5 March all the same.
			name: "paused after the due date",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 10, 10)}),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"05": 1}}},
		},
		{
			// Paused 3 March, supplement 10 March: 5 working days (4, 5, 8,
			// 9, 10) push the due date from 4 to 11 March.
			name: "supplement received pushes the overdue day",
			d:    final(t, mar1(inPerson), step{registry.ActionRequestSupplement, at(3, 3, 10)}, step{registry.ActionReceiveSupplement, at(3, 10, 10)}),
			want: flows{"2021-03": {Received: 1, OverdueStarts: map[string]int{"12": 1}}},
		},
		{
			name: "registered online, not received",
			d:    newTestDossier(t, proc3, testAgency, online, register, at(3, 1, 9)),
			want: flows{},
		},
		{
			name: "registered online, refused",
			d:    final(t, newTestDossier(t, proc3, testAgency, online, register, at(3, 1, 9)), step{registry.ActionRefuse, at(3, 2, 9)}),
			want: flows{},
		},
		{
			name: "registered online, withdrawn before receipt",
			d:    final(t, newTestDossier(t, proc3, testAgency, online, register, at(3, 1, 9)), step{registry.ActionWithdraw, at(3, 2, 9)}),
			want: flows{},
		},
		{
			// Counted in the month the desk received it, not the month of
			// the registration; due 5 March from Tuesday 2 March.
			name: "registered online in February, received in March",
			d: final(t, newTestDossier(t, proc3, testAgency, online, register, at(2, 26, 22)),
				step{registry.ActionReceive, at(3, 2, 9)}, step{registry.ActionResolve, at(3, 3, 10)}),
			want: flows{"2021-03": {Received: 1, Early: 1, DaysSum: 1, Days: days(1)}},
		},
		{
			// 0 working days, received after office hours on Friday 5
			// March: counts from Monday 8 March, due that day.
			name: "zero-day procedure received after hours",
			d:    final(t, newTestDossier(t, proc0, testAgency2, inPerson, receive, at(3, 5, 18)), step{registry.ActionResolve, at(3, 8, 10)}),
			want: flows{"2021-03": {Received: 1, OnTime: 1, Days: days(0)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameRollup(t, "Contributions", Contributions(tt.d), tt.want.rollup(tt.d))
		})
	}
}

func TestContributionsNil(t *testing.T) {
	if r := Contributions(nil); len(r) != 0 {
		t.Errorf("Contributions(nil) = %s, want nothing", describe(r))
	}
}

// TestContributionsMonthInVietnam: the reporting month is the receipt's
// month in Vietnam time, whatever the time's own zone.
func TestContributionsMonthInVietnam(t *testing.T) {
	tests := []struct {
		when time.Time
		want string
	}{
		{time.Date(2021, 3, 31, 16, 59, 0, 0, time.UTC), "2021-03"}, // 23:59 in Vietnam
		{time.Date(2021, 3, 31, 17, 0, 0, 0, time.UTC), "2021-04"},  // 1 April 00:00 in Vietnam
		{time.Date(2021, 4, 1, 1, 0, 0, 0, calendar.Vietnam), "2021-04"},
		{time.Date(2020, 12, 31, 23, 30, 0, 0, calendar.Vietnam), "2020-12"},
		{time.Date(2020, 12, 31, 18, 30, 0, 0, time.UTC), "2021-01"},
	}
	for _, tt := range tests {
		if got := Month(tt.when); got != tt.want {
			t.Errorf("Month(%s) = %s, want %s", tt.when, got, tt.want)
		}
		d := newTestDossier(t, proc3, testAgency, registry.ChannelInPerson, registry.ActionReceive, tt.when)
		months := slices.Collect(func(yield func(string) bool) {
			for c, v := range Contributions(d) {
				if v.Received > 0 && !yield(c.Month) {
					return
				}
			}
		})
		if !slices.Equal(months, []string{tt.want}) {
			t.Errorf("dossier received %s counted as received in %v, want [%s]", tt.when, months, tt.want)
		}
	}
}

func TestContributionsEndedAt(t *testing.T) {
	d := newTestDossier(t, proc3, testAgency, registry.ChannelInPerson, registry.ActionReceive, at(3, 1, 9))
	if _, ok := EndedAt(d); ok {
		t.Errorf("EndedAt of an open dossier: ok = true")
	}
	for _, tt := range []struct {
		steps []step
		want  time.Time
	}{
		{[]step{{registry.ActionResolve, at(3, 3, 10)}, {registry.ActionReturnResult, at(3, 9, 10)}}, at(3, 3, 10)},
		{[]step{{registry.ActionTransfer, at(3, 2, 10)}, {registry.ActionWithdraw, at(3, 4, 10)}}, at(3, 4, 10)},
		{[]step{{registry.ActionRequestSupplement, at(3, 2, 10)}, {registry.ActionStop, at(3, 5, 10)}}, at(3, 5, 10)},
	} {
		f := final(t, d, tt.steps...)
		got, ok := EndedAt(f)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("EndedAt after %v = %s, %v; want %s, true", tt.steps, got, ok, tt.want)
		}
	}
}

func TestDeltaOfNewDossierIsItsContributions(t *testing.T) {
	d := final(t, newTestDossier(t, proc3, testAgency, registry.ChannelInPerson, registry.ActionReceive, at(3, 26, 9)),
		step{registry.ActionResolve, at(5, 4, 10)})
	sameRollup(t, "Delta(nil, d)", Delta(nil, d), Contributions(d))
	if got := Delta(d, d); len(got) != 0 {
		t.Errorf("Delta(d, d) = %s, want no cell at all", describe(got))
	}
}

// TestRollupDeltaMovesOverdueStart: a supplement received moves the day the
// dossier falls overdue; the delta takes the old day back.
func TestRollupDeltaMovesOverdueStart(t *testing.T) {
	h := history(t, newTestDossier(t, proc3, testAgency, registry.ChannelInPerson, registry.ActionReceive, at(3, 1, 9)),
		step{registry.ActionRequestSupplement, at(3, 3, 10)}, step{registry.ActionReceiveSupplement, at(3, 10, 10)})
	cell := Cell{Month: "2021-03", Agency: testAgency, Procedure: proc3.Code, Channel: registry.ChannelInPerson}
	sameRollup(t, "Delta(received, paused in time)", Delta(h[0], h[1]), Rollup{cell: {OverdueStarts: map[string]int{"05": -1}}})
	sameRollup(t, "Delta(paused in time, supplement received)", Delta(h[1], h[2]), Rollup{cell: {OverdueStarts: map[string]int{"12": 1}}})
}

// TestRollupDeltaTelescopes: applying the delta of every transition of a dossier,
// from nothing, gives the contributions of its final state; no delta holds
// a zero cell.
func TestRollupDeltaTelescopes(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		h := randomHistory(t, r)
		sum := Rollup{}
		var prev *registry.Dossier
		for i, d := range h {
			delta := Delta(prev, d)
			for c, v := range delta {
				if v.Zero() {
					t.Fatalf("seed %d: Delta of transition %d holds zero cell %+v", seed, i, c)
				}
			}
			sum.Add(delta, 1)
			prev = d
		}
		last := h[len(h)-1]
		if g, w := normalized(sum), normalized(Contributions(last)); !reflect.DeepEqual(g, w) {
			var actions []string
			for _, s := range last.History {
				actions = append(actions, fmt.Sprintf("%s@%s", s.Action, s.At.In(calendar.Vietnam).Format("01-02T15")))
			}
			t.Fatalf("seed %d: sum of deltas != Contributions(final) for history %v:\ngot\n%s\nwant\n%s", seed, actions, describe(g), describe(w))
		}
	}
}

var (
	testProcs    = []*registry.Procedure{proc3, proc10, proc0}
	testAgencies = []string{testAgency, testAgency2}
	testChannels = []registry.Channel{registry.ChannelInPerson, registry.ChannelOnline, registry.ChannelPostal}
)

// randomHistory is a dossier received (or registered online) at a random
// time in January to August 2021 and every state it went through over a
// random valid sequence of steps.
func randomHistory(t testing.TB, r *rand.Rand) []*registry.Dossier {
	t.Helper()
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, calendar.Vietnam)
	when := start.Add(time.Duration(r.Int64N(int64(243 * 24 * time.Hour))))
	ch := testChannels[r.IntN(len(testChannels))]
	first := registry.ActionReceive
	if ch == registry.ChannelOnline && r.IntN(3) == 0 {
		first = registry.ActionRegisterOnline
	}
	d := newTestDossier(t, testProcs[r.IntN(len(testProcs))], testAgencies[r.IntN(len(testAgencies))], ch, first, when)
	var steps []step
	cur := *d
	for range r.IntN(9) {
		allowed := registry.AllowedActions(cur.Status)
		if len(allowed) == 0 {
			break
		}
		when = when.Add(historytest.Gap(r))
		s := step{historytest.NextAction(r, allowed), when}
		if err := cur.Apply(stepInput(s.action, s.when), testCal, testNow); err != nil {
			t.Fatalf("%s at %s from %s: %v", s.action, s.when, cur.Status, err)
		}
		steps = append(steps, s)
	}
	return history(t, d, steps...)
}

// randomRollup sums the contributions of n random dossiers.
func randomRollup(t testing.TB, seed uint64, n int) (Rollup, []*registry.Dossier) {
	r := rand.New(rand.NewPCG(seed, 0xd05))
	sum := Rollup{}
	var ds []*registry.Dossier
	for range n {
		h := randomHistory(t, r)
		d := h[len(h)-1]
		ds = append(ds, d)
		sum.Add(Contributions(d), 1)
	}
	return sum, ds
}

func TestRollupAddSubtracts(t *testing.T) {
	r, _ := randomRollup(t, 7, 50)
	copyOf := Rollup{}
	copyOf.Add(r, 1)
	sameRollup(t, "copy", copyOf, r)
	copyOf.Add(r, -1)
	if n := normalized(copyOf); len(n) != 0 {
		t.Errorf("r - r = %s, want nothing", describe(n))
	}
	if keys := slices.Collect(maps.Keys(r)); len(keys) == 0 {
		t.Fatal("random rollup is empty")
	}
}
