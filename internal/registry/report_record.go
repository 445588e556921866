package registry

import "strings"

// NewReport validates a report given as a record (an import) and builds it
// with its key and findings recomputed: both follow from the figures.
func NewReport(r Report, prov Provenance) (*Report, error) {
	r.AgencyName = strings.TrimSpace(r.AgencyName)
	r.AgencyCode = strings.TrimSpace(r.AgencyCode)
	if err := checkText("agencyName", r.AgencyName, maxNameRunes, false); err != nil {
		return nil, err
	}
	if r.AgencyCode != "" && !agencyCodePattern.MatchString(r.AgencyCode) {
		return nil, Invalid("agency", "must be a unit id like 000.00.06.H56, got %q", r.AgencyCode)
	}
	if r.Period != "" {
		p, err := ParsePeriod(r.Period)
		if err != nil {
			return nil, err
		}
		r.PeriodType = p.Type
	}
	if r.PeriodType != "" && !r.PeriodType.Valid() {
		return nil, Invalid("periodType", "must be MONTH, QUARTER, HALF_YEAR, NINE_MONTHS, YEAR or YEAR_TO_DATE, got %q", r.PeriodType)
	}
	for _, c := range []struct {
		field string
		v     *int
	}{{"resolved", r.Resolved}, {"early", r.Early}, {"onTime", r.OnTime}, {"late", r.Late}} {
		if c.v != nil && *c.v < 0 {
			return nil, Invalid(c.field, "must not be negative")
		}
	}
	for _, c := range []struct {
		field string
		v     *float64
	}{{"earlyRate", r.EarlyRate}, {"onTimeRate", r.OnTimeRate}, {"lateRate", r.LateRate}} {
		if c.v != nil && (*c.v < 0 || *c.v > 1) {
			return nil, Invalid(c.field, "must be a share between 0 and 1 (83,8%% is 0.838)")
		}
	}
	if err := checkText("provenance.excerpt", prov.Excerpt, 5000, false); err != nil {
		return nil, err
	}
	r.Provenance = prov
	r.Key = ReportKey(r.AgencyName, r.Period, prov.Excerpt)
	r.Findings = CheckReport(&r)
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return &r, nil
}
