package service

import (
	"context"
	"slices"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Validity over time: a directive's state on a date needs the relations
// other directives state about it, which the stores index (by target
// symbol, and by kind through DirectiveFilter.Stating) but which no single
// query can join to the directive itself; the service reads them and lets
// the domain decide (internal/registry/validity.go).

// day is the date asked about (today when nil), checked.
func (s *Service) day(field string, on *calendar.Date) (calendar.Date, error) {
	if on == nil {
		return s.Today(), nil
	}
	d, err := calendar.ParseDate(string(*on))
	if err != nil {
		return "", registry.Invalid(field, "%v", err)
	}
	return d, nil
}

// DirectiveValidity is d's state on a date (today when on is nil).
func (s *Service) DirectiveValidity(ctx context.Context, d *registry.Directive, on *calendar.Date) (*registry.DirectiveValidity, error) {
	day, err := s.day("on", on)
	if err != nil {
		return nil, err
	}
	sources, err := s.store.DirectivesRelatedTo(ctx, d.SymbolKey)
	if err != nil {
		return nil, err
	}
	v := registry.ValidityOn(d, registry.EffectsOn(d, sources), day)
	return &v, nil
}

// DirectiveAffectedBy is what changed d (amended, replaced, repealed,
// suspended or corrected it), seen from d, in date order.
func (s *Service) DirectiveAffectedBy(ctx context.Context, d *registry.Directive) ([]*registry.DirectiveEffect, error) {
	sources, err := s.store.DirectivesRelatedTo(ctx, d.SymbolKey)
	if err != nil {
		return nil, err
	}
	effects := registry.EffectsOn(d, sources)
	out := make([]*registry.DirectiveEffect, len(effects))
	for i, e := range effects {
		out[i] = e.SeenByTarget()
	}
	return out, nil
}

// DirectiveEffects is what d changed, each with the registered directives
// it bears on; all take effect on d's own date.
func (s *Service) DirectiveEffects(ctx context.Context, d *registry.Directive) ([]*registry.DirectiveEffect, error) {
	var keys []string
	for _, r := range d.Relations {
		if r.Kind.IsEffect() {
			keys = append(keys, r.SymbolKey)
		}
	}
	out := []*registry.DirectiveEffect{}
	if len(keys) == 0 {
		return out, nil
	}
	targets, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	if err != nil {
		return nil, err
	}
	for _, r := range d.Relations {
		if !r.Kind.IsEffect() {
			continue
		}
		affected := []*registry.Directive{}
		for _, t := range targets {
			if t.SymbolKey == r.SymbolKey && registry.Affects(d, t) {
				affected = append(affected, t)
			}
		}
		out = append(out, registry.EffectOf(d, r).SeenByStater(affected))
	}
	return out, nil
}

// endingSources are the directives stating a relation that can end or
// suspend its target: the only relations whether a directive is in force
// depends on.
func (s *Service) endingSources(ctx context.Context) ([]*registry.Directive, error) {
	var sources []*registry.Directive
	err := s.store.EachDirective(ctx, registry.DirectiveFilter{Stating: registry.EndingKinds}, func(d *registry.Directive) error {
		sources = append(sources, d)
		return nil
	})
	return sources, err
}

// validitiesOn is the state on day of each of ds, given endingSources:
// exact as to being in force or not, not as to amendments.
func validitiesOn(ds, sources []*registry.Directive, day calendar.Date) []registry.DirectiveValidity {
	out := make([]registry.DirectiveValidity, len(ds))
	for i, d := range ds {
		out[i] = registry.ValidityOn(d, registry.EffectsOn(d, sources), day)
	}
	return out
}

// withInForce resolves inForceOn: the stores select by each directive's own
// record; the directives that others' relations ended or suspended by then
// are left out by key. They are among the targets of the directives stating
// an ending relation, a small set read in two queries.
func (s *Service) withInForce(ctx context.Context, f registry.DirectiveFilter) (registry.DirectiveFilter, error) {
	if f.InForceOn == nil {
		return f, nil
	}
	day, err := f.InForceDay()
	if err != nil {
		return f, err
	}
	sources, err := s.endingSources(ctx)
	var keys []string
	for _, d := range sources {
		for _, r := range d.Relations {
			if slices.Contains(registry.EndingKinds, r.Kind) {
				keys = append(keys, r.SymbolKey)
			}
		}
	}
	if err != nil || len(keys) == 0 {
		return f, err
	}
	targets, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	if err != nil {
		return f, err
	}
	vs := validitiesOn(targets, sources, day)
	except := slices.Clone(f.ExceptKeys)
	for i, t := range targets {
		if !vs[i].State.InForce() {
			except = append(except, t.Key)
		}
	}
	slices.Sort(except) // the same filter, the same key: memory remembers searches by filter
	f.ExceptKeys = slices.Compact(except)
	return f, nil
}

// LegalBasisProblems are p's legal bases not known to be in force on day,
// in the order cited: each directive bearing the symbol that is not in
// force, or UNKNOWN when the registry has none.
func (s *Service) LegalBasisProblems(ctx context.Context, p *registry.Procedure, on calendar.Date) ([]*registry.LegalBasisProblem, error) {
	day, err := s.day("on", &on)
	if err != nil {
		return nil, err
	}
	out, _, err := s.basisProblems(ctx, p.LegalBases, day)
	return out, err
}

// basisProblems are the problems of the bases cited, and the bases known
// not to be in force (every directive bearing them dead).
func (s *Service) basisProblems(ctx context.Context, bases []string, day calendar.Date) ([]*registry.LegalBasisProblem, []string, error) {
	keyOf := make(map[string]string, len(bases))
	keys := make([]string, 0, len(bases))
	for _, b := range bases {
		// A symbol stored before the parser changed may no longer parse:
		// no directive is found for it, and it is reported UNKNOWN.
		if sym, err := registry.ParseSymbol(b); err == nil {
			keyOf[b] = sym.Key()
			keys = append(keys, sym.Key())
		}
	}
	ds, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	if err != nil {
		return nil, nil, err
	}
	sources, err := s.endingSources(ctx)
	if err != nil {
		return nil, nil, err
	}
	vs := validitiesOn(ds, sources, day)
	bySymbol := map[string][]int{}
	for i, d := range ds {
		bySymbol[d.SymbolKey] = append(bySymbol[d.SymbolKey], i)
	}
	problems, dead := []*registry.LegalBasisProblem{}, []string{}
	for _, b := range bases {
		var bearing []*registry.Directive
		var their []registry.DirectiveValidity
		if k, ok := keyOf[b]; ok {
			for _, i := range bySymbol[k] {
				bearing, their = append(bearing, ds[i]), append(their, vs[i])
			}
		}
		ps, isDead := registry.BasisProblems(b, bearing, their)
		problems = append(problems, ps...)
		if isDead {
			dead = append(dead, b)
		}
	}
	return problems, dead, nil
}

// withDeadBases resolves legalBasisNotInForceOn into the list of the bases
// known not to be in force, among those the procedures selected otherwise
// cite.
func (s *Service) withDeadBases(ctx context.Context, f registry.ProcedureFilter) (registry.ProcedureFilter, error) {
	if f.LegalBasisNotInForceOn == nil {
		return f, nil
	}
	day, err := s.day("filter.legalBasisNotInForceOn", f.LegalBasisNotInForceOn)
	if err != nil {
		return f, err
	}
	narrow := registry.ProcedureFilter{AgencyCode: f.AgencyCode, Level: f.Level}
	var bases []string
	seen := map[string]bool{}
	err = s.store.EachProcedure(ctx, narrow, func(p *registry.Procedure) error {
		for _, b := range p.LegalBases {
			if !seen[b] {
				seen[b], bases = true, append(bases, b)
			}
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	_, dead, err := s.basisProblems(ctx, bases, day)
	if err != nil {
		return f, err
	}
	slices.Sort(dead)
	f.LegalBasisNotInForceOn, f.LegalBasisAmong = nil, &dead
	return f, nil
}
