package stats

import (
	"math"
	"testing"
)

func TestRatesZeroDenominatorsAreNil(t *testing.T) {
	var empty Measures
	for _, def := range []Definition{Provincial, National766} {
		r := empty.Rates(def)
		if r.Definition != def {
			t.Errorf("Rates(%s).Definition = %s", def, r.Definition)
		}
		for name, v := range map[string]*float64{"early": r.Early, "onTime": r.OnTime, "late": r.Late, "online": r.Online} {
			if v != nil {
				t.Errorf("Rates(%s).%s of nothing = %v, want nil (not 0)", def, name, *v)
			}
		}
	}

	// Resolved but nothing received in the period: online is nil, the
	// others defined.
	resolvedOnly := Measures{Early: 3, OnTime: 1}
	p := resolvedOnly.Rates(Provincial)
	if p.Online != nil || p.Early == nil || p.OnTime == nil || p.Late == nil {
		t.Errorf("provincial rates of resolved-only row: %+v", p)
	} else if *p.Early != 0.75 || *p.OnTime != 0.25 || *p.Late != 0 {
		t.Errorf("provincial rates of resolved-only row: early %v onTime %v late %v, want 0.75 0.25 0", *p.Early, *p.OnTime, *p.Late)
	}

	// Only in progress: the provincial outcome rates are nil (nothing
	// resolved) but the national ones are defined (in progress counts).
	openOnly := Measures{InProgressOverdue: 2, CarriedOver: 2}
	if r := openOnly.Rates(Provincial); r.Early != nil || r.OnTime != nil || r.Late != nil || r.Online != nil {
		t.Errorf("provincial rates with nothing resolved: %+v, want all nil", r)
	}
	n := openOnly.Rates(National766)
	if n.OnTime == nil || *n.OnTime != 0 || n.Late == nil || *n.Late != 1 || n.Early != nil {
		t.Errorf("national rates with 2 overdue in progress: %+v, want onTime 0 (not nil), late 1, early nil", n)
	}
}

func TestRates(t *testing.T) {
	m := Measures{
		ReceivedOnline: 30, ReceivedInPerson: 60, ReceivedPostal: 10, CarriedOver: 7,
		Early: 50, OnTime: 20, Late: 10, NationalLate: 15,
		InProgressWithin: 15, InProgressOverdue: 5,
	}
	near := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-12 {
			t.Errorf("%s = %s, want %v", name, ptr(got), want)
		}
	}
	p := m.Rates(Provincial)
	near("provincial early", p.Early, 50.0/80)
	near("provincial onTime", p.OnTime, 20.0/80)
	near("provincial late", p.Late, 10.0/80)
	near("provincial online", p.Online, 30.0/100)
	n := m.Rates(National766)
	// On time: resolved 80 - nationally late 15 + within 15 = 80, of 80 + 20.
	near("national onTime", n.OnTime, 80.0/100)
	near("national late", n.Late, 20.0/100)
	near("national online", n.Online, 30.0/100)
	if n.Early != nil {
		t.Errorf("national early = %v, want nil (not defined)", *n.Early)
	}
	if *n.OnTime+*n.Late != 1 {
		t.Errorf("national onTime + late = %v, want 1", *n.OnTime+*n.Late)
	}
}

func TestDefinitionsNameEveryRateOfBothDefinitions(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Definitions() {
		if d.Name == "" || d.Numerator == "" && d.Description == "" {
			t.Errorf("definition without a name or a numerator: %+v", d)
		}
		key := d.Name + "/" + string(d.Definition)
		if seen[key] {
			t.Errorf("%s defined twice", key)
		}
		seen[key] = true
		if d.Definition != "" && !d.Definition.Valid() {
			t.Errorf("%s: unknown definition %q", d.Name, d.Definition)
		}
	}
	for _, def := range []Definition{Provincial, National766} {
		for _, rate := range []string{"rates.early", "rates.onTime", "rates.late", "rates.online"} {
			if !seen[rate+"/"+string(def)] {
				t.Errorf("%s is not defined for %s", rate, def)
			}
		}
	}
	if Definition("OTHER").Valid() || Definition("").Valid() {
		t.Errorf("unknown definitions are valid")
	}
}
