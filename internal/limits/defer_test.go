package limits

import (
	"context"
	"strings"
	"testing"
)

// TestDeferredCostsTheSame: a fragment under @defer is still part of the
// document, priced as if it were not deferred.
func TestDeferredCostsTheSame(t *testing.T) {
	schema := registrySchema(t)
	for _, query := range []string{
		`{ dossier(code: "x") { code ... @defer(label: "h") { history { seq } } } }`,
		`{ dossiers(first: 50) { edges { node { code ...H @defer } } } } fragment H on Dossier { history { seq } }`,
		`{ directives(first: 20) { edges { node { id ... on Directive @defer { relations { kind } } } } } }`,
		`{ dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH, AGENCY]) { total { withdrawn } ... @defer { groups { withdrawn } } } }`,
	} {
		plain := strings.NewReplacer(` @defer(label: "h")`, "", " @defer", "").Replace(query)
		cost := func(q string) int {
			opCtx := registryOperation(t, schema, q, nil)
			m, err := newWalker(context.Background(), opCtx.Doc, opCtx.Variables, demoSizes()).operation(opCtx.Operation)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return m.cost
		}
		if deferred, want := cost(query), cost(plain); deferred != want || want < 2 {
			t.Errorf("%s costs %d, want %d as without @defer", query, deferred, want)
		}
	}
}
