package main

// Issue 20: an anonymous batch of statistics took the server. The cost
// limit now prices every list by its bound, a batch by the sum of its
// operations, and each caller has a few requests running at once.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/server"
)

// issue20Doc is the issue's document: statistics by every dimension, by
// month over ten years, aliases times.
func issue20Doc(aliases int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range aliases {
		fmt.Fprintf(&b, ` a%d: dossierStats(filter: {from: "2016-01", to: "2025-12"}, groupBy: [MONTH, AGENCY, PROCEDURE, FIELD, LEVEL, CHANNEL], asOf: "2025-12-31") {
  groups { period { label } agencyCode procedureCode field level channel received { total } resolved { total early onTime late }
    inProgress { total overdue } medianWorkingDays meanWorkingDays } }`, i)
	}
	b.WriteString(" }")
	return b.String()
}

// TestIssue20BatchRefusedBeforeExecution: the issue's batch (ten operations
// of twenty aliases) is refused operation by operation before any runs,
// for an anonymous client and an administrator alike; and a batch whose
// operations each fit runs only while their costs add up to the limit.
func TestIssue20BatchRefusedBeforeExecution(t *testing.T) {
	t.Parallel()
	h := startHostile(t, false, nil)
	op := string(jsonBody(t, issue20Doc(20), nil, nil))
	cost := regexp.MustCompile(`^query cost (\d+) exceeds the limit of 20000$`)
	for _, who := range []struct{ name, secret string }{{"anonymous", ""}, {"administrator", h.keys.admin}} {
		began := time.Now()
		r := h.exchange(t, h.as(h.rawPost(t, "application/json", bytes.NewReader(batchOf(10, op))), who.secret))
		t.Logf("%s: the issue's batch answered %d in %v, %d bytes", who.name, r.status, time.Since(began).Round(time.Millisecond), len(r.body))
		out := r.batch(t)
		if r.status != http.StatusOK || len(out) != 10 {
			t.Fatalf("%s: status %d, %d results\n%.2000s", who.name, r.status, len(out), r.body)
		}
		for i, g := range out {
			if !isNull(g.Data) && len(g.Data) > 0 || len(g.Errors) != 1 || g.Errors[0].code() != "COMPLEXITY_LIMIT_EXCEEDED" ||
				!cost.MatchString(g.Errors[0].Message) || g.Errors[0].Extensions["limit"] != 20000.0 {
				t.Errorf("%s, operation %d: data %s, errors %+v; want COMPLEXITY_LIMIT_EXCEEDED naming the cost and the limit, nothing run",
					who.name, i, g.Data, g.Errors)
			}
		}
	}

	// 1 + 100 × (edges 1 + node (1 + code, status 2 + history (1 + 20 × 2))) = 4,501:
	// four fit in 20,000, the fifth would make 22,505.
	page := string(jsonBody(t, `{ dossiers(first: 100) { edges { node { code status history { seq action } } } } }`, nil, nil))
	out := h.exchange(t, h.as(h.rawPost(t, "application/json", bytes.NewReader(batchOf(10, page))), "")).batch(t)
	if len(out) != 10 {
		t.Fatalf("%d results for 10 operations", len(out))
	}
	for i, g := range out {
		switch {
		case i < 4 && len(g.Errors) > 0:
			t.Errorf("operation %d, within the budget: %+v", i, g.Errors)
		case i >= 4 && (len(g.Errors) != 1 || g.Errors[0].code() != "COMPLEXITY_LIMIT_EXCEEDED" ||
			!strings.HasPrefix(g.Errors[0].Message, fmt.Sprintf("batch cost %d (this operation 4501", 4501*5))):
			t.Errorf("operation %d, past the budget: %+v, want COMPLEXITY_LIMIT_EXCEEDED for the batch's cost", i, g.Errors)
		}
	}
}

