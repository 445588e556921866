package service_test

// Statistics against the real engine: the rollups kept at every transition
// give, for every query, what a brute-force count over the stored dossiers
// gives under the definitions of DOMAIN.md and stats/definitions.go; verify
// finds drift and rebuild repairs it; concurrent steps leave no drift.
// Identifiers here start with "st" to stay clear of the other test files.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/historytest"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
	"github.com/vnregistry/registry/internal/storetest"
)

const stSource = "stats-test"

// stClock is the store clock of the property test: Friday 15 October 2021,
// after every generated time. "Today" for asOf is therefore 2021-10-15.
var stClock = time.Date(2021, 10, 15, 10, 0, 0, 0, calendar.Vietnam)

type stEnv struct {
	s  *gateway.Registry
	db *mongo.Database
}

func stOpen(t *testing.T, now func() time.Time) *stEnv {
	t.Helper()
	cfg := storetest.Config(t)
	cfg.Now = now
	s, err := gateway.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI()))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return &stEnv{s: s, db: client.Database(cfg.Database)}
}

type stProc struct {
	code, field string
	level       registry.Level
	days        int
}

var (
	stAgencyPool = []registry.CreateAgencyInput{
		{Code: "000.00.31.H56", Name: "Sở Tư pháp", Level: registry.LevelProvincial},
		{Code: "000.00.32.H56", Name: "UBND huyện Ba Vì", Level: registry.LevelDistrict},
		{Code: "000.21.40.H56", Name: "UBND xã Tản Lĩnh", Level: registry.LevelCommune},
	}
	stProcPool = []stProc{
		{"1.000101", "Hộ tịch", registry.LevelProvincial, 3},
		{"2.000202", "Đất đai", registry.LevelDistrict, 10},
		{"1.003560.000.00.00.H56", "Hộ tịch", registry.LevelCommune, 1},
		{"1.009999", "Xây dựng", registry.LevelDistrict, 15},
	}
	stChannels = []registry.Channel{registry.ChannelInPerson, registry.ChannelOnline, registry.ChannelPostal}
)

// stSetup creates 2-3 agencies and 3-4 procedures.
func stSetup(t *testing.T, e *stEnv, r *rand.Rand) (agencies []string, procs []stProc) {
	t.Helper()
	ctx := storetest.Context(t)
	for _, a := range stAgencyPool[:2+r.IntN(2)] {
		if _, err := e.s.CreateAgency(ctx, a, stSource); err != nil {
			t.Fatalf("create agency: %v", err)
		}
		agencies = append(agencies, a.Code)
	}
	for i, p := range stProcPool[:3+r.IntN(2)] {
		field := p.field
		in := registry.CreateProcedureInput{Code: p.code, Name: "Thủ tục " + p.code, Field: &field, Level: p.level,
			AgencyCode: agencies[i%len(agencies)], ProcessingDays: p.days}
		if _, err := e.s.CreateProcedure(ctx, in, stSource); err != nil {
			t.Fatalf("create procedure: %v", err)
		}
		procs = append(procs, p)
	}
	return agencies, procs
}

type stStats struct{ dossiers, registered, steps, supplements int }

// stGenerate stores n dossiers received (or registered online) at random
// times from January to August 2021 and records random valid steps on them.
func stGenerate(t *testing.T, e *stEnv, r *rand.Rand, agencies []string, procs []stProc, n int) stStats {
	t.Helper()
	ctx := storetest.Context(t)
	var st stStats
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, calendar.Vietnam)
	cutoff := stClock.Add(-time.Hour)
	for range n {
		when := start.Add(time.Duration(r.Int64N(int64(243 * 24 * time.Hour)))).Truncate(time.Minute)
		ch := stChannels[r.IntN(len(stChannels))]
		in := registry.ReceiveDossierInput{
			ProcedureCode: procs[r.IntN(len(procs))].code, AgencyCode: agencies[r.IntN(len(agencies))], Channel: ch,
			Applicant: registry.ApplicantInput{Name: "Trần Thị Bình"}, ReceivedAt: &when,
		}
		var d *registry.Dossier
		var err error
		if ch == registry.ChannelOnline && r.IntN(3) == 0 {
			st.registered++
			d, err = e.s.RegisterDossier(ctx, in, stSource)
		} else {
			if r.IntN(10) == 0 { // a due date set by hand, possibly a weekend
				due := calendar.DateOf(when).AddDays(r.IntN(20))
				in.DueDate, in.DueDateReason = &due, new("gia hạn")
			}
			d, err = e.s.ReceiveDossier(ctx, in, stSource)
		}
		if err != nil {
			t.Fatalf("create dossier at %s: %v", when, err)
		}
		st.dossiers++
		for range r.IntN(9) {
			allowed := registry.AllowedActions(d.Status)
			if len(allowed) == 0 {
				break
			}
			if when = when.Add(historytest.Gap(r)); when.After(cutoff) {
				break
			}
			at := when
			action := historytest.NextAction(r, allowed)
			var expected *int
			if r.IntN(2) == 0 {
				v := d.Version
				expected = &v
			}
			if d, err = e.s.RecordStep(ctx, d.Code, historytest.StepInput(r, action, &at, ""), expected, stSource); err != nil {
				t.Fatalf("%s at %s: %v", action, at, err)
			}
			st.steps++
			if action == registry.ActionRequestSupplement {
				st.supplements++
			}
		}
	}
	return st
}

