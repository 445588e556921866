package service

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

func (s *Service) createDirective(ctx context.Context, in registry.CreateDirectiveInput, source string) (*registry.Directive, error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	// Only directives read from text may lack a date; one entered has it.
	if in.IssuedOn == "" {
		return nil, registry.Invalid("issuedOn", "is required")
	}
	d, err := registry.NewDirective(in, s.provenance(source))
	if err != nil {
		return nil, err
	}
	return d, s.insert(ctx, d, "directive "+d.Symbol.String()+" of "+cmp.Or(d.IssuerName, d.IssuerCode)+" in "+strconv.Itoa(d.Year))
}

// DirectiveByKey returns the directive with key, or nil.
func (s *Service) DirectiveByKey(ctx context.Context, key string) (*registry.Directive, error) {
	return s.store.Directive(ctx, key)
}

// DirectivesBySymbol returns every directive whose symbol folds to the same key
// as symbol (so ASCII input finds the Vietnamese form), optionally of one year.
// Several issuers use the same symbol, so there can be more than one.
func (s *Service) DirectivesBySymbol(ctx context.Context, symbol string, year *int, issuer string) ([]*registry.Directive, error) {
	sym, err := registry.ParseSymbol(symbol)
	if err != nil {
		return nil, err
	}
	found, err := s.store.DirectivesBySymbolKeys(ctx, []string{sym.Key()}, year)
	if issuer == "" || err != nil {
		return found, err
	}
	return slices.DeleteFunc(found, func(d *registry.Directive) bool { return !d.IssuedBy(issuer) }), nil
}

// Directives lists directives, newest first.
func (s *Service) Directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error) {
	f, err := s.withInForce(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.store.Directives(ctx, f, args)
}

// DirectiveFacet counts the directives matching f by one field, largest
// count first. One $group with one $sum: the form the embedded engine
// computes correctly.
func (s *Service) DirectiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error) {
	f, err := s.withInForce(ctx, f)
	if err != nil {
		return nil, err
	}
	out, err := s.store.DirectiveFacet(ctx, f, field)
	if err != nil {
		return nil, err
	}
	return orderFacets(field, out), nil
}

// orderFacets merges the issuer's spellings and puts the largest count first.
func orderFacets(field string, out []registry.Facet) []registry.Facet {
	if field == registry.FacetIssuer {
		out = mergeSpellings(out)
	}
	for i := range out {
		out[i].Label = out[i].Value
		if field == registry.FacetType {
			out[i].Label = registry.DocTypeName(out[i].Value)
		}
	}
	slices.SortFunc(out, func(a, b registry.Facet) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out
}

// DirectivesRelatedTo returns the directives that state a relation to the
// symbol key (the inverse edges of a directive).
func (s *Service) DirectivesRelatedTo(ctx context.Context, symbolKey string) ([]*registry.Directive, error) {
	return s.store.DirectivesRelatedTo(ctx, symbolKey)
}

func (s *Service) addDirectiveRelation(ctx context.Context, key string, in registry.RelationInput) (*registry.Directive, error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	rel, err := registry.NewRelation(in)
	if err != nil {
		return nil, err
	}
	d, err := s.store.Directive(ctx, key)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, registry.Errorf(registry.CodeNotFound, "no directive with id %q", key)
	}
	if rel.SymbolKey == d.SymbolKey {
		return nil, registry.Invalid("symbol", "a directive cannot relate to itself")
	}
	if registry.HasRelation(d.Relations, rel) {
		return d, nil
	}
	if err := s.store.AddRelation(ctx, key, rel); err != nil {
		return nil, err
	}
	d.Relations = append(slices.Clip(d.Relations), rel)
	return d, nil
}

// DirectiveRelations returns the edges d states, then the edges other
// directives state about it, inverted. Two queries whatever the count.
func (s *Service) DirectiveRelations(ctx context.Context, d *registry.Directive) ([]*registry.RelatedDirective, error) {
	keys := make([]string, len(d.Relations))
	for i, r := range d.Relations {
		keys[i] = r.SymbolKey
	}
	targets, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*registry.RelatedDirective, 0, len(d.Relations))
	for _, r := range d.Relations {
		rd := &registry.RelatedDirective{Kind: r.Kind, Symbol: r.Symbol, Directives: []*registry.Directive{}, Excerpt: r.Excerpt}
		for _, t := range targets {
			if t.SymbolKey == r.SymbolKey {
				rd.Directives = append(rd.Directives, t)
			}
		}
		out = append(out, rd)
	}
	sources, err := s.DirectivesRelatedTo(ctx, d.SymbolKey)
	if err != nil {
		return nil, err
	}
	for _, o := range sources {
		for _, r := range o.Relations {
			if r.SymbolKey == d.SymbolKey {
				out = append(out, &registry.RelatedDirective{Kind: r.Kind.Inverse(), Symbol: o.Symbol.String(), Directives: []*registry.Directive{o}, Excerpt: r.Excerpt})
			}
		}
	}
	return out, nil
}

// DirectivesBySymbols returns, for each canonical symbol given, the
// directives bearing it (several issuers may), in one query.
func (s *Service) DirectivesBySymbols(ctx context.Context, symbols []string) (map[string][]*registry.Directive, error) {
	keys := make([]string, 0, len(symbols))
	bySymbolKey := map[string]string{}
	for _, sym := range symbols {
		parsed, err := registry.ParseSymbol(sym)
		if err != nil {
			return nil, err
		}
		keys = append(keys, parsed.Key())
		bySymbolKey[parsed.Key()] = sym
	}
	rows, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	out := make(map[string][]*registry.Directive, len(symbols))
	for _, d := range rows {
		sym := bySymbolKey[d.SymbolKey]
		out[sym] = append(out[sym], d)
	}
	return out, err
}

// mergeSpellings counts issuers as the issuer filter matches them, without
// regard to case or diacritics ("UBND" and "ubnd" are one), showing each by
// its most frequent spelling.
func mergeSpellings(facets []registry.Facet) []registry.Facet {
	byKey := map[string]*registry.Facet{}
	best := map[string]int{}
	var order []string
	for _, f := range facets {
		k := fold.String(f.Value)
		m := byKey[k]
		if m == nil {
			m = &registry.Facet{Value: f.Value}
			byKey[k] = m
			order = append(order, k)
		}
		m.Count += f.Count
		if f.Count > best[k] || (f.Count == best[k] && f.Value < m.Value) {
			best[k], m.Value = f.Count, f.Value
		}
	}
	out := make([]registry.Facet, len(order))
	for i, k := range order {
		out[i] = *byKey[k]
	}
	return out
}
