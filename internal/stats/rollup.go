// Package stats computes dossier statistics from rollups: per-month counters
// that every dossier contributes to, kept up to date at each transition so a
// dashboard reads a few small documents instead of every dossier. Pure: the
// store persists the counters and feeds them back.
package stats

import (
	"maps"
	"strconv"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Cell is the finest grain of the rollups: one month, one agency, one
// procedure, one channel. Coarser groupings add cells up.
type Cell struct {
	Month     string // "2021-03", in Vietnam time
	Agency    string
	Procedure string
	Channel   registry.Channel
}

// Counters are the flows a cell saw in its month. Stocks (in progress,
// carried over) are not stored: they are flows added up from the beginning.
type Counters struct {
	Received  int `bson:"r,omitempty"`
	Early     int `bson:"e,omitempty"`
	OnTime    int `bson:"o,omitempty"`
	Late      int `bson:"l,omitempty"`
	Withdrawn int `bson:"w,omitempty"`
	Stopped   int `bson:"s,omitempty"`
	// NationalLate counts resolutions late under Decision 766/QĐ-TTg.
	NationalLate int `bson:"nl,omitempty"`
	// OverdueStarts counts, by day of the month ("05"), dossiers whose
	// overdueFrom falls on it and which were still open then (or still are).
	OverdueStarts map[string]int `bson:"od,omitempty"`
	// ClosedOverdue counts dossiers ended this month after falling overdue.
	ClosedOverdue int `bson:"co,omitempty"`
	// DaysSum and Days (a histogram by working days taken) give mean and
	// median resolution times.
	DaysSum int            `bson:"ds,omitempty"`
	Days    map[string]int `bson:"wd,omitempty"`
}

// Rollup is the counters of many cells.
type Rollup map[Cell]*Counters

func (r Rollup) at(c Cell) *Counters {
	v := r[c]
	if v == nil {
		v = &Counters{}
		r[c] = v
	}
	return v
}

// Add adds every counter of o to r, times sign (+1 or -1).
func (r Rollup) Add(o Rollup, sign int) {
	for c, v := range o {
		r.at(c).add(v, sign)
	}
}

func (c *Counters) add(o *Counters, sign int) {
	c.Received += sign * o.Received
	c.Early += sign * o.Early
	c.OnTime += sign * o.OnTime
	c.Late += sign * o.Late
	c.Withdrawn += sign * o.Withdrawn
	c.Stopped += sign * o.Stopped
	c.NationalLate += sign * o.NationalLate
	c.ClosedOverdue += sign * o.ClosedOverdue
	c.DaysSum += sign * o.DaysSum
	c.OverdueStarts = addMap(c.OverdueStarts, o.OverdueStarts, sign)
	c.Days = addMap(c.Days, o.Days, sign)
}

func addMap(dst, src map[string]int, sign int) map[string]int {
	for k, v := range src {
		if dst == nil {
			dst = make(map[string]int)
		}
		dst[k] += sign * v
	}
	return dst
}

// Zero reports whether every counter is zero.
func (c *Counters) Zero() bool {
	for _, v := range c.OverdueStarts {
		if v != 0 {
			return false
		}
	}
	for _, v := range c.Days {
		if v != 0 {
			return false
		}
	}
	return c.Received == 0 && c.Early == 0 && c.OnTime == 0 && c.Late == 0 && c.Withdrawn == 0 &&
		c.Stopped == 0 && c.NationalLate == 0 && c.ClosedOverdue == 0 && c.DaysSum == 0
}

// Delta is what the rollups must change by when a dossier goes from old
// (nil for a new one) to new: contributions of new minus those of old, zero
// cells left out. Applying the delta of every transition keeps the rollups
// equal to the sum of all dossiers' contributions.
func Delta(old, new *registry.Dossier) Rollup {
	d := Contributions(new)
	if old != nil {
		d.Add(Contributions(old), -1)
	}
	maps.DeleteFunc(d, func(_ Cell, v *Counters) bool { return v.Zero() })
	return d
}

// Contributions are the flows one dossier adds to the rollups.
//   - received: the month the desk received it (online registrations not yet
//     received, and refused ones, count nowhere);
//   - resolved (by outcome, national lateness, working days taken), withdrawn
//     or stopped: the month it ended;
//   - overdue: the day it fell overdue (day after its due date), if it was
//     still open then; and, if it ended after that, the month it ended.
func Contributions(d *registry.Dossier) Rollup {
	r := Rollup{}
	if d == nil || d.DueDate == "" || d.Status == registry.StatusRegisteredOnline || d.Status == registry.StatusNotReceived {
		return r
	}
	cell := func(t string) Cell {
		return Cell{Month: t, Agency: d.AgencyCode, Procedure: d.ProcedureCode, Channel: d.Channel}
	}
	r.at(cell(Month(d.ReceivedAt))).Received++
	endedAt, ended := EndedAt(d)
	if ended {
		c := r.at(cell(Month(endedAt)))
		switch d.Status {
		case registry.StatusWithdrawn:
			c.Withdrawn++
		case registry.StatusStopped:
			c.Stopped++
		default: // resolved, or its result returned
			switch d.Outcome {
			case registry.OutcomeEarly:
				c.Early++
			case registry.OutcomeOnTime:
				c.OnTime++
			default:
				c.Late++
			}
			if d.NationalOutcome == registry.OutcomeLate {
				c.NationalLate++
			}
			if d.WorkingDaysTaken != nil {
				c.DaysSum += *d.WorkingDaysTaken
				c.Days = addMap(c.Days, map[string]int{strconv.Itoa(*d.WorkingDaysTaken): 1}, 1)
			}
		}
	}
	if d.OverdueFrom != "" && (!ended || calendar.DateOf(endedAt) >= d.OverdueFrom) {
		month, day := string(d.OverdueFrom)[:7], string(d.OverdueFrom)[8:]
		c := r.at(cell(month))
		c.OverdueStarts = addMap(c.OverdueStarts, map[string]int{day: 1}, 1)
		if ended {
			r.at(cell(Month(endedAt))).ClosedOverdue++
		}
	}
	return r
}

// EndedAt is when a received dossier stopped being in progress: resolved,
// withdrawn or stopped. ok is false while it is still open.
func EndedAt(d *registry.Dossier) (time.Time, bool) {
	if d.Status.Open() {
		return time.Time{}, false
	}
	if d.ResolvedAt != nil {
		return *d.ResolvedAt, true
	}
	for i := len(d.History) - 1; i >= 0; i-- {
		if a := d.History[i].Action; a == registry.ActionWithdraw || a == registry.ActionStop {
			return d.History[i].At, true
		}
	}
	return time.Time{}, false
}

// Month is the reporting month of t in Vietnam time.
func Month(t time.Time) string { return t.In(calendar.Vietnam).Format("2006-01") }