// stReadAll reads every stored dossier with the driver.
func stReadAll(t *testing.T, e *stEnv) []*registry.Dossier {
	t.Helper()
	cur, err := e.db.Collection("dossiers").Find(storetest.Context(t), bson.D{})
	if err != nil {
		t.Fatalf("find dossiers: %v", err)
	}
	var out []*registry.Dossier
	if err := cur.All(storetest.Context(t), &out); err != nil {
		t.Fatalf("decode dossiers: %v", err)
	}
	return out
}

// stFacts is what the brute force needs of one received dossier, derived
// from its history rather than from the fields statistics read.
type stFacts struct {
	code                     string
	agency, procedure, field string
	level                    registry.Level
	channel                  registry.Channel
	receivedDate             calendar.Date
	receivedMonth            string
	end                      registry.Action // RESOLVE, WITHDRAW or STOP; "" while open
	endDate                  calendar.Date
	endMonth                 string
	outcome                  registry.Outcome
	nationalLate             bool
	days                     int
	due                      calendar.Date
	pausedInTime             bool
}

func stMonth(t time.Time) string { return t.In(calendar.Vietnam).Format("2006-01") }

// stDerive applies the definitions to one stored dossier; ok is false for
// one the desk never received (registered online only, refused, or
// withdrawn before receipt).
func stDerive(t *testing.T, d *registry.Dossier, procs map[string]stProc) (f stFacts, ok bool) {
	t.Helper()
	var receivedAt, endAt, pausedAt time.Time
	received, paused := false, false
	requests := 0
	for _, s := range d.History {
		switch s.Action {
		case registry.ActionReceive:
			received, receivedAt = true, s.At
		case registry.ActionResolve, registry.ActionWithdraw, registry.ActionStop:
			if received {
				f.end, endAt = s.Action, s.At
			}
		case registry.ActionRequestSupplement:
			requests++
			paused, pausedAt = true, s.At
		case registry.ActionReceiveSupplement:
			paused = false
		}
	}
	if !received {
		return f, false
	}
	if !d.ReceivedAt.Equal(receivedAt) {
		t.Errorf("dossier %s: receivedAt %s, its last RECEIVE step at %s", d.Code, d.ReceivedAt, receivedAt)
	}
	p := procs[d.ProcedureCode]
	f = stFacts{
		code: d.Code, agency: d.AgencyCode, procedure: d.ProcedureCode, field: p.field, level: p.level, channel: d.Channel,
		receivedDate: calendar.DateOf(receivedAt), receivedMonth: stMonth(receivedAt),
		end: f.end, due: d.DueDate,
		// The clock stops for a supplement requested by the due date.
		pausedInTime: paused && calendar.DateOf(pausedAt) <= d.DueDate,
	}
	if f.end != "" {
		f.endDate, f.endMonth = calendar.DateOf(endAt), stMonth(endAt)
	}
	if f.end == registry.ActionResolve {
		switch {
		case f.endDate < d.DueDate:
			f.outcome = registry.OutcomeEarly
		case f.endDate == d.DueDate:
			f.outcome = registry.OutcomeOnTime
		default:
			f.outcome = registry.OutcomeLate
		}
		if f.outcome != d.Outcome {
			t.Errorf("dossier %s resolved %s, due %s: outcome %s, want %s", d.Code, f.endDate, d.DueDate, d.Outcome, f.outcome)
		}
		f.nationalLate = f.outcome == registry.OutcomeLate || requests > 1
		if d.WorkingDaysTaken == nil {
			t.Fatalf("dossier %s resolved without workingDaysTaken", d.Code)
		}
		f.days = *d.WorkingDaysTaken
	}
	return f, true
}

// stRow is a brute-force row.
type stRow struct {
	online, inPerson, postal, carried   int
	early, onTime, late, nationalLate   int
	withdrawn, stopped, within, overdue int
	days                                []int
	stockDate                           calendar.Date
	stocks, durations                   bool
}

type stPeriod struct {
	label, from, to string
	start, end      calendar.Date
}

func stMonthEnd(month string) calendar.Date {
	t, _ := time.Parse("2006-01", month)
	return calendar.DateOf(time.Date(t.Year(), t.Month()+1, 0, 12, 0, 0, 0, calendar.Vietnam))
}

