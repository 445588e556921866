package limits

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestMeasureCost(t *testing.T) {
	const page = `{ edges { node { history { seq } } } }` // 1 + (1 + (1 + 20×1)) = 23 an item (history: 20 steps)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"scalar", `{ dossier(code: "x") { code } }`, nil, 2},
		{"scalar list costs 1", `{ dossier(code: "x") { topics } }`, nil, 2},
		{"list of objects costs its bound times", `{ dossier(code: "x") { history { seq note } } }`, nil, 1 + 1 + 20*2},
		{"list outside the registry's bounds costs 10 times", `{ dossier(code: "x") { steps { seq } } }`, nil, 1 + 1 + 10*1},
		{"first", `{ dossiers(first: 100) ` + page + ` }`, nil, 1 + 100*23},
		{"first from the schema default", `{ dossiers ` + page + ` }`, nil, 1 + 20*23},
		{"connection without first", `{ recentDossiers ` + page + ` }`, nil, 1 + 20*23},
		{"first counts totalCount and pageInfo too", `{ dossiers(first: 5) { totalCount pageInfo { hasNextPage } } }`, nil, 1 + 5*3},
		{"nested connections", nested, nil, 30401},
		{"first from a variable", `query($n: Int) { dossiers(first: $n) ` + page + ` }`, map[string]any{"n": int64(100)}, 1 + 100*23},
		{"variable as float64", `query($n: Int) { dossiers(first: $n) ` + page + ` }`, map[string]any{"n": 100.0}, 1 + 100*23},
		{"variable as a string", `query($n: Int) { dossiers(first: $n) ` + page + ` }`, map[string]any{"n": "100"}, 1 + 100*23},
		{"variable absent: argument default", `query($n: Int) { dossiers(first: $n) ` + page + ` }`, nil, 1 + 20*23},
		{"variable default", `query($n: Int = 50) { dossiers(first: $n) ` + page + ` }`, nil, 1 + 50*23},
		{"negative first", `{ dossiers(first: -5) ` + page + ` }`, nil, 1},
		{"fragments expanded", `{ ...Q ...Q } fragment Q on Query { dossiers(first: 2) { totalCount } }`, nil, 2 * (1 + 2*1)},
		{"typename", `{ __typename }`, nil, 1},
		{"introspection is free", `{ __schema { types { name fields { name } } } __type(name: "Query") { name } }`, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opCtx := operation(t, tc.query, tc.vars)
			if got := measure(opCtx.Doc, opCtx.Operation, opCtx.Variables).cost; got != tc.want {
				t.Errorf("cost = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestMeasureSaturates: nested huge pages must not wrap around to a small
// cost.
func TestMeasureSaturates(t *testing.T) {
	inner := "code"
	for range 4 {
		inner = fmt.Sprintf("procedure { dossiers(first: %d) { edges { node { %s } } } }", math.MaxInt32, inner)
	}
	opCtx := operation(t, `{ dossier(code: "x") { `+inner+` } }`, nil)
	if got := measure(opCtx.Doc, opCtx.Operation, nil).cost; got != math.MaxInt {
		t.Errorf("cost = %d, want MaxInt", got)
	}
}

// Validation rejects fragment cycles before the extension runs; the walk
// must still end on them.
func TestMeasureFragmentCycle(t *testing.T) {
	doc := parse(t, `{ ...A } fragment A on Query { agency { ...B } } fragment B on Agency { parent { ...A ...B } }`)
	m := measure(doc, doc.Operations[0], nil)
	if m.depth != 2 || m.fields != 1 {
		t.Errorf("measured %+v", m)
	}
}

// TestMeasureIsLinear: each fragment spreads the next twice, so expanding
// them naively visits 2^60 fields; the walk measures each fragment once.
func TestMeasureIsLinear(t *testing.T) {
	const levels = 60
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { agency { code } }\n", levels)
	doc := parse(t, b.String())
	m := measure(doc, doc.Operations[0], nil)
	want := size{depth: 2, fields: 1 << levels, cost: 2 << levels}
	if m != want {
		t.Errorf("measured %+v, want %+v", m, want)
	}
}

func TestCountAliases(t *testing.T) {
	// Fragments count once however often they are spread; aliases in
	// every operation count.
	doc := parse(t, `query A { a: agency { ...F ...F } b: agency { code } }
	query B { c: agency { code } }
	fragment F on Agency { x: code ... on Agency { y: code } }`)
	if got := countAliases(doc); got != 5 {
		t.Errorf("aliases = %d, want 5", got)
	}
}

// parse reads a document without validating it, as an invalid one would be.
func parse(t *testing.T, query string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
