package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Dimension is something statistics can be grouped by.
type Dimension string

const (
	ByMonth     Dimension = "MONTH"
	ByQuarter   Dimension = "QUARTER"
	ByHalfYear  Dimension = "HALF_YEAR"
	ByYear      Dimension = "YEAR"
	ByAgency    Dimension = "AGENCY"
	ByProcedure Dimension = "PROCEDURE"
	ByField     Dimension = "FIELD"
	ByLevel     Dimension = "LEVEL"
	ByChannel   Dimension = "CHANNEL"
)

// monthsPer is the length in months of each time dimension.
var monthsPer = map[Dimension]int{ByMonth: 1, ByQuarter: 3, ByHalfYear: 6, ByYear: 12}

// ProcedureInfo is what grouping by field or level needs of a procedure.
type ProcedureInfo struct {
	Field string
	Level registry.Level
}

// Query selects and groups dossier statistics.
type Query struct {
	From, To   string        // first and last month, "2021-01"
	AsOf       calendar.Date // stocks are counted at a period's end or at AsOf, whichever is earlier
	Agencies   []string
	Procedures []string
	Fields     []string
	Levels     []registry.Level
	Channels   []registry.Channel
	GroupBy    []Dimension
	// ProcedureInfo maps procedure codes to their field and level.
	ProcedureInfo map[string]ProcedureInfo
	// Stocks asks for in-progress and carried-over counts, which need every
	// month from the beginning; without them only the queried months are read.
	Stocks bool
	// Durations asks for mean and median working days.
	Durations bool
}

// Period is a span of whole months.
type Period struct {
	Label    string // "2021-03", "2021-Q1", "2021-H1", "2021", or "2021-01..2021-12"
	From, To string // first and last month
}

// Start is the first day of the period.
func (p Period) Start() calendar.Date { return calendar.Date(p.From + "-01") }

// End is the last day of the period.
func (p Period) End() calendar.Date { return lastDay(p.To) }

// Key is what a row of statistics is grouped by; unset fields are not grouped.
type Key struct {
	Period    Period
	Agency    string
	Procedure string
	Field     string
	Level     registry.Level
	Channel   registry.Channel
}

// Measures are the figures of one row: the II.06a form and more.
type Measures struct {
	// Received in the period, by channel, and carried over from before it.
	ReceivedOnline, ReceivedInPerson, ReceivedPostal, CarriedOver int
	// Resolved in the period by provincial outcome, and late under Decision 766.
	Early, OnTime, Late, NationalLate int
	Withdrawn, Stopped                int
	// In progress at the period's end (or AsOf).
	InProgressWithin, InProgressOverdue int
	// StockDate is the day the in-progress counts are taken.
	StockDate calendar.Date
	DaysSum   int
	days      map[int]int
}

// ReceivedNew is what the period itself received.
func (m *Measures) ReceivedNew() int { return m.ReceivedOnline + m.ReceivedInPerson + m.ReceivedPostal }

// ReceivedTotal is the II.06a total: new plus carried over.
func (m *Measures) ReceivedTotal() int { return m.ReceivedNew() + m.CarriedOver }

// Resolved is early + on time + late.
func (m *Measures) Resolved() int { return m.Early + m.OnTime + m.Late }

// NationalOnTime counts resolutions on time under Decision 766 (early included).
func (m *Measures) NationalOnTime() int { return m.Resolved() - m.NationalLate }

// InProgress is within + overdue.
func (m *Measures) InProgress() int { return m.InProgressWithin + m.InProgressOverdue }

// MeanWorkingDays to resolve; nil when nothing was resolved.
func (m *Measures) MeanWorkingDays() *float64 {
	if m.Resolved() == 0 || m.days == nil {
		return nil
	}
	v := float64(m.DaysSum) / float64(m.Resolved())
	return &v
}

// MedianWorkingDays to resolve; nil when nothing was resolved.
func (m *Measures) MedianWorkingDays() *float64 {
	n := 0
	for _, c := range m.days {
		n += c
	}
	if n == 0 {
		return nil
	}
	values := slices.Sorted(func(yield func(int) bool) {
		for v := range m.days {
			if !yield(v) {
				return
			}
		}
	})
	// The median of n values is the mean of the values at ranks (n-1)/2 and n/2.
	at := func(rank int) int {
		for _, v := range values {
			if rank < m.days[v] {
				return v
			}
			rank -= m.days[v]
		}
		return values[len(values)-1]
	}
	med := float64(at((n-1)/2)+at(n/2)) / 2
	return &med
}

