package limits

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/vnregistry/registry/internal/playground"
)

// These tests measure documents against the registry's own schema.

func registrySchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, _ := filepath.Glob("../../schema/*.graphqls")
	files = append(files, "../../schema.graphqls")
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// registryOperation prepares query on the registry's schema as gqlgen does.
func registryOperation(t *testing.T, schema *ast.Schema, query string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("invalid query: %v\n%s", errs, query)
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(schema, op, vars)
	if err != nil {
		t.Fatalf("variables: %v", err)
	}
	return &graphql.OperationContext{Doc: doc, Operation: op, Variables: coerced}
}

// TestEveryListHasABound: every list of objects in the schema that has no
// `first` and is not a connection's edges has a bound in listBounds (or is
// dossierStats' groups, computed), and every bound names a list that exists:
// a list added to the schema cannot go unpriced.
func TestEveryListHasABound(t *testing.T) {
	schema := registrySchema(t)
	seen := map[string]bool{}
	for _, typ := range schema.Types {
		if typ.BuiltIn || (typ.Kind != ast.Object && typ.Kind != ast.Interface) || strings.HasSuffix(typ.Name, "Connection") {
			continue
		}
		for _, f := range typ.Fields {
			elem := f.Type.Elem
			if elem == nil || strings.HasPrefix(f.Name, "__") || f.Arguments.ForName("first") != nil {
				continue
			}
			if k := schema.Types[elem.Name()].Kind; k == ast.Scalar || k == ast.Enum {
				continue // a list of leaves costs 1: nothing is selected in it
			}
			name := typ.Name + "." + f.Name
			seen[name] = true
			if _, ok := listBounds[name]; !ok && name != "DossierStats.groups" {
				t.Errorf("%s is a list of %s without a bound in listBounds", name, elem.Name())
			}
		}
	}
	for name := range listBounds {
		if !seen[name] {
			t.Errorf("listBounds has %s, which is not a list of objects in the schema", name)
		}
	}
}

// The statistics asked in issue 20: every dimension, ten years by month,
// twenty times in one document.
const statsRow = `period { label } agencyCode procedureCode field level channel
	received { total new online inPerson postal carriedOver } resolved { total early onTime late nationalOnTime nationalLate }
	inProgress { total withinDeadline overdue asOf } withdrawn stopped medianWorkingDays meanWorkingDays`

func everyDimension(aliases int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range aliases {
		fmt.Fprintf(&b, ` a%d: dossierStats(filter: {from: "2016-01", to: "2025-12"},
			groupBy: [MONTH, AGENCY, PROCEDURE, FIELD, LEVEL, CHANNEL], asOf: "2025-12-31") { groups { %s } }`, i, statsRow)
	}
	b.WriteString(" }")
	return b.String()
}

// sizes is a SizeSource with fixed answers.
type sizes struct {
	counts map[string]int
	err    error
	calls  int
}

func (s *sizes) StatDimensionSizes(context.Context) (map[string]int, error) {
	s.calls++
	return s.counts, s.err
}

// demoSizes are the sample data's: 29 agencies, 30 procedures in 15 fields.
func demoSizes() *sizes {
	return &sizes{counts: map[string]int{"AGENCY": 29, "PROCEDURE": 30, "FIELD": 15}}
}

func TestEveryDimensionRefused(t *testing.T) {
	schema := registrySchema(t)
	const rowCost = 30 // the fields of statsRow, objects included
	// 120 months × 29 agencies × 30 procedures (field and level follow the
	// procedure) × 3 channels rows.
	one := 1 + (1 + 120*29*30*3*rowCost)
	for _, tc := range []struct {
		aliases int
		want    int
	}{{1, one}, {20, 20 * one}} {
		opCtx := registryOperation(t, schema, everyDimension(tc.aliases), nil)
		err := New(Config{Sizes: demoSizes()}).MutateOperationContext(context.Background(), opCtx)
		wantError(t, err, "COMPLEXITY_LIMIT_EXCEEDED", fmt.Sprintf("query cost %d exceeds the limit of 20000", tc.want), 20000, tc.want)
	}
	// Without the registry's counts, the fixed bounds refuse it too.
	opCtx := registryOperation(t, schema, everyDimension(1), nil)
	if err := New(Defaults()).MutateOperationContext(context.Background(), opCtx); err == nil || err.Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("with fixed bounds: %v", err)
	}
}