func stNewPeriod(label, from, to string) stPeriod {
	return stPeriod{label: label, from: from, to: to, start: calendar.Date(from + "-01"), end: stMonthEnd(to)}
}

// add counts f into row for period p.
func (row *stRow) add(f *stFacts, p stPeriod) {
	if f.receivedMonth >= p.from && f.receivedMonth <= p.to {
		switch f.channel {
		case registry.ChannelOnline:
			row.online++
		case registry.ChannelPostal:
			row.postal++
		default:
			row.inPerson++
		}
	}
	endedBy := func(d calendar.Date) bool { return f.end != "" && f.endDate <= d }
	if row.stocks && f.receivedDate < p.start && !endedBy(p.start.AddDays(-1)) {
		row.carried++
	}
	if f.end != "" && f.endMonth >= p.from && f.endMonth <= p.to {
		switch f.end {
		case registry.ActionWithdraw:
			row.withdrawn++
		case registry.ActionStop:
			row.stopped++
		default:
			switch f.outcome {
			case registry.OutcomeEarly:
				row.early++
			case registry.OutcomeOnTime:
				row.onTime++
			default:
				row.late++
			}
			if f.nationalLate {
				row.nationalLate++
			}
			row.days = append(row.days, f.days)
		}
	}
	// In progress on the stock date E: received on or before E and not
	// ended on or before E; overdue once E is past the due date, unless
	// waiting for a supplement requested in time.
	if e := row.stockDate; row.stocks && f.receivedDate <= e && !endedBy(e) {
		if e > f.due && !f.pausedInTime {
			row.overdue++
		} else {
			row.within++
		}
	}
}

func (row *stRow) empty() bool {
	return row.online+row.inPerson+row.postal+row.carried+row.early+row.onTime+row.late+
		row.withdrawn+row.stopped+row.within+row.overdue == 0
}

func stFloat(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', 12, 64)
}

func stRatio(num, den int) string {
	if den == 0 {
		return "null"
	}
	v := float64(num) / float64(den)
	return stFloat(&v)
}

// flat lists every measure of a brute-force row by its definitions name.
func (row *stRow) flat() map[string]string {
	n := func(v int) string { return strconv.Itoa(v) }
	newR := row.online + row.inPerson + row.postal
	resolved := row.early + row.onTime + row.late
	inProgress := row.within + row.overdue
	mean, median := "null", "null"
	if row.durations && len(row.days) > 0 {
		sum := 0
		for _, d := range row.days {
			sum += d
		}
		mean = stRatio(sum, len(row.days))
		s := slices.Sorted(slices.Values(row.days))
		m := float64(s[(len(s)-1)/2]+s[len(s)/2]) / 2
		median = stFloat(&m)
	}
	return map[string]string{
		"received.total": n(newR + row.carried), "received.new": n(newR), "received.online": n(row.online),
		"received.inPerson": n(row.inPerson), "received.postal": n(row.postal), "received.carriedOver": n(row.carried),
		"resolved.total": n(resolved), "resolved.early": n(row.early), "resolved.onTime": n(row.onTime), "resolved.late": n(row.late),
		"resolved.nationalOnTime": n(resolved - row.nationalLate), "resolved.nationalLate": n(row.nationalLate),
		"inProgress.total": n(inProgress), "inProgress.withinDeadline": n(row.within), "inProgress.overdue": n(row.overdue),
		"inProgress.asOf": string(row.stockDate),
		"withdrawn":       n(row.withdrawn), "stopped": n(row.stopped),
		"meanWorkingDays": mean, "medianWorkingDays": median,
		"PROVINCIAL.early": stRatio(row.early, resolved), "PROVINCIAL.onTime": stRatio(row.onTime, resolved),
		"PROVINCIAL.late": stRatio(row.late, resolved), "PROVINCIAL.online": stRatio(row.online, newR),
		"NATIONAL_766.early":  "null",
		"NATIONAL_766.onTime": stRatio(resolved-row.nationalLate+row.within, resolved+inProgress),
		"NATIONAL_766.late":   stRatio(row.nationalLate+row.overdue, resolved+inProgress),
		"NATIONAL_766.online": stRatio(row.online, newR),
	}
}

