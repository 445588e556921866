package main

// Issue 24, item 3: each answer carries its cost and the limit
// (extensions.cost), and each response the caller's rate-limit quota.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// costOf reads extensions.cost from one GraphQL response body.
func costOf(t *testing.T, body []byte) string {
	t.Helper()
	var g struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatalf("not a GraphQL response: %v\n%.1000s", err, body)
	}
	return string(g.Extensions["cost"])
}

// TestCostAndQuotaOverHTTP: a query, a mutation, each operation of a batch
// and a document refused for its cost carry extensions.cost; every answer
// carries RateLimit-Limit, -Remaining and -Reset, and the request beyond
// the burst is 429 with Retry-After and Remaining 0.
func TestCostAndQuotaOverHTTP(t *testing.T) {
	t.Parallel()
	const burst = 6
	// One token every 1000 s: nothing refills while the test runs.
	h := startHostile(t, false, func(c *serveConfig) { c.http.Rate, c.http.Burst = 0.001, burst })
	sent := 0
	quota := func(header http.Header, what string) {
		t.Helper()
		sent++
		want := strconv.Itoa(max(burst-sent, 0))
		if header.Get("RateLimit-Limit") != strconv.Itoa(burst) || header.Get("RateLimit-Remaining") != want ||
			header.Get("RateLimit-Reset") == "" {
			t.Errorf("%s: RateLimit-Limit %q, -Remaining %q, -Reset %q; want %d, %s and the seconds to a full bucket",
				what, header.Get("RateLimit-Limit"), header.Get("RateLimit-Remaining"), header.Get("RateLimit-Reset"), burst, want)
		}
	}
	// 1 + 1000 × (edges 1 + node (1 + history (1 + 20 × 1))) = 23,001.
	const tooCostly = `{ dossiers(first: 1000) { edges { node { history { seq } } } } }`
	for _, tc := range []struct{ what, doc, want string }{
		{"query", `{ dossiers(first: 5) { totalCount } }`, `{"requested":6,"limit":20000}`},
		{"mutation", `mutation { createAgency(input: {code: "000.00.08.H58", name: "x", level: PROVINCIAL}) { code } }`, `{"requested":2,"limit":20000}`},
		{"refused for its cost", tooCostly, `{"requested":23001,"limit":20000}`},
	} {
		r := h.call(t, h.keys.admin, tc.doc, nil)
		if got := costOf(t, r.Body); got != tc.want {
			t.Errorf("%s: extensions.cost %s, want %s\n%.1000s", tc.what, got, tc.want, r.Body)
		}
		quota(r.Header, tc.what)
	}

	batch := []byte(`[` + string(jsonBody(t, `{ __typename }`, nil, nil)) + `,` + string(jsonBody(t, tooCostly, nil, nil)) + `]`)
	r := h.exchange(t, h.as(h.rawPost(t, "application/json", bytes.NewReader(batch)), h.keys.admin))
	var out []json.RawMessage
	if err := json.Unmarshal(r.body, &out); err != nil || len(out) != 2 {
		t.Fatalf("batch: status %d, %v\n%.1000s", r.status, err, r.body)
	}
	for i, want := range []string{`{"requested":1,"limit":20000}`, `{"requested":23001,"limit":20000}`} {
		if got := costOf(t, out[i]); got != want {
			t.Errorf("batch operation %d: extensions.cost %s, want %s", i, got, want)
		}
	}
	quota(r.header, "batch")

	for sent < burst {
		quota(h.call(t, h.keys.admin, typenameDoc, nil).Header, "within the burst")
	}
	refused := h.call(t, h.keys.admin, typenameDoc, nil)
	quota(refused.Header, "beyond the burst")
	if retry, err := strconv.Atoi(refused.Header.Get("Retry-After")); refused.Status != http.StatusTooManyRequests || err != nil || retry < 1 {
		t.Errorf("beyond the burst: status %d, Retry-After %q; want 429 and a number of seconds",
			refused.Status, refused.Header.Get("Retry-After"))
	}
}