func TestGroupsCost(t *testing.T) {
	schema := registrySchema(t)
	stats := func(args string) string {
		return `{ dossierStats(` + args + `) { groups { withdrawn } } }`
	}
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		rows  int
	}{
		{"no grouping: one row", stats(`filter: {from: "2021-01", to: "2021-12"}`), nil, 1},
		{"months of the span", stats(`filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH]`), nil, 12},
		{"quarters it touches", stats(`filter: {from: "2021-02", to: "2021-07"}, groupBy: [QUARTER]`), nil, 3},
		{"half years", stats(`filter: {from: "2021-06", to: "2022-01"}, groupBy: [HALF_YEAR]`), nil, 3},
		{"years", stats(`filter: {from: "2016-01", to: "2025-12"}, groupBy: [YEAR]`), nil, 10},
		{"a span the resolver refuses counts 1", stats(`filter: {from: "2021-12", to: "2021-01"}, groupBy: [MONTH]`), nil, 1},
		{"spans cut to 120 months", stats(`filter: {from: "1945-01", to: "2100-12"}, groupBy: [MONTH]`), nil, 120},
		{"every agency", stats(`filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH, AGENCY]`), nil, 12 * 29},
		{"the agencies filtered", stats(`filter: {from: "2021-01", to: "2021-12", agencyCodes: ["a", "b", "a"]}, groupBy: [AGENCY, MONTH]`), nil, 2 * 12},
		{"a procedure has one field and level", stats(`filter: {from: "2021-01", to: "2021-01"}, groupBy: [PROCEDURE, FIELD, LEVEL]`), nil, 30},
		{"fields and levels", stats(`filter: {from: "2021-01", to: "2021-01"}, groupBy: [FIELD, LEVEL, CHANNEL]`), nil, 15 * 4 * 3},
		{"channels filtered", stats(`filter: {from: "2021-01", to: "2021-01", channels: [ONLINE]}, groupBy: [CHANNEL, LEVEL]`), nil, 4},
		{"from variables", `query($f: DossierStatsFilter!, $g: [StatDimension!]) { dossierStats(filter: $f, groupBy: $g) { groups { withdrawn } } }`,
			map[string]any{"f": map[string]any{"from": "2021-01", "to": "2021-06", "agencyCodes": []any{"x"}}, "g": []any{"MONTH", "AGENCY"}}, 6},
		{"fragments", `{ dossierStats(filter: {from: "2021-01", to: "2021-03"}, groupBy: [MONTH]) { ...G } }
			fragment G on DossierStats { groups { withdrawn } }`, nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opCtx := registryOperation(t, schema, tc.query, tc.vars)
			w := newWalker(context.Background(), opCtx.Doc, opCtx.Variables, demoSizes())
			m, err := w.operation(opCtx.Operation)
			if want := 1 + (1 + tc.rows*1); err != nil || m.cost != want {
				t.Errorf("cost = %d (%v), want %d: %d rows", m.cost, err, want, tc.rows)
			}
		})
	}
}

// TestSizesAskedOnce: the registry is asked for its counts once per
// operation, and only when a grouping needs them; when it fails, the
// operation is refused as UNAVAILABLE without the store's words.
func TestSizesAskedOnce(t *testing.T) {
	schema := registrySchema(t)
	q := `{ a: dossierStats(filter: {from: "2021-01", to: "2021-01"}, groupBy: [AGENCY]) { groups { withdrawn } }
		b: dossierStats(filter: {from: "2021-01", to: "2021-01"}, groupBy: [PROCEDURE]) { groups { withdrawn } }
		c: dossierStats(filter: {from: "2021-01", to: "2021-01"}, groupBy: [CHANNEL]) { groups { withdrawn } } }`
	src := demoSizes()
	if err := New(Config{Sizes: src}).MutateOperationContext(context.Background(), registryOperation(t, schema, q, nil)); err != nil || src.calls != 1 {
		t.Errorf("error %v, %d calls, want none and 1", err, src.calls)
	}
	q = `{ dossierStats(filter: {from: "2021-01", to: "2021-01", agencyCodes: ["x"]}, groupBy: [AGENCY, CHANNEL]) { groups { withdrawn } } }`
	if err := New(Config{Sizes: src}).MutateOperationContext(context.Background(), registryOperation(t, schema, q, nil)); err != nil || src.calls != 1 {
		t.Errorf("error %v, %d calls, want none and still 1 (nothing to count)", err, src.calls)
	}
	failing := &sizes{err: errors.New("connection(localhost:27017) refused")}
	q = `{ dossierStats(filter: {from: "2021-01", to: "2021-01"}, groupBy: [AGENCY]) { groups { withdrawn } } }`
	err := New(Config{Sizes: failing}).MutateOperationContext(context.Background(), registryOperation(t, schema, q, nil))
	if err == nil || err.Extensions["code"] != "UNAVAILABLE" || strings.Contains(err.Message, "connection") {
		t.Errorf("error = %v", err)
	}
}

func TestFacetsOncePerPage(t *testing.T) {
	schema := registrySchema(t)
	opCtx := registryOperation(t, schema, `{ directives(first: 50) { facets { years { value count } } edges { node { id } } } }`, nil)
	// 1 + 50 × (edges: 1 + (node: 1 + 1)) + facets once: 1 + (1 + 156 × 2).
	if got, want := measure(opCtx.Doc, opCtx.Operation, nil).cost, 1+50*3+1+(1+156*2); got != want {
		t.Errorf("cost = %d, want %d", got, want)
	}
}

