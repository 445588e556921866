package limits

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vnregistry/registry/internal/stats"
)

const (
	// connectionFirst is the page size assumed for a connection field whose
	// `first` is absent (the schema's own default).
	connectionFirst = 20
	// listFactor is the length assumed for a list field of a schema the
	// registry's bounds do not cover (tests' schemas).
	listFactor = 10
	// maxMonths is the longest span dossierStats accepts (stats.Query.Validate):
	// a longer one is refused by the resolver, whose message says why.
	maxMonths = 120
)

// listBounds is how many items each list field of the registry's schema
// without a `first` may return, by "Type.field". A test holds every list of
// objects in the schema to an entry here, so a new list cannot go unpriced.
// DossierStats.groups is bounded by its arguments (walker.groups).
var listBounds = map[string]int{
	// What the records or the schema bound.
	"ReportComparison.figures": 7,   // resolved, early, onTime, late and three rates
	"Provenance.parts":         8,   // the fields an official document's reading sets (bulletin.sourceParts)
	"DirectiveFacets.validity": 6,   // the Validity values
	"DirectiveFacets.years":    156, // 1945 to 2100
	"DirectiveFacets.types":    40,  // the 32 document types the symbols know, and none
	"Query.statDefinitions":    len(stats.Definitions()),
	// Assumed lengths: nothing bounds these (a dossier's steps: receipt,
	// transfers, a supplement or two, resolution, return), or the bound is
	// far above real records (a procedure may cite 100 legal bases and cites
	// a handful). The request's time limit and the per-caller concurrency
	// cover a record beyond them.
	"Procedure.legalBases":         10,
	"Dossier.history":              20,
	"Directive.relations":          20,
	"Directive.findings":           10,
	"Report.findings":              10,
	"Query.directive":              10, // directives sharing one number and symbol
	"LegalBasis.directives":        10,
	"DirectiveRelation.directives": 10,
	"DirectiveFacets.issuers":      100,
	"Reconciliation.comparisons":   10, // reports of one agency and period
	"BulletinImport.directives":    50,
	"BulletinImport.reports":       50,

	// Validity over time: what one directive changed or was changed by, as
	// its relations; a procedure's bases not in force, as its bases.
	"Directive.effects":              20,
	"Directive.affectedBy":           20,
	"DirectiveEffect.directives":     10,
	"Procedure.legalBasesNotInForce": 10,
}

// perPage are the fields of a connection computed once per page, not per
// item: they do not take the connection's `first` as a factor.
var perPage = map[string]bool{"DirectiveConnection.facets": true}

// Dimension bounds: how many values a statistics dimension may take.
// Levels and channels are the schema's enums; the others are the
// registry's counts when a SizeSource gives them, else these fixed bounds
// (a province's agencies, procedures and fields, generously).
var fixedSizes = map[stats.Dimension]int{
	stats.ByAgency: 200, stats.ByProcedure: 2000, stats.ByField: 100,
	stats.ByLevel: 4, stats.ByChannel: 3,
}

// SizeSource counts the values the statistics dimensions taken from the
// records have in the registry: AGENCY, PROCEDURE and FIELD, by name. A
// dimension it leaves out takes its fixed bound.
type SizeSource interface {
	StatDimensionSizes(ctx context.Context) (map[string]int, error)
}

// size is what the walk measures of a selection set.
type size struct {
	depth  int // longest chain of fields, leaf included
	fields int // fields at this level, fragments expanded
	cost   int
	once   int // cost of per-page fields, which a connection's first does not multiply
}

// scope is what a selection's cost depends on beyond its own fields: the
// dossierStats field whose selection it is, for its groups.
type scope struct {
	stats *ast.Field
}

type memoKey struct {
	fragment string
	scope    scope
}

// walker measures one operation. Each named fragment is measured once per
// scope and remembered, so the walk is linear in the document even when
// fragments spread each other many times over.
type walker struct {
	ctx       context.Context
	fragments map[string]*ast.FragmentDefinition
	vars      map[string]any
	memo      map[memoKey]size
	source    SizeSource
	sizes     map[stats.Dimension]int // read from source at the first grouping
	err       error                   // source's, if it failed
}

// measure returns the depth, root field count and cost (see the package
// comment) of op, with the fixed dimension bounds.
func measure(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) size {
	s, _ := newWalker(context.Background(), doc, vars, nil).operation(op)
	return s
}

func newWalker(ctx context.Context, doc *ast.QueryDocument, vars map[string]any, src SizeSource) *walker {
	w := &walker{
		ctx:       ctx,
		fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		vars:      vars,
		memo:      make(map[memoKey]size, len(doc.Fragments)),
		source:    src,
	}
	for _, f := range doc.Fragments {
		w.fragments[f.Name] = f
	}
	return w
}

// operation measures op; the error is the SizeSource's.
func (w *walker) operation(op *ast.OperationDefinition) (size, error) {
	s := w.selectionSet(op.SelectionSet, scope{})
	s.cost, s.once = add(s.cost, s.once), 0
	return s, w.err
}

func (w *walker) selectionSet(set ast.SelectionSet, sc scope) size {
	var s size
	for _, sel := range set {
		var c size
		switch sel := sel.(type) {
		case *ast.Field:
			c = w.field(sel, sc)
		case *ast.InlineFragment:
			c = w.selectionSet(sel.SelectionSet, sc)
		case *ast.FragmentSpread:
			c = w.spread(sel.Name, sc)
		}
		s.depth = max(s.depth, c.depth)
		s.fields = add(s.fields, c.fields)
		s.cost = add(s.cost, c.cost)
		s.once = add(s.once, c.once)
	}
	return s
}

