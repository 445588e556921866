package stats

// Definition names a way of computing rates: published figures disagree on
// what "on time" means and what it is a share of.
type Definition string

const (
	// Provincial: early, on time and late as disjoint shares of what was resolved.
	Provincial Definition = "PROVINCIAL"
	// National766: Decision 766/QĐ-TTg's index: on time includes early and
	// dossiers still in progress within their deadline, out of everything
	// resolved or in progress; more than one supplement request is late.
	National766 Definition = "NATIONAL_766"
)

// Valid reports whether d is a known definition.
func (d Definition) Valid() bool { return d == Provincial || d == National766 }

// Rates are shares between 0 and 1; nil when the denominator is zero or the
// definition does not define the rate.
type Rates struct {
	Definition Definition
	Early      *float64
	OnTime     *float64
	Late       *float64
	Online     *float64
}

// Rates computes m's rates under def.
func (m *Measures) Rates(def Definition) Rates {
	r := Rates{Definition: def, Online: ratio(m.ReceivedOnline, m.ReceivedNew())}
	switch def {
	case National766:
		base := m.Resolved() + m.InProgress()
		r.OnTime = ratio(m.NationalOnTime()+m.InProgressWithin, base)
		r.Late = ratio(m.NationalLate+m.InProgressOverdue, base)
	default:
		r.Early = ratio(m.Early, m.Resolved())
		r.OnTime = ratio(m.OnTime, m.Resolved())
		r.Late = ratio(m.Late, m.Resolved())
	}
	return r
}

func ratio(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	v := float64(num) / float64(den)
	return &v
}

// MeasureDefinition says how one figure is computed, so a reader can check it.
type MeasureDefinition struct {
	Name        string
	Definition  Definition // empty for counts, which all definitions share
	Numerator   string
	Denominator string // empty for counts
	Description string
}

// Definitions lists every measure and rate.
func Definitions() []MeasureDefinition {
	return []MeasureDefinition{
		{Name: "received.total", Numerator: "received.new + received.carriedOver", Description: "II.06a: dossiers to handle in the period: received in it plus carried over (= online + inPerson + postal + carriedOver)."},
		{Name: "received.new", Numerator: "dossiers received in the period (by the receipt date in Vietnam time)", Description: "Online registrations count when the desk receives them; refused ones never. The dossiers list, filtered by receipt time, holds those too (it lists every dossier), so it can count more than this."},
		{Name: "received.online", Numerator: "received.new with channel ONLINE"},
		{Name: "received.inPerson", Numerator: "received.new with channel IN_PERSON"},
		{Name: "received.postal", Numerator: "received.new with channel POSTAL"},
		{Name: "received.carriedOver", Numerator: "dossiers received before the period and neither resolved, withdrawn nor stopped before it"},
		{Name: "resolved.total", Numerator: "resolved.early + resolved.onTime + resolved.late", Description: "Dossiers resolved in the period (by the resolution date)."},
		{Name: "resolved.early", Numerator: "resolved in the period on a date before the due date"},
		{Name: "resolved.onTime", Numerator: "resolved in the period on the due date"},
		{Name: "resolved.late", Numerator: "resolved in the period after the due date", Description: "The due date is the legal deadline: an apology's new appointment does not move it."},
		{Name: "resolved.nationalOnTime", Numerator: "resolved.total - resolved.nationalLate", Description: "Decision 766/QĐ-TTg: early counts as on time."},
		{Name: "resolved.nationalLate", Numerator: "resolved in the period late, or after more than one supplement request", Description: "Decision 766/QĐ-TTg."},
		{Name: "inProgress.total", Numerator: "inProgress.withinDeadline + inProgress.overdue", Description: "Received and not yet resolved, withdrawn or stopped at the end of the period (or at asOf, if earlier)."},
		{Name: "inProgress.withinDeadline", Numerator: "in progress whose due date had not passed on that day, or waiting for a supplement requested in time"},
		{Name: "inProgress.overdue", Numerator: "in progress whose due date had passed on that day", Description: "Judged against each dossier's current due date."},
		{Name: "withdrawn", Numerator: "dossiers withdrawn by the applicant in the period"},
		{Name: "stopped", Numerator: "dossiers whose handling was stopped in the period"},
		{Name: "meanWorkingDays", Numerator: "sum of working days taken by dossiers resolved in the period", Denominator: "resolved.total", Description: "Working days from receipt to resolution, not counting time waiting for supplements."},
		{Name: "medianWorkingDays", Numerator: "median of working days taken by dossiers resolved in the period", Description: "The mean of the two middle values when their number is even."},
		{Name: "rates.early", Definition: Provincial, Numerator: "resolved.early", Denominator: "resolved.total"},
		{Name: "rates.onTime", Definition: Provincial, Numerator: "resolved.onTime", Denominator: "resolved.total", Description: "Disjoint from rates.early, as provincial bulletins print them (83,8% early + 16,2% on time)."},
		{Name: "rates.late", Definition: Provincial, Numerator: "resolved.late", Denominator: "resolved.total"},
		{Name: "rates.online", Definition: Provincial, Numerator: "received.online", Denominator: "received.new"},
		{Name: "rates.onTime", Definition: National766, Numerator: "resolved.nationalOnTime + inProgress.withinDeadline", Denominator: "resolved.total + inProgress.total", Description: "Decision 766/QĐ-TTg index of timely handling."},
		{Name: "rates.late", Definition: National766, Numerator: "resolved.nationalLate + inProgress.overdue", Denominator: "resolved.total + inProgress.total"},
		{Name: "rates.online", Definition: National766, Numerator: "received.online", Denominator: "received.new"},
		{Name: "rates.early", Definition: National766, Description: "Not defined: the national index does not separate early from on time (null)."},
	}
}
