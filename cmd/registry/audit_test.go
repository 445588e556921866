package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGraphQLOverHTTPAudit runs the GraphQL-over-HTTP audit suite (npm
// graphql-http, installed in testdata/node by `make test`) against
// the server: every MUST and SHOULD must pass.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	node := nodeTests(t)
	s := startServer(t, nil)
	cmd := exec.CommandContext(t.Context(), node, "testdata/node/audit.mjs", s.url+"/graphql")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	var results []struct {
		ID, Name, Status, Reason, Body string
		HTTPStatus                     int
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("audit output: %v\n%s", err, out)
	}
	if len(results) < 20 {
		t.Fatalf("the audit ran %d checks, want the whole suite", len(results))
	}
	for _, r := range results {
		binding := strings.HasPrefix(r.Name, "MUST") || strings.HasPrefix(r.Name, "SHOULD")
		if r.Status != "ok" && binding {
			t.Errorf("%s %s: %s (status %d, body %s)", r.ID, r.Name, r.Reason, r.HTTPStatus, r.Body)
		}
	}
}

// TestClientRecipes runs the README's client recipes (Apollo Client with
// and without persisted queries over GET, urql, graphql-ws) against the
// server, with the npm packages testdata/node installs.
func TestClientRecipes(t *testing.T) {
	t.Parallel()
	node := nodeTests(t)
	s := startServer(t, nil)
	s.seed(t)
	cmd := exec.CommandContext(t.Context(), node, "testdata/node/clients.mjs", s.url+"/graphql", "ws://"+s.addr+"/graphql", agencyCode, procedureCode)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("clients.mjs: %v\n%s", err, out)
	}
	var results map[string]json.RawMessage
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("clients.mjs output: %v\n%s", err, out)
	}
	for name, want := range map[string]string{
		"apollo":             `["` + agencyCode + `"]`,
		"apolloPersistedGET": `[1,1]`,
		"urql":               `["` + agencyCode + `"]`,
		"graphqlWs":          `"RECEIVE"`,
	} {
		if got := string(results[name]); got != want {
			t.Errorf("recipe %s: %s, want %s", name, got, want)
		}
	}
}

// nodeTests returns node's path once testdata/node's packages are there.
func nodeTests(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed: install Node.js (see the README)")
	}
	if _, err := os.Stat("testdata/node/node_modules/.package-lock.json"); err != nil {
		t.Fatal("testdata/node's npm packages are not installed: `make test` installs them (npm ci)")
	}
	return node
}
