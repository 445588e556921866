package limits

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// testSDL has the shapes the limits care about: a recursive object, nested
// connections, a connection without `first`, plain lists.
const testSDL = `
type Query {
  agency(code: String!): Agency
  dossier(code: String!): Dossier
  dossiers(first: Int = 20, after: String): DossierConnection!
  recentDossiers: DossierConnection!
}
type Agency { code: String! parent: Agency }
type Procedure { code: String! dossiers(first: Int = 20, after: String): DossierConnection! }
type Dossier { code: String! procedure: Procedure! history: [Step!]! steps: [Step!]! topics: [String!]! }
type Step { seq: Int! note: String }
type DossierEdge { cursor: String! node: Dossier! }
type DossierConnection { edges: [DossierEdge!]! pageInfo: PageInfo! totalCount: Int! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
`

var testSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphqls", Input: testSDL})

// operation prepares query the way gqlgen does before calling the
// extension: parsed, validated, variables coerced.
func operation(t *testing.T, query string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(testSchema, query)
	if errs != nil {
		t.Fatalf("invalid test query: %v", errs)
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(testSchema, op, vars)
	if err != nil {
		t.Fatalf("variables: %v", err)
	}
	return &graphql.OperationContext{Doc: doc, Operation: op, Variables: coerced}
}

func check(t *testing.T, cfg Config, query string, vars map[string]any) *gqlerror.Error {
	t.Helper()
	return New(cfg).MutateOperationContext(context.Background(), operation(t, query, vars))
}

func wantError(t *testing.T, err *gqlerror.Error, code, message string, limit, value int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", message)
	}
	if err.Message != message {
		t.Errorf("message = %q, want %q", err.Message, message)
	}
	want := map[string]any{"code": code, "limit": limit, "value": value}
	for k, v := range want {
		if err.Extensions[k] != v {
			t.Errorf("extensions.%s = %v, want %v", k, err.Extensions[k], v)
		}
	}
}

// agencyChain selects agency and n parents below it, then code: n+2 deep.
func agencyChain(n int) string {
	return `{ agency(code: "a") { ` + strings.Repeat("parent { ", n) + "code" + strings.Repeat(" }", n) + " } }"
}

func TestDepth(t *testing.T) {
	if err := check(t, Defaults(), agencyChain(13), nil); err != nil {
		t.Fatalf("depth 15 at the limit: %v", err)
	}
	wantError(t, check(t, Defaults(), agencyChain(14), nil),
		"BAD_USER_INPUT", "query depth 16 exceeds the limit of 15", 15, 16)
	wantError(t, check(t, Config{MaxDepth: 3}, agencyChain(2), nil),
		"BAD_USER_INPUT", "query depth 4 exceeds the limit of 3", 3, 4)
}

func TestDepthExpandsFragments(t *testing.T) {
	q := `{ agency(code: "a") { ...P } }
	fragment P on Agency { parent { ... on Agency { parent { code } } } }`
	if err := check(t, Config{MaxDepth: 4}, q, nil); err != nil {
		t.Fatalf("depth 4: %v", err)
	}
	wantError(t, check(t, Config{MaxDepth: 3}, q, nil),
		"BAD_USER_INPUT", "query depth 4 exceeds the limit of 3", 3, 4)
}

func TestAliases(t *testing.T) {
	aliased := func(n int) string {
		var b strings.Builder
		b.WriteString(`{ dossier(code: "x") {`)
		for i := range n {
			fmt.Fprintf(&b, " c%d: code", i)
		}
		b.WriteString(" } }")
		return b.String()
	}
	if err := check(t, Defaults(), aliased(30), nil); err != nil {
		t.Fatalf("30 aliases: %v", err)
	}
	wantError(t, check(t, Defaults(), aliased(31), nil),
		"BAD_USER_INPUT", "alias count 31 exceeds the limit of 30", 30, 31)
}

func TestRootFieldsThroughFragments(t *testing.T) {
	q := `{ ...F ...F ...F ...F ...F ...F }
	fragment F on Query { ...G recentDossiers { totalCount } }
	fragment G on Query { agency(code: "a") { code } dossier(code: "x") { code } ... on Query { dossiers { totalCount } } }`
	wantError(t, check(t, Defaults(), q, nil),
		"BAD_USER_INPUT", "root field count 24 exceeds the limit of 20", 20, 24)
	if err := check(t, Config{MaxRootFields: 24}, q, nil); err != nil {
		t.Fatalf("24 root fields at the limit: %v", err)
	}
}

