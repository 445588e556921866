package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

var testSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphqls", Input: `
type Query {
  dossier(code: String!): String
  missing: String
  broken: String
}
type Mutation { touch: String }
`})

// resolver resolves one root field; ctx is what the telemetry extension hands on.
type resolver func(ctx context.Context, field graphql.CollectedField) (any, error)

// newServer serves testSchema the way generated code does: root fields run inside
// the response handler, through RootResolverMiddleware, with errors on their path.
func newServer(tel *Telemetry, resolvers map[string]resolver) *handler.Server {
	es := &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 0, false
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			opCtx := graphql.GetOperationContext(ctx)
			object := "Query"
			if opCtx.Operation.Operation == ast.Mutation {
				object = "Mutation"
			}
			done := false
			return func(ctx context.Context) *graphql.Response {
				if done {
					return nil
				}
				done = true
				data := map[string]any{}
				for _, f := range graphql.CollectFields(opCtx, opCtx.Operation.SelectionSet, []string{object}) {
					rctx := graphql.WithRootFieldContext(ctx, &graphql.RootFieldContext{Object: object, Field: f})
					opCtx.RootResolverMiddleware(rctx, func(ctx context.Context) graphql.Marshaler {
						fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: object, Field: f, IsResolver: true})
						v, err := resolvers[f.Name](fctx, f)
						if err != nil {
							graphql.AddError(fctx, err)
							return graphql.Null
						}
						data[f.Alias] = v
						return graphql.MarshalString(v.(string))
					})
				}
				raw, _ := json.Marshal(data)
				return &graphql.Response{Data: raw}
			}
		},
	}
	srv := handler.New(es)
	srv.AddTransport(transport.POST{})
	srv.Use(tel.GraphQL())
	return srv
}

// testResolvers: dossier succeeds, missing fails with NOT_FOUND, broken with no code.
func testResolvers() map[string]resolver {
	return map[string]resolver{
		"dossier": func(context.Context, graphql.CollectedField) (any, error) { return "ok", nil },
		"missing": func(context.Context, graphql.CollectedField) (any, error) {
			return nil, &gqlerror.Error{Message: "no such dossier", Extensions: map[string]any{"code": "NOT_FOUND"}}
		},
		"broken": func(context.Context, graphql.CollectedField) (any, error) {
			return nil, &gqlerror.Error{Message: "boom"}
		},
		"touch": func(context.Context, graphql.CollectedField) (any, error) { return "ok", nil },
	}
}

// post sends one GraphQL request with a request id in its context.
func post(t *testing.T, srv http.Handler, requestID, query string, variables map[string]any) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req = req.WithContext(WithRequestID(req.Context(), requestID))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Body.String()
}

// scrape returns the /metrics page.
func scrape(t *testing.T, tel *Telemetry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	tel.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	return rec.Body.String()
}

func assertContains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
}