func TestBatchSharesOneBudget(t *testing.T) {
	schema := registrySchema(t)
	op := registryOperation(t, schema, `{ dossiers(first: 100) { edges { node { code } } } }`, nil) // 1 + 100 × 3
	e := New(Config{MaxCost: 1000})
	ctx := WithBudget(context.Background())
	for range 3 {
		if err := e.MutateOperationContext(ctx, op); err != nil {
			t.Fatalf("within the budget: %v", err)
		}
	}
	wantError(t, e.MutateOperationContext(ctx, op), "COMPLEXITY_LIMIT_EXCEEDED",
		"batch cost 1204 (this operation 301, the batch's earlier ones 903) exceeds the limit of 1000", 1000, 1204)
	// Without a budget each operation stands alone.
	if err := e.MutateOperationContext(context.Background(), op); err != nil {
		t.Errorf("alone: %v", err)
	}
}

// TestPublishedDocumentsAccepted: the examples of the README and of the
// docs/ pages, the playground's tabs and the /explore page's queries (with
// its default choices and its widest usual ones) pass the default limits,
// with the sample's counts and with the fixed bounds. The limits do not
// depend on the caller's role.
func TestPublishedDocumentsAccepted(t *testing.T) {
	schema := registrySchema(t)
	type doc struct {
		name, query string
		vars        map[string]any
	}
	var docs []doc
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range append([]string{"../../README.md"}, pages...) {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(text), -1) {
			docs = append(docs, doc{fmt.Sprintf("%s example %d", filepath.Base(page), i+1), m[1], nil})
		}
	}
	for i, tab := range playground.Tabs {
		docs = append(docs, doc{fmt.Sprintf("playground tab %d", i+1), tab, nil})
	}
	explore := exploreQueries(t)
	statsVars := func(from, to, span string, agencies int) map[string]any {
		codes := []any{}
		for i := range agencies {
			codes = append(codes, fmt.Sprintf("000.00.%02d.H56", i))
		}
		return map[string]any{"f": map[string]any{"from": from, "to": to, "agencyCodes": codes}, "g": []any{span, "AGENCY"}, "d": "PROVINCIAL"}
	}
	for _, v := range []map[string]any{
		statsVars("2021-01", "2021-12", "MONTH", 1),  // the page's default
		statsVars("2016-01", "2025-12", "MONTH", 1),  // the longest span, by month
		statsVars("2021-01", "2021-12", "MONTH", 29), // every agency of the sample
		statsVars("2016-01", "2025-12", "YEAR", 29),
	} {
		docs = append(docs, doc{fmt.Sprintf("explore STATS %v", v), explore["STATS"], v})
	}
	for name, vars := range map[string]map[string]any{
		"AGENCIES": nil, "REPORTS": nil, "RECONCILE": {"agency": "000.00.06.H56", "period": "2021-Q1"},
		"DIRECTIVES": {"f": map[string]any{"search": "mot cua"}}, "DIRECTIVE": {"id": "x"}, "DOSSIER": {"code": "x"},
		"DEADLAW": {"on": "2026-01-01"}, "RECEIPT_MONTHS": {"f": map[string]any{"from": "2016-01", "to": "2025-12"}},
	} {
		docs = append(docs, doc{"explore " + name, explore[name], vars})
	}
	if len(docs) < 20 {
		t.Fatalf("found %d documents", len(docs))
	}
	for _, d := range docs {
		opCtx := registryOperation(t, schema, d.query, d.vars)
		for _, src := range []SizeSource{demoSizes(), nil} {
			if err := New(Config{Sizes: src}).MutateOperationContext(context.Background(), opCtx); err != nil {
				t.Errorf("%s refused: %v", d.name, err)
			}
		}
		m, _ := newWalker(context.Background(), opCtx.Doc, opCtx.Variables, demoSizes()).operation(opCtx.Operation)
		t.Logf("%s: cost %d", d.name, m.cost)
	}
}

// exploreQueries reads the GraphQL documents of the /explore page: its
// `var NAME = 'query ...' + '...';` declarations.
func exploreQueries(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("../explore/assets/explore.js")
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?s)var ([A-Z_]+) = ((?:'(?:[^'\\]|\\.)*'\s*\+?\s*)+);`)
	literal := regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)
	out := map[string]string{}
	for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
		var b strings.Builder
		for _, l := range literal.FindAllStringSubmatch(m[2], -1) {
			b.WriteString(strings.NewReplacer(`\n`, "\n", `\'`, "'", `\\`, `\`).Replace(l[1]))
		}
		if q := b.String(); strings.HasPrefix(q, "query") {
			out[m[1]] = q
		}
	}
	for _, name := range []string{"STATS", "AGENCIES", "REPORTS", "RECONCILE", "DIRECTIVES", "DIRECTIVE", "DOSSIER", "DEADLAW", "RECEIPT_MONTHS"} {
		if out[name] == "" {
			t.Fatalf("explore.js has no query %s (found %d)", name, len(out))
		}
	}
	return out
}