// stFlatGot lists every measure of a computed row the same way.
func stFlatGot(r *stats.Row) map[string]string {
	n := func(v int) string { return strconv.Itoa(v) }
	m := &r.Measures
	out := map[string]string{
		"received.total": n(m.ReceivedTotal()), "received.new": n(m.ReceivedNew()), "received.online": n(m.ReceivedOnline),
		"received.inPerson": n(m.ReceivedInPerson), "received.postal": n(m.ReceivedPostal), "received.carriedOver": n(m.CarriedOver),
		"resolved.total": n(m.Resolved()), "resolved.early": n(m.Early), "resolved.onTime": n(m.OnTime), "resolved.late": n(m.Late),
		"resolved.nationalOnTime": n(m.NationalOnTime()), "resolved.nationalLate": n(m.NationalLate),
		"inProgress.total": n(m.InProgress()), "inProgress.withinDeadline": n(m.InProgressWithin), "inProgress.overdue": n(m.InProgressOverdue),
		"inProgress.asOf": string(m.StockDate),
		"withdrawn":       n(m.Withdrawn), "stopped": n(m.Stopped),
		"meanWorkingDays": stFloat(m.MeanWorkingDays()), "medianWorkingDays": stFloat(m.MedianWorkingDays()),
	}
	for _, def := range []stats.Definition{stats.Provincial, stats.National766} {
		rates := m.Rates(def)
		if rates.Definition != def {
			out[string(def)+".definition"] = string(rates.Definition)
		}
		out[string(def)+".early"] = stFloat(rates.Early)
		out[string(def)+".onTime"] = stFloat(rates.OnTime)
		out[string(def)+".late"] = stFloat(rates.Late)
		out[string(def)+".online"] = stFloat(rates.Online)
	}
	return out
}

// stKey names a row: its period and the dimensions it is grouped by.
type stKey struct {
	label, from, to   string
	agency, procedure string
	field             string
	level             registry.Level
	channel           registry.Channel
}

func (k stKey) String() string {
	return fmt.Sprintf("[%s %s..%s agency=%s procedure=%s field=%s level=%s channel=%s]",
		k.label, k.from, k.to, k.agency, k.procedure, k.field, k.level, k.channel)
}

// stBuckets are the calendar periods of q that have started by asOf.
func stBuckets(q stats.Query) []stPeriod {
	step := 0
	for _, d := range q.GroupBy {
		switch d {
		case stats.ByMonth:
			step = 1
		case stats.ByQuarter:
			step = 3
		case stats.ByHalfYear:
			step = 6
		case stats.ByYear:
			step = 12
		}
	}
	if step == 0 {
		return []stPeriod{stNewPeriod(q.From+".."+q.To, q.From, q.To)}
	}
	var out []stPeriod
	first, _ := time.Parse("2006-01", q.From)
	for m := first; m.Format("2006-01") <= q.To; m = m.AddDate(0, 1, 0) {
		month := m.Format("2006-01")
		var label string
		switch step {
		case 1:
			label = month
		case 3:
			label = fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())-1)/3+1)
		case 6:
			label = fmt.Sprintf("%d-H%d", m.Year(), (int(m.Month())-1)/6+1)
		default:
			label = strconv.Itoa(m.Year())
		}
		if len(out) > 0 && out[len(out)-1].label == label {
			out[len(out)-1] = stNewPeriod(label, out[len(out)-1].from, month)
		} else {
			out = append(out, stNewPeriod(label, month, month))
		}
	}
	// Nothing after asOf counts: later periods are dropped, and one running
	// past it stops at asOf's month.
	out = slices.DeleteFunc(out, func(p stPeriod) bool { return p.start > q.AsOf })
	for i, p := range out {
		out[i] = stNewPeriod(p.label, p.from, min(p.to, string(q.AsOf)[:7]))
	}
	return out
}

func stSelects(q stats.Query, f *stFacts) bool {
	return (len(q.Agencies) == 0 || slices.Contains(q.Agencies, f.agency)) &&
		(len(q.Procedures) == 0 || slices.Contains(q.Procedures, f.procedure)) &&
		(len(q.Channels) == 0 || slices.Contains(q.Channels, f.channel)) &&
		(len(q.Fields) == 0 || slices.Contains(q.Fields, f.field)) &&
		(len(q.Levels) == 0 || slices.Contains(q.Levels, f.level))
}

func stDims(q stats.Query, f *stFacts) stKey {
	var k stKey
	for _, d := range q.GroupBy {
		switch d {
		case stats.ByAgency:
			k.agency = f.agency
		case stats.ByProcedure:
			k.procedure = f.procedure
		case stats.ByField:
			k.field = f.field
		case stats.ByLevel:
			k.level = f.level
		case stats.ByChannel:
			k.channel = f.channel
		}
	}
	return k
}

// stBrute computes q's total and rows from the facts.
func stBrute(q stats.Query, facts []stFacts) (total map[string]string, rows map[stKey]map[string]string) {
	newRow := func(p stPeriod) *stRow {
		return &stRow{stockDate: min(p.end, q.AsOf), stocks: q.Stocks, durations: q.Durations}
	}
	totalPeriod := stNewPeriod(q.From+".."+q.To, q.From, min(q.To, string(q.AsOf)[:7]))
	tot := newRow(totalPeriod)
	buckets := stBuckets(q)
	grouped := map[stKey]*stRow{}
	periodOf := map[stKey]stPeriod{}
	for i := range facts {
		f := &facts[i]
		if !stSelects(q, f) {
			continue
		}
		tot.add(f, totalPeriod)
		k := stDims(q, f)
		for _, p := range buckets {
			k.label, k.from, k.to = p.label, p.from, p.to
			if grouped[k] == nil {
				grouped[k], periodOf[k] = newRow(p), p
			}
			grouped[k].add(f, p)
		}
	}
	rows = map[stKey]map[string]string{}
	for k, r := range grouped {
		if !r.empty() {
			rows[k] = r.flat()
		}
	}
	return tot.flat(), rows
}