// Row is one group's measures.
type Row struct {
	Key
	Measures
}

// The figures of a row, grouped as the API shows them. Plain methods, so the
// API reads them in line: a dashboard has hundreds of rows, and a resolver
// per group of figures would cost each a goroutine.

func (r *Row) ReceivedCounts() *Measures   { return &r.Measures }
func (r *Row) ResolvedCounts() *Measures   { return &r.Measures }
func (r *Row) InProgressCounts() *Measures { return &r.Measures }

// AgencyCode is the row's agency when grouped by agency, else nil.
func (r *Row) AgencyCode() *string { return nonEmpty(r.Agency) }

// ProcedureCode is the row's procedure when grouped by procedure, else nil.
func (r *Row) ProcedureCode() *string { return nonEmpty(r.Procedure) }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Result is the rows of a query and their total.
type Result struct {
	Total  *Row
	Groups []*Row
	// Suppressed counts groups withheld (see Suppress).
	Suppressed int
	// stocks: the rows carry stocks (carried over, in progress), which
	// link periods and add up to the total's differently from flows.
	stocks bool
}

// Validate checks a query's periods and dimensions.
func (q *Query) Validate(today calendar.Date) error {
	for _, f := range []struct{ name, v string }{{"filter.from", q.From}, {"filter.to", q.To}} {
		if _, err := calendar.ParseDate(f.v + "-01"); err != nil {
			return registry.Invalid(f.name, "must be a month like 2021-03, %s, got %q", calendar.RangeText, f.v)
		}
	}
	if q.To < q.From {
		return registry.Invalid("filter.to", "must not be before filter.from")
	}
	if monthIndex(q.To)-monthIndex(q.From) >= 120 {
		return registry.Invalid("filter.to", "a query spans at most 120 months")
	}
	if _, err := calendar.ParseDate(string(q.AsOf)); err != nil {
		return registry.Invalid("asOf", "%v", err)
	}
	// Rollups count by month: a past date inside a month would count that
	// month's later receipts as if they had happened by then.
	if q.AsOf < today && q.AsOf != lastDay(string(q.AsOf)[:7]) {
		return registry.Invalid("asOf", "must be today, a future date or the last day of a month (statistics are kept by month)")
	}
	time := 0
	for i, d := range q.GroupBy {
		if slices.Contains(q.GroupBy[:i], d) {
			return registry.Invalid("groupBy", "%s is given twice", d)
		}
		switch d {
		case ByMonth, ByQuarter, ByHalfYear, ByYear:
			time++
		case ByAgency, ByProcedure, ByField, ByLevel, ByChannel:
		default:
			return registry.Invalid("groupBy", "unknown dimension %q", d)
		}
	}
	if time > 1 {
		return registry.Invalid("groupBy", "at most one of MONTH, QUARTER, HALF_YEAR, YEAR")
	}
	return nil
}

// Compute is ComputeContext without a deadline.
func Compute(q Query, rollup Rollup) Result {
	res, _ := ComputeContext(context.Background(), q, rollup)
	return res
}

// checkEvery is how many cells ComputeContext groups between looks at its
// context.
const checkEvery = 1024

