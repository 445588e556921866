package stats

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

// measure is one figure of a row and which rows the total's figure adds
// up: flows are summed over every group; carried over is what the first
// period received from before; in progress is the last period's.
type measure struct {
	name  string
	of    func(*Measures) int
	stock string // "", "first" or "last"
}

var measuresAddingUp = []measure{
	{"received.online", func(m *Measures) int { return m.ReceivedOnline }, ""},
	{"received.inPerson", func(m *Measures) int { return m.ReceivedInPerson }, ""},
	{"received.postal", func(m *Measures) int { return m.ReceivedPostal }, ""},
	{"resolved.early", func(m *Measures) int { return m.Early }, ""},
	{"resolved.onTime", func(m *Measures) int { return m.OnTime }, ""},
	{"resolved.late", func(m *Measures) int { return m.Late }, ""},
	{"resolved.nationalLate", func(m *Measures) int { return m.NationalLate }, ""},
	{"withdrawn", func(m *Measures) int { return m.Withdrawn }, ""},
	{"stopped", func(m *Measures) int { return m.Stopped }, ""},
	{"working days (mean × resolved)", func(m *Measures) int { return m.DaysSum }, ""},
	{"received.carriedOver", func(m *Measures) int { return m.CarriedOver }, "first"},
	{"inProgress.withinDeadline", func(m *Measures) int { return m.InProgressWithin }, "last"},
	{"inProgress.overdue", func(m *Measures) int { return m.InProgressOverdue }, "last"},
}

// addsUp is the rows of res whose figure m adds up to the total's.
func addsUp(res Result, m measure) []*Row {
	return slices.DeleteFunc(slices.Clone(res.Groups), func(r *Row) bool {
		return m.stock == "first" && r.Period.From != res.Total.Period.From || m.stock == "last" && r.Period.To != res.Total.Period.To
	})
}

// checkSuppression holds res, suppressed at k, to: no visible row below k,
// every withheld row counted, and no withheld row's figure recoverable as
// the total minus the visible rows (the rows that add up to the total's
// figure hold none or at least two withheld ones, unless the withheld one
// is all there is: its figure is then the total's own, which the same
// query without grouping publishes); and, with stocks, no row withheld
// for its size has a visible neighbour in time, whose carried over or in
// progress would be its own stock.
func checkSuppression(t *testing.T, what string, full Result, k int, stocks bool) {
	t.Helper()
	res := full
	res.Groups = slices.Clone(full.Groups)
	res.Suppress(k)
	visible := map[*Row]bool{}
	for _, r := range res.Groups {
		visible[r] = true
		if r.Size() < k {
			t.Errorf("%s: row %s %+v of size %d < %d shown", what, r.Period.Label, r.Key, r.Size(), k)
		}
	}
	if res.Suppressed != len(full.Groups)-len(res.Groups) {
		t.Errorf("%s: suppressed %d, but %d of %d rows are withheld", what, res.Suppressed, len(full.Groups)-len(res.Groups), len(full.Groups))
	}
	for _, m := range measuresAddingUp {
		if m.stock != "" && !stocks {
			continue // not computed: zero everywhere
		}
		rows := addsUp(full, m)
		sum, residual := 0, m.of(&full.Total.Measures)
		var withheld []*Row
		for _, r := range rows {
			sum += m.of(&r.Measures)
			if visible[r] {
				residual -= m.of(&r.Measures)
			} else {
				withheld = append(withheld, r)
			}
		}
		if sum != m.of(&full.Total.Measures) {
			t.Fatalf("%s: %s: the rows add up to %d, the total has %d", what, m.name, sum, m.of(&full.Total.Measures))
		}
		if len(withheld) == 1 && len(rows) > 1 {
			h := withheld[0]
			t.Errorf("%s: %s of the withheld row %s %+v (size %d, k %d) is the total minus the visible rows: %d",
				what, m.name, h.Period.Label, h.Key, h.Size(), k, residual)
		}
	}
	if !stocks {
		return
	}
	for _, h := range full.Groups {
		if h.Size() >= k {
			continue
		}
		for _, r := range res.Groups {
			if r.Agency == h.Agency && r.Procedure == h.Procedure && r.Field == h.Field && r.Level == h.Level && r.Channel == h.Channel &&
				(monthIndex(r.Period.From) == monthIndex(h.Period.To)+1 || monthIndex(r.Period.To) == monthIndex(h.Period.From)-1) {
				t.Errorf("%s: row %s %+v withheld (size %d), but the same group's %s is shown: its stock tells the withheld one's",
					what, h.Period.Label, h.Key, h.Size(), r.Period.Label)
			}
		}
	}
}

// TestSuppressProperty: over the rollups of random dossiers, grouped at
// random, no row withheld from anonymous readers can be worked out from
// what is shown, in any figure.
func TestSuppressProperty(t *testing.T) {
	info := map[string]ProcedureInfo{}
	for _, p := range testProcs {
		info[p.Code] = ProcedureInfo{Field: p.Field, Level: p.Level}
	}
	times := []Dimension{"", ByMonth, ByQuarter, ByHalfYear, ByYear}
	others := []Dimension{ByAgency, ByProcedure, ByField, ByLevel, ByChannel}
	for seed := range uint64(12) {
		r := rand.New(rand.NewPCG(seed, 0x5a9))
		rollup, _ := randomRollup(t, seed, 20+r.IntN(150))
		for range 25 {
			q := Query{Stocks: r.IntN(3) > 0, Durations: true, ProcedureInfo: info}
			from := 1 + r.IntN(8)
			to := from + r.IntN(9-from)
			q.From, q.To = fmt.Sprintf("2021-%02d", from), fmt.Sprintf("2021-%02d", to)
			q.AsOf = lastDay(q.To)
			if d := times[r.IntN(len(times))]; d != "" {
				q.GroupBy = append(q.GroupBy, d)
			}
			for _, d := range others {
				if r.IntN(3) == 0 {
					q.GroupBy = append(q.GroupBy, d)
				}
			}
			k := 2 + r.IntN(8)
			what := fmt.Sprintf("seed %d %s..%s by %v stocks %v k %d", seed, q.From, q.To, q.GroupBy, q.Stocks, k)
			checkSuppression(t, what, Compute(q, rollup), k, q.Stocks)
		}
	}
}

// TestSuppressDeskOfTwo: one desk holding 2 dossiers in a month, grouped
// by agency: withheld, and so is the next smallest, or the total minus
// the other desks would give its 2.
func TestSuppressDeskOfTwo(t *testing.T) {
	rollup := Rollup{}
	for agency, n := range map[string]int{"A": 2, "B": 7, "C": 30} {
		*rollup.at(Cell{Month: "2021-04", Agency: agency, Channel: registry.ChannelInPerson}) = Counters{Received: n, Early: n / 2}
	}
	q := Query{From: "2021-04", To: "2021-04", AsOf: "2021-04-30", GroupBy: []Dimension{ByAgency}}
	res := Compute(q, rollup)
	checkSuppression(t, "desk of two", res, 5, false)
	res.Suppress(5)
	if res.Suppressed != 2 || len(res.Groups) != 1 || res.Groups[0].Agency != "C" {
		t.Errorf("suppressed %d, shown %d rows; want A (2 dossiers) and B (next smallest) withheld, C shown", res.Suppressed, len(res.Groups))
	}
}
