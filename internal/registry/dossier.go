package registry

import (
	"regexp"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// Applicant is the person or organisation submitting a dossier. Personal data:
// never logged.
type Applicant struct {
	Name     string `bson:"name" json:"name"`
	IDNumber string `bson:"idNumber,omitempty" json:"idNumber,omitempty"`
	Phone    string `bson:"phone,omitempty" json:"phone,omitempty"`
}

// Outcome classifies a resolved dossier by calendar date against its due date.
type Outcome string

const (
	OutcomeEarly  Outcome = "EARLY"   // trước hạn: finished before the due date
	OutcomeOnTime Outcome = "ON_TIME" // đúng hạn: on the due date
	OutcomeLate   Outcome = "LATE"    // quá hạn: after it
)

// DeadlineState classifies an open dossier at a date.
type DeadlineState string

const (
	DeadlineWithin  DeadlineState = "WITHIN_DEADLINE" // trong hạn
	DeadlineOverdue DeadlineState = "OVERDUE"         // quá hạn
)

// Result is what a resolution decided.
type Result struct {
	Approved bool   `bson:"approved" json:"approved"`
	Symbol   string `bson:"symbol,omitempty" json:"symbol,omitempty"` // the result document's canonical number and symbol
}

// Dossier is one application (hồ sơ) handled at a one-stop desk, with its whole
// history embedded in the order it happened. Everything statistics group or
// filter by is computed here, when a step is recorded.
type Dossier struct {
	Code          string    `bson:"_id" json:"code"`
	ProcedureCode string    `bson:"procedure" json:"procedure"`
	AgencyCode    string    `bson:"agency" json:"agency"`
	Channel       Channel   `bson:"channel" json:"channel"`
	Applicant     Applicant `bson:"applicant" json:"applicant"`
	Status        Status    `bson:"status" json:"status"`
	// Version counts the steps recorded: the optimistic-concurrency token.
	Version int `bson:"version" json:"version"`
	// ProcessingDays is the procedure's processing time when the dossier was
	// received: later changes to the procedure do not move its deadline.
	ProcessingDays int `bson:"processingDays" json:"processingDays"`
	// ReceivedAt is when the desk received it (or when it was registered online, until received).
	ReceivedAt time.Time `bson:"receivedAt" json:"receivedAt"`
	// DueDate is the legal deadline: processing days from receipt, pushed back
	// by the working days spent waiting for supplements. Empty until received.
	DueDate calendar.Date `bson:"dueDate" json:"dueDate,omitempty"` // stored even when empty: lists sort and page by it
	// AppointmentDate is the date promised to the applicant: the due date,
	// unless an apology set a new one (which does not move DueDate).
	AppointmentDate    calendar.Date `bson:"appointmentDate,omitempty" json:"appointmentDate,omitempty"`
	SupplementRequests int           `bson:"supplementRequests" json:"supplementRequests"`
	// PausedAt is set while the clock is stopped waiting for a supplement (and
	// stays set if the dossier ends while waiting).
	PausedAt *time.Time `bson:"pausedAt,omitempty" json:"pausedAt,omitempty"`
	// PausedDays are the working days spent waiting for supplements.
	PausedDays int `bson:"pausedDays" json:"pausedDays"`
	// OverdueFrom is the first day an open dossier counts as overdue: the day
	// after its due date; empty while not received or paused in time. Derived,
	// so that "overdue on a date" is a plain comparison in queries.
	OverdueFrom calendar.Date `bson:"overdueFrom,omitempty" json:"-"`
	ResolvedAt  *time.Time    `bson:"resolvedAt,omitempty" json:"resolvedAt,omitempty"`
	Outcome     Outcome       `bson:"outcome,omitempty" json:"outcome,omitempty"`
	// NationalOutcome follows Decision 766/QĐ-TTg: early counts as on time, and
	// more than one supplement request makes a dossier late.
	NationalOutcome  Outcome    `bson:"nationalOutcome,omitempty" json:"nationalOutcome,omitempty"`
	WorkingDaysTaken *int       `bson:"workingDaysTaken,omitempty" json:"workingDaysTaken,omitempty"`
	Result           *Result    `bson:"result,omitempty" json:"result,omitempty"`
	History          []Step     `bson:"history" json:"history"`
	Provenance       Provenance `bson:"provenance" json:"provenance"`
	// Changed is the record's place in the change feed (change.go).
	Changed Stamp `bson:"changed" json:"-"`
}

// Step is one line of the process control sheet (phiếu kiểm soát).
type Step struct {
	Seq          int       `bson:"seq" json:"seq"`
	Action       Action    `bson:"action" json:"action"`
	At           time.Time `bson:"at" json:"at"`
	Actor        string    `bson:"actor,omitempty" json:"actor,omitempty"`
	FromUnit     string    `bson:"fromUnit,omitempty" json:"fromUnit,omitempty"`
	ToUnit       string    `bson:"toUnit,omitempty" json:"toUnit,omitempty"`
	Note         string    `bson:"note,omitempty" json:"note,omitempty"`
	StatusBefore Status    `bson:"statusBefore,omitempty" json:"statusBefore,omitempty"`
	StatusAfter  Status    `bson:"statusAfter" json:"statusAfter"`
	// OnTime: the step happened by the dossier's due date.
	OnTime bool `bson:"onTime" json:"onTime"`
	// NewDueDate is the appointment an apology set, or on a RECEIVE the due
	// date an administrator gave instead of the computed one.
	NewDueDate calendar.Date `bson:"newDueDate,omitempty" json:"newDueDate,omitempty"`
	// DueDateReason is why, on a RECEIVE with NewDueDate.
	DueDateReason string `bson:"dueDateReason,omitempty" json:"dueDateReason,omitempty"`
}

// StatusCode is the national status code of the dossier's status.
func (d *Dossier) StatusCode() int { return d.Status.NationalCode() }

// StatusLabel is the Vietnamese name of the dossier's status.
func (d *Dossier) StatusLabel() string { return d.Status.Label() }

// ChannelCode is the national code of the dossier's channel.
func (d *Dossier) ChannelCode() int { return d.Channel.NationalCode() }

// ActionLabel is the Vietnamese name of the step's action.
func (s *Step) ActionLabel() string { return s.Action.Label() }

// DeadlineAt classifies an open dossier on date asOf; ok is false for one
// that is not open (not yet received, resolved or ended).
func (d *Dossier) DeadlineAt(asOf calendar.Date) (state DeadlineState, ok bool) {
	if !d.Status.Open() || d.DueDate == "" {
		return "", false
	}
	if d.OverdueFrom != "" && asOf >= d.OverdueFrom {
		return DeadlineOverdue, true
	}
	return DeadlineWithin, true
}

// derive recomputes the fields that follow from the others.
func (d *Dossier) derive() {
	d.OverdueFrom = ""
	if d.DueDate != "" && !d.pausedInTime() {
		d.OverdueFrom = d.DueDate.AddDays(1)
	}
}

// pausedInTime: the dossier waits (or, withdrawn or stopped, was waiting to
// the end) for a supplement requested by its due date. Its clock is stopped,
// and the wait pushes the due date back by as many working days as it lasts,
// so it cannot fall overdue meanwhile.
func (d *Dossier) pausedInTime() bool {
	return d.PausedAt != nil && calendar.DateOf(*d.PausedAt) <= d.DueDate
}

// ReceiveDossierInput describes a dossier handed in at a desk or online.
type ReceiveDossierInput struct {
	Code          *string // generated when absent
	ProcedureCode string
	AgencyCode    string
	Channel       Channel
	Applicant     ApplicantInput
	ReceivedAt    *time.Time // defaults to now
	// DueDate replaces the computed due date (an administrator's act, see
	// receiptDueDate); DueDateReason, required with it, says why.
	DueDate       *calendar.Date
	DueDateReason *string
	Actor         *string
	Note          *string
}

// ApplicantInput is the applicant as entered at the desk.
type ApplicantInput struct {
	Name     string
	IDNumber *string
	Phone    *string
}

// DossierCodePrefix is the part of a generated code before the daily sequence.
func DossierCodePrefix(agencyCode string, receivedAt time.Time) string {
	return agencyCode + "-" + receivedAt.In(calendar.Vietnam).Format("060102") + "-"
}

// dossierCodePattern: <unit id>-YYMMDD-XXXX. The sequence is four digits,
// more without leading zeros once a busy desk passes 9999 in a day, and at
// most six: no desk receives a million dossiers in a day.
var dossierCodePattern = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-([0-9]{6})-([0-9]{4}|[1-9][0-9]{4,5})$`)

// CheckDossierCode validates a client-given dossier code.
func CheckDossierCode(code string) error {
	m := dossierCodePattern.FindStringSubmatch(code)
	if m == nil {
		return Invalid("code", "must be <unit id>-YYMMDD-XXXX like 000.00.06.H56-210415-0001 (a sequence of 4 to 6 digits), got %q", code)
	}
	if _, err := time.Parse("060102", m[1]); err != nil {
		return Invalid("code", "must carry a real date YYMMDD after the unit id, got %q", m[1])
	}
	return nil
}

// NewDossier validates a receipt (first is RECEIVE) or an online registration
// (first is REGISTER_ONLINE) and builds the dossier with that first step. proc
// is the procedure the input names (the caller looked it up); code is the
// final dossier code; now is the server time, used when the input gives none.
func NewDossier(in ReceiveDossierInput, first Action, code string, proc *Procedure, cal *calendar.Calendar, now time.Time, prov Provenance) (*Dossier, error) {
	agency := strings.TrimSpace(in.AgencyCode)
	if err := CheckDossierCode(code); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(code, agency+"-") {
		return nil, Invalid("code", "must start with the receiving agency's unit id %s", agency)
	}
	if !in.Channel.Valid() {
		return nil, Invalid("channel", "must be one of IN_PERSON, ONLINE, POSTAL")
	}
	if first == ActionRegisterOnline && in.Channel != ChannelOnline {
		return nil, Invalid("channel", "must be ONLINE for an online registration")
	}
	applicant := Applicant{
		Name:     strings.TrimSpace(in.Applicant.Name),
		IDNumber: strings.TrimSpace(deref(in.Applicant.IDNumber)),
		Phone:    strings.TrimSpace(deref(in.Applicant.Phone)),
	}
	if err := checkText("applicant.name", applicant.Name, maxNameRunes, true); err != nil {
		return nil, err
	}
	if err := checkText("applicant.idNumber", applicant.IDNumber, 32, false); err != nil {
		return nil, err
	}
	if err := checkText("applicant.phone", applicant.Phone, 32, false); err != nil {
		return nil, err
	}
	step, err := stepText(in.Actor, nil, nil, in.Note)
	if err != nil {
		return nil, err
	}
	at := now
	if in.ReceivedAt != nil {
		at = *in.ReceivedAt
	}
	if at.After(now.Add(clockSkew)) {
		return nil, Invalid("receivedAt", "must not be in the future")
	}
	if !calendar.InRange(at) {
		return nil, Invalid("receivedAt", "must be %s", calendar.RangeText)
	}
	at = StoredTime(at)
	d := &Dossier{
		Code: code, ProcedureCode: proc.Code, AgencyCode: agency, Channel: in.Channel, Applicant: applicant,
		ProcessingDays: proc.ProcessingDays, ReceivedAt: at, Version: 1, Provenance: prov,
	}
	step.Seq, step.Action, step.At, step.ToUnit, step.OnTime = 1, first, at, agency, true
	switch first {
	case ActionReceive:
		d.Status = StatusReceived
		if d.DueDate, step.DueDateReason, err = receiptDueDate(in, at, proc, cal); err != nil {
			return nil, err
		}
		if in.DueDate != nil {
			// Kept on the step: a replay of the history must find it.
			step.NewDueDate = d.DueDate
		}
		d.AppointmentDate = d.DueDate
	case ActionRegisterOnline:
		if in.DueDate != nil {
			return nil, Invalid("dueDate", "is set when the desk receives the dossier, not at online registration")
		}
		if in.DueDateReason != nil {
			return nil, Invalid("dueDateReason", "is given only with dueDate, at receipt")
		}
		d.Status = StatusRegisteredOnline
	default:
		return nil, Invalid("action", "a dossier starts with RECEIVE or REGISTER_ONLINE")
	}
	step.StatusAfter = d.Status
	d.History = []Step{step}
	d.derive()
	return d, nil
}

// MaxDueDateExtension is how many working days after the computed due date
// a receipt's given due date may fall: about six weeks, room for a decision
// that extends one dossier's processing, never a deadline that cannot pass.
const MaxDueDateExtension = 30

// receiptDueDate is the due date of a receipt at at: the procedure's
// processing days from receipt by the calendar, or the date in.DueDate gives
// instead, with its reason, from the receipt day to MaxDueDateExtension
// working days after the computed date.
func receiptDueDate(in ReceiveDossierInput, at time.Time, proc *Procedure, cal *calendar.Calendar) (due calendar.Date, reason string, err error) {
	computed := cal.DueDate(at, proc.ProcessingDays)
	reason = strings.TrimSpace(deref(in.DueDateReason))
	if in.DueDate == nil {
		if in.DueDateReason != nil {
			return "", "", Invalid("dueDateReason", "is given only with dueDate")
		}
		return computed, "", nil
	}
	if _, err := calendar.ParseDate(string(*in.DueDate)); err != nil {
		return "", "", Invalid("dueDate", "%v", err)
	}
	if *in.DueDate < calendar.DateOf(at) {
		return "", "", Invalid("dueDate", "must not be before the receipt date %s", calendar.DateOf(at))
	}
	if latest := cal.AddWorkingDays(computed, MaxDueDateExtension); *in.DueDate > latest {
		return "", "", Invalid("dueDate", "must be at most %d working days after the computed due date %s, so not after %s",
			MaxDueDateExtension, computed, latest)
	}
	if reason == "" {
		return "", "", Invalid("dueDateReason", "is required with dueDate: say why the computed due date %s does not apply", computed)
	}
	if err := checkText("dueDateReason", reason, maxReasonRunes, true); err != nil {
		return "", "", err
	}
	return *in.DueDate, reason, nil
}

// clockSkew is how far ahead of the server's clock a client's time may be.
const clockSkew = time.Minute

// DossierStepInput is a step a desk records on a dossier.
type DossierStepInput struct {
	Action   Action
	At       *time.Time // defaults to now
	Actor    *string
	FromUnit *string
	ToUnit   *string
	Note     *string
	// NewDueDate is the new appointment set by APOLOGIZE_AND_RESCHEDULE.
	NewDueDate *calendar.Date
	// Approved and ResultSymbol record a RESOLVE.
	Approved     *bool
	ResultSymbol *string
}

// Apply records one step on d: it checks the transition and the step's data,
// then updates the dossier's status, deadlines and outcome and appends the
// step. On error d is unchanged.
func (d *Dossier) Apply(in DossierStepInput, cal *calendar.Calendar, now time.Time) error {
	next, err := Next(d.Status, in.Action)
	if err != nil {
		return err
	}
	step, err := stepText(in.Actor, in.FromUnit, in.ToUnit, in.Note)
	if err != nil {
		return err
	}
	at := now
	if in.At != nil {
		at = *in.At
	}
	at = StoredTime(at)
	if at.After(now.Add(clockSkew)) {
		return Invalid("at", "must not be in the future")
	}
	if !calendar.InRange(at) {
		return Invalid("at", "must be %s", calendar.RangeText)
	}
	if last := d.History[len(d.History)-1]; at.Before(last.At) {
		return Invalid("at", "must not be before the previous step (step %d at %s)", last.Seq, last.At.In(calendar.Vietnam).Format(time.RFC3339))
	}
	n := *d // work on a copy so a refused step leaves d as it was
	day := calendar.DateOf(at)
	if err := n.applyAction(in, &step, cal, at); err != nil {
		return err
	}
	step.Seq, step.Action, step.At = len(d.History)+1, in.Action, at
	step.StatusBefore, step.StatusAfter = d.Status, next
	step.OnTime = n.DueDate == "" || day <= n.DueDate
	n.Status = next
	n.Version = d.Version + 1
	n.History = append(d.History[:len(d.History):len(d.History)], step)
	n.derive()
	*d = n
	return nil
}

// applyAction changes the fields the step's action moves (deadlines,
// pauses, the result), checking the data the action needs.
func (n *Dossier) applyAction(in DossierStepInput, step *Step, cal *calendar.Calendar, at time.Time) error {
	day := calendar.DateOf(at)
	switch in.Action {
	case ActionReceive:
		n.ReceivedAt = at
		n.DueDate = cal.DueDate(at, n.ProcessingDays)
		n.AppointmentDate = n.DueDate
	case ActionTransfer:
		if step.ToUnit == "" {
			return Invalid("toUnit", "is required for TRANSFER")
		}
	case ActionRequestSupplement:
		n.SupplementRequests++
		n.PausedAt = &at
	case ActionReceiveSupplement:
		pausedAt := at // imported histories may lack the pause start
		if n.PausedAt != nil {
			pausedAt = *n.PausedAt
		}
		due := cal.ExtendForPause(n.DueDate, pausedAt, at)
		n.PausedDays += cal.WorkingDaysBetween(n.DueDate, due)
		if n.AppointmentDate == n.DueDate {
			n.AppointmentDate = due
		} else {
			n.AppointmentDate = cal.ExtendForPause(n.AppointmentDate, pausedAt, at)
		}
		n.DueDate, n.PausedAt = due, nil
	case ActionApologizeResched:
		if in.NewDueDate == nil {
			return Invalid("newDueDate", "is required for APOLOGIZE_AND_RESCHEDULE")
		}
		if _, err := calendar.ParseDate(string(*in.NewDueDate)); err != nil {
			return Invalid("newDueDate", "%v", err)
		}
		if *in.NewDueDate < day {
			return Invalid("newDueDate", "must not be before the step's date %s", day)
		}
		if step.Note == "" {
			return Invalid("note", "is required for APOLOGIZE_AND_RESCHEDULE: the reason given to the applicant")
		}
		// The appointment moves; the legal deadline does not, so the dossier
		// still counts as late if it passes DueDate.
		n.AppointmentDate, step.NewDueDate = *in.NewDueDate, *in.NewDueDate
	case ActionResolve:
		if in.Approved == nil {
			return Invalid("approved", "is required for RESOLVE: whether the request was granted")
		}
		n.Result = &Result{Approved: *in.Approved}
		if s := strings.TrimSpace(deref(in.ResultSymbol)); s != "" {
			sym, err := ParseSymbol(s)
			if err != nil {
				return AsField("resultSymbol", err)
			}
			n.Result.Symbol = sym.String()
		}
		n.ResolvedAt = &at
		n.Outcome = Classify(day, n.DueDate)
		n.NationalOutcome = NationalOutcome(n.Outcome, n.SupplementRequests)
		taken := max(cal.WorkingDaysBetween(cal.CountingStart(n.ReceivedAt), day)-n.PausedDays, 0)
		n.WorkingDaysTaken = &taken
	}
	return nil
}

// Classify compares the date a dossier was finished with its due date.
func Classify(finished, due calendar.Date) Outcome {
	switch {
	case finished < due:
		return OutcomeEarly
	case finished == due:
		return OutcomeOnTime
	}
	return OutcomeLate
}

// NationalOutcome applies Decision 766/QĐ-TTg to an outcome: early is on time,
// and more than one supplement request is late whatever the dates say.
func NationalOutcome(o Outcome, supplementRequests int) Outcome {
	if o == OutcomeLate || supplementRequests > 1 {
		return OutcomeLate
	}
	return OutcomeOnTime
}

// stepText validates a step's free-text fields.
func stepText(actor, from, to, note *string) (Step, error) {
	s := Step{
		Actor: strings.TrimSpace(deref(actor)), FromUnit: strings.TrimSpace(deref(from)),
		ToUnit: strings.TrimSpace(deref(to)), Note: strings.TrimSpace(deref(note)),
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"actor", s.Actor, maxNameRunes}, {"fromUnit", s.FromUnit, maxNameRunes}, {"toUnit", s.ToUnit, maxNameRunes}, {"note", s.Note, maxNoteRunes}} {
		if err := checkText(f.name, f.value, f.max, false); err != nil {
			return Step{}, err
		}
	}
	return s, nil
}
