package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vnregistry/registry/internal/stats"
)

// statsWork says which costly parts of dossierStats the query selects:
// stocks (in progress, carried over, received totals, national rates) read
// every month since the beginning; durations merge histograms.
func statsWork(ctx context.Context) (stocks, durations bool) {
	op := graphql.GetOperationContext(ctx)
	var walk func(sel ast.SelectionSet, parent string)
	walk = func(sel ast.SelectionSet, parent string) {
		for _, f := range graphql.CollectFields(op, sel, nil) {
			switch {
			case f.Name == "inProgress", parent == "received" && (f.Name == "total" || f.Name == "carriedOver"):
				stocks = true
			case f.Name == "meanWorkingDays" || f.Name == "medianWorkingDays":
				durations = true
			case f.Name == "rates":
				// Arguments arrive as the raw enum name.
				if fmt.Sprint(f.ArgumentMap(op.Variables)["definition"]) == string(stats.National766) {
					stocks = true
				}
			}
			walk(f.Selections, f.Name)
		}
	}
	walk(graphql.GetFieldContext(ctx).Field.Selections, "")
	return stocks, durations
}
