package registry

import (
	"cmp"
	"slices"

	"github.com/vnregistry/registry/internal/calendar"
)

// A directive's state on a date (hiệu lực theo thời gian), as legal
// databases show it: derived from its own dates and from what other
// directives in the registry state about it (amend, replace, repeal,
// suspend), unless a stated status (an official listing's, given on import
// or entry) says otherwise.

// ValidityState is a directive's state on one date.
type ValidityState string

const (
	StateUnknown         ValidityState = "UNKNOWN"          // no date says when it took effect
	StateNotYetInForce   ValidityState = "NOT_YET_IN_FORCE" // chưa có hiệu lực
	StateInForce         ValidityState = "IN_FORCE"         // còn hiệu lực
	StatePartlyAmended   ValidityState = "PARTLY_AMENDED"   // in force, amended in part by a directive in force
	StatePartlyExpired   ValidityState = "PARTLY_EXPIRED"   // in force, a part repealed or replaced
	StatePartlySuspended ValidityState = "PARTLY_SUSPENDED" // in force, a part suspended
	StateSuspended       ValidityState = "SUSPENDED"        // ngưng hiệu lực
	StateExpired         ValidityState = "EXPIRED"          // its own term ended
	StateRepealed        ValidityState = "REPEALED"         // bãi bỏ
	StateReplaced        ValidityState = "REPLACED"         // thay thế
)

var stateLabels = map[ValidityState]string{
	StateUnknown:         "Chưa rõ hiệu lực",
	StateNotYetInForce:   "Chưa có hiệu lực",
	StateInForce:         "Còn hiệu lực",
	StatePartlyAmended:   "Còn hiệu lực, đã được sửa đổi, bổ sung một phần",
	StatePartlyExpired:   "Hết hiệu lực một phần",
	StatePartlySuspended: "Ngưng hiệu lực một phần",
	StateSuspended:       "Ngưng hiệu lực",
	StateExpired:         "Hết hiệu lực",
	StateRepealed:        "Hết hiệu lực do bị bãi bỏ",
	StateReplaced:        "Hết hiệu lực do bị thay thế",
}

// Label is the state in Vietnamese.
func (s ValidityState) Label() string { return stateLabels[s] }

// InForce reports whether a directive in state s has effect, whole or in part.
func (s ValidityState) InForce() bool {
	switch s {
	case StateInForce, StatePartlyAmended, StatePartlyExpired, StatePartlySuspended:
		return true
	}
	return false
}

// Dead reports whether a directive in state s is known to have no effect:
// not yet, no more, or suspended. UNKNOWN is not dead.
func (s ValidityState) Dead() bool { return s != StateUnknown && !s.InForce() }

// ValiditySource says what decided a state.
type ValiditySource string

const (
	// SourceDerived: the directive's dates and the registry's relations.
	SourceDerived ValiditySource = "DERIVED"
	// SourceListing: the status stated for the directive (Directive.Validity).
	SourceListing ValiditySource = "LISTING"
)

// listingStates are the states a stated status means once it applies.
var listingStates = map[Validity]ValidityState{
	ValidityInForce:          StateInForce,
	ValidityPartiallyExpired: StatePartlyExpired,
	ValidityExpired:          StateExpired,
	ValiditySuspended:        StateSuspended,
	ValidityNotYetInForce:    StateNotYetInForce,
}

// effectKinds are the relations that change their target.
var effectKinds = []RelationKind{RelAmends, RelReplaces, RelRepeals, RelSuspends, RelCorrects}

// EndingKinds are the relations that can end or suspend their target: the
// only ones whether a directive is in force depends on.
var EndingKinds = []RelationKind{RelReplaces, RelRepeals, RelSuspends}

// IsEffect reports whether k (forward or inverse) changes its target.
func (k RelationKind) IsEffect() bool {
	return slices.Contains(effectKinds, k) || slices.Contains(effectKinds, k.Inverse())
}

// Effect is a change one directive (By) states on another, placed in time.
type Effect struct {
	Relation            // as By states it: kind, target, article, part
	By       *Directive // the directive stating it
	// On is when it takes effect: By's effective date, or its issue date
	// when it gives none (OnIssue); "" when By has neither.
	On      calendar.Date
	OnIssue bool
	// Until is By's own end (EffectiveTo): a suspension lifts after it, and
	// an amendment by a directive past its term no longer counts.
	Until calendar.Date
}

