// Package generate makes deterministic synthetic registry data for demos,
// tests and benchmarks. Every record is built by the domain constructors
// (registry.NewAgency, NewProcedure, NewDossier, Dossier.Apply), so generated
// data obeys the same rules as data entered at a desk; the generator only
// chooses inputs, planning dates on the working-day calendar so that each
// dossier's outcome (early, on time, late) comes out as intended.
package generate

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Config says what to generate.
type Config struct {
	Seed     uint64
	Dossiers int       // total number of dossiers, targets included
	From, To time.Time // receipt window [From, To): when dossiers are received or registered online
	Calendar *calendar.Calendar
	// Now is the generator's clock: no step is after it, and dossiers still
	// open at Now stay open. Required, so that output never depends on the
	// real clock.
	Now time.Time
	// Targets, keyed by month "2021-03": exactly these numbers of the target
	// agency's dossiers resolve in that month (by Vietnam date) early, on
	// time and late, and no other dossier of that agency resolves in it.
	Targets map[string]Target
	Source  string // provenance source; "generate seed=<Seed>" when empty
}

// Target is the published breakdown of one agency's resolved dossiers in a month.
type Target struct {
	Agency              string
	Early, OnTime, Late int
}

// PCG streams: one per purpose, so that changing one kind of draw does not
// shift the others.
const (
	streamReference = 1
	streamLayout    = 2
	streamDays      = 3
	streamRandom    = 1 << 32 // + serial number of the random dossier
	streamTarget    = 2 << 32 // + index of the target dossier
)

const (
	maxRedirects     = 20   // re-draws of a dossier that would resolve in a target's month
	maxTargetRetries = 1000 // draws to place one target dossier in the window
)

// Level shares of the random dossiers: the provincial centre handles about a
// third, the district and commune desks the rest.
var levelShares = map[registry.Level]float64{
	registry.LevelCentral:    0.05,
	registry.LevelProvincial: 0.35,
	registry.LevelDistrict:   0.35,
	registry.LevelCommune:    0.30,
}