func stKeyOf(r *stats.Row) stKey {
	return stKey{label: r.Period.Label, from: r.Period.From, to: r.Period.To, agency: r.Agency, procedure: r.Procedure,
		field: r.Field, level: r.Level, channel: r.Channel}
}

func stDiff(what string, got, want map[string]string) []string {
	var out []string
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		seen := map[string]bool{}
		for k := range got {
			seen[k] = true
		}
		for k := range want {
			seen[k] = true
		}
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	}) {
		if got[name] != want[name] {
			out = append(out, fmt.Sprintf("%s %s: got %s, want %s", what, name, cmp.Or(got[name], "(absent)"), cmp.Or(want[name], "(absent)")))
		}
	}
	return out
}

// stCompare runs q through DossierStats and compares every measure of the
// total and of every row with the brute force.
func stCompare(t *testing.T, e *stEnv, name string, q stats.Query, facts []stFacts) stats.Result {
	t.Helper()
	res, err := e.s.DossierStats(storetest.Context(t), q)
	if err != nil {
		t.Fatalf("%s: DossierStats: %v", name, err)
	}
	wantTotal, wantRows := stBrute(q, facts)
	var diffs []string
	if res.Total == nil {
		t.Fatalf("%s: no total", name)
	}
	if p := res.Total.Period; p.Label != q.From+".."+q.To || p.From != q.From || p.To != min(q.To, string(q.AsOf)[:7]) {
		diffs = append(diffs, fmt.Sprintf("total period %+v", p))
	}
	diffs = append(diffs, stDiff("total", stFlatGot(res.Total), wantTotal)...)
	seen := map[stKey]bool{}
	for _, r := range res.Groups {
		k := stKeyOf(r)
		if seen[k] {
			diffs = append(diffs, fmt.Sprintf("row %s twice", k))
		}
		seen[k] = true
		want, ok := wantRows[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("unexpected row %s: %v", k, stFlatGot(r)))
			continue
		}
		diffs = append(diffs, stDiff("row "+k.String(), stFlatGot(r), want)...)
	}
	for k, want := range wantRows {
		if !seen[k] {
			diffs = append(diffs, fmt.Sprintf("missing row %s: want %v", k, want))
		}
	}
	// Rows come in period, then key order.
	if !slices.IsSortedFunc(res.Groups, func(a, b *stats.Row) int {
		return cmp.Or(cmp.Compare(a.Period.From, b.Period.From), cmp.Compare(a.Agency, b.Agency), cmp.Compare(a.Procedure, b.Procedure),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Level, b.Level), cmp.Compare(a.Channel, b.Channel))
	}) {
		diffs = append(diffs, "groups are not in period, then key order")
	}
	if len(diffs) > 0 {
		if len(diffs) > 40 {
			diffs = append(diffs[:40], fmt.Sprintf("... and %d more", len(diffs)-40))
		}
		t.Errorf("%s (%+v): %d differences from the brute force:\n  %s", name, q, len(diffs), strings.Join(diffs, "\n  "))
	}
	if len(res.Groups) == 0 && len(q.GroupBy) > 0 {
		t.Errorf("%s: no rows at all; the fixture does not exercise this query", name)
	}
	return res
}

func stFactsOf(t *testing.T, e *stEnv, procs []stProc) ([]stFacts, []*registry.Dossier) {
	t.Helper()
	byCode := map[string]stProc{}
	for _, p := range procs {
		byCode[p.code] = p
	}
	all := stReadAll(t, e)
	var facts []stFacts
	for _, d := range all {
		if f, ok := stDerive(t, d, byCode); ok {
			facts = append(facts, f)
		}
	}
	return facts, all
}