// ComputeContext groups the rollup's cells as q asks. rollup must hold every
// cell of the months the query reads: from the beginning when q.Stocks, else
// q.From..q.To (other cells are ignored). A grouping by every dimension over
// years makes millions of rows, so it stops with UNAVAILABLE once ctx ends.
func ComputeContext(ctx context.Context, q Query, rollup Rollup) (Result, error) {
	step := 0
	for _, d := range q.GroupBy {
		step = max(step, monthsPer[d])
	}
	var buckets []Period
	if step == 0 {
		buckets = []Period{{Label: q.From + ".." + q.To, From: q.From, To: q.To}}
	} else {
		buckets = periods(q.From, q.To, step)
	}
	// Nothing after AsOf is counted: periods starting later have not
	// happened yet, and those running past it stop at its month.
	asOfMonth := string(q.AsOf)[:7]
	buckets = slices.DeleteFunc(buckets, func(p Period) bool { return p.Start() > q.AsOf })
	for i := range buckets {
		buckets[i].To = min(buckets[i].To, asOfMonth)
	}

	grouped := map[Key]map[string]*monthly{}
	total := map[string]*monthly{}
	seen := 0
	for c, v := range rollup {
		if seen++; seen%checkEvery == 0 && ctx.Err() != nil {
			return Result{}, outOfTime(ctx)
		}
		info := q.ProcedureInfo[c.Procedure]
		if !q.selects(c, info) {
			continue
		}
		k := q.dims(c, info)
		if grouped[k] == nil {
			grouped[k] = map[string]*monthly{}
		}
		addMonthly(grouped[k], c, v)
	}
	// The total sums the groups' months: far fewer than the cells.
	for _, months := range grouped {
		if ctx.Err() != nil {
			return Result{}, outOfTime(ctx)
		}
		for month, m := range months {
			if total[month] == nil {
				total[month] = &monthly{}
			}
			total[month].merge(m)
		}
	}
	res := Result{Total: &Row{Key: Key{Period: Period{Label: q.From + ".." + q.To, From: q.From, To: min(q.To, asOfMonth)}}}}
	res.Total.Measures = q.measures(total, res.Total.Period)
	res.stocks = q.Stocks
	for k, months := range grouped {
		if ctx.Err() != nil {
			return Result{}, outOfTime(ctx)
		}
		for _, p := range buckets {
			row := &Row{Key: k, Measures: q.measures(months, p)}
			row.Period = p
			if !row.empty() {
				res.Groups = append(res.Groups, row)
			}
		}
	}
	slices.SortFunc(res.Groups, compareRows)
	return res, nil
}

func outOfTime(ctx context.Context) error {
	return &registry.Error{Code: registry.CodeUnavailable, Message: "the request ran out of time", Cause: ctx.Err()}
}

// monthly is one group's flows in one month, with receipts split by
// channel. The cells' histograms, keyed by text in storage, are summed here
// by number: a dashboard adds thousands of cells.
type monthly struct {
	received, early, onTime, late, withdrawn, stopped int
	nationalLate, closedOverdue, daysSum              int
	online, inPerson, postal                          int
	overdueStarts                                     [32]int // by day of the month
	days                                              map[int]int
}

func (m *monthly) merge(o *monthly) {
	m.received += o.received
	m.early += o.early
	m.onTime += o.onTime
	m.late += o.late
	m.withdrawn += o.withdrawn
	m.stopped += o.stopped
	m.nationalLate += o.nationalLate
	m.closedOverdue += o.closedOverdue
	m.daysSum += o.daysSum
	m.online += o.online
	m.inPerson += o.inPerson
	m.postal += o.postal
	for i, n := range o.overdueStarts {
		m.overdueStarts[i] += n
	}
	for d, n := range o.days {
		if m.days == nil {
			m.days = map[int]int{}
		}
		m.days[d] += n
	}
}

func addMonthly(into map[string]*monthly, c Cell, v *Counters) {
	m := into[c.Month]
	if m == nil {
		m = &monthly{}
		into[c.Month] = m
	}
	cell := monthly{received: v.Received, early: v.Early, onTime: v.OnTime, late: v.Late, withdrawn: v.Withdrawn,
		stopped: v.Stopped, nationalLate: v.NationalLate, closedOverdue: v.ClosedOverdue, daysSum: v.DaysSum}
	switch c.Channel {
	case registry.ChannelOnline:
		cell.online = v.Received
	case registry.ChannelPostal:
		cell.postal = v.Received
	default:
		cell.inPerson = v.Received
	}
	for d, n := range v.OverdueStarts {
		if day, err := strconv.Atoi(d); err == nil && day > 0 && day < len(cell.overdueStarts) {
			cell.overdueStarts[day] += n
		}
	}
	m.merge(&cell)
	for k, n := range v.Days {
		if m.days == nil {
			m.days = map[int]int{}
		}
		days, _ := strconv.Atoi(k)
		m.days[days] += n
	}
}

// measures sums a group's months over period p, and its stocks at p's end.
func (q *Query) measures(months map[string]*monthly, p Period) Measures {
	m := Measures{StockDate: min(p.End(), q.AsOf)}
	if q.Durations {
		m.days = map[int]int{}
	}
	var open, overdue, carried int
	stockMonth := string(m.StockDate)[:7]
	day, _ := strconv.Atoi(string(m.StockDate)[8:])
	for month, f := range months {
		if month >= p.From && month <= p.To {
			m.ReceivedOnline += f.online
			m.ReceivedInPerson += f.inPerson
			m.ReceivedPostal += f.postal
			m.Early += f.early
			m.OnTime += f.onTime
			m.Late += f.late
			m.NationalLate += f.nationalLate
			m.Withdrawn += f.withdrawn
			m.Stopped += f.stopped
			m.DaysSum += f.daysSum
			if m.days != nil {
				for v, n := range f.days {
					m.days[v] += n
				}
			}
		}
		if !q.Stocks {
			continue
		}
		ended := f.early + f.onTime + f.late + f.withdrawn + f.stopped
		if month < p.From {
			carried += f.received - ended
		}
		if month <= stockMonth {
			open += f.received - ended
			overdue -= f.closedOverdue
			last := len(f.overdueStarts) - 1
			if month == stockMonth {
				last = day
			}
			for _, n := range f.overdueStarts[:last+1] {
				overdue += n
			}
		}
	}
	if q.Stocks {
		m.CarriedOver = carried
		m.InProgressOverdue = overdue
		m.InProgressWithin = open - overdue
	}
	return m
}