const nested = `{ dossiers(first: 100) { edges { node { procedure {
	dossiers(first: 100) { edges { node { code } } } } } } } }`

func TestCost(t *testing.T) {
	wantError(t, check(t, Defaults(), nested, nil),
		"COMPLEXITY_LIMIT_EXCEEDED", "query cost 30401 exceeds the limit of 20000", 20000, 30401)
	if err := check(t, Config{MaxCost: 30401}, nested, nil); err != nil {
		t.Fatalf("cost at the limit: %v", err)
	}
}

func TestGraphiQLIntrospectionPasses(t *testing.T) {
	// getIntrospectionQuery({inputValueDeprecation: true, schemaDescription:
	// true}) from graphql 16.15.0, the version GraphiQL 3.8.3 bundles.
	src, err := os.ReadFile("testdata/graphiql-introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: string(src)}, TokenLimit); err != nil {
		t.Fatalf("over the token limit: %v", err)
	}
	opCtx := operation(t, string(src), nil)
	if err := New(Defaults()).MutateOperationContext(context.Background(), opCtx); err != nil {
		t.Fatalf("introspection rejected: %v", err)
	}
	// The default depth is exactly what this query needs.
	if m := measure(opCtx.Doc, opCtx.Operation, nil); m.depth != Defaults().MaxDepth {
		t.Errorf("introspection depth = %d, want %d", m.depth, Defaults().MaxDepth)
	}
}

func TestNewFillsDefaults(t *testing.T) {
	got := New(Config{MaxDepth: 3, MaxCost: -1}).cfg
	want := Config{MaxDepth: 3, MaxAliases: 30, MaxRootFields: 20, MaxCost: 20000}
	if got != want {
		t.Errorf("config = %+v, want %+v", got, want)
	}
}

// TestOverHTTP runs the extension in a gqlgen server: the error reaches the
// client with its code, limit and value, before anything executes.
func TestOverHTTP(t *testing.T) {
	executed := false
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(context.Context) graphql.ResponseHandler {
			executed = true
			return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{}`)})
		},
	})
	srv.AddTransport(transport.POST{})
	srv.SetParserTokenLimit(TokenLimit)
	srv.Use(New(Defaults()))

	post := func(query string, vars map[string]any) (resp struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("response %q: %v", rec.Body.String(), err)
		}
		return resp
	}

	q := `query($n: Int) { dossiers(first: $n) { edges { node { procedure {
		dossiers(first: $n) { edges { node { code } } } } } } } }`
	resp := post(q, map[string]any{"n": 100})
	if executed || len(resp.Errors) != 1 {
		t.Fatalf("executed = %v, errors = %+v", executed, resp.Errors)
	}
	e := resp.Errors[0]
	if e.Message != "query cost 30401 exceeds the limit of 20000" ||
		e.Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" ||
		e.Extensions["limit"] != 20000.0 || e.Extensions["value"] != 30401.0 {
		t.Errorf("error = %+v", e)
	}

	// Without the variable, `first` takes its default of 20.
	if resp := post(q, nil); !executed || len(resp.Errors) != 0 {
		t.Errorf("executed = %v, errors = %+v", executed, resp.Errors)
	}
}

// TestCostExtension: every answer of a measured document carries
// extensions.cost, the cost as the limit checks it and the limit; one
// refused for its cost too, and one refused for another limit.
func TestCostExtension(t *testing.T) {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(context.Context) graphql.ResponseHandler {
			return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{}`)})
		},
	})
	srv.AddTransport(transport.POST{})
	srv.Use(New(Config{MaxCost: 1000, MaxDepth: 4}))
	for _, tc := range []struct {
		name, query string
		want        string
	}{
		{"answered", `{ dossiers(first: 5) { totalCount } }`, `{"requested":6,"limit":1000}`},
		{"refused for its cost", `{ dossiers(first: 100) { edges { node { history { seq } } } } }`, `{"requested":2301,"limit":1000}`},
		{"refused for its depth", `{ agency(code: "a") { parent { parent { parent { code } } } } }`, `{"requested":5,"limit":1000}`},
		{"not valid: not measured", `{ nope }`, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": tc.query})
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			var resp struct {
				Extensions map[string]json.RawMessage
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("response %q: %v", rec.Body.String(), err)
			}
			if got := string(resp.Extensions["cost"]); got != tc.want {
				t.Errorf("extensions.cost = %s, want %s (response %s)", got, tc.want, rec.Body.String())
			}
		})
	}
}
