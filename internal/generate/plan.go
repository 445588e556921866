package generate

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// step is one planned step of a dossier. Before placement day is in working
// days from the day the dossier's clock starts; after it, an offset into the
// days table.
type step struct {
	action          registry.Action
	day             int
	at              time.Time
	actor, from, to string
	note            string
	reschedule      int // APOLOGIZE_AND_RESCHEDULE: the new appointment, a day like day
	approved        bool
}

// plan is a dossier before it is built: everything NewDossier and Apply need.
type plan struct {
	proc      *registry.Procedure
	agency    string
	channel   registry.Channel
	applicant registry.ApplicantInput
	steps     []step
	// outcome and month, for a target dossier, are what it must resolve as.
	outcome registry.Outcome
	month   string
}

// first is the dossier's creation: its receipt or online registration.
func (p *plan) first() time.Time { return p.steps[0].at }

// resolution returns the index of the RESOLVE step, or -1.
func (p *plan) resolution() int {
	for i, s := range p.steps {
		if s.action == registry.ActionResolve {
			return i
		}
	}
	return -1
}

// Proportions of the mix. Channels are for working days; on other days
// only online submissions arrive, which brings online to about 40%.
const (
	onlineShare      = 0.37
	inPersonShare    = 0.58
	registerShare    = 0.30 // online dossiers registered first and checked by the desk
	refuseShare      = 0.06 // of those, refused
	abandonShare     = 0.02 // of those, withdrawn before the desk sees them
	afterHoursOnline = 0.25
	earlyShare       = 0.80
	onTimeShare      = 0.165 // the rest are late
	withdrawShare    = 0.012
	stopShare        = 0.006
	rejectShare      = 0.04
	deskOnlyShare    = 0.5 // quick procedures settled at the desk, without a transfer
	leaderShare      = 0.6
	apologyShare     = 0.5 // late dossiers whose applicant gets an apology
)

func sampleChannel(rng *rand.Rand) registry.Channel {
	switch u := rng.Float64(); {
	case u < onlineShare:
		return registry.ChannelOnline
	case u < onlineShare+inPersonShare:
		return registry.ChannelInPerson
	}
	return registry.ChannelPostal
}

func sampleOutcome(rng *rand.Rand) registry.Outcome {
	switch u := rng.Float64(); {
	case u < earlyShare:
		return registry.OutcomeEarly
	case u < earlyShare+onTimeShare:
		return registry.OutcomeOnTime
	}
	return registry.OutcomeLate
}

// Office hours as minutes after midnight: 7:30-11:30 and 13:30-17:00.
const (
	morningFrom, morningTo     = 450, 690
	afternoonFrom, afternoonTo = 810, 1020
)

// officeTime is a random time in office hours on day.
func (g *generator) officeTime(day int) time.Time {
	m := g.rng.IntN(morningTo - morningFrom + afternoonTo - afternoonFrom)
	if m < morningTo-morningFrom {
		m += morningFrom
	} else {
		m += afternoonFrom - (morningTo - morningFrom)
	}
	return g.days.at(day, m, g.rng.IntN(60))
}

// afterHours is an online submission's time outside office hours on day:
// mostly the evening, sometimes early morning.
func (g *generator) afterHours(day int) time.Time {
	if g.rng.IntN(5) == 0 {
		return g.days.at(day, 360+g.rng.IntN(morningFrom-360), g.rng.IntN(60))
	}
	return g.days.at(day, afternoonTo+g.rng.IntN(360), g.rng.IntN(60))
}

// stepTime is a time on day after prev: office hours when that is later,
// else shortly after prev, never past the day's end.
func (g *generator) stepTime(day int, prev time.Time) time.Time {
	if t := g.officeTime(day); t.After(prev) {
		return t
	}
	room := g.days.midnight[day+1].Sub(prev)
	return prev.Add(min(time.Duration(1+g.rng.IntN(45))*time.Minute, room/2))
}

