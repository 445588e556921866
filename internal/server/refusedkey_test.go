package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestAttempted: what a refused request tried is read from its document
// alone, whatever form it came in, and what it may write is bounded.
func TestAttempted(t *testing.T) {
	post := func(body string) *http.Request {
		return httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	}
	get := func(q url.Values) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
	}
	many := strings.Repeat(`a: agencies { totalCount } `, 30)
	for _, c := range []struct {
		name              string
		r                 *http.Request
		operation, target string
	}{
		{"an input in a variable", post(`{"query": "mutation($in: CreateAgencyInput!) { createAgency(input: $in) { code } }", "variables": {"in": {"code": "000.00.08.H56"}}}`),
			"createAgency", "000.00.08.H56"},
		{"the operation named", post(`{"query": "query A { agencies { totalCount } } mutation B { createDirective(input: {symbol: \"5/QĐ-UBND\"}) { id } }", "operationName": "B"}`),
			"createDirective", "5/QĐ-UBND"},
		{"no operation named of several: all", post(`{"query": "query A { agency(code: \"X\") { code } } query B { directive(symbol: \"1/QĐ-UBND\") { id } }"}`),
			"agency, directive", "X, 1/QĐ-UBND"},
		{"fragments at the root, each spread once", post(`{"query": "mutation { ...F ... on Mutation { recordDossierStep(code: $c, input: {action: TRANSFER}) { code } } } fragment F on Mutation { ...F importBulletin(text: \"t\", source: \"Báo\") { dryRun } }", "variables": {"c": "H56-1"}}`),
			"importBulletin, recordDossierStep", "Báo, H56-1"},
		{"a relation by id", post(`{"query": "mutation { addDirectiveRelation(id: \"RGlyZWN0aXZlOjE=\", relation: {kind: AMENDS, symbol: \"2/QĐ-UBND\"}) { id } }"}`),
			"addDirectiveRelation", "RGlyZWN0aXZlOjE="},
		{"a batch", post(`[{"query": "{ dossier(code: \"D1\") { code } }"}, {"query": "{"}, 7, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}]`),
			"dossier; (the document does not parse); (not a GraphQL request); (persisted query)", "D1; abc"},
		{"a GET", get(url.Values{"query": {`query($s: String!) { directive(symbol: $s) { id } }`}, "variables": {`{"s": "9/QĐ-UBND"}`}}),
			"directive", "9/QĐ-UBND"},
		{"no document", get(url.Values{}), "GET /graphql", ""},
		{"the CSV export", httptest.NewRequest(http.MethodGet, "/stats.csv?from=2021-01", nil), "GET /stats.csv", ""},
		{"not JSON", post(`query { agencies }`), "POST /graphql (not a GraphQL request)", ""},
		{"a document that does not parse", post(`{"query": "mutation { createAgency(input: {code: "}`), "POST /graphql (the document does not parse)", ""},
		{"only fragments", post(`{"query": "fragment F on Query { agencies { totalCount } }"}`), "POST /graphql (no operation)", ""},
		{"many root fields", post(`{"query": "{ ` + many + `}"}`), "agencies, (10 more)", ""},
	} {
		op, target := attempted(c.r)
		if op != c.operation || target != c.target {
			t.Errorf("%s: %q, %q; want %q, %q", c.name, op, target, c.operation, c.target)
		}
	}
	long := strings.Repeat("ă", 400)
	op, target := attempted(post(`{"query": "{ ` + strings.Repeat("x", 400) + `(code: \"` + long + `\") }"}`))
	if len(op) > maxAttempt || len(target) > maxTargetValue || !strings.HasSuffix(op, "…") || !strings.HasPrefix(target, "ăă") {
		t.Errorf("long names and values: %q (%d bytes), %q (%d bytes); want them cut to %d and %d bytes", op, len(op), target, len(target), maxAttempt, maxTargetValue)
	}
}
