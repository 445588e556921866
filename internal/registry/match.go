package registry

import (
	"slices"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/fold"
)

// The lists' filters as predicates on records: what a filter means. Memory
// evaluates them; the MongoDB store translates each to a query, and a test
// holds the two to the same answers on random filters.

// Matches reports whether f selects a.
func (f AgencyFilter) Matches(a *Agency) bool { return f.Level == nil || a.Level == *f.Level }

// Matches reports whether f selects r.
func (f ReportFilter) Matches(r *Report) bool {
	return (f.Period == nil || r.Period == *f.Period) && (f.AgencyCode == nil || r.AgencyCode == *f.AgencyCode)
}

// Matches reports whether f selects e.
func (f AuditFilter) Matches(e *AuditEntry) bool {
	return (f.Who == nil || e.Who == *f.Who) && (f.Operation == nil || e.Operation == *f.Operation) &&
		(f.Target == nil || e.Target == *f.Target) && InTimeRange(e.At, f.From, f.To)
}

// InTimeRange: t within [from, to), an end left open when nil. Bounds
// count at the precision times are stored at (see TimeBound).
func InTimeRange(t time.Time, from, to *time.Time) bool {
	return (from == nil || !t.Before(TimeBound(*from))) && (to == nil || t.Before(TimeBound(*to)))
}

// StoredTime is t in UTC at the precision MongoDB stores dates at, the
// millisecond: a record keeps its times so from the start, and reads the
// same from memory as from the store after a restart.
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// TimeBound is a range bound as stored times compare with it: rounded up
// to the next millisecond. A stored time is within [from, to) exactly when
// it is within [TimeBound(from), TimeBound(to)), and MongoDB, which cuts a
// bound to the millisecond, selects the same.
func TimeBound(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

// Matcher checks the filter (BAD_USER_INPUT naming the field) and returns
// its predicate.
func (f ProcedureFilter) Matcher() (func(*Procedure) bool, error) {
	basis := ""
	if f.LegalBasis != nil {
		var err error
		if basis, err = f.LegalBasisSymbol(); err != nil {
			return nil, err
		}
	}
	return func(p *Procedure) bool {
		return (f.AgencyCode == nil || p.AgencyCode == *f.AgencyCode) &&
			(f.Level == nil || p.Level == *f.Level) &&
			(f.LegalBasis == nil || slices.Contains(p.LegalBases, basis)) &&
			(f.LegalBasisAmong == nil || slices.ContainsFunc(p.LegalBases, func(b string) bool { return slices.Contains(*f.LegalBasisAmong, b) }))
	}, nil
}

// Matcher checks the filter and returns its predicate.
func (f DirectiveFilter) Matcher() (func(*Directive) bool, error) {
	var terms []string
	if f.Search != nil {
		var err error
		if terms, err = SearchTerms(*f.Search); err != nil {
			return nil, err
		}
	}
	typeCode := ""
	if f.Type != nil {
		var err error
		if typeCode, err = f.TypeCode(); err != nil {
			return nil, err
		}
	}
	issuer := ""
	if f.IssuerCode != nil {
		issuer = fold.String(*f.IssuerCode)
	}
	if f.InForceOn != nil {
		if _, err := f.InForceDay(); err != nil {
			return nil, err
		}
	}
	return func(d *Directive) bool {
		for _, t := range terms {
			if !strings.Contains(d.Search, t) {
				return false
			}
		}
		switch {
		case f.Type != nil && d.Symbol.Type != typeCode,
			f.IssuerCode != nil && d.IssuerKey != issuer,
			f.Year != nil && d.Year != *f.Year,
			f.IssuedFrom != nil && (d.IssuedOn == "" || d.IssuedOn < *f.IssuedFrom),
			f.IssuedTo != nil && (d.IssuedOn == "" || d.IssuedOn > *f.IssuedTo),
			f.Validity != nil && d.Validity != *f.Validity,
			f.Topic != nil && !slices.Contains(d.Topics, *f.Topic),
			f.InForceOn != nil && !OwnValidity(d, *f.InForceOn).State.InForce(),
			slices.Contains(f.ExceptKeys, d.Key),
			f.Stating != nil && !slices.ContainsFunc(d.Relations, func(r Relation) bool { return slices.Contains(f.Stating, r.Kind) }):
			return false
		}
		return true
	}, nil
}

// Check refuses a filter that asks for what cannot be: overdue dossiers of
// a status that is not open.
func (f DossierFilter) Check() error {
	if f.OverdueAsOf != nil && f.Status != nil && !f.Status.Open() {
		return Invalid("filter.overdueAsOf", "only open dossiers can be overdue; status %s is not open", *f.Status)
	}
	return nil
}

// Matches reports whether f selects d (f checked).
func (f DossierFilter) Matches(d *Dossier) bool {
	switch {
	case f.AgencyCode != nil && d.AgencyCode != *f.AgencyCode,
		f.ProcedureCode != nil && d.ProcedureCode != *f.ProcedureCode,
		f.Status != nil && d.Status != *f.Status,
		f.Channel != nil && d.Channel != *f.Channel,
		f.Outcome != nil && d.Outcome != *f.Outcome,
		!InTimeRange(d.ReceivedAt, f.ReceivedFrom, f.ReceivedTo),
		(f.ResolvedFrom != nil || f.ResolvedTo != nil) && (d.ResolvedAt == nil || !InTimeRange(*d.ResolvedAt, f.ResolvedFrom, f.ResolvedTo)):
		return false
	}
	return f.OverdueAsOf == nil || d.Status.Open() && d.OverdueFrom != "" && d.OverdueFrom <= *f.OverdueAsOf
}
