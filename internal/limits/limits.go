// Package limits rejects GraphQL operations too large to serve before any
// resolver runs: too deep, too many aliases, too many root fields, too costly
// (the OWASP GraphQL cheat sheet's list; gqlgen itself only limits complexity).
//
// Cost: a field costs 1 plus n times the cost of its selection, where n is
// how many items it may return, its bound: its `first` argument after
// variables and defaults; 20 for a field of a *Connection type without one;
// 1 for the lists of a connection (edges), whose length its `first` already
// counts, and for a field that is not a list. An unpaginated list costs its
// bound (listBounds in cost.go): what the records allow (legal bases, facet
// values...) or, where nothing bounds it, a documented assumed length
// (history, relations...). dossierStats' groups are bounded by their
// arguments: the periods of the span times the values of each dimension
// grouped (the filter's list, or the registry's count through a
// SizeSource). A connection's facets are computed once a page, so its
// `first` does not multiply them. Introspection (__schema, __type) costs
// nothing: its size is bounded by the schema, and gqlparser's
// MaxIntrospectionDepth rule bounds its nesting.
//
// The operations of one HTTP request (a batch) share one budget of MaxCost
// when the request's context has one (WithBudget): an operation that would
// take the sum past it is refused before it runs.
package limits

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vnregistry/registry/internal/registry"
)

// TokenLimit is the parser token limit for handler.Server.SetParserTokenLimit:
// it bounds the work done on a document before any limit here can look at it.
// GraphiQL's introspection query is under 200 tokens.
const TokenLimit = 15000

// Config holds the limits. A field left at zero (or negative) takes its
// default, so a partial Config cannot switch a limit off by accident.
type Config struct {
	// MaxDepth bounds the longest chain of nested fields, leaf included, with
	// fragments expanded: `{ a { b } }` is 2 deep. Introspection counts too.
	MaxDepth int
	// MaxAliases bounds the aliased fields in the whole document.
	MaxAliases int
	// MaxRootFields bounds the fields selected at the operation's root, with
	// fragments expanded.
	MaxRootFields int
	// MaxCost bounds the operation's cost, as the package comment defines it,
	// and a batch's, the sum of its operations'.
	MaxCost int
	// Sizes, when set, gives the registry's counts of agencies, procedures
	// and fields, which bound statistics groupings; without it, fixed bounds.
	Sizes SizeSource
}

// WithSizes returns c counting statistics groupings with src.
func (c Config) WithSizes(src SizeSource) Config {
	c.Sizes = src
	return c
}

// Defaults returns the limits used for fields a Config leaves at zero.
// MaxDepth is 15 because GraphiQL's introspection query (graphql-js 16, nine
// levels of ofType) is exactly 15 deep; no query on the registry's schema
// needs as much.
func Defaults() Config {
	return Config{MaxDepth: 15, MaxAliases: 30, MaxRootFields: 20, MaxCost: 20000}
}