// costliest are, for each root field, the document the fairness test
// sends: everything selectable, lists at their bounds, the largest page
// (FIRST) and then as many aliases as the limits accept (found by asking:
// a refusal runs nothing).
var costliest = map[string]string{
	"node":       `node(id: $id) { ... on Dossier { ` + dossierSel + ` } }`,
	"agency":     `agency(code: "000.00.06.H56") { ` + agencySel + ` }`,
	"agencies":   `agencies(first: FIRST) { totalCount edges { cursor node { ` + agencySel + ` } } }`,
	"procedure":  `procedure(code: "1.001612") { ` + procedureSel + ` }`,
	"procedures": `procedures(first: FIRST) { totalCount edges { node { ` + procedureSel + ` } } }`,
	"auditLog":   `auditLog(first: FIRST) { totalCount edges { node { id at who role keyId operation target result requestId } } }`,
	"directive":  `directive(symbol: "468/QĐ-TTg") { ` + directiveSel + ` }`,
	"directives": `directives(first: FIRST, filter: {search: "quyet dinh"}) { totalCount
		facets { types { value label count } issuers { value label count } years { value count } validity { value count } }
		edges { node { ` + directiveSel + ` } } }`,
	"dossier": `dossier(code: $code) { ` + dossierSel + ` }`,
	"dossiers": `dossiers(first: FIRST, filter: {receivedFrom: "2021-01-01T00:00:00+07:00"}, orderBy: DUE_DATE) { totalCount
		edges { node { ` + dossierSel + ` } } }`,
	"dossierStats": `dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH, PROCEDURE], asOf: "2021-12-31") {
		asOf suppressed total { ` + statRowSel + ` } groups { ` + statRowSel + ` } }`,
	"statDefinitions": `statDefinitions { name definition numerator denominator description }`,
	"reports":         `reports(first: FIRST) { totalCount edges { node { ` + reportSel + ` } } }`,
	"changes": `changes(first: FIRST) { pageInfo { endCursor hasNextPage } edges { cursor node { kind key id op at version mergedInto
		record { ... on Dossier { ` + dossierSel + ` } ... on Directive { ` + directiveSel + ` } } } } }`,
	"reconciliation": `reconciliation(agency: "000.00.06.H56", period: "2021-Q1") { agency { code name } agencyCode period
		computed { ` + statRowSel + ` } comparisons { report { ` + reportSel + ` } figures { measure reported computed difference agrees } notes } }`,
}

const (
	provenanceSel = `provenance { source caller excerpt offset recorded }`
	agencySel     = `id code name abbreviation level parent { code name } ` + provenanceSel
	procedureSel  = `id code name field level agency { code name } processingDays legalBases { symbol directives { id summary } } ` + provenanceSel
	directiveSel  = `id symbol { text number year type issuer unit } typeCode typeName issuerCode issuer { code } issuerName issuerAsWritten
		year issuedOn summary signer { position name } statedValidity effectiveFrom effectiveTo topics
		validity { state since by { kind symbol } } affectedBy { kind symbol date }
		relations { kind label symbol excerpt directives { id summary } } findings { code message field difference } ` + provenanceSel
	dossierSel = `id code procedure { code name } agency { code name } channel channelCode applicant { name idNumber phone }
		status statusCode statusLabel version receivedAt processingDays dueDate appointmentDate supplementRequests resolvedAt
		outcome nationalOutcome deadlineState workingDaysTaken result { approved symbol } allowedActions
		history { seq action actionLabel at actor fromUnit toUnit note statusBefore statusAfter onTime newDueDate } ` + provenanceSel
	statRowSel = `period { label from to } agencyCode procedureCode field level channel
		received { total new online inPerson postal carriedOver } resolved { total early onTime late nationalOnTime nationalLate }
		inProgress { total withinDeadline overdue asOf } withdrawn stopped meanWorkingDays medianWorkingDays
		rates { definition early onTime late online }`
	reportSel = `id agencyName agency { code } period periodType resolved early onTime late earlyRate onTimeRate lateRate
		findings { code message field difference } ` + provenanceSel
)

// fairClient sends GraphQL requests from one client address (the server
// trusts X-Forwarded-For), outside the test goroutine.
type fairClient struct {
	url, addr string
	http      *http.Client
}

type timedReply struct {
	status int
	errors []gqlError
	took   time.Duration
	err    error
}

// post sends query and decodes the answer's errors. With discard, the
// answer is read but not decoded: the attacker's clients run in the
// server's process, and decoding megabytes would take the CPU the test
// measures the server's fairness by.
func (c fairClient) post(ctx context.Context, query string, v vars) timedReply {
	return c.send(ctx, query, v, false)
}