func (w *walker) field(f *ast.Field, sc scope) size {
	if f.Name == "__schema" || f.Name == "__type" {
		c := w.selectionSet(f.SelectionSet, scope{})
		return size{depth: c.depth + 1, fields: 1}
	}
	inner := scope{}
	if coordinate(f) == "Query.dossierStats" {
		inner.stats = f
	}
	c := w.selectionSet(f.SelectionSet, inner)
	n := w.items(f, sc)
	cost := add(1, mul(n, c.cost))
	if w.connection(f) {
		cost = add(cost, c.once) // facets: once per page
	} else {
		cost = add(cost, mul(n, c.once))
	}
	if perPage[coordinate(f)] {
		return size{depth: c.depth + 1, fields: 1, once: cost}
	}
	return size{depth: c.depth + 1, fields: 1, cost: cost}
}

func (w *walker) spread(name string, sc scope) size {
	key := memoKey{name, sc}
	if s, ok := w.memo[key]; ok {
		return s
	}
	def, ok := w.fragments[name]
	if !ok {
		return size{}
	}
	// A cycle back to this fragment adds nothing instead of recursing forever;
	// validation rejects cycles, this only keeps the walk finite.
	w.memo[key] = size{}
	s := w.selectionSet(def.SelectionSet, sc)
	w.memo[key] = s
	return s
}

// coordinate names f's definition as "Type.field".
func coordinate(f *ast.Field) string {
	if f.ObjectDefinition == nil {
		return f.Name
	}
	return f.ObjectDefinition.Name + "." + f.Name
}

func (w *walker) connection(f *ast.Field) bool {
	return f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection")
}

// items is how many results f may return, the factor on its selection's cost.
func (w *walker) items(f *ast.Field, sc scope) int {
	if f.Definition == nil {
		return 1
	}
	if n, ok := w.first(f); ok {
		return n
	}
	t := f.Definition.Type
	switch {
	case w.connection(f):
		return connectionFirst
	case t.Elem == nil:
		return 1
	case f.ObjectDefinition != nil && strings.HasSuffix(f.ObjectDefinition.Name, "Connection"):
		return 1 // edges: the connection's first counts them
	case coordinate(f) == "DossierStats.groups" && sc.stats != nil:
		return w.groups(sc.stats)
	}
	if n, ok := listBounds[coordinate(f)]; ok {
		return n
	}
	return listFactor
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

// groups bounds the rows of a dossierStats field: the periods of its span
// (one without a time dimension) times, for each other dimension grouped,
// the values the filter allows: its list when given, else every value. A
// procedure has one field and one level, so with PROCEDURE grouped FIELD
// and LEVEL add no rows.
func (w *walker) groups(f *ast.Field) int {
	filter, _ := w.argument(f, "filter").(map[string]any)
	var dims []stats.Dimension
	for _, d := range asList(w.argument(f, "groupBy")) {
		if s, ok := d.(string); ok {
			dims = append(dims, stats.Dimension(s))
		}
	}
	step := 0
	for _, d := range dims {
		step = max(step, monthsPer[d])
	}
	rows := periods(filter, step)
	byProcedure := slices.Contains(dims, stats.ByProcedure)
	for _, d := range dims {
		name, ok := filterLists[d]
		if !ok || (byProcedure && (d == stats.ByField || d == stats.ByLevel)) {
			continue
		}
		n := len(distinct(asList(filter[name])))
		if n == 0 {
			n = w.dimension(d)
		}
		rows = mul(rows, n)
	}
	return rows
}

// monthsPer is the length of each time dimension's periods.
var monthsPer = map[stats.Dimension]int{stats.ByMonth: 1, stats.ByQuarter: 3, stats.ByHalfYear: 6, stats.ByYear: 12}

// filterLists names the DossierStatsFilter list restricting each other
// dimension.
var filterLists = map[stats.Dimension]string{stats.ByAgency: "agencyCodes", stats.ByProcedure: "procedureCodes",
	stats.ByField: "fields", stats.ByLevel: "levels", stats.ByChannel: "channels"}

// argument is f's argument name with variables substituted, or nil.
func (w *walker) argument(f *ast.Field, name string) any {
	a := f.Arguments.ForName(name)
	if a == nil {
		return nil
	}
	v, _ := a.Value.Value(w.vars)
	return v
}

// periods counts the calendar-aligned periods of step months (1 without a
// time dimension) that the filter's span touches, the span cut to the
// longest the resolver accepts. A span it will refuse counts 1.
func periods(filter map[string]any, step int) int {
	from, err1 := time.Parse("2006-01", str(filter["from"]))
	to, err2 := time.Parse("2006-01", str(filter["to"]))
	if step == 0 || err1 != nil || err2 != nil || to.Before(from) {
		return 1
	}
	first := from.Year()*12 + int(from.Month()) - 1
	last := min(to.Year()*12+int(to.Month())-1, first+maxMonths-1)
	return last/step - first/step + 1
}

// dimension is how many values d takes: the registry's count, asked once
// per operation, or the fixed bound.
func (w *walker) dimension(d stats.Dimension) int {
	if d == stats.ByLevel || d == stats.ByChannel {
		return fixedSizes[d] // the schema's enums
	}
	if w.sizes == nil {
		w.sizes = map[stats.Dimension]int{}
		if w.source != nil {
			counts, err := w.source.StatDimensionSizes(w.ctx)
			if err != nil {
				w.err = err
			}
			for name, n := range counts {
				w.sizes[stats.Dimension(name)] = max(n, 1)
			}
		}
	}
	if n, ok := w.sizes[d]; ok {
		return n
	}
	return fixedSizes[d]
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v != nil {
		return []any{v} // a single value where a list is expected (input coercion)
	}
	return nil
}

func distinct(l []any) map[string]bool {
	out := make(map[string]bool, len(l))
	for _, v := range l {
		out[str(v)] = true
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
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
