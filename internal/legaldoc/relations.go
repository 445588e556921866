package legaldoc

import (
	"strconv"

	"github.com/vnregistry/registry/internal/registry"
)

// relationKinds are the registry's edges for each action.
var relationKinds = map[Action]registry.RelationKind{
	Repeals:  registry.RelRepeals,
	Replaces: registry.RelReplaces,
	Amends:   registry.RelAmends,
	Corrects: registry.RelCorrects,
	Suspends: registry.RelSuspends,
}

// Relations are the edges the document states, as the registry keeps
// them: BASED_ON each basis (its excerpt the "Căn cứ" clause), and an edge
// for each effect (its excerpt the sentence, its article the one stating
// it). A symbol the registry refuses, and the document's own, make no
// edge; Document keeps them.
func (d Document) Relations() []registry.Relation {
	var out []registry.Relation
	add := func(kind registry.RelationKind, ref Reference, excerpt string) {
		if ref.Err != nil || d.SymbolErr == nil && d.Number.Value != "" && ref.Symbol.Key() == d.Symbol.Key() {
			return
		}
		in := registry.RelationInput{Kind: kind, Symbol: ref.Symbol.String(), Excerpt: excerpt}
		if ref.Part == PartArticle {
			in.Article = new("Điều " + strconv.Itoa(ref.Number))
		}
		r, err := registry.NewRelation(in)
		if err == nil && !registry.HasRelation(out, r) {
			out = append(out, r)
		}
	}
	for _, b := range d.Bases {
		add(registry.RelBasedOn, b, d.Preamble[b.Number-1].Value)
	}
	for _, e := range d.Effects {
		add(relationKinds[e.Action], e.Target, e.Excerpt)
	}
	return out
}
