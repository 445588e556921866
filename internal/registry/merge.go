package registry

import "slices"

// Merge is what merging a duplicate directive into the one that remains
// changes, besides the duplicate's removal: the remaining directive with
// the duplicate's relations, and, when the duplicate's symbol was its own,
// the procedures citing it and the directives relating to it, now pointing
// at the remaining directive's symbol.
type Merge struct {
	Into       *Directive
	Procedures []*Procedure
	Relating   []*Directive
}

// PlanMerge merges dup into into. citing are the procedures whose legal
// bases cite dup's symbol, relating the directives stating a relation to
// it, and shared whether another directive than dup bears that symbol:
// then citations and relations still find a directive by it, and stay.
// Nothing given is modified.
func PlanMerge(dup, into *Directive, citing []*Procedure, relating []*Directive, shared bool) (*Merge, error) {
	if dup.Key == into.Key {
		return nil, Invalid("into", "is the duplicate itself: give the directive that remains")
	}
	target := Relation{Symbol: into.Symbol.String(), SymbolKey: into.SymbolKey}
	retarget := dup.SymbolKey != into.SymbolKey && !shared
	m := &Merge{Into: mergedRelations(into, dup.Relations, into.SymbolKey)}
	if !retarget {
		return m, nil
	}
	m.Into.Relations = retargeted(m.Into.Relations, dup.SymbolKey, target, into.SymbolKey)
	for _, d := range relating {
		if d.Key == dup.Key || d.Key == into.Key {
			continue
		}
		c := *d
		c.Relations = retargeted(d.Relations, dup.SymbolKey, target, d.SymbolKey)
		m.Relating = append(m.Relating, &c)
	}
	for _, p := range citing {
		c := *p
		c.LegalBases = nil
		for _, b := range p.LegalBases {
			if citesSymbol(b, dup.SymbolKey) {
				b = target.Symbol
			}
			if !slices.Contains(c.LegalBases, b) {
				c.LegalBases = append(c.LegalBases, b)
			}
		}
		m.Procedures = append(m.Procedures, &c)
	}
	return m, nil
}

// Records are the records the merge stores again.
func (m *Merge) Records() []any {
	out := []any{m.Into}
	for _, p := range m.Procedures {
		out = append(out, p)
	}
	for _, d := range m.Relating {
		out = append(out, d)
	}
	return out
}

// CitesSymbol reports whether p cites the symbol with key as a legal basis.
func CitesSymbol(p *Procedure, key string) bool {
	return slices.ContainsFunc(p.LegalBases, func(b string) bool { return citesSymbol(b, key) })
}

func citesSymbol(basis, key string) bool {
	s, err := ParseSymbol(basis)
	return err == nil && s.Key() == key
}

// mergedRelations is a copy of d with the relations of rs it does not
// state yet, but none to its own symbol (self).
func mergedRelations(d *Directive, rs []Relation, self string) *Directive {
	c := *d
	c.Relations = slices.Clone(d.Relations)
	for _, r := range rs {
		if r.SymbolKey != self && !HasRelation(c.Relations, r) {
			c.Relations = append(c.Relations, r)
		}
	}
	return &c
}

// retargeted is rs with the relations to symbol key from pointing at to
// instead, once each, and none to self.
func retargeted(rs []Relation, from string, to Relation, self string) []Relation {
	out := make([]Relation, 0, len(rs))
	for _, r := range rs {
		if r.SymbolKey == from {
			r.Symbol, r.SymbolKey = to.Symbol, to.SymbolKey
		}
		if r.SymbolKey != self && !HasRelation(out, r) {
			out = append(out, r)
		}
	}
	return out
}