func stQueries(agencies []string, procs []stProc) map[string]stats.Query {
	return map[string]stats.Query{
		"no grouping":       {From: "2021-01", To: "2021-09", AsOf: "2021-09-30"},
		"by month to today": {From: "2021-01", To: "2021-10", AsOf: "2021-10-15", GroupBy: []stats.Dimension{stats.ByMonth}},
		"by quarter and agency, two agencies": {From: "2021-02", To: "2021-08", AsOf: "2021-08-31",
			GroupBy: []stats.Dimension{stats.ByQuarter, stats.ByAgency}, Agencies: agencies[:2]},
		"by year, procedure and channel, stocks today": {From: "2021-01", To: "2021-12", AsOf: "2021-10-15",
			GroupBy: []stats.Dimension{stats.ByYear, stats.ByProcedure, stats.ByChannel}},
		"by half year, field and level, district and commune": {From: "2021-03", To: "2021-09", AsOf: "2021-09-30",
			GroupBy: []stats.Dimension{stats.ByHalfYear, stats.ByField, stats.ByLevel},
			Levels:  []registry.Level{registry.LevelDistrict, registry.LevelCommune}},
		"by month, agency and channel, online and postal": {From: "2021-04", To: "2021-06", AsOf: "2021-06-30",
			GroupBy:  []stats.Dimension{stats.ByMonth, stats.ByAgency, stats.ByChannel},
			Channels: []registry.Channel{registry.ChannelOnline, registry.ChannelPostal}},
		"by quarter, one field, flows only": {From: "2021-01", To: "2021-06", AsOf: "2021-06-30",
			GroupBy: []stats.Dimension{stats.ByQuarter}, Fields: []string{"Hộ tịch"}, Stocks: false, Durations: false},
		"by month and procedure, asOf in the future": {From: "2021-07", To: "2021-12", AsOf: "2021-12-31",
			GroupBy: []stats.Dimension{stats.ByMonth, stats.ByProcedure}, Procedures: []string{procs[0].code, procs[1].code}},
		"by month from before any receipt": {From: "2020-11", To: "2021-03", AsOf: "2021-03-31", GroupBy: []stats.Dimension{stats.ByMonth}},
		"by agency and level, in person": {From: "2021-05", To: "2021-07", AsOf: "2021-07-31",
			GroupBy: []stats.Dimension{stats.ByAgency, stats.ByLevel}, Channels: []registry.Channel{registry.ChannelInPerson}},
	}
}

// stStocksOn turns stocks and durations on, except for the flows-only query.
func stStocksOn(name string, q stats.Query) stats.Query {
	if !strings.Contains(name, "flows only") {
		q.Stocks, q.Durations = true, true
	}
	return q
}

func TestStatsMatchBruteForce(t *testing.T) {
	seeds := []uint64{1, 2, 20210331}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Logf("seed %d", seed)
			r := rand.New(rand.NewPCG(seed, 0x57a75))
			e := stOpen(t, func() time.Time { return stClock })
			agencies, procs := stSetup(t, e, r)
			// 150-200 dossiers: every step costs a few round trips to the
			// engine, so more only makes the test slower.
			n := 150 + r.IntN(51)
			gen := stGenerate(t, e, r, agencies, procs, n)
			facts, all := stFactsOf(t, e, procs)
			t.Logf("%d agencies, %d procedures, %d dossiers (%d registered online, %d received), %d steps, %d supplement requests",
				len(agencies), len(procs), gen.dossiers, gen.registered, len(facts), gen.steps, gen.supplements)
			if len(all) != n {
				t.Fatalf("%d dossiers stored, %d created", len(all), n)
			}
			queries := stQueries(agencies, procs)
			results := map[string]stats.Result{}
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range queries {
					if !yield(k) {
						return
					}
				}
			}) {
				q := stStocksOn(name, queries[name])
				results[name] = stCompare(t, e, name, q, facts)
			}

			ctx := storetest.Context(t)
			drift, err := e.s.VerifyRollups(ctx)
			if err != nil {
				t.Fatalf("VerifyRollups: %v", err)
			}
			if len(drift) > 0 {
				t.Fatalf("VerifyRollups after generation: %d drifts, first %v", len(drift), drift[0])
			}
			stCorruptAndRebuild(t, e)

			// The rebuilt rollups answer every query as before.
			for name, want := range results {
				got, err := e.s.DossierStats(ctx, stStocksOn(name, queries[name]))
				if err != nil {
					t.Fatalf("%s after rebuild: %v", name, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: result after rebuild differs from before", name)
				}
			}
		})
	}
}