// Whole reports whether the effect bears on the whole target.
func (e Effect) Whole() bool { return e.Part == "" }

// activeOn reports whether e has taken effect on day and By's term has not
// ended.
func (e Effect) activeOn(day calendar.Date) bool {
	return e.On != "" && e.On <= day && (e.Until == "" || day <= e.Until)
}

// InForceFrom is when d takes effect: its effective date or, when it gives
// none, its issue date (a directive "có hiệu lực kể từ ngày ký" takes effect
// on signing, and one that says nothing is taken to), fromIssue saying so;
// "" when it has neither.
func (d *Directive) InForceFrom() (start calendar.Date, fromIssue bool) {
	if d.EffectiveFrom != "" {
		return d.EffectiveFrom, false
	}
	return d.IssuedOn, d.IssuedOn != ""
}

// StatedOn is the date d's stated status speaks for: the day it was recorded.
func (d *Directive) StatedOn() calendar.Date { return calendar.DateOf(d.Provenance.Recorded) }

// Affects reports whether an edge by (to d's symbol) can bear on d: a
// directive cannot change one issued after it. A symbol without a year is
// borne by one directive a year; this keeps the later ones out.
func Affects(by, d *Directive) bool {
	return by.Key != d.Key && (d.IssuedOn == "" || by.IssuedOn == "" || d.IssuedOn <= by.IssuedOn)
}

// EffectOf places r, stated by by, in time.
func EffectOf(by *Directive, r Relation) Effect {
	on, fromIssue := by.InForceFrom()
	return Effect{Relation: r, By: by, On: on, OnIssue: fromIssue, Until: by.EffectiveTo}
}