func (r *Row) empty() bool {
	return r.ReceivedTotal() == 0 && r.Resolved() == 0 && r.Withdrawn == 0 && r.Stopped == 0 && r.InProgress() == 0
}

func (q *Query) selects(c Cell, info ProcedureInfo) bool {
	return (len(q.Agencies) == 0 || slices.Contains(q.Agencies, c.Agency)) &&
		(len(q.Procedures) == 0 || slices.Contains(q.Procedures, c.Procedure)) &&
		(len(q.Channels) == 0 || slices.Contains(q.Channels, c.Channel)) &&
		(len(q.Fields) == 0 || slices.Contains(q.Fields, info.Field)) &&
		(len(q.Levels) == 0 || slices.Contains(q.Levels, info.Level))
}

// ByProcedure reports whether q needs cells by procedure: it filters or
// groups by procedure, field or level. Otherwise cells summed over the
// procedures (Cell.Procedure empty) give the same result, from a few
// hundred cells rather than thousands.
func (q *Query) ByProcedure() bool {
	return len(q.Procedures) > 0 || len(q.Fields) > 0 || len(q.Levels) > 0 ||
		slices.ContainsFunc(q.GroupBy, func(d Dimension) bool { return d == ByProcedure || d == ByField || d == ByLevel })
}

// OverProcedures sums the cells of r over their procedures.
func OverProcedures(r Rollup) Rollup {
	out := Rollup{}
	for c, v := range r {
		c.Procedure = ""
		out.at(c).add(v, 1)
	}
	return out
}

// dims is the non-time part of a cell's group key.
func (q *Query) dims(c Cell, info ProcedureInfo) Key {
	var k Key
	for _, d := range q.GroupBy {
		switch d {
		case ByAgency:
			k.Agency = c.Agency
		case ByProcedure:
			k.Procedure = c.Procedure
		case ByField:
			k.Field = info.Field
		case ByLevel:
			k.Level = info.Level
		case ByChannel:
			k.Channel = c.Channel
		}
	}
	return k
}

func compareRows(a, b *Row) int {
	return cmp.Or(cmp.Compare(a.Period.From, b.Period.From), cmp.Compare(a.Agency, b.Agency),
		cmp.Compare(a.Procedure, b.Procedure), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Level, b.Level),
		cmp.Compare(a.Channel, b.Channel))
}

// periods splits from..to into calendar-aligned spans of step months
// (quarters start in January, April, July, October).
func periods(from, to string, step int) []Period {
	var out []Period
	for i := monthIndex(from) / step * step; i <= monthIndex(to); i += step {
		p := Period{From: monthAt(max(i, monthIndex(from))), To: monthAt(min(i+step-1, monthIndex(to)))}
		year, n := i/12, i%12/step+1
		switch step {
		case 1:
			p.Label = monthAt(i)
		case 3:
			p.Label = fmt.Sprintf("%d-Q%d", year, n)
		case 6:
			p.Label = fmt.Sprintf("%d-H%d", year, n)
		default:
			p.Label = strconv.Itoa(year)
		}
		out = append(out, p)
	}
	return out
}

func monthIndex(m string) int {
	t, _ := time.Parse("2006-01", m)
	return t.Year()*12 + int(t.Month()) - 1
}

func monthAt(i int) string { return fmt.Sprintf("%04d-%02d", i/12, i%12+1) }

func lastDay(month string) calendar.Date {
	return calendar.Date(monthAt(monthIndex(month)+1) + "-01").AddDays(-1)
}

// Size is how many dossiers a row concerns: received in or carried into its
// period, or resolved in it.
func (r *Row) Size() int { return max(r.ReceivedTotal(), r.Resolved()) }