func (c fairClient) send(ctx context.Context, query string, v vars, discard bool) timedReply {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": v})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return timedReply{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", c.addr)
	began := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return timedReply{err: err}
	}
	defer res.Body.Close()
	if discard {
		_, err := io.Copy(io.Discard, res.Body)
		return timedReply{status: res.StatusCode, took: time.Since(began), err: err}
	}
	var out struct{ Errors []gqlError }
	b, err := io.ReadAll(res.Body)
	r := timedReply{status: res.StatusCode, took: time.Since(began), err: err}
	if err == nil && json.Unmarshal(b, &out) != nil && res.StatusCode == http.StatusOK {
		r.err = fmt.Errorf("not JSON: %.200s", b)
	}
	r.errors = out.Errors
	return r
}

// aliased is the document of root field's selection n times, with pages
// of first.
func aliased(field string, n, first int) string {
	var b strings.Builder
	var params []string
	for _, p := range [][2]string{{"$id", "ID!"}, {"$code", "String!"}} {
		if strings.Contains(costliest[field], p[0]) {
			params = append(params, p[0]+": "+p[1])
		}
	}
	b.WriteString("query")
	if len(params) > 0 {
		b.WriteString("(" + strings.Join(params, ", ") + ")")
	}
	b.WriteString(" {")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, strings.ReplaceAll(costliest[field], "FIRST", strconv.Itoa(first)))
	}
	b.WriteString(" }")
	return b.String()
}

// sample is an embedded data directory (the server's own mode) with 2,000
// generated dossiers over 2021 and the demo's bulletin.
func sample(t *testing.T) storeConfig {
	t.Helper()
	dir := generated(t, 2000)
	var out bytes.Buffer
	if code := run(t.Context(), []string{"import-bulletin", "--data", dir, "../../internal/demo/bulletin.txt"}, &out, &out); code != 0 {
		t.Fatalf("import-bulletin: exit %d\n%s", code, out.String())
	}
	return storeConfig{data: dir, database: "registry"}
}

