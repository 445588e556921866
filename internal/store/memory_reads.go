package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// _id orders, as each reads.
var (
	directiveByKey = sortKey[*registry.Directive]{id: func(d *registry.Directive) string { return d.Key }}
	reportByKey    = sortKey[*registry.Report]{id: func(r *registry.Report) string { return r.Key }}
)

// eachOf calls fn with each item in turn.
func eachOf[T any](items []T, fn func(T) error) error {
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// sortedBy sorts items in the order of key, as each's cursor would give them.
func sortedBy[T any](items []T, key sortKey[T]) []T {
	slices.SortFunc(items, key.compare)
	return items
}

// directiveMatches is directiveQuery evaluated on one directive; the two
// must agree (the store tests run both).
func directiveMatches(f registry.DirectiveFilter, d *registry.Directive, terms []string, typeCode string) bool {
	for _, t := range terms {
		if !strings.Contains(d.Search, t) {
			return false
		}
	}
	switch {
	case f.Type != nil && d.Symbol.Type != typeCode,
		f.IssuerCode != nil && d.IssuerKey != fold.String(*f.IssuerCode),
		f.Year != nil && d.Year != *f.Year,
		f.IssuedFrom != nil && (d.IssuedOn == "" || d.IssuedOn < *f.IssuedFrom),
		f.IssuedTo != nil && (d.IssuedOn == "" || d.IssuedOn > *f.IssuedTo),
		f.Validity != nil && d.Validity != *f.Validity,
		f.Topic != nil && !slices.Contains(d.Topics, *f.Topic):
		return false
	}
	return true
}

// facetValue is the value of a facet field in a directive, as the engine's
// $group would give it.
func facetValue(d *registry.Directive, field string) string {
	switch field {
	case registry.FacetType:
		return d.Symbol.Type
	case registry.FacetIssuer:
		return d.IssuerCode
	case registry.FacetYear:
		return fmt.Sprint(d.Year)
	case registry.FacetValidity:
		return string(d.Validity)
	}
	return ""
}

// proceduresMatching is the in-memory registry.ProcedureFilter.
func (m *memory) proceduresMatching(f registry.ProcedureFilter) ([]*registry.Procedure, error) {
	basis := ""
	if f.LegalBasis != nil {
		var err error
		if basis, err = f.LegalBasisSymbol(); err != nil {
			return nil, err
		}
	}
	return m.procedureRows.matching(func(p *registry.Procedure) bool { return procedureMatches(f, p, basis) }), nil
}

func procedureMatches(f registry.ProcedureFilter, p *registry.Procedure, legalBasis string) bool {
	return (f.AgencyCode == nil || p.AgencyCode == *f.AgencyCode) &&
		(f.Level == nil || p.Level == *f.Level) &&
		(f.LegalBasis == nil || slices.Contains(p.LegalBases, legalBasis))
}

func agencyMatches(f registry.AgencyFilter, a *registry.Agency) bool {
	return f.Level == nil || a.Level == *f.Level
}

func reportMatches(f registry.ReportFilter, r *registry.Report) bool {
	return (f.Period == nil || r.Period == *f.Period) && (f.AgencyCode == nil || r.AgencyCode == *f.AgencyCode)
}

// memory as the store's backend (see backend): everything from memory but
// the dossiers the index does not keep whole, read by _id.

func (m *memory) agency(_ context.Context, code string) (*registry.Agency, error) {
	return m.agencyRows.get(code), nil
}

func (m *memory) agencies(_ context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return pageOf(m.agencyRows.matching(func(a *registry.Agency) bool { return agencyMatches(f, a) }), agencyOrder, args)
}

func (m *memory) eachAgency(_ context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return eachOf(sortedBy(m.agencyRows.matching(func(a *registry.Agency) bool { return agencyMatches(f, a) }), agencyOrder), fn)
}

func (m *memory) agenciesByCode(_ context.Context, codes []string) ([]*registry.Agency, error) {
	return m.agencyRows.matching(func(a *registry.Agency) bool {
		return slices.Contains(codes, a.Code) || (a.Abbreviation != "" && slices.Contains(codes, a.Abbreviation))
	}), nil
}

func (m *memory) procedure(_ context.Context, code string) (*registry.Procedure, error) {
	return m.procedureRows.get(code), nil
}

func (m *memory) procedures(_ context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	ps, err := m.proceduresMatching(f)
	if err != nil {
		return nil, err
	}
	return pageOf(ps, procedureOrder, args)
}

func (m *memory) eachProcedure(_ context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	ps, err := m.proceduresMatching(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ps, procedureOrder), fn)
}

