package limits

import (
	"math"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

const (
	// connectionFirst is the page size assumed for a connection field whose
	// `first` is absent (the schema's own default).
	connectionFirst = 20
	// listFactor is the length assumed for a list field without `first`
	// (history, legalBases, groups...).
	listFactor = 10
)

// size is what the walk measures of a selection set.
type size struct {
	depth  int // longest chain of fields, leaf included
	fields int // fields at this level, fragments expanded
	cost   int
}

// walker measures one operation. Each named fragment is measured once and
// remembered, so the walk is linear in the document even when fragments
// spread each other many times over.
type walker struct {
	fragments map[string]*ast.FragmentDefinition
	vars      map[string]any
	memo      map[string]size
}

// measure returns the depth, root field count and cost (see the package
// comment) of op.
func measure(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) size {
	w := walker{
		fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		vars:      vars,
		memo:      make(map[string]size, len(doc.Fragments)),
	}
	for _, f := range doc.Fragments {
		w.fragments[f.Name] = f
	}
	return w.selectionSet(op.SelectionSet)
}

func (w *walker) selectionSet(set ast.SelectionSet) size {
	var s size
	for _, sel := range set {
		var c size
		switch sel := sel.(type) {
		case *ast.Field:
			c = w.field(sel)
		case *ast.InlineFragment:
			c = w.selectionSet(sel.SelectionSet)
		case *ast.FragmentSpread:
			c = w.spread(sel.Name)
		}
		s.depth = max(s.depth, c.depth)
		s.fields = add(s.fields, c.fields)
		s.cost = add(s.cost, c.cost)
	}
	return s
}

func (w *walker) field(f *ast.Field) size {
	c := w.selectionSet(f.SelectionSet)
	cost := add(1, mul(w.items(f), c.cost))
	if f.Name == "__schema" || f.Name == "__type" {
		cost = 0
	}
	return size{depth: c.depth + 1, fields: 1, cost: cost}
}

func (w *walker) spread(name string) size {
	if s, ok := w.memo[name]; ok {
		return s
	}
	def, ok := w.fragments[name]
	if !ok {
		return size{}
	}
	// A cycle back to this fragment adds nothing instead of recursing forever;
	// validation rejects cycles, this only keeps the walk finite.
	w.memo[name] = size{}
	s := w.selectionSet(def.SelectionSet)
	w.memo[name] = s
	return s
}

// items is how many results f may return, the factor on its selection's cost.
func (w *walker) items(f *ast.Field) int {
	if f.Definition == nil {
		return 1
	}
	if n, ok := w.first(f); ok {
		return n
	}
	t := f.Definition.Type
	switch {
	case strings.HasSuffix(t.Name(), "Connection"):
		return connectionFirst
	case t.Elem == nil:
		return 1
	case f.ObjectDefinition != nil && strings.HasSuffix(f.ObjectDefinition.Name, "Connection"):
		return 1
	default:
		return listFactor
	}
}

// first returns f's `first` argument as the resolver will see it: the
// literal, or the variable's value, or else the argument's default.
func (w *walker) first(f *ast.Field) (int, bool) {
	var v any
	if a := f.Arguments.ForName("first"); a != nil {
		v, _ = a.Value.Value(w.vars)
	}
	if v == nil {
		if d := f.Definition.Arguments.ForName("first"); d != nil {
			v, _ = d.DefaultValue.Value(nil)
		}
	}
	return toCount(v)
}

// toCount reads an Int value, clamped to [0, MaxInt32]. Literals arrive as
// int64; variables as gqlparser's coercion leaves them: int64 from a JSON
// number, float64 or a numeric string as given, int from Go callers.
func toCount(v any) (int, bool) {
	var f float64
	switch v := v.(type) {
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case float64:
		f = v
	case string:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	return int(min(max(f, 0), math.MaxInt32)), true
}

// add and mul saturate at MaxInt so that a huge document cannot wrap its
// cost around to a small number. Operands are never negative.
func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