// Dossiers generates cfg.Dossiers dossiers against ref and passes each to
// yield in the order they arrived (by their first step: receipt or online
// registration), stopping at the first error yield returns. Only one day's
// dossiers are held at a time; the dossiers planned for targets are kept as
// a time and an index and re-planned when their day comes.
func Dossiers(cfg Config, ref Data, yield func(*registry.Dossier) error) error {
	g, err := newGenerator(cfg, ref)
	if err != nil {
		return err
	}
	type pending struct {
		at  time.Time
		day int
		i   int
	}
	queue := make([]pending, 0, g.targetTotal)
	for i := range g.targetTotal {
		p, err := g.targetDossier(i)
		if err != nil {
			return err
		}
		queue = append(queue, pending{p.first(), g.dayOf(p.first()), i})
	}
	slices.SortFunc(queue, func(a, b pending) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.i, b.i)) })

	counts := g.dailyCounts(cfg.Dossiers - g.targetTotal)
	var today []*plan
	seq := map[string]int{}
	serial := 0
	for k, n := range counts {
		day := g.firstDay + k
		today = today[:0]
		for len(queue) > 0 && queue[0].day == day {
			p, err := g.targetDossier(queue[0].i)
			if err != nil {
				return err
			}
			today, queue = append(today, p), queue[1:]
		}
		for range n {
			p, err := g.randomDossier(serial, day)
			if err != nil {
				return err
			}
			today = append(today, p)
			serial++
		}
		slices.SortStableFunc(today, func(a, b *plan) int { return a.first().Compare(b.first()) })
		// Codes number each desk's dossiers of the day in arrival order.
		clear(seq)
		for _, p := range today {
			seq[p.agency]++
			code := fmt.Sprintf("%s%04d", registry.DossierCodePrefix(p.agency, p.first()), seq[p.agency])
			d, err := g.build(p, code)
			if err != nil {
				return err
			}
			if err := yield(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// generator holds what every dossier is drawn from. rng is re-seeded for
// each dossier, so that a target dossier can be planned again from its index.
type generator struct {
	seed   uint64
	cal    *calendar.Calendar
	from   time.Time
	end    time.Time // min(To, Now): no receipt at or after it
	now    time.Time
	source string
	days   *days
	// firstDay and lastDay bound the receipt window in the days table.
	firstDay, lastDay int

	pcg *rand.PCG
	rng *rand.Rand

	procs *weighted[*registry.Procedure]
	desks map[registry.Level]*weighted[string]
	staff []string

	targets     []target
	targetTotal int
	// blocked holds agency + "|" + month for every target: other dossiers
	// of that agency must not resolve in that month.
	blocked map[string]bool
}

// weighted draws items in proportion to their weights.
type weighted[T any] struct {
	items []T
	cum   []float64 // running total of the weights
}

func (w *weighted[T]) add(item T, weight float64) {
	w.items = append(w.items, item)
	w.cum = append(w.cum, lastOr(w.cum)+weight)
}

func (w *weighted[T]) pick(rng *rand.Rand) T {
	i, _ := slices.BinarySearch(w.cum, rng.Float64()*lastOr(w.cum))
	return w.items[min(i, len(w.items)-1)]
}

// target is one (month, outcome) group of target dossiers.
type target struct {
	agency  string
	month   string
	outcome registry.Outcome
	count   int
	procs   *weighted[*registry.Procedure]
	resolve []int // the month's working days before Now's date
}

func newGenerator(cfg Config, ref Data) (*generator, error) {
	switch {
	case cfg.Now.IsZero():
		return nil, errors.New("generate: Now is required")
	case !cfg.From.Before(cfg.To):
		return nil, errors.New("generate: From must be before To")
	case cfg.Dossiers < 0:
		return nil, errors.New("generate: Dossiers must not be negative")
	}
	g := &generator{
		seed: cfg.Seed, cal: cmp.Or(cfg.Calendar, calendar.Default()), from: cfg.From, now: cfg.Now,
		end: cfg.To, source: cmp.Or(cfg.Source, defaultSource(cfg.Seed)),
		procs: &weighted[*registry.Procedure]{}, desks: map[registry.Level]*weighted[string]{}, blocked: map[string]bool{},
	}
	if g.now.Before(g.end) {
		g.end = g.now
	}
	if !g.from.Before(g.end) && cfg.Dossiers > 0 {
		return nil, errors.New("generate: no time to receive dossiers between From and the earlier of To and Now")
	}
	g.pcg = rand.NewPCG(cfg.Seed, streamLayout)
	g.rng = rand.New(g.pcg)

	levels := map[string]registry.Level{}
	for _, a := range ref.Agencies {
		levels[a.Code] = a.Level
		w := g.desks[a.Level]
		if w == nil {
			w = &weighted[string]{}
			g.desks[a.Level] = w
		}
		w.add(a.Code, 0.5+g.rng.Float64()) // desks differ in how busy they are
	}
	// Popularity: quick procedures (civil status, certification) are the
	// bulk of any desk's work.
	pop := make([]float64, len(ref.Procedures))
	levelPop := map[registry.Level]float64{}
	for i, p := range ref.Procedures {
		pop[i] = (0.5 + g.rng.Float64()) / (1 + float64(p.ProcessingDays)/5)
		levelPop[p.Level] += pop[i]
	}
	maxDays := 0
	for i, p := range ref.Procedures {
		if g.desks[p.Level] == nil {
			continue // no desk receives it
		}
		g.procs.add(p, levelShares[p.Level]*pop[i]/levelPop[p.Level])
		maxDays = max(maxDays, p.ProcessingDays)
	}
	if len(g.procs.items) == 0 && cfg.Dossiers > 0 {
		return nil, errors.New("generate: no procedure has a desk of its level among the agencies")
	}
	for range 40 {
		name, _ := person(g.rng)
		g.staff = append(g.staff, name)
	}

	// The days table spans the window, the target months, and room for the
	// longest plan on either side: processing days, two pauses of up to ten
	// working days, lateness, the return of the result.
	months := make([]string, 0, len(cfg.Targets))
	for m := range cfg.Targets {
		months = append(months, m)
	}
	slices.Sort(months)
	first, last := calendar.DateOf(cfg.From), calendar.DateOf(g.end)
	var monthStarts []calendar.Date
	for _, m := range months {
		start, err := calendar.ParseDate(m + "-01")
		if err != nil {
			return nil, fmt.Errorf("generate: target month %q is not of the form YYYY-MM", m)
		}
		monthStarts = append(monthStarts, start)
		first, last = min(first, start), max(last, start.AddDays(31))
	}
	margin := 2*(maxDays+40) + 60
	g.days = newDays(g.cal, first.AddDays(-margin), last.AddDays(margin))
	g.firstDay, g.lastDay = g.dayOf(cfg.From), g.dayOf(g.end.Add(-time.Nanosecond))

	nowDate := calendar.DateOf(g.now)
	for k, m := range months {
		t := cfg.Targets[m]
		level, ok := levels[t.Agency]
		if !ok {
			return nil, fmt.Errorf("generate: target %s: no agency %q", m, t.Agency)
		}
		if t.Early < 0 || t.OnTime < 0 || t.Late < 0 {
			return nil, fmt.Errorf("generate: target %s: negative count", m)
		}
		var open []int
		for d := g.days.offset[monthStarts[k]]; d < len(g.days.dates) && string(g.days.dates[d][:7]) == m && g.days.dates[d] < nowDate; d++ {
			if g.days.working[d] {
				open = append(open, d)
			}
		}
		g.blocked[t.Agency+"|"+m] = true
		for _, o := range []struct {
			outcome registry.Outcome
			count   int
		}{{registry.OutcomeEarly, t.Early}, {registry.OutcomeOnTime, t.OnTime}, {registry.OutcomeLate, t.Late}} {
			if o.count == 0 {
				continue
			}
			w := &weighted[*registry.Procedure]{}
			for i, p := range ref.Procedures {
				// Finishing before the due date needs at least one day to do it in.
				if p.Level == level && (o.outcome != registry.OutcomeEarly || p.ProcessingDays > 0) {
					w.add(p, pop[i])
				}
			}
			if len(w.items) == 0 {
				return nil, fmt.Errorf("generate: target %s: no procedure of level %s can resolve %s", m, level, o.outcome)
			}
			if len(open) == 0 {
				return nil, fmt.Errorf("generate: target %s: no working day of that month before Now", m)
			}
			g.targets = append(g.targets, target{agency: t.Agency, month: m, outcome: o.outcome, count: o.count, procs: w, resolve: open})
			g.targetTotal += o.count
		}
	}
	if g.targetTotal > cfg.Dossiers {
		return nil, fmt.Errorf("generate: the targets need %d dossiers, more than the %d asked for", g.targetTotal, cfg.Dossiers)
	}
	return g, nil
}

func lastOr(cum []float64) float64 {
	if len(cum) == 0 {
		return 0
	}
	return cum[len(cum)-1]
}

// dayOf is t's Vietnam date as an offset into the days table.
func (g *generator) dayOf(t time.Time) int { return g.days.offset[calendar.DateOf(t)] }

// reseed starts the draws of one dossier.
func (g *generator) reseed(stream uint64) { g.pcg.Seed(g.seed, stream) }

// dailyCounts spreads n random dossiers over the days of the window: working
// days get most, Monday more and Friday less, weekends and holidays a trickle
// of online submissions. Rounding the running total keeps the sum exact.
func (g *generator) dailyCounts(n int) []int {
	g.reseed(streamDays)
	if g.firstDay > g.lastDay {
		return nil
	}
	weights := make([]float64, g.lastDay-g.firstDay+1)
	total := 0.0
	for k := range weights {
		day := g.firstDay + k
		w := 0.05
		if g.days.working[day] {
			w = 1
			switch g.days.dates[day].Weekday() {
			case time.Monday:
				w = 1.15
			case time.Friday:
				w = 0.9
			}
		}
		// Partial days at the window's edges get their share of the day.
		lo, hi := g.window(day)
		w *= (0.85 + 0.3*g.rng.Float64()) * float64(hi.Sub(lo)) / float64(g.days.midnight[day+1].Sub(g.days.midnight[day]))
		weights[k] = w
		total += w
	}
	counts := make([]int, len(weights))
	cum, done := 0.0, 0
	for k, w := range weights {
		cum += w
		upto := int(float64(n)*cum/total + 0.5)
		if k == len(weights)-1 {
			upto = n
		}
		counts[k] = upto - done
		done = upto
	}
	return counts
}

// window is the part of day within the receipt window.
func (g *generator) window(day int) (lo, hi time.Time) {
	lo, hi = g.days.midnight[day], g.days.midnight[day+1]
	if g.from.After(lo) {
		lo = g.from
	}
	if g.end.Before(hi) {
		hi = g.end
	}
	return lo, hi
}

// pickProcedure draws a procedure and a desk of its level to receive it.
func (g *generator) pickProcedure() (*registry.Procedure, string) {
	p := g.procs.pick(g.rng)
	return p, g.desks[p.Level].pick(g.rng)
}

// receiptTime is when a random dossier arrives on day: office hours at the
// desk; online submissions also after hours, and alone on days off. Times
// outside the window fall back to a uniform time within it.
func (g *generator) receiptTime(day int, ch registry.Channel) time.Time {
	var t time.Time
	switch {
	case !g.days.working[day]:
		t = g.days.at(day, 420+g.rng.IntN(900), g.rng.IntN(60))
	case ch == registry.ChannelOnline && g.rng.Float64() < afterHoursOnline:
		t = g.afterHours(day)
	default:
		t = g.officeTime(day)
	}
	lo, hi := g.window(day)
	if t.Before(lo) || !t.Before(hi) {
		t = lo.Add(time.Duration(g.rng.Int64N(int64(hi.Sub(lo)))))
	}
	return t
}

// randomDossier plans the serial-th random dossier, first seen on day.
func (g *generator) randomDossier(serial, day int) (*plan, error) {
	g.reseed(streamRandom + uint64(serial))
	ch := registry.ChannelOnline
	if g.days.working[day] {
		ch = sampleChannel(g.rng)
	}
	t0 := g.receiptTime(day, ch)
	for attempt := 0; ; attempt++ {
		proc, desk := g.pickProcedure()
		p, err := g.randomPlan(proc, desk, ch, t0, day)
		if err != nil {
			return nil, err
		}
		r := p.resolution()
		if r < 0 || !g.blocked[p.agency+"|"+string(g.days.dates[p.steps[r].day][:7])] {
			return p, nil
		}
		if attempt == maxRedirects {
			// Every draw resolved in a target month of its desk: withdrawn
			// instead, so the target counts stay exact.
			g.stopAt(p, r, registry.ActionWithdraw)
			return p, nil
		}
	}
}

// randomPlan plans a dossier first seen at t0 on day0 with random outcome.
func (g *generator) randomPlan(proc *registry.Procedure, desk string, ch registry.Channel, t0 time.Time, day0 int) (*plan, error) {
	p := &plan{proc: proc, agency: desk, channel: ch, applicant: applicant(g.rng, proc)}
	clerk := pick(g.rng, g.staff)
	tR := t0
	if ch == registry.ChannelOnline && g.rng.Float64() < registerShare {
		p.steps = append(p.steps, step{action: registry.ActionRegisterOnline, day: day0, at: t0})
		// The desk checks it the same day when there is time, else the next working day.
		d := g.days.nextWork(day0)
		if d < 0 {
			return nil, errOutsideTable
		}
		if tR = g.officeTime(d); !tR.After(t0) {
			if d = g.days.addWork(d, 1); d < 0 {
				return nil, errOutsideTable
			}
			tR = g.officeTime(d)
		}
		switch u := g.rng.Float64(); {
		case u < refuseShare:
			p.steps = append(p.steps, step{action: registry.ActionRefuse, day: d, at: tR, actor: clerk, note: pick(g.rng, refuseNotes)})
			g.cutAtNow(p)
			return p, nil
		case u < refuseShare+abandonShare:
			p.steps = append(p.steps, step{action: registry.ActionWithdraw, day: d, at: tR, note: "Công dân đề nghị rút hồ sơ"})
			g.cutAtNow(p)
			return p, nil
		}
	}
	p.steps = append(p.steps, step{action: registry.ActionReceive, day: g.dayOf(tR), at: tR, actor: clerk})
	outcome := sampleOutcome(g.rng)
	if proc.ProcessingDays == 0 && outcome == registry.OutcomeEarly {
		outcome = registry.OutcomeOnTime // nothing is due before the day it starts
	}
	shaped, _ := g.shape(proc, desk, outcome)
	s := g.days.offset[g.cal.CountingStart(tR)]
	if err := g.place(p, shaped, s); err != nil {
		return nil, err
	}
	// A few dossiers end early: the applicant withdraws, or the desk stops.
	received := len(p.steps) - len(shaped)
	switch u := g.rng.Float64(); {
	case u < withdrawShare:
		g.stopAt(p, received+g.rng.IntN(len(shaped)-1), registry.ActionWithdraw)
	case u < withdrawShare+stopShare:
		g.stopAt(p, received+g.rng.IntN(len(shaped)-1), registry.ActionStop)
	}
	g.cutAtNow(p)
	return p, nil
}

// targetDossier plans the i-th target dossier. It works backwards: a
// resolution day in the month, the clock's start that many working days
// before it, and a receipt time that starts the clock on that day.
func (g *generator) targetDossier(i int) (*plan, error) {
	g.reseed(streamTarget + uint64(i))
	var t *target
	for k := range g.targets {
		if t = &g.targets[k]; i < t.count {
			break
		}
		i -= t.count
	}
	for range maxTargetRetries {
		proc := t.procs.pick(g.rng)
		ch := sampleChannel(g.rng)
		r := pick(g.rng, t.resolve)
		shaped, rIdx := g.shape(proc, t.agency, t.outcome)
		s := g.days.addWork(r, -rIdx)
		if s < 0 {
			continue
		}
		tR := g.officeTime(s)
		if ch == registry.ChannelOnline && g.rng.Float64() < afterHoursOnline {
			// Submitted after hours on the previous working day: the clock
			// starts the next one.
			if prev := g.days.addWork(s, -1); prev >= 0 {
				tR = g.afterHours(prev)
			}
		}
		t0 := tR
		register := ch == registry.ChannelOnline && g.rng.Float64() < registerShare
		if register {
			t0 = tR.Add(-time.Duration(10+g.rng.IntN(30*60)) * time.Minute)
		}
		if g.cal.CountingStart(tR) != g.days.dates[s] || t0.Before(g.from) || !t0.Before(g.end) {
			continue
		}
		p := &plan{proc: proc, agency: t.agency, channel: ch, applicant: applicant(g.rng, proc), outcome: t.outcome, month: t.month}
		clerk := pick(g.rng, g.staff)
		if register {
			p.steps = append(p.steps, step{action: registry.ActionRegisterOnline, day: g.dayOf(t0), at: t0})
		}
		p.steps = append(p.steps, step{action: registry.ActionReceive, day: g.dayOf(tR), at: tR, actor: clerk})
		if err := g.place(p, shaped, s); err != nil {
			return nil, err
		}
		g.cutAtNow(p)
		if p.resolution() >= 0 {
			return p, nil
		}
	}
	return nil, fmt.Errorf("generate: target %s at %s: cannot place a %s dossier with its receipt in the window", t.month, t.agency, t.outcome)
}

// build makes the dossier through the domain: NewDossier for the first step,
// Apply for each of the others.
func (g *generator) build(p *plan, code string) (*registry.Dossier, error) {
	first := p.steps[0]
	in := registry.ReceiveDossierInput{
		ProcedureCode: p.proc.Code, AgencyCode: p.agency, Channel: p.channel, Applicant: p.applicant,
		ReceivedAt: &first.at, Actor: optional(first.actor),
	}
	d, err := registry.NewDossier(in, first.action, code, p.proc, g.cal, g.now, registry.Provenance{Source: g.source, Recorded: first.at.UTC()})
	if err != nil {
		return nil, fmt.Errorf("generate: dossier %s: %w", code, err)
	}
	for _, s := range p.steps[1:] {
		in := registry.DossierStepInput{
			Action: s.action, At: &s.at, Actor: optional(s.actor), FromUnit: optional(s.from),
			ToUnit: optional(s.to), Note: optional(s.note),
		}
		switch s.action {
		case registry.ActionApologizeResched:
			in.NewDueDate = &g.days.dates[s.reschedule]
		case registry.ActionResolve:
			in.Approved = &s.approved
		}
		if err := d.Apply(in, g.cal, g.now); err != nil {
			return nil, fmt.Errorf("generate: dossier %s: %s at %s: %w", code, s.action, s.at.Format(time.RFC3339), err)
		}
	}
	// The plan's dates are computed on the same calendar as Apply's; a
	// mismatch would silently break the published figures a target copies.
	if p.outcome != "" && (d.Outcome != p.outcome || string(calendar.DateOf(*d.ResolvedAt)[:7]) != p.month) {
		return nil, fmt.Errorf("generate: dossier %s: planned %s in %s, resolved %s", code, p.outcome, p.month, d.Outcome)
	}
	return d, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Records streams everything a load needs in the order it needs it: the
// agencies, the procedures, then the dossiers.
func Records(cfg Config, ref Data, yield func(any) error) error {
	for _, a := range ref.Agencies {
		if err := yield(a); err != nil {
			return err
		}
	}
	for _, p := range ref.Procedures {
		if err := yield(p); err != nil {
			return err
		}
	}
	return Dossiers(cfg, ref, func(d *registry.Dossier) error { return yield(d) })
}