func (m *memory) proceduresByCode(_ context.Context, codes []string) ([]*registry.Procedure, error) {
	var out []*registry.Procedure
	for _, c := range codes {
		if p := m.procedureRows.get(c); p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *memory) exists(_ context.Context, col, id string) (bool, error) {
	switch col {
	case colAgencies:
		return m.agencyRows.has(id), nil
	case colProcedures:
		return m.procedureRows.has(id), nil
	}
	return false, fmt.Errorf("store: memory keeps no %s", col)
}

func (m *memory) directive(_ context.Context, key string) (*registry.Directive, error) {
	return m.directiveSet.get(key), nil
}

func (m *memory) directives(_ context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error) {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return nil, err
	}
	return pageOf(ds, directiveOrder, args)
}

func (m *memory) eachDirective(_ context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ds, directiveByKey), fn)
}

func (m *memory) directiveFacet(_ context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error) {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, d := range ds {
		counts[facetValue(d, field)]++
	}
	out := make([]registry.Facet, 0, len(counts))
	for v, n := range counts {
		out = append(out, registry.Facet{Value: v, Count: n})
	}
	return out, nil
}

func (m *memory) directivesBySymbolKeys(_ context.Context, keys []string, year *int) ([]*registry.Directive, error) {
	return m.directiveSet.withSymbolKeys(keys, year), nil
}

func (m *memory) directivesRelatedTo(_ context.Context, symbolKey string) ([]*registry.Directive, error) {
	return sortedBy(m.directiveSet.relating(symbolKey), directiveByKey), nil
}

func (m *memory) report(_ context.Context, key string) (*registry.Report, error) {
	return m.reportRows.get(key), nil
}

func (m *memory) reports(_ context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error) {
	return pageOf(m.reportRows.matching(func(r *registry.Report) bool { return reportMatches(f, r) }), reportOrder, args)
}

func (m *memory) eachReport(_ context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return eachOf(sortedBy(m.reportRows.matching(func(r *registry.Report) bool { return reportMatches(f, r) }), reportByKey), fn)
}

// eachDossier reads the matching dossiers in code order, by _id: an
// export, not a request, and the engine's sorted find would hold the whole
// collection in memory first.
func (m *memory) eachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	codes, err := m.index.matchingCodes(f)
	if err != nil {
		return err
	}
	for _, code := range codes {
		d, err := m.dossier(ctx, code)
		if err != nil {
			return err
		}
		if d != nil {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memory) dossierCodes(_ context.Context, prefix string) ([]string, error) {
	return m.index.codes(prefix), nil
}

// rollup selects the cells asked for. They are shared, not copied (a
// dashboard reads thousands): callers only read them, and writers replace
// cells rather than change them.
func (m *memory) rollup(_ context.Context, from, to string, agencies []string, byProcedure bool) (stats.Rollup, error) {
	m.rollupMu.RLock()
	defer m.rollupMu.RUnlock()
	cells := m.overProcedures
	if byProcedure {
		cells = m.rollups
	}
	out := make(stats.Rollup, len(cells))
	for c, v := range cells {
		if c.Month > to || (from != "" && c.Month < from) || (len(agencies) > 0 && !slices.Contains(agencies, c.Agency)) {
			continue
		}
		out[c] = v
	}
	return out, nil
}

// nextSequence reads the counter from memory and stores the next value by
// _id: the engine's $inc would not be atomic across its connections, and
// the writer is the only one counting.
func (m *memory) stepFilter(code string, _ int) bson.D { return byID(code) }

func (m *memory) nextSequence(ctx context.Context, id string) (int, error) {
	seq := m.counters[id] + 1
	return seq, m.eng.s.setSequence(ctx, id, seq)
}
