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