// shape plans the steps after receipt, in working days from the day the
// clock starts (day 0), so that the resolution lands where outcome says
// relative to the due date: before it, on it, or after it. Supplement pauses
// push the due date back by their length, so they are laid out first. It
// returns the steps and the resolution day. An EARLY outcome needs a
// procedure with at least one processing day.
func (g *generator) shape(p *registry.Procedure, desk string, outcome registry.Outcome) ([]step, int) {
	rng := g.rng
	n := p.ProcessingDays
	due, lo := n, 0 // the due date, and the first day the resolution may fall on
	var pauses [][2]int
	if n > 0 {
		k := 0
		switch u := rng.Float64(); {
		case u < 0.01:
			k = 2
		case u < 0.11:
			k = 1
		}
		for range k {
			// Requested by the due date, so the wait stops the clock.
			a := lo + rng.IntN(due-lo)
			b := a + 1 + min(rng.IntN(5), rng.IntN(10))
			pauses = append(pauses, [2]int{a, b})
			due += b - a
			lo = b
		}
	}
	var r int
	switch outcome {
	case registry.OutcomeEarly:
		m := due - lo
		r = lo + min(rng.IntN(m), rng.IntN(m)) // most early dossiers finish well ahead
	case registry.OutcomeOnTime:
		r = due
	default:
		r = due + 1 + min(rng.IntN(6), rng.IntN(6))
	}

	dept, leader := units(p)
	clerk, officer := pick(rng, g.staff), pick(rng, g.staff)
	var out []step
	cur, holder := 0, desk
	deskOnly := n <= 3 && rng.Float64() < deskOnlyShare
	if !deskOnly {
		cur = min(rng.IntN(2), r)
		if len(pauses) > 0 {
			cur = min(cur, pauses[0][0])
		}
		out = append(out, step{action: registry.ActionTransfer, day: cur, actor: clerk, from: desk, to: dept})
		holder = dept
	}
	for _, pa := range pauses {
		out = append(out,
			step{action: registry.ActionRequestSupplement, day: pa[0], actor: officer, from: holder, note: pick(rng, supplementNotes)},
			step{action: registry.ActionReceiveSupplement, day: pa[1], actor: clerk, to: holder, note: "Đã nhận đủ hồ sơ bổ sung"})
		cur = pa[1]
	}
	if rng.Float64() < obligationRate(p) {
		cur += rng.IntN(r - cur + 1)
		out = append(out, step{action: registry.ActionRequireFinancial, day: cur, actor: officer, note: obligationNote(p)})
	}
	if outcome == registry.OutcomeLate && rng.Float64() < apologyShare {
		// The desk apologises once it sees the deadline will be missed,
		// and promises the day the result will actually be ready.
		cur += rng.IntN(max(cur, due) - cur + 1)
		out = append(out, step{action: registry.ActionApologizeResched, day: cur, actor: clerk, note: pick(rng, apologyNotes), reschedule: r})
	}
	if !deskOnly {
		if rng.Float64() < leaderShare {
			cur += rng.IntN(r - cur + 1)
			out = append(out, step{action: registry.ActionTransfer, day: cur, actor: officer, from: holder, to: leader})
			holder = leader
		}
		cur += rng.IntN(r - cur + 1)
		out = append(out, step{action: registry.ActionTransfer, day: cur, actor: officer, from: holder, to: desk})
	}
	res := step{action: registry.ActionResolve, day: r, actor: officer, approved: rng.Float64() >= rejectShare}
	if !res.approved {
		res.note = "Không đủ điều kiện giải quyết, đã có văn bản trả lời"
	}
	back := [...]int{0, 0, 0, 1, 1, 2, 3}[rng.IntN(7)]
	out = append(out, res, step{action: registry.ActionReturnResult, day: r + back, actor: clerk, from: desk})
	return out, r
}

var errOutsideTable = errors.New("generate: a planned step falls outside the generated date range")

// place puts shaped steps on the calendar from the clock's start day s and
// gives them times, each after the one before.
func (g *generator) place(p *plan, shaped []step, s int) error {
	prev := p.steps[len(p.steps)-1].at
	for _, st := range shaped {
		if st.day = g.days.addWork(s, st.day); st.day < 0 {
			return errOutsideTable
		}
		if st.action == registry.ActionApologizeResched {
			if st.reschedule = g.days.addWork(s, st.reschedule); st.reschedule < 0 {
				return errOutsideTable
			}
		}
		st.at = g.stepTime(st.day, prev)
		prev = st.at
		p.steps = append(p.steps, st)
	}
	return nil
}

// cutAtNow drops the steps after Now: the dossier is where it stood then.
func (g *generator) cutAtNow(p *plan) {
	for i, s := range p.steps {
		if s.at.After(g.now) {
			p.steps = p.steps[:i]
			return
		}
	}
}

// stopAt replaces steps[i:] by a withdrawal or stop on the day steps[i] had.
func (g *generator) stopAt(p *plan, i int, action registry.Action) {
	day := p.steps[i].day
	st := step{action: action, day: day, at: g.stepTime(day, p.steps[i-1].at), actor: pick(g.rng, g.staff)}
	if action == registry.ActionStop {
		st.note = pick(g.rng, stopNotes)
	} else {
		st.note = "Công dân đề nghị rút hồ sơ"
	}
	p.steps = append(p.steps[:i], st)
}