// EffectsOn are the effects that sources (the directives stating a relation
// to d's symbol) state on d, in date order (undated last).
func EffectsOn(d *Directive, sources []*Directive) []Effect {
	var out []Effect
	for _, by := range sources {
		if !Affects(by, d) {
			continue
		}
		for _, r := range by.Relations {
			if r.SymbolKey == d.SymbolKey && slices.Contains(effectKinds, r.Kind) {
				out = append(out, EffectOf(by, r))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Effect) int {
		return cmp.Or(compareDates(a.On, b.On), cmp.Compare(a.By.Key, b.By.Key), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// compareDates orders dates, the unknown ("") last.
func compareDates(a, b calendar.Date) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return cmp.Compare(a, b)
}

// DirectiveEffect is an effect seen from one of its ends: Kind is read
// from that side (AMENDS from the amending directive, AMENDED_BY from the
// amended one), Symbol and Directives are the other end (Directives empty
// when it is not registered).
type DirectiveEffect struct {
	Kind       RelationKind
	Symbol     string
	Directives []*Directive
	Article    string // of the stating directive
	Part       string // of the affected directive; "" the whole
	Excerpt    string
	// Date is when it takes effect, the stating directive's issue date when
	// DateFromIssue; "" when unknown.
	Date          calendar.Date
	DateFromIssue bool
}

// Label is the Vietnamese wording of the effect's kind.
func (e *DirectiveEffect) Label() string { return e.Kind.Label() }

// SeenByTarget is e seen from the directive it changed.
func (e Effect) SeenByTarget() *DirectiveEffect {
	return &DirectiveEffect{Kind: e.Kind.Inverse(), Symbol: e.By.Symbol.String(), Directives: []*Directive{e.By},
		Article: e.Article, Part: e.Part, Excerpt: e.Excerpt, Date: e.On, DateFromIssue: e.OnIssue}
}

// SeenByStater is e seen from the directive stating it; targets are the
// registered directives it bears on.
func (e Effect) SeenByStater(targets []*Directive) *DirectiveEffect {
	return &DirectiveEffect{Kind: e.Kind, Symbol: e.Symbol, Directives: targets,
		Article: e.Article, Part: e.Part, Excerpt: e.Excerpt, Date: e.On, DateFromIssue: e.OnIssue}
}

// DirectiveValidity is a directive's state on a date, with what decided it.
type DirectiveValidity struct {
	On    calendar.Date // the date asked about
	State ValidityState
	// Since is when the state began and Until its last day, when known.
	Since, Until calendar.Date
	// By is the effect that ended or changed the directive, seen from it;
	// nil when its own dates or its stated status decided.
	By     *DirectiveEffect
	Source ValiditySource
	// StatedOn is the day the stated status was recorded (Source LISTING).
	StatedOn calendar.Date
	// InForceFrom is when the directive takes effect, InForceFromIssueDate
	// saying that no effective date is recorded and the issue date stands in.
	InForceFrom          calendar.Date
	InForceFromIssueDate bool
}

// Label is the state in Vietnamese.
func (v *DirectiveValidity) Label() string { return v.State.Label() }

// OwnValidity is d's state on day by its own record alone: its dates, and
// its stated status from the day that was recorded. A date bounds the
// status: before the directive takes effect it is not yet in force, after
// its EffectiveTo expired, whatever was stated; a stated "not yet in force"
// ends when a recorded effective date comes. The lists' filter inForceOn
// selects what this says is in force (match.go, and mongostore's
// translation); the relations of other directives are applied on top by
// ValidityOn, which can end a directive but never revive one.
func OwnValidity(d *Directive, day calendar.Date) DirectiveValidity {
	start, fromIssue := d.InForceFrom()
	v := DirectiveValidity{On: day, Source: SourceDerived, InForceFrom: start, InForceFromIssueDate: fromIssue}
	listed, stated := listingStates[d.Validity]
	switch {
	case start != "" && day < start:
		v.State, v.Until = StateNotYetInForce, start.AddDays(-1)
	case d.EffectiveTo != "" && day > d.EffectiveTo:
		v.State, v.Since = StateExpired, d.EffectiveTo.AddDays(1)
	case stated && d.StatedOn() <= day && (listed != StateNotYetInForce || start == ""):
		v.State, v.Source, v.StatedOn = listed, SourceListing, d.StatedOn()
		if listed.InForce() {
			v.Since, v.Until = start, d.EffectiveTo
		}
	case start == "":
		v.State, v.Until = StateUnknown, d.EffectiveTo
	default:
		v.State, v.Since, v.Until = StateInForce, start, d.EffectiveTo
	}
	return v
}

// ValidityOn is d's state on day: OwnValidity, then the effects other
// directives state on it (EffectsOn) that have taken effect by then. A
// whole repeal or replacement ends it (the earliest end wins, its own
// expiry included); a suspension in force suspends it; otherwise a partial
// repeal, suspension or an amendment in force marks it changed in part.
// When its stated status decided, only effects taking effect after the
// status was recorded count: the listing knew of the earlier ones. Effects
// without a date cannot be placed and change nothing.
func ValidityOn(d *Directive, effects []Effect, day calendar.Date) DirectiveValidity {
	v := OwnValidity(d, day)
	var counted []Effect
	for _, e := range effects {
		if e.On != "" && (v.Source != SourceListing || e.On > v.StatedOn) {
			counted = append(counted, e)
		}
	}
	return untilNext(stateOn(v, counted, day), counted)
}

// stateOn applies the counted effects to the directive's own state v.
func stateOn(v DirectiveValidity, counted []Effect, day calendar.Date) DirectiveValidity {
	// An end replaces any own state but an expiry that came first (or a
	// stated one, undated, which the listing knew before these effects).
	if end := firstEnd(counted, day); end != nil && (!v.State.Dead() || v.State == StateNotYetInForce ||
		v.State == StateSuspended || v.Since != "" && end.On <= v.Since) {
		return caused(v, *end, endStates[end.Kind], "")
	}
	if v.State.Dead() && v.State != StateNotYetInForce {
		return v
	}
	if s := latest(counted, day, false, func(e Effect) bool { return e.Kind == RelSuspends && e.Whole() }); s != nil {
		return caused(v, *s, StateSuspended, s.Until)
	}
	if !v.State.InForce() {
		return v
	}
	// A part repealed stays repealed (lasting); a suspension or an
	// amendment holds while the directive stating it is in force.
	for _, c := range []struct {
		state   ValidityState
		kinds   []RelationKind
		lasting bool
	}{
		{StatePartlySuspended, []RelationKind{RelSuspends}, false},
		{StatePartlyExpired, []RelationKind{RelRepeals, RelReplaces}, true},
		{StatePartlyAmended, []RelationKind{RelAmends}, false},
	} {
		if e := latest(counted, day, c.lasting, func(e Effect) bool { return slices.Contains(c.kinds, e.Kind) && (e.Kind == RelAmends || !e.Whole()) }); e != nil {
			return caused(v, *e, c.state, v.Until)
		}
	}
	return v
}

var endStates = map[RelationKind]ValidityState{RelRepeals: StateRepealed, RelReplaces: StateReplaced}

// firstEnd is the earliest whole repeal or replacement in effect by day.
// An ending takes hold on its date for good: the end of the ending
// directive's own term does not revive what it ended.
func firstEnd(effects []Effect, day calendar.Date) *Effect {
	var out *Effect
	for i, e := range effects {
		if ends(e) && e.On <= day && (out == nil || e.On < out.On) {
			out = &effects[i]
		}
	}
	return out
}

// ends reports whether e ends its target (a whole repeal or replacement).
func ends(e Effect) bool { return (e.Kind == RelRepeals || e.Kind == RelReplaces) && e.Whole() }

// untilNext bounds v's last day by the next effect after its date that
// ends or suspends the directive: "in force until the day before".
func untilNext(v DirectiveValidity, effects []Effect) DirectiveValidity {
	if v.State.Dead() && v.State != StateNotYetInForce {
		return v
	}
	for _, e := range effects {
		if e.On > v.On && e.Whole() && (ends(e) || e.Kind == RelSuspends) {
			if last := e.On.AddDays(-1); v.Until == "" || last < v.Until {
				v.Until = last
			}
		}
	}
	return v
}

// latest is the last effect taking effect by day that keep selects and,
// unless lasting, whose stating directive's term has not ended.
func latest(effects []Effect, day calendar.Date, lasting bool, keep func(Effect) bool) *Effect {
	var out *Effect
	for i, e := range effects {
		if e.On != "" && e.On <= day && (lasting || e.activeOn(day)) && keep(e) && (out == nil || e.On >= out.On) {
			out = &effects[i]
		}
	}
	return out
}

// caused is v put in state by e since e's date, derived.
func caused(v DirectiveValidity, e Effect, state ValidityState, until calendar.Date) DirectiveValidity {
	v.State, v.Since, v.Until, v.By = state, e.On, until, e.SeenByTarget()
	v.Source, v.StatedOn = SourceDerived, ""
	return v
}

// LegalBasisProblem is a procedure's legal basis that is not known to be in
// force on a date: a directive bearing the symbol, not in force then, or no
// directive at all (the registry cannot tell: UNKNOWN, not dead).
type LegalBasisProblem struct {
	Basis     string     // the symbol as the procedure cites it
	Directive *Directive // nil when the registry has none bearing it
	Validity  *DirectiveValidity
}

// State is the basis's state: the directive's, or UNKNOWN without one.
func (p *LegalBasisProblem) State() ValidityState {
	if p.Validity == nil {
		return StateUnknown
	}
	return p.Validity.State
}

// Label says the state in Vietnamese.
func (p *LegalBasisProblem) Label() string {
	if p.Directive == nil {
		return "Chưa có trong cơ sở dữ liệu: không rõ hiệu lực"
	}
	return p.Validity.Label()
}

// BasisProblems are the problems of one cited symbol given the validity on
// a date of every directive bearing it: none when one of them is in force
// (the basis stands), one per directive otherwise, or one UNKNOWN when
// there is no such directive. dead says whether every one is known not to
// be in force.
func BasisProblems(basis string, ds []*Directive, vs []DirectiveValidity) (problems []*LegalBasisProblem, dead bool) {
	if len(ds) == 0 {
		return []*LegalBasisProblem{{Basis: basis}}, false
	}
	dead = true
	for i, d := range ds {
		if vs[i].State.InForce() {
			return nil, false
		}
		dead = dead && vs[i].State.Dead()
		problems = append(problems, &LegalBasisProblem{Basis: basis, Directive: d, Validity: &vs[i]})
	}
	return problems, dead
}
