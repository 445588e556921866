package registry

import (
	"errors"
	"strconv"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// Replay rebuilds a dossier from its history with the domain's own rules, as
// an import must: an outside record is trusted only as far as its steps are.
// The result has every derived field recomputed; a recorded due date or
// outcome that the rules do not reproduce is refused, since it would mean a
// different calendar or a tampered record.
func Replay(d *Dossier, cal *calendar.Calendar) (*Dossier, error) {
	if len(d.History) == 0 {
		return nil, Invalid("history", "is empty: a dossier starts with RECEIVE or REGISTER_ONLINE")
	}
	first := d.History[0]
	proc := &Procedure{Code: d.ProcedureCode, ProcessingDays: d.ProcessingDays}
	if err := checkProcessingDays(d.ProcessingDays); err != nil {
		return nil, err
	}
	in := ReceiveDossierInput{
		ProcedureCode: d.ProcedureCode, AgencyCode: d.AgencyCode, Channel: d.Channel,
		Applicant:  ApplicantInput{Name: d.Applicant.Name, IDNumber: &d.Applicant.IDNumber, Phone: &d.Applicant.Phone},
		ReceivedAt: &first.At, Actor: &first.Actor, Note: &first.Note,
	}
	if first.NewDueDate != "" {
		in.DueDate, in.DueDateReason = &first.NewDueDate, &first.DueDateReason
	}
	// "Now" for the replay is the latest step: no step may be after it, and
	// one out of order is then reported as such, at its own index.
	var last time.Time
	for _, st := range d.History {
		if st.At.After(last) {
			last = st.At
		}
	}
	out, err := NewDossier(in, first.Action, d.Code, proc, cal, last, d.Provenance)
	if err != nil {
		return nil, within("history[0]", err)
	}
	for i, st := range d.History[1:] {
		step := DossierStepInput{
			Action: st.Action, At: &st.At, Actor: &st.Actor, FromUnit: &st.FromUnit, ToUnit: &st.ToUnit, Note: &st.Note,
		}
		if st.NewDueDate != "" {
			step.NewDueDate = &st.NewDueDate
		}
		if st.Action == ActionResolve && d.Result != nil {
			step.Approved, step.ResultSymbol = &d.Result.Approved, &d.Result.Symbol
		}
		if err := out.Apply(step, cal, last.Add(time.Nanosecond)); err != nil {
			field := "history[" + strconv.Itoa(i+1) + "]"
			// A step the lifecycle refuses makes the record invalid input.
			if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeConflict {
				return nil, Invalid(field+".action", "%s", e.Message)
			}
			return nil, within(field, err)
		}
	}
	for _, c := range []struct {
		field             string
		recorded, rebuilt string
	}{
		{"status", string(d.Status), string(out.Status)},
		{"dueDate", string(d.DueDate), string(out.DueDate)},
		{"outcome", string(d.Outcome), string(out.Outcome)},
	} {
		if c.recorded != "" && c.recorded != c.rebuilt {
			return nil, Invalid(c.field, "is %q but the history gives %q (another holiday calendar?)", c.recorded, c.rebuilt)
		}
	}
	return out, nil
}

func checkProcessingDays(n int) error {
	if n < 0 || n > maxProcessDays {
		return Invalid("processingDays", "must be between 0 and %d working days, got %d", maxProcessDays, n)
	}
	return nil
}