// TestOneCallerCannotStarveAnother: an anonymous client sends, for every
// root field, the costliest document the limits accept, from eight
// connections at once, while another client reads one dossier in a loop.
// The other client's reads keep a p95 under 100 ms. Not a speed target but
// fairness: before the per-caller bound, the costly requests took every
// core and the small reads waited seconds. Bounded: each document is sent
// twice by each connection.
func TestOneCallerCannotStarveAnother(t *testing.T) {
	began := time.Now()
	h := startHostile(t, false, func(c *serveConfig) {
		c.store, c.minCell, c.http.BehindProxy, c.http.Concurrency = sample(t), 5, true, server.DefaultConcurrency
		t.Logf("sample loaded in %v", time.Since(began).Round(time.Millisecond))
	})
	t.Logf("server ready after %v", time.Since(began).Round(time.Millisecond))
	var ids struct {
		Dossiers struct {
			Edges []struct{ Node struct{ ID, Code string } }
		}
		Schema struct {
			QueryType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	h.do(t, `{ dossiers(first: 1, orderBy: RECEIVED_AT) { edges { node { id code } } } __schema { queryType { fields { name } } } }`, nil, &ids)
	if len(ids.Dossiers.Edges) == 0 {
		t.Fatal("no dossier in the sample")
	}
	v := vars{"id": ids.Dossiers.Edges[0].Node.ID, "code": ids.Dossiers.Edges[0].Node.Code}
	attacker := fairClient{h.url, "203.0.113.7", h.client}
	reader := fairClient{h.url, "198.51.100.9", h.client}

	var docs []string
	for _, f := range ids.Schema.QueryType.Fields {
		if _, ok := costliest[f.Name]; !ok {
			t.Errorf("root field %s has no costliest document here: add one", f.Name)
			continue
		}
		docs = append(docs, costliestAccepted(t, attacker, f.Name, v))
	}

	read := func() timedReply {
		return reader.post(t.Context(), `query($code: String!) { dossier(code: $code) { code status history { seq action at } } }`, v)
	}
	var alone []time.Duration
	for range 50 {
		alone = append(alone, read().took)
	}

	a := startAttack(t.Context(), attacker, docs, v)
	var during []time.Duration
	for len(during) < 2000 && !a.over() {
		r := read()
		if r.err != nil || r.status != http.StatusOK || len(r.errors) > 0 {
			t.Fatalf("the other client's read: status %d, %v %+v", r.status, r.err, r.errors)
		}
		during = append(during, r.took)
	}
	select {
	case <-a.done:
	case <-time.After(hangGuard):
		t.Fatal("the attack did not end")
	}
	p95 := percentile(during, 95)
	t.Logf("the other client's dossier read: alone p95 %v; during the attack p50 %v, p95 %v, max %v over %d reads",
		percentile(alone, 95), percentile(during, 50), p95, slices.Max(during), len(during))
	t.Logf("the attack: %d requests of %d documents, %d refused 429, %d failed, slowest %v",
		a.sent, len(docs), a.refused, a.failed, a.slowest.Round(time.Millisecond))
	if a.failed > 0 {
		t.Errorf("%d of the attacker's requests failed otherwise than 429", a.failed)
	}
	if len(during) < 20 {
		t.Fatalf("only %d reads during the attack: too few to judge", len(during))
	}
	if p95 > 100*time.Millisecond {
		t.Errorf("p95 of the other client's read during the attack is %v, want under 100ms", p95)
	}
}

// attack is the attacker's load: every document twice from each of twice
// as many connections as a caller may have requests running.
type attack struct {
	done                  chan struct{}
	mu                    sync.Mutex
	sent, refused, failed int
	slowest               time.Duration
}

func startAttack(ctx context.Context, c fairClient, docs []string, v vars) *attack {
	a := &attack{done: make(chan struct{})}
	var wg sync.WaitGroup
	for range 2 * server.DefaultConcurrency {
		wg.Go(func() {
			for range 2 {
				for _, d := range docs {
					a.count(c.send(ctx, d, v, true))
				}
			}
		})
	}
	go func() { wg.Wait(); close(a.done) }()
	return a
}

func (a *attack) count(r timedReply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent++
	switch {
	case r.status == http.StatusTooManyRequests:
		a.refused++
	case r.err != nil || r.status != http.StatusOK:
		a.failed++
	}
	a.slowest = max(a.slowest, r.took)
}

func (a *attack) over() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// costliestAccepted returns field's document with the largest page, then
// the most aliases (at most 20, the root field limit), that the limits
// accept. Refusals run nothing; the one accepted runs once.
func costliestAccepted(t *testing.T, c fairClient, field string, v vars) string {
	t.Helper()
	refused := func(doc string) bool {
		r := c.post(t.Context(), doc, v)
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("%s: status %d, %v", firstLine(doc), r.status, r.err)
		}
		return slices.ContainsFunc(r.errors, func(e gqlError) bool { return e.code() == "COMPLEXITY_LIMIT_EXCEEDED" })
	}
	first := 100
	for first > 1 && refused(aliased(field, 1, first)) {
		first = first * 2 / 3
	}
	for n := 20; n > 0; n-- {
		doc := aliased(field, n, first)
		if n > 1 && refused(doc) {
			continue
		}
		r := c.post(t.Context(), doc, v)
		t.Logf("%s: %d aliases, pages of %d, answered in %v (errors: %v)", field, n, first, r.took.Round(time.Millisecond), codes(r.errors))
		// Anonymous readers may not read the audit log: refused, not run.
		if slices.ContainsFunc(r.errors, func(e gqlError) bool { return e.code() != "UNAUTHENTICATED" || field != "auditLog" }) {
			t.Errorf("%s × %d: %+v", field, n, r.errors)
		}
		return doc
	}
	return ""
}

func codes(errs []gqlError) []string {
	var out []string
	for _, e := range errs {
		if !slices.Contains(out, e.code()) {
			out = append(out, e.code())
		}
	}
	return out
}

// percentile is the p-th percentile of d (nearest rank).
func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Sorted(slices.Values(d))
	return s[max(0, (len(s)*p+99)/100-1)].Round(10 * time.Microsecond)
}
