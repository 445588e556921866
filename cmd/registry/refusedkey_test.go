package main

import (
	"bytes"
	"net/http"
	"testing"
)

// TestRefusedKeyAuditNamesTheAttempt: a request refused for its API key is
// recorded with the operations it tried, read from its document without
// running it, and the records its arguments name; a batch names each, and
// a document that does not parse is recorded as such.
func TestRefusedKeyAuditNamesTheAttempt(t *testing.T) {
	t.Parallel()
	h := startHostile(t, false, nil)
	const bad = "not-a-key-of-this-server"
	cases := []struct {
		name              string
		request           func() *http.Request
		operation, target string
	}{
		{"a mutation with its input in a variable", func() *http.Request {
			return h.postRequest(t, `mutation($in: CreateAgencyInput!) { createAgency(input: $in) { code } }`,
				vars{"in": vars{"code": "000.00.08.H56", "name": "X", "level": "PROVINCIAL"}})
		}, "createAgency", "000.00.08.H56"},
		{"a step with its code inline", func() *http.Request {
			return h.postRequest(t, `mutation { recordDossierStep(code: "000.00.06.H56-210415-0001", input: {action: TRANSFER}) { code } }`, nil)
		}, "recordDossierStep", "000.00.06.H56-210415-0001"},
		{"a batch", func() *http.Request {
			return h.rawPost(t, "application/json", bytes.NewReader([]byte(`[
				{"query": "mutation { createDirective(input: {symbol: \"5/QĐ-UBND\", issuedOn: \"2021-04-01\"}) { id } }"},
				{"query": "mutation($s: String!) { importBulletin(text: \"x\", source: $s) { dryRun } }", "variables": {"s": "Báo Bình Định"}}]`)))
		}, "createDirective; importBulletin", "5/QĐ-UBND; Báo Bình Định"},
		{"a query over GET", func() *http.Request {
			return h.getRequest(t, `query Q { dossier(code: "000.00.06.H56-210415-0002") { code } }`, nil)
		}, "dossier", "000.00.06.H56-210415-0002"},
		{"a document that does not parse", func() *http.Request {
			return h.postRequest(t, `mutation { createAgency(input: {code: `, nil)
		}, "POST /graphql (the document does not parse)", ""},
	}
	for _, c := range cases {
		r := h.send(t, h.as(c.request(), bad))
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("%s with an invalid key: status %d, want 401\n%s", c.name, r.Status, r.Body)
		}
	}
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Who, Operation, Target, Result string }
			}
		}
	}
	h.call(t, h.keys.admin, `{ auditLog(first: 100, filter: {who: "invalid key"}) { edges { node { who operation target result } } } }`, nil).decode(t, &out)
	edges := out.AuditLog.Edges
	if len(edges) != len(cases) {
		t.Fatalf("%d audit entries for the invalid key, want %d: %+v", len(edges), len(cases), edges)
	}
	for i, c := range cases {
		e := edges[len(edges)-1-i].Node // newest first
		if e.Operation != c.operation || e.Target != c.target || e.Result != "UNAUTHENTICATED" {
			t.Errorf("%s: audited as operation %q, target %q, result %s; want %q, %q, UNAUTHENTICATED",
				c.name, e.Operation, e.Target, e.Result, c.operation, c.target)
		}
	}
}