// stCorruptAndRebuild changes one counter and deletes one rollup document
// behind the store's back, checks that VerifyRollups names exactly those
// counters, then that RebuildRollups repairs them.
func stCorruptAndRebuild(t *testing.T, e *stEnv) {
	t.Helper()
	ctx := storetest.Context(t)
	rollups := e.db.Collection("rollups")
	var docs []stRollupDoc
	cur, err := rollups.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatalf("find rollups: %v", err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatalf("decode rollups: %v", err)
	}
	if len(docs) < 2 {
		t.Fatalf("%d rollup documents, want several", len(docs))
	}
	// The first document with a cell that received something: add 3.
	var incID, incCell string
	var incWas int
	for _, d := range docs {
		for _, k := range slices.Sorted(maps.Keys(d.Cells)) {
			if v, ok := d.Cells[k]["r"]; ok {
				incID, incCell, incWas = d.ID, k, stInt(v)
				break
			}
		}
		if incID != "" {
			break
		}
	}
	if incID == "" {
		t.Fatal("no rollup cell received anything")
	}
	if _, err := rollups.UpdateOne(ctx, bson.D{{Key: "_id", Value: incID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "c." + incCell + ".r", Value: 3}}}}); err != nil {
		t.Fatalf("corrupt %s: %v", incID, err)
	}
	// The last document (another month and agency): delete it.
	delID := docs[len(docs)-1].ID
	if delID == incID {
		t.Fatal("corrupted and deleted the same document")
	}
	if _, err := rollups.DeleteOne(ctx, bson.D{{Key: "_id", Value: delID}}); err != nil {
		t.Fatalf("delete %s: %v", delID, err)
	}

	drift, err := e.s.VerifyRollups(ctx)
	if err != nil {
		t.Fatalf("VerifyRollups: %v", err)
	}
	incMonth, incAgency, _ := strings.Cut(incID, "|")
	incProc, incChannel, _ := strings.Cut(incCell, "~")
	incProc = strings.ReplaceAll(incProc, "_", ".")
	delMonth, delAgency, _ := strings.Cut(delID, "|")
	foundInc := false
	deleted := 0
	for _, d := range drift {
		switch {
		case d.Cell.Month == incMonth && d.Cell.Agency == incAgency && d.Cell.Procedure == incProc &&
			string(d.Cell.Channel) == incChannel && d.Counter == "r":
			foundInc = true
			if d.Stored != incWas+3 || d.Expected != incWas {
				t.Errorf("drift %v: want stored %d, expected %d", d, incWas+3, incWas)
			}
		case d.Cell.Month == delMonth && d.Cell.Agency == delAgency:
			deleted++
			if d.Stored != 0 || d.Expected == 0 {
				t.Errorf("drift %v of the deleted document: want stored 0 and a non-zero expectation", d)
			}
		default:
			t.Errorf("unexpected drift %v", d)
		}
		if d.String() == "" {
			t.Errorf("drift %+v prints as nothing", d)
		}
	}
	if !foundInc {
		t.Errorf("VerifyRollups does not report the corrupted counter %s %s r (got %v)", incID, incCell, drift)
	}
	if deleted == 0 {
		t.Errorf("VerifyRollups does not report the counters of the deleted document %s (got %v)", delID, drift)
	}

	want, err := e.s.RecomputeRollup(ctx)
	if err != nil {
		t.Fatalf("RecomputeRollup: %v", err)
	}
	cells, err := e.s.RebuildRollups(ctx)
	if err != nil {
		t.Fatalf("RebuildRollups: %v", err)
	}
	if cells != len(want) {
		t.Errorf("RebuildRollups wrote %d cells, the dossiers give %d", cells, len(want))
	}
	if drift, err := e.s.VerifyRollups(ctx); err != nil || len(drift) > 0 {
		t.Fatalf("VerifyRollups after RebuildRollups: %v, %d drifts %v", err, len(drift), drift)
	}
}

// stRollupDoc is a rollup document as the driver sees it.
type stRollupDoc struct {
	ID    string                    `bson:"_id"`
	Cells map[string]map[string]any `bson:"c"`
}

