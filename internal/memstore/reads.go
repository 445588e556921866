package memstore

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// The reads, all from memory but the dossiers it does not keep whole and
// the audit log's entries (read from the store under it by _id).

// eachOf calls fn with each item in turn.
func eachOf[T any](items []T, fn func(T) error) error {
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// sortedBy sorts items in order o, as an export reads them.
func sortedBy[T any](items []T, o registry.Order[T]) []T {
	slices.SortFunc(items, o.Compare)
	return items
}

// facetValue is the value of a facet field in a directive, as MongoDB's
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

func (m *Store) Agency(_ context.Context, code string) (*registry.Agency, error) {
	return m.agencyRows.get(code), nil
}

func (m *Store) Agencies(_ context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return registry.PageOf(m.agencyRows.matching(f.Matches), registry.AgencyOrder, args)
}

func (m *Store) EachAgency(_ context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return eachOf(sortedBy(m.agencyRows.matching(f.Matches), registry.AgencyOrder), fn)
}

func (m *Store) AgenciesByCode(_ context.Context, codes []string) ([]*registry.Agency, error) {
	return m.agencyRows.matching(func(a *registry.Agency) bool {
		return slices.Contains(codes, a.Code) || (a.Abbreviation != "" && slices.Contains(codes, a.Abbreviation))
	}), nil
}

func (m *Store) Procedure(_ context.Context, code string) (*registry.Procedure, error) {
	return m.procedureRows.get(code), nil
}

func (m *Store) procedures(f registry.ProcedureFilter) ([]*registry.Procedure, error) {
	match, err := f.Matcher()
	if err != nil {
		return nil, err
	}
	return m.procedureRows.matching(match), nil
}

func (m *Store) Procedures(_ context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	ps, err := m.procedures(f)
	if err != nil {
		return nil, err
	}
	return registry.PageOf(ps, registry.ProcedureOrder, args)
}

func (m *Store) EachProcedure(_ context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	ps, err := m.procedures(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ps, registry.ProcedureOrder), fn)
}

func (m *Store) ProceduresByCode(_ context.Context, codes []string) ([]*registry.Procedure, error) {
	var out []*registry.Procedure
	for _, c := range codes {
		if p := m.procedureRows.get(c); p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *Store) Directive(_ context.Context, key string) (*registry.Directive, error) {
	return m.directiveSet.get(key), nil
}

func (m *Store) Directives(_ context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error) {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return nil, err
	}
	return registry.PageOf(ds, registry.DirectiveOrder, args)
}

func (m *Store) EachDirective(_ context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ds, registry.DirectiveByKey), fn)
}

func (m *Store) DirectiveFacet(_ context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error) {
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

func (m *Store) DirectivesBySymbolKeys(_ context.Context, keys []string, year *int) ([]*registry.Directive, error) {
	return m.directiveSet.withSymbolKeys(keys, year), nil
}

func (m *Store) DirectivesRelatedTo(_ context.Context, symbolKey string) ([]*registry.Directive, error) {
	return sortedBy(m.directiveSet.relating(symbolKey), registry.DirectiveByKey), nil
}

func (m *Store) Report(_ context.Context, key string) (*registry.Report, error) {
	return m.reportRows.get(key), nil
}

func (m *Store) Reports(_ context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error) {
	return registry.PageOf(m.reportRows.matching(f.Matches), registry.ReportOrder, args)
}

func (m *Store) EachReport(_ context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return eachOf(sortedBy(m.reportRows.matching(f.Matches), registry.ReportByKey), fn)
}

// EachDossier reads the matching dossiers in code order, by _id: an
// export, not a request, and the engine's sorted find would hold the whole
// collection in memory first.
func (m *Store) EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	codes, err := m.index.matchingCodes(f)
	if err != nil {
		return err
	}
	for _, code := range codes {
		d, err := m.Dossier(ctx, code)
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

func (m *Store) DossierCodes(_ context.Context, prefix string) ([]string, error) {
	return m.index.withPrefix(prefix), nil
}

// Rollup selects the cells asked for. They are shared, not copied (a
// dashboard reads thousands): callers only read them, and writers replace
// cells rather than change them.
func (m *Store) Rollup(_ context.Context, from, to string, agencies []string, byProcedure bool) (stats.Rollup, error) {
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

// AuditLog pages through the audit index (audit.go) and reads only the
// page's entries, by _id: for a filtered, sorted find the engine would
// decode the whole log.
func (m *Store) AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error) {
	if m.audit.oddID() != "" {
		return m.inner.AuditLog(ctx, f, args)
	}
	n, err := registry.PageSize(args.First)
	if err != nil {
		return nil, err
	}
	page := &registry.Page[*registry.AuditEntry]{Count: func(context.Context) (int, error) { return m.audit.count(f), nil }}
	var after *string
	if args.After != nil && *args.After != "" {
		_, id, err := registry.AuditOrder.Decode(*args.After)
		if err != nil {
			return nil, err
		}
		after, page.HasPrev = &id, true
	}
	var ids []string
	ids, page.HasNext = m.audit.page(f, after, n)
	err = fill(ctx, page, ids, registry.AuditOrder, m.inner.AuditEntry, func(id string) error {
		return registry.Errorf(registry.CodeInternal, "audit entry %s is in memory but not stored", id)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// fill reads a page's items by key, eight at a time, and gives each its
// cursor; missing is the error for a key memory lists but read finds not.
func fill[T any](ctx context.Context, page *registry.Page[*T], keys []string, o registry.Order[*T],
	read func(context.Context, string) (*T, error), missing func(key string) error) error {
	page.Items = make([]*T, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, key := range keys {
		g.Go(func() error {
			item, err := read(gctx, key)
			if err == nil && item == nil {
				err = missing(key)
			}
			page.Items[i] = item
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, item := range page.Items {
		page.Cursors = append(page.Cursors, o.Encode(item))
	}
	return nil
}
