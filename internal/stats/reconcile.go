package stats

import (
	"fmt"
	"math"

	"github.com/vnregistry/registry/internal/registry"
)

// Figure sets a reported figure beside the one computed from the dossiers.
type Figure struct {
	Measure    string // "resolved", "early", "onTime", "late", "earlyRate", "onTimeRate", "lateRate"
	Reported   *float64
	Computed   *float64
	Difference *float64 // computed - reported, when both are known
	// Agrees: counts equal; rates within one unit of the printed precision
	// (bulletins print 83,8% for 83,86%, truncating). Nil when the report
	// does not give the figure.
	Agrees *bool
}

// Comparison is a published report reconciled with the dossiers.
type Comparison struct {
	Report  *registry.Report
	Figures []Figure
	// Notes say in words what the figures mean, e.g. which of a report's
	// contradictory figures the dossiers follow.
	Notes []string
}

// rateTolerance is one unit of a rate printed with one decimal in percent.
const rateTolerance = 0.001

// Reconcile compares r with m, the computed measures of the same agency and
// period; rates use the provincial definition, the one bulletins print.
func Reconcile(r *registry.Report, m *Measures) Comparison {
	c := Comparison{Report: r}
	rates := m.Rates(Provincial)
	count := func(name string, reported *int, computed int) {
		f := Figure{Measure: name, Computed: float(computed)}
		if reported != nil {
			f.Reported = float(*reported)
			d := float64(computed - *reported)
			f.Difference, f.Agrees = &d, new(d == 0)
		}
		c.Figures = append(c.Figures, f)
	}
	rate := func(name string, reported, computed *float64) {
		f := Figure{Measure: name, Reported: reported, Computed: computed}
		if reported != nil && computed != nil {
			d := *computed - *reported
			f.Difference, f.Agrees = &d, new(math.Abs(d) < rateTolerance)
		}
		c.Figures = append(c.Figures, f)
	}
	count("resolved", r.Resolved, m.Resolved())
	count("early", r.Early, m.Early)
	count("onTime", r.OnTime, m.OnTime)
	count("late", r.Late, m.Late)
	rate("earlyRate", r.EarlyRate, rates.Early)
	rate("onTimeRate", r.OnTimeRate, rates.OnTime)
	rate("lateRate", r.LateRate, rates.Late)
	if r.Resolved != nil && r.Early != nil && r.OnTime != nil {
		parts := *r.Early + *r.OnTime
		if r.Late != nil {
			parts += *r.Late
		}
		if parts != *r.Resolved {
			c.Notes = append(c.Notes, partsNote(*r.Resolved, parts, m.Resolved()))
		}
	}
	return c
}

// partsNote says which of a self-contradicting report's figures the dossiers follow.
func partsNote(total, parts, computed int) string {
	follows := "neither"
	switch computed {
	case parts:
		follows = "the parts"
	case total:
		follows = "the total"
	}
	return fmt.Sprintf("the report's total (%d) and the sum of its parts (%d) disagree by %d; the dossiers give %d resolved, following %s",
		total, parts, parts-total, computed, follows)
}

func float(n int) *float64 {
	v := float64(n)
	return &v
}

// Reconciliation sets the reports published for one agency and month beside
// what the dossiers give.
type Reconciliation struct {
	AgencyCode  string
	Period      string
	Computed    *Row
	Comparisons []Comparison
}