// Extension enforces a Config on every operation. Add it with
// handler.Server.Use.
type Extension struct {
	cfg Config
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = (*Extension)(nil)

// Cost is what every answer to a measured document carries as
// extensions.cost: the document's cost as the limit checks it, and the
// limit. A document refused for its cost carries it too, so that the client
// sees by how much it is over.
type Cost struct {
	Requested int `json:"requested"`
	Limit     int `json:"limit"`
}

// costStat names the Cost in the operation's graphql.Stats, from
// MutateOperationContext to InterceptResponse.
const costStat = "limits.cost"

// New returns an Extension enforcing cfg, zero fields replaced by defaults.
func New(cfg Config) *Extension {
	d := Defaults()
	orDefault(&cfg.MaxDepth, d.MaxDepth)
	orDefault(&cfg.MaxAliases, d.MaxAliases)
	orDefault(&cfg.MaxRootFields, d.MaxRootFields)
	orDefault(&cfg.MaxCost, d.MaxCost)
	return &Extension{cfg: cfg}
}

func orDefault(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

// ExtensionName implements graphql.HandlerExtension.
func (e *Extension) ExtensionName() string { return "Limits" }

// Validate implements graphql.HandlerExtension. The limits read field
// definitions from the validated document, so they need nothing from the
// schema.
func (e *Extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: gqlgen
// calls it after parsing, validation and variable coercion, before execution.
// It reports the first limit exceeded.
func (e *Extension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	// Measured first, so that every refusal below still reports the cost;
	// the walk is linear in the document, which the token limit bounds.
	m, err := newWalker(ctx, opCtx.Doc, opCtx.Variables, e.cfg.Sizes).operation(opCtx.Operation)
	if err == nil {
		opCtx.Stats.SetExtension(costStat, Cost{Requested: m.cost, Limit: e.cfg.MaxCost})
	}
	if n := countAliases(opCtx.Doc); n > e.cfg.MaxAliases {
		return exceeded(registry.CodeBadUserInput, "alias count", n, e.cfg.MaxAliases)
	}
	switch {
	case err != nil:
		// The store's own words stay in its log; the client may retry.
		return &gqlerror.Error{Message: "the statistics' dimensions could not be counted to check the query's cost; try again",
			Extensions: map[string]any{"code": string(registry.CodeUnavailable)}}
	case m.fields > e.cfg.MaxRootFields:
		return exceeded(registry.CodeBadUserInput, "root field count", m.fields, e.cfg.MaxRootFields)
	case m.depth > e.cfg.MaxDepth:
		return exceeded(registry.CodeBadUserInput, "query depth", m.depth, e.cfg.MaxDepth)
	case m.cost > e.cfg.MaxCost:
		return exceeded(registry.CodeComplexityExceeded, "query cost", m.cost, e.cfg.MaxCost)
	}
	if b, ok := ctx.Value(budgetKey{}).(*budget); ok {
		if spent, total, ok := b.spend(m.cost, e.cfg.MaxCost); !ok {
			err := exceeded(registry.CodeComplexityExceeded, "batch cost", total, e.cfg.MaxCost)
			err.Message = fmt.Sprintf("batch cost %d (this operation %d, the batch's earlier ones %d) exceeds the limit of %d",
				total, m.cost, spent, e.cfg.MaxCost)
			return err
		}
	}
	return nil
}

// InterceptResponse implements graphql.ResponseInterceptor: it adds
// extensions.cost to every answer (each of a batch, and a refusal) of a
// document MutateOperationContext measured. Documents that did not parse or
// validate, or whose cost could not be counted, have none.
func (e *Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if graphql.HasOperationContext(ctx) {
		if c, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costStat).(Cost); ok {
			graphql.RegisterExtension(ctx, "cost", c)
		}
	}
	return next(ctx)
}

type budgetKey struct{}

// budget is what the operations of one request have cost so far.
type budget struct {
	mu    sync.Mutex
	spent int
}

// WithBudget gives the operations run under ctx one cost budget: those of
// a batch then cost the sum of theirs, so that a batch of ten costs as much
// as the ten operations sent at once.
func WithBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, &budget{})
}

// spend adds cost to the budget unless that takes it past limit; it
// returns what was spent before and the total it would make.
func (b *budget) spend(cost, limit int) (before, total int, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	before, total = b.spent, add(b.spent, cost)
	if total > limit {
		return before, total, false
	}
	b.spent = total
	return before, total, true
}

func exceeded(code registry.Code, what string, value, limit int) *gqlerror.Error {
	return &gqlerror.Error{
		Message: fmt.Sprintf("%s %d exceeds the limit of %d", what, value, limit),
		Extensions: map[string]any{
			"code":  string(code),
			"limit": limit,
			"value": value,
		},
	}
}

// countAliases counts aliased fields in every operation and fragment once,
// without expanding spreads: the limit is on what the client wrote.
func countAliases(doc *ast.QueryDocument) int {
	n := 0
	for _, op := range doc.Operations {
		n += aliasesIn(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += aliasesIn(f.SelectionSet)
	}
	return n
}

func aliasesIn(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			// The parser sets Alias to Name when there is none.
			if sel.Alias != sel.Name {
				n++
			}
			n += aliasesIn(sel.SelectionSet)
		case *ast.InlineFragment:
			n += aliasesIn(sel.SelectionSet)
		}
	}
	return n
}
