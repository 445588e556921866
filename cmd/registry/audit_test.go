package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGraphQLOverHTTPAudit runs the GraphQL-over-HTTP audit suite (npm
// graphql-http, installed in testdata/http-audit by `make test`) against
// the server: every MUST and SHOULD must pass.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the GraphQL-over-HTTP audit: install Node.js (see the README)")
	}
	if _, err := os.Stat("testdata/http-audit/node_modules/graphql-http"); err != nil {
		t.Fatal("the audit suite is not installed: `make test` installs it (npm ci in testdata/http-audit)")
	}
	s := startServer(t, nil)
	cmd := exec.CommandContext(t.Context(), node, "testdata/http-audit/audit.mjs", s.url+"/graphql")
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