func stInt(v any) int {
	switch n := v.(type) {
	case int32:
		return int(n)
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return -1 << 31
}

// TestStatsRollupsUnderConcurrentSteps: 40 goroutines record steps at once,
// each on a dossier of its own and on dossiers they share; the rollups then
// match the dossiers exactly and answer like the brute force.
func TestStatsRollupsUnderConcurrentSteps(t *testing.T) {
	// A monotonic clock from Monday 1 March 2021 08:00: each reading is 7
	// minutes after the previous one, so steps spread over several days.
	base := time.Date(2021, 3, 1, 8, 0, 0, 0, calendar.Vietnam)
	var ticks atomic.Int64
	e := stOpen(t, func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * 7 * time.Minute) })
	ctx := storetest.Context(t)
	r := rand.New(rand.NewPCG(40, 40))
	agencies, procs := stSetup(t, e, r)
	receipt := func(i int) registry.ReceiveDossierInput {
		return registry.ReceiveDossierInput{
			ProcedureCode: procs[i%len(procs)].code, AgencyCode: agencies[i%len(agencies)], Channel: stChannels[i%3],
			Applicant: registry.ApplicantInput{Name: fmt.Sprintf("Người nộp %d", i)},
		}
	}
	const nShared, workers = 5, 40
	var shared []string
	for i := range nShared {
		d, err := e.s.ReceiveDossier(ctx, receipt(i), stSource)
		if err != nil {
			t.Fatalf("receive shared dossier: %v", err)
		}
		shared = append(shared, d.Code)
	}
	plans := [][]registry.Action{
		{registry.ActionTransfer, registry.ActionRequestSupplement, registry.ActionReceiveSupplement, registry.ActionResolve, registry.ActionReturnResult},
		{registry.ActionRequestSupplement, registry.ActionReceiveSupplement, registry.ActionRequestSupplement, registry.ActionReceiveSupplement, registry.ActionResolve},
		{registry.ActionTransfer, registry.ActionApologizeResched, registry.ActionStop},
		{registry.ActionTransfer, registry.ActionRequireFinancial, registry.ActionResolve},
		{registry.ActionRequestSupplement, registry.ActionWithdraw},
		{registry.ActionTransfer, registry.ActionTransfer}, // left open
	}
	var (
		mu        sync.Mutex
		successes = map[string]int{}
		conflicts atomic.Int64
	)
	record := func(code string, in registry.DossierStepInput) error {
		_, err := e.s.RecordStep(ctx, code, in, nil, stSource)
		if err == nil {
			mu.Lock()
			successes[code]++
			mu.Unlock()
		}
		return err
	}
	errs := make(chan error, workers*20)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			<-start
			local := rand.New(rand.NewPCG(uint64(i), 1))
			own, err := e.s.ReceiveDossier(ctx, receipt(nShared+i), stSource)
			if err != nil {
				errs <- fmt.Errorf("worker %d: receive: %w", i, err)
				return
			}
			plan := plans[i%len(plans)]
			for j := range 8 {
				if j < len(plan) {
					if err := record(own.Code, historytest.StepInput(local, plan[j], nil, "2021-03-10")); err != nil {
						errs <- fmt.Errorf("worker %d: own dossier %s: %s: %w", i, own.Code, plan[j], err)
					}
				}
				// On a shared dossier: mostly transfers, some supplement
				// requests and receipts, one resolution each. Those that
				// its status no longer allows are CONFLICT.
				action := registry.ActionTransfer
				switch {
				case i%8 == 3 && j == 2:
					action = registry.ActionRequestSupplement
				case i%8 == 4 && j == 4:
					action = registry.ActionReceiveSupplement
				case i%8 == 7 && j == 6:
					action = registry.ActionResolve
				}
				err := record(shared[(i+j)%nShared], historytest.StepInput(local, action, nil, "2021-03-10"))
				if err != nil {
					if registry.ErrorCode(err) != registry.CodeConflict {
						errs <- fmt.Errorf("worker %d: shared dossier: %s: %w", i, action, err)
					} else {
						conflicts.Add(1)
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d steps recorded, %d refused as CONFLICT by the lifecycle", func() int {
		n := 0
		for _, v := range successes {
			n += v
		}
		return n
	}(), conflicts.Load())

	facts, all := stFactsOf(t, e, procs)
	if len(all) != nShared+workers {
		t.Fatalf("%d dossiers stored, want %d", len(all), nShared+workers)
	}
	for _, d := range all {
		if want := 1 + successes[d.Code]; d.Version != want || len(d.History) != want {
			t.Errorf("dossier %s: version %d, %d history entries; %d steps succeeded", d.Code, d.Version, len(d.History), want-1)
		}
	}
	drift, err := e.s.VerifyRollups(ctx)
	if err != nil {
		t.Fatalf("VerifyRollups: %v", err)
	}
	for _, d := range drift {
		t.Errorf("drift after concurrent steps: %v", d)
	}
	for name, q := range map[string]stats.Query{
		"by agency and channel": {From: "2021-03", To: "2021-03", AsOf: "2021-03-31", GroupBy: []stats.Dimension{stats.ByAgency, stats.ByChannel}},
		"by procedure in April": {From: "2021-01", To: "2021-04", AsOf: "2021-04-30", GroupBy: []stats.Dimension{stats.ByMonth, stats.ByProcedure}},
	} {
		q.Stocks, q.Durations = true, true
		stCompare(t, e, name, q, facts)
	}
}

// TestStatsRejectsInvalidQuery: DossierStats validates against the store's
// clock before reading anything.
func TestStatsRejectsInvalidQuery(t *testing.T) {
	e := stOpen(t, func() time.Time { return stClock })
	for _, q := range []stats.Query{
		{From: "2021-06", To: "2021-05", AsOf: "2021-10-15"},
		{From: "2021-01", To: "2021-06", AsOf: "2021-06-15"}, // past, mid-month (today is 2021-10-15)
		{From: "2021-01", To: "2021-06", AsOf: "2021-10-15", GroupBy: []stats.Dimension{stats.ByMonth, stats.ByYear}},
	} {
		_, err := e.s.DossierStats(storetest.Context(t), q)
		if e, ok := errors.AsType[*registry.Error](err); !ok || e.Code != registry.CodeBadUserInput {
			t.Errorf("DossierStats(%+v) = %v, want BAD_USER_INPUT", q, err)
		}
	}
	// The store's clock decides what "today" is: 2021-10-15 mid-month is
	// accepted as today.
	if _, err := e.s.DossierStats(storetest.Context(t), stats.Query{From: "2021-10", To: "2021-10", AsOf: "2021-10-15", Stocks: true}); err != nil {
		t.Errorf("asOf = the store's today: %v", err)
	}
}
