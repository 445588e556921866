package main

// Hostile end-to-end tests: the requests an attacker or a broken client
// sends, each against a real server (runServer) on loopback configured for
// the case. Every one must get its own error (status, extensions.code,
// field or limit, extensions.requestId), none may crash or hang the server,
// and the server must answer ordinary queries during and after.
//
// Deadlines here are hang guards only: nothing asserts how fast anything is.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/server"
)

// requestGuard bounds each hostile request: a hang becomes a failure.
const requestGuard = 30 * time.Second

// otherAgency is an agency whose clerk must not touch agencyCode's dossiers.
const otherAgency = "000.00.07.H57"

// hostileDossier is the dossier the set-up receives, with personal data.
const hostileDossier = agencyCode + "-210415-0001"

const (
	applicantName = "Nguyễn Văn An"
	applicantID   = "001099012345"
)

// roleKeys are the secrets of the keys written for a hostile server.
type roleKeys struct {
	admin, clerk, otherClerk, auditor, editor string
}

// keyNames are the names of those keys, as the audit log records them.
var keyNames = struct{ admin, clerk, otherClerk, auditor, editor string }{
	"admin-hostile", "clerk-h56", "clerk-h57", "auditor-hostile", "editor-hostile",
}

// writeKeys writes a key file with one key per role into a temporary
// directory and returns its path and the secrets.
func writeKeys(t *testing.T) (string, roleKeys) {
	t.Helper()
	var k roleKeys
	var entries []auth.KeyEntry
	for _, r := range []struct {
		dst    *string
		name   string
		role   auth.Role
		agency string
	}{
		{&k.admin, keyNames.admin, auth.RoleAdmin, ""},
		{&k.clerk, keyNames.clerk, auth.RoleClerk, agencyCode},
		{&k.otherClerk, keyNames.otherClerk, auth.RoleClerk, otherAgency},
		{&k.auditor, keyNames.auditor, auth.RoleAuditor, ""},
		{&k.editor, keyNames.editor, auth.RoleEditor, ""},
	} {
		secret, entry, err := auth.NewKey(r.name, r.role, r.agency)
		if err != nil {
			t.Fatal(err)
		}
		*r.dst = secret
		entries = append(entries, entry)
	}
	data, err := json.Marshal(map[string]any{"keys": entries})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, k
}

// hostileServer is a server with a key file and, unless the store cannot be
// reached in time, the records the cases need.
type hostileServer struct {
	*testServer
	keys   roleKeys
	seeded bool
	reqSeq atomic.Int64
}

// setUpDoc creates two agencies, a procedure, a directive and one dossier
// with personal data, in one request (rate-limited servers count requests).
const setUpDoc = `mutation($applicant: ApplicantInput!) {
  a: createAgency(input: {code: "000.00.06.H56", name: "Trung tâm Phục vụ hành chính công", level: PROVINCIAL}) { code }
  b: createAgency(input: {code: "000.00.07.H57", name: "Ủy ban nhân dân tỉnh khác", level: PROVINCIAL}) { code }
  p: createProcedure(input: {code: "1.001612", name: "Cấp giấy phép xây dựng", level: PROVINCIAL,
                             agencyCode: "000.00.06.H56", processingDays: 5, legalBases: ["61/2018/NĐ-CP"]}) { code }
  d: createDirective(input: {symbol: "61/2018/NĐ-CP", issuedOn: "2018-04-23",
                             summary: "Thực hiện cơ chế một cửa (a+)+ [x] .*"}) { id }
  r: receiveDossier(input: {code: "000.00.06.H56-210415-0001", procedureCode: "1.001612", agencyCode: "000.00.06.H56",
                            channel: IN_PERSON, applicant: $applicant, receivedAt: "2021-04-15T09:00:00+07:00"}) { code }
}`

// startHostile starts a server with keys for every role and minCell 1000,
// changed by configure, and creates the records (as the administrator)
// unless seed is false.
func startHostile(t *testing.T, seed bool, configure func(*serveConfig)) *hostileServer {
	t.Helper()
	cfg := defaultConfig(t)
	path, keys := writeKeys(t)
	cfg.keys, cfg.minCell = path, 1000
	if configure != nil {
		configure(cfg)
	}
	h := &hostileServer{testServer: startServer(t, cfg), keys: keys}
	h.client.Timeout = requestGuard
	if seed {
		r := h.call(t, h.keys.admin, setUpDoc, vars{"applicant": vars{"name": applicantName, "idNumber": applicantID, "phone": "0912345678"}})
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("set-up: status %d\n%s", r.Status, r.Body)
		}
		h.seeded = true
	}
	return h
}

// as returns req sent with secret (none when empty) and a fresh request id.
func (h *hostileServer) as(req *http.Request, secret string) *http.Request {
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if req.Header.Get(server.RequestIDHeader) == "" {
		req.Header.Set(server.RequestIDHeader, fmt.Sprintf("hostile-%d", h.reqSeq.Add(1)))
	}
	return req
}

// call posts query as the holder of secret and decodes the answer, whatever
// its status.
func (h *hostileServer) call(t *testing.T, secret, query string, v vars) *gqlResponse {
	t.Helper()
	return h.send(t, h.as(h.postRequest(t, query, v), secret))
}

// httpReply is an HTTP answer that need not be a GraphQL object.
type httpReply struct {
	status int
	header http.Header
	body   []byte
}

// exchange performs req and reads the whole answer.
func (h *hostileServer) exchange(t *testing.T, req *http.Request) httpReply {
	t.Helper()
	res, err := h.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, firstLine(req.URL.String()), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: reading body: %v", req.Method, err)
	}
	return httpReply{res.StatusCode, res.Header, body}
}

// object decodes an answer as one GraphQL response and checks its errors
// against the catalogue.
func (r httpReply) object(t *testing.T) *gqlResponse {
	t.Helper()
	g := &gqlResponse{Status: r.status, Header: r.header, Body: r.body}
	if err := json.Unmarshal(r.body, g); err != nil {
		t.Fatalf("status %d, body is not a GraphQL response object: %v\n%.2000s", r.status, err, r.body)
	}
	checkErrors(t, g.Errors)
	return g
}

// batch decodes an answer as a JSON array of GraphQL responses.
func (r httpReply) batch(t *testing.T) []gqlResponse {
	t.Helper()
	var out []gqlResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("status %d, body is not a JSON array of responses: %v\n%.2000s", r.status, err, r.body)
	}
	for _, g := range out {
		checkErrors(t, g.Errors)
	}
	return out
}

// refusal describes the one error a hostile request must get.
type refusal struct {
	status int
	code   string
	field  string // extensions.field, when not empty
	limit  int    // extensions.limit, when not zero
	msg    string // a fragment of the message, when not empty
}

// expectRefusal asserts r is exactly the error w, with the request id of the
// response header in extensions.requestId.
func expectRefusal(t *testing.T, r *gqlResponse, w refusal) {
	t.Helper()
	if r.Status != w.status {
		t.Errorf("status %d, want %d\n%.2000s", r.Status, w.status, r.Body)
	}
	if len(r.Errors) != 1 {
		t.Errorf("%d errors, want exactly one %s\n%.2000s", len(r.Errors), w.code, r.Body)
		if len(r.Errors) == 0 {
			return
		}
	}
	e := r.Errors[0]
	if e.code() != w.code {
		t.Errorf("extensions.code %q, want %q (message %q)", e.code(), w.code, e.Message)
	}
	if w.field != "" && e.field() != w.field {
		t.Errorf("extensions.field %q, want %q (message %q)", e.field(), w.field, e.Message)
	}
	if w.limit != 0 {
		if got, _ := e.Extensions["limit"].(float64); int(got) != w.limit {
			t.Errorf("extensions.limit %v, want %d (message %q)", e.Extensions["limit"], w.limit, e.Message)
		}
	}
	if w.msg != "" && !strings.Contains(e.Message, w.msg) {
		t.Errorf("message %q does not contain %q", e.Message, w.msg)
	}
	checkRequestID(t, r)
}

// checkRequestID asserts the response names its request id in the header
// and in extensions.requestId of every error.
func checkRequestID(t *testing.T, r *gqlResponse) {
	t.Helper()
	id := r.Header.Get(server.RequestIDHeader)
	if id == "" {
		t.Errorf("no %s header in the response", server.RequestIDHeader)
	}
	for _, e := range r.Errors {
		if got, _ := e.Extensions["requestId"].(string); got != id {
			t.Errorf("error %q: extensions.requestId %q, want the header's %q", e.Message, got, id)
		}
	}
}

// The documents of the checks, which trusted-document servers must know.
const (
	typenameDoc = `{ __typename }`
	aliveDoc    = `query($c: String!) { dossier(code: $c) { code status } agencies(first: 5) { totalCount } }`
	versionDoc  = `query($c: String!) { dossier(code: $c) { version } }`
	countsDoc   = `{ agencies { totalCount } dossiers { totalCount } directives { totalCount } }`
)

// alive asserts the server still answers { __typename } and, when it holds
// the set-up records, a query that reads the store.
func (h *hostileServer) alive(t *testing.T) {
	t.Helper()
	r := h.call(t, h.keys.admin, typenameDoc, nil)
	if r.Status != http.StatusOK || len(r.Errors) > 0 || string(r.Data) != `{"__typename":"Query"}` {
		t.Errorf("after the hostile request, { __typename }: status %d\n%s", r.Status, r.Body)
	}
	if !h.seeded {
		return
	}
	r = h.call(t, h.keys.admin, aliveDoc, vars{"c": hostileDossier})
	var out struct {
		Dossier  *struct{ Code, Status string }
		Agencies struct{ TotalCount int }
	}
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("after the hostile request, a store query: status %d\n%s", r.Status, r.Body)
		return
	}
	r.decode(t, &out)
	if out.Dossier == nil || out.Dossier.Code != hostileDossier || out.Agencies.TotalCount != 2 {
		t.Errorf("after the hostile request, a store query read %s", r.Data)
	}
}

// prober sends { __typename } (as secret) over its own connections until
// stopped, so that a hostile request that stalls the server shows.
type prober struct {
	stopCh chan struct{}
	done   chan struct{}
	ok     atomic.Int64
	mu     sync.Mutex
	failed []string
}

func (h *hostileServer) probe(secret string) *prober {
	p := &prober{stopCh: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: requestGuard}
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stopCh:
				return
			case <-time.After(5 * time.Millisecond):
			}
			req, _ := http.NewRequest(http.MethodPost, h.url+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := client.Do(req)
			if err != nil {
				p.fail(err.Error())
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			// The answer and its cost (issue 24), nothing else.
			if res.StatusCode != http.StatusOK || string(body) != `{"data":{"__typename":"Query"},"extensions":{"cost":{"requested":1,"limit":20000}}}` {
				p.fail(fmt.Sprintf("status %d: %.300s", res.StatusCode, body))
				continue
			}
			p.ok.Add(1)
		}
	}()
	return p
}

func (p *prober) fail(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed = append(p.failed, s)
}

// stop ends the probe and asserts every answer during it was right.
func (p *prober) stop(t *testing.T) {
	t.Helper()
	close(p.stopCh)
	select {
	case <-p.done:
	case <-time.After(2 * requestGuard):
		t.Fatal("the probe did not stop")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Logf("%d ordinary queries answered during the hostile requests", p.ok.Load())
	if len(p.failed) > 0 {
		t.Errorf("during the hostile requests, %d of %d ordinary queries failed; first: %s",
			len(p.failed), len(p.failed)+int(p.ok.Load()), p.failed[0])
	}
}

// rawPost is a POST of body with content type ct (none when empty).
func (h *hostileServer) rawPost(t *testing.T, ct string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return req
}

// rawGet is a GET of /graphql with rawQuery as the URL's query, with the
// CSRF header.
func (h *hostileServer) rawGet(t *testing.T, rawQuery string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+"/graphql?"+rawQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(server.PreflightHeader, "1")
	return req
}

// jsonBody is the JSON of a GraphQL request.
func jsonBody(t *testing.T, query string, v vars, ext map[string]any) []byte {
	t.Helper()
	m := map[string]any{}
	if query != "" {
		m["query"] = query
	}
	if v != nil {
		m["variables"] = v
	}
	if ext != nil {
		m["extensions"] = ext
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func persistedExt(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

// nestedDoc is `{ agency(code: "x") { parent { parent ... { code } } } }` with
// depth fields in all.
func nestedDoc(depth int) string {
	return `{ agency(code: "000.00.06.H56") { ` + strings.Repeat("parent { ", depth-2) + "code" + strings.Repeat(" }", depth-2) + " } }"
}

// fragmentBomb is a document of levels fragments, each spreading the next
// twice: expanded naively it has 2^levels fields.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { agencies(first: 1) { totalCount } }\n", levels)
	return b.String()
}

// aliasDoc is a document of n aliased fields.
func aliasDoc(n int, field string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	b.WriteString("}")
	return b.String()
}

// batchOf is a JSON array of n copies of op.
func batchOf(n int, op string) []byte {
	return []byte("[" + strings.TrimSuffix(strings.Repeat(op+",", n), ",") + "]")
}

// dossierVersion reads the set-up dossier's version and step count as the
// administrator.
func (h *hostileServer) dossierVersion(t *testing.T) int {
	t.Helper()
	r := h.call(t, h.keys.admin, versionDoc, vars{"c": hostileDossier})
	var out struct{ Dossier struct{ Version int } }
	if len(r.Errors) > 0 {
		t.Fatalf("reading the dossier: %s", r.Body)
	}
	r.decode(t, &out)
	return out.Dossier.Version
}

// counts reads how many agencies and dossiers exist, as the administrator.
func (h *hostileServer) counts(t *testing.T) string {
	t.Helper()
	r := h.call(t, h.keys.admin, countsDoc, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("counting: %s", r.Body)
	}
	return string(r.Data)
}

// ---------------------------------------------------------------------------
// The list, one server per configuration, one request per case.

// hostileCase is one hostile request and what it must get.
type hostileCase struct {
	name string
	// request builds the request; as() adds the request id and credentials.
	request func(t *testing.T, h *hostileServer) *http.Request
	want    refusal
	// check, when set, replaces want for answers that are not one error.
	check func(t *testing.T, h *hostileServer, r httpReply)
	// unchanged: the records must be as before the request.
	unchanged bool
}

func postDoc(query string, v vars) func(t *testing.T, h *hostileServer) *http.Request {
	return func(t *testing.T, h *hostileServer) *http.Request { return h.postRequest(t, query, v) }
}

func postAs(secret func(roleKeys) string, query string, v vars) func(t *testing.T, h *hostileServer) *http.Request {
	return func(t *testing.T, h *hostileServer) *http.Request {
		return h.as(h.postRequest(t, query, v), secret(h.keys))
	}
}

func noKey(roleKeys) string { return "" }

func postBody(ct string, body func() []byte) func(t *testing.T, h *hostileServer) *http.Request {
	return func(t *testing.T, h *hostileServer) *http.Request { return h.rawPost(t, ct, bytes.NewReader(body())) }
}

// adminBody is postBody sent with the administrator's key: a refusal then
// cannot be the caller's lack of rights.
func adminBody(ct string, body func() []byte) func(t *testing.T, h *hostileServer) *http.Request {
	return func(t *testing.T, h *hostileServer) *http.Request {
		return h.as(h.rawPost(t, ct, bytes.NewReader(body())), h.keys.admin)
	}
}

func getRaw(rawQuery string) func(t *testing.T, h *hostileServer) *http.Request {
	return func(t *testing.T, h *hostileServer) *http.Request { return h.rawGet(t, rawQuery) }
}

// runCases sends each case to h, checks its answer, and after each checks
// the server still answers. A probe runs ordinary queries all along.
func runCases(t *testing.T, h *hostileServer, cases []hostileCase) {
	t.Helper()
	p := h.probe(h.keys.admin)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before string
			if c.unchanged {
				before = h.counts(t)
			}
			req := h.as(c.request(t, h), "")
			r := h.exchange(t, req)
			if c.check != nil {
				c.check(t, h, r)
			} else {
				expectRefusal(t, r.object(t), c.want)
			}
			if c.unchanged {
				if after := h.counts(t); after != before {
					t.Errorf("records changed: before %s, after %s", before, after)
				}
			}
			h.alive(t)
		})
	}
	p.stop(t)
}

func TestHostileRequests(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)

	search := func(s string) string {
		return `{ directives(filter: {search: ` + strconv.Quote(s) + `}) { totalCount } }`
	}
	huge := strings.Repeat("một cửa ", 100<<10/8)
	tenMB := func() []byte { return jsonBody(t, `{ __typename }`+strings.Repeat(" ", 10<<20), nil, nil) }
	createAgency := `mutation { createAgency(input: {code: "000.00.08.H58", name: "Giả mạo", level: PROVINCIAL}) { code } }`
	step := `mutation($c: String!) { recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: "Sở Xây dựng"}) { version } }`

	cases := []hostileCase{
		// Deep nesting.
		{name: "nesting one deeper than the limit", request: postDoc(nestedDoc(16), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 15, msg: "query depth 16"}},
		{name: "nesting 900 deep", request: postDoc(nestedDoc(900), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 15, msg: "query depth 900"}},
		{name: "nesting 3000 deep", request: postDoc(nestedDoc(3000), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", msg: "nesting depth"}},
		{name: "list literal nested 4000 deep", request: postDoc(`{ directive(symbol: `+strings.Repeat("[", 4000)+strings.Repeat("]", 4000)+`) { id } }`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT"}},
		{name: "variables nested 9000 deep", request: postBody("application/json", func() []byte {
			return []byte(`{"query":"query($s: String!) { directive(symbol: $s) { id } }","variables":{"s":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}}`)
		}), want: refusal{status: 200, code: "BAD_USER_INPUT"}},
		{name: "more tokens than the parser reads", request: postDoc(`{ `+strings.Repeat("__typename ", 16000)+`}`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT"}},

		// Alias and fragment bombs.
		{name: "31 aliases", request: postDoc(aliasDoc(31, "__typename"), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 30, msg: "alias count 31"}},
		{name: "31 aliased connections", request: postDoc(aliasDoc(31, `dossiers(first: 100) { edges { node { history { seq } } } }`), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 30, msg: "alias count"}},
		{name: "21 root fields", request: postDoc(`{ `+strings.Repeat("__typename ", 21)+`}`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 20, msg: "root field count 21"}},
		{name: "fragment bomb of 2^60 fields", request: postDoc(fragmentBomb(60), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 20, msg: "root field count"}},
		{name: "fragment bomb under a field", request: postDoc(`{ agencies { edges { node { ...A0 } } } }
fragment A0 on Agency { ...A1 ...A1 }
`+func() string {
			var b strings.Builder
			for i := 1; i < 40; i++ {
				fmt.Fprintf(&b, "fragment A%d on Agency { parent { ...A%d ...A%d } }\n", i, i+1, i+1)
			}
			b.WriteString("fragment A40 on Agency { code }\n")
			return b.String()
		}(), nil), want: refusal{status: 200, code: "BAD_USER_INPUT", limit: 15, msg: "query depth"}},
		{name: "fragment cycle", request: postDoc(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT"}},

		// Page sizes.
		{name: "first: 1000000", request: postDoc(`{ dossiers(first: 1000000) { totalCount } }`, nil),
			want: refusal{status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED", limit: 20000, msg: "query cost 1000001"}},
		{name: "first: 1000000 in a variable", request: postDoc(`query($n: Int) { dossiers(first: $n) { totalCount } }`, vars{"n": 1000000}),
			want: refusal{status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED", limit: 20000}},
		{name: "first: 1000000 in a nested connection", request: postDoc(`{ directives(first: 1) { edges { node { citedBy(first: 1000000) { totalCount } } } } }`, nil),
			want: refusal{status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED", limit: 20000}},
		{name: "first: 101", request: postDoc(`{ dossiers(first: 101) { totalCount } }`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", field: "first"}},
		{name: "first: -1", request: postDoc(`{ agencies(first: -1) { totalCount } }`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", field: "first"}},
		{name: "first beyond Int", request: postDoc(`{ dossiers(first: 99999999999) { totalCount } }`, nil),
			want: refusal{status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED", limit: 20000}},
		{name: "year beyond Int", request: postDoc(`{ directive(symbol: "61/2018/NĐ-CP", year: 99999999999) { id } }`, nil),
			check: func(t *testing.T, h *hostileServer, r httpReply) {
				g := r.object(t)
				for _, e := range g.Errors {
					if e.code() == "INTERNAL" {
						t.Errorf("an out-of-range Int is an INTERNAL error: %s", g.Body)
					}
				}
				checkRequestID(t, g)
			}},
		{name: "a cursor that is not one", request: postDoc(`{ dossiers(after: "eyJpZCI6eyIkZ3QiOiIifX0") { totalCount edges { node { code } } } }`, nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", field: "after"}},

		// Search text.
		{name: "100 KB search string", request: postDoc(search(huge), nil),
			want: refusal{status: 200, code: "BAD_USER_INPUT", field: "filter.search", msg: "at most 200"}},
		{name: "100 KB search string in a variable", request: postDoc(`query($s: String) { directives(filter: {search: $s}) { totalCount } }`, vars{"s": huge}),
			want: refusal{status: 200, code: "BAD_USER_INPUT", field: "filter.search", msg: "at most 200"}},
		{name: "invalid UTF-8 in a document over GET", request: getRaw("query=" + url.QueryEscape(search("m\xffot \xc3\x28"))),
			want: refusal{status: 200, code: "BAD_USER_INPUT"}},
		{name: "invalid UTF-8 in a variable over GET", request: getRaw("query=" + url.QueryEscape(`query($s: String) { directives(filter: {search: $s}) { totalCount } }`) +
			"&variables=" + url.QueryEscape("{\"s\":\"\xff\xfe\"}")), check: func(t *testing.T, h *hostileServer, r httpReply) {
			g := r.object(t)
			if g.Status != 200 || len(g.Errors) > 0 || string(g.Data) != `{"directives":{"totalCount":0}}` {
				t.Errorf("status %d\n%s", g.Status, g.Body)
			}
		}},

		// Bodies.
		{name: "malformed JSON", request: postBody("application/json", func() []byte { return []byte(`{"query": "{ __typename }"`) }),
			want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "JSON of the wrong shape", request: postBody("application/json", func() []byte { return []byte(`{"query": {"$gt": ""}}`) }),
			want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "not JSON at all", request: postBody("application/json", func() []byte { return []byte("\x00\xff\xfe query") }),
			want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "JSON nested 100000 deep", request: postBody("application/json", func() []byte {
			return []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))
		}), want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "invalid UTF-8 inside JSON", request: postBody("application/json", func() []byte {
			return []byte("{\"query\": \"{ directives(filter: {search: \\\"\xff\xfe\\\"}) { totalCount } }\"}")
		}), check: func(t *testing.T, h *hostileServer, r httpReply) {
			// encoding/json reads invalid bytes as U+FFFD: the search is
			// then valid text that matches nothing.
			g := r.object(t)
			if g.Status != 200 || len(g.Errors) > 0 || string(g.Data) != `{"directives":{"totalCount":0}}` {
				t.Errorf("status %d\n%s", g.Status, g.Body)
			}
		}},
		{name: "10 MB body", request: postBody("application/json", tenMB), unchanged: true,
			want: refusal{status: 413, code: "BAD_USER_INPUT", msg: "larger than"}},
		{name: "10 MB body without Content-Length", request: func(t *testing.T, h *hostileServer) *http.Request {
			req := h.rawPost(t, "application/json", io.MultiReader(bytes.NewReader(tenMB())))
			req.ContentLength = -1
			return req
		}, want: refusal{status: 413, code: "BAD_USER_INPUT", msg: "too large"}},

		// Content types (a browser form cannot set application/json).
		{name: "text/plain", request: adminBody("text/plain", func() []byte { return jsonBody(t, createAgency, nil, nil) }), unchanged: true,
			want: refusal{status: 415, code: "BAD_USER_INPUT", msg: "application/json"}},
		{name: "form", request: adminBody("application/x-www-form-urlencoded", func() []byte {
			return []byte("query=" + url.QueryEscape(createAgency))
		}), unchanged: true, want: refusal{status: 415, code: "BAD_USER_INPUT", msg: "application/json"}},
		{name: "multipart form", request: adminBody("multipart/form-data; boundary=x", func() []byte {
			return []byte("--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n" + createAgency + "\r\n--x--\r\n")
		}), unchanged: true, want: refusal{status: 415, code: "BAD_USER_INPUT"}},
		{name: "application/graphql", request: adminBody("application/graphql", func() []byte { return []byte(createAgency) }), unchanged: true,
			want: refusal{status: 415, code: "BAD_USER_INPUT"}},
		{name: "no content type", request: adminBody("", func() []byte { return jsonBody(t, createAgency, nil, nil) }), unchanged: true,
			want: refusal{status: 415, code: "BAD_USER_INPUT"}},
		{name: "malformed content type", request: adminBody("application/json;;;", func() []byte { return jsonBody(t, createAgency, nil, nil) }), unchanged: true,
			want: refusal{status: 415, code: "BAD_USER_INPUT"}},

		// Batches.
		{name: "1000-operation batch", request: postBody("application/json", func() []byte { return batchOf(1000, `{"query":"{ dossiers(first: 100) { totalCount } }"}`) }),
			want: refusal{status: 400, code: "BAD_USER_INPUT", msg: "got 1000"}},
		{name: "1000 mutations in a batch", request: func(t *testing.T, h *hostileServer) *http.Request {
			op := string(jsonBody(t, createAgency, nil, nil))
			return h.as(h.rawPost(t, "application/json", bytes.NewReader(batchOf(1000, op))), h.keys.admin)
		}, unchanged: true, want: refusal{status: 400, code: "BAD_USER_INPUT", msg: "got 1000"}},
		{name: "empty batch", request: postBody("application/json", func() []byte { return []byte(" [ ] ") }),
			want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "malformed batch", request: postBody("application/json", func() []byte { return []byte(`[{"query":"{ __typename }"},`) }),
			want: refusal{status: 400, code: "BAD_USER_INPUT"}},
		{name: "batch at the limit", request: postBody("application/json", func() []byte {
			return batchOf(10, `{"query":"{ dossiers(first: 100) { totalCount } }"}`)
		}), check: func(t *testing.T, h *hostileServer, r httpReply) {
			if r.status != 200 {
				t.Errorf("status %d\n%s", r.status, r.body)
			}
			out := r.batch(t)
			if len(out) != 10 {
				t.Fatalf("%d results for 10 operations", len(out))
			}
			for i, g := range out {
				if len(g.Errors) > 0 || string(g.Data) != `{"dossiers":{"totalCount":1}}` {
					t.Errorf("result %d: %s", i, g.Data)
				}
			}
		}},
		{name: "batch of anonymous mutations and nested batches", request: postBody("application/json", func() []byte {
			return []byte(`[` + string(jsonBody(t, createAgency, nil, nil)) + `,[` + string(jsonBody(t, createAgency, nil, nil)) + `],"x",null]`)
		}), unchanged: true, check: func(t *testing.T, h *hostileServer, r httpReply) {
			out := r.batch(t)
			if r.status != 200 || len(out) != 4 {
				t.Fatalf("status %d, %d results for 4 operations\n%s", r.status, len(out), r.body)
			}
			if len(out[0].Errors) != 1 || out[0].Errors[0].code() != "UNAUTHENTICATED" {
				t.Errorf("anonymous mutation in a batch: %s", mustJSON(out[0]))
			}
			for i, g := range out[1:] {
				if len(g.Errors) != 1 || g.Errors[0].code() != "BAD_USER_INPUT" {
					t.Errorf("operation %d (not an operation): %s", i+1, mustJSON(g))
				}
			}
		}},

		// Cross-site requests.
		{name: "GET without the preflight header", request: func(t *testing.T, h *hostileServer) *http.Request {
			req := h.rawGet(t, "query="+url.QueryEscape(`{ __typename }`))
			req.Header.Del(server.PreflightHeader)
			return req
		}, want: refusal{status: 400, code: "BAD_USER_INPUT", msg: server.PreflightHeader}},
		{name: "mutation over GET without the preflight header", request: func(t *testing.T, h *hostileServer) *http.Request {
			req := h.as(h.rawGet(t, "query="+url.QueryEscape(createAgency)), h.keys.admin)
			req.Header.Del(server.PreflightHeader)
			return req
		}, unchanged: true, want: refusal{status: 400, code: "BAD_USER_INPUT", msg: server.PreflightHeader}},
		{name: "mutation over GET", request: func(t *testing.T, h *hostileServer) *http.Request {
			return h.as(h.rawGet(t, "query="+url.QueryEscape(createAgency)), h.keys.admin)
		}, unchanged: true, check: func(t *testing.T, h *hostileServer, r httpReply) {
			expectRefusal(t, r.object(t), refusal{status: 405, code: "BAD_USER_INPUT", msg: "POST"})
			if allow := r.header.Get("Allow"); allow != http.MethodPost {
				t.Errorf("Allow %q, want POST", allow)
			}
		}},
		{name: "mutation over GET chosen by operationName", request: func(t *testing.T, h *hostileServer) *http.Request {
			doc := `query Q { __typename } mutation M { createAgency(input: {code: "000.00.08.H58", name: "x", level: PROVINCIAL}) { code } }`
			return h.as(h.rawGet(t, "query="+url.QueryEscape(doc)+"&operationName=M"), h.keys.admin)
		}, unchanged: true, want: refusal{status: 405, code: "BAD_USER_INPUT"}},
		{name: "GET with malformed variables", request: getRaw("query=" + url.QueryEscape(`query($c: String!) { agency(code: $c) { code } }`) + "&variables=" + url.QueryEscape(`{"c":`)),
			check: getRefused},
		{name: "GET with malformed extensions", request: getRaw("query=" + url.QueryEscape(typenameDoc) + "&extensions=" + url.QueryEscape(`{"persistedQuery":`)),
			check: getRefused},
		{name: "GET with a semicolon in the query string", request: getRaw("query=" + url.QueryEscape(typenameDoc) + "&a=1;b=2"),
			check: getRefused},

		// Callers.
		{name: "anonymous createAgency", request: postDoc(createAgency, nil), unchanged: true,
			want: refusal{status: 200, code: "UNAUTHENTICATED"}},
		{name: "anonymous receiveDossier", request: postDoc(receiveDoc, vars{"in": vars{"procedureCode": procedureCode, "agencyCode": agencyCode,
			"channel": "IN_PERSON", "applicant": vars{"name": "Kẻ lạ"}, "receivedAt": receivedAt}}), unchanged: true,
			want: refusal{status: 200, code: "UNAUTHENTICATED"}},
		{name: "anonymous recordDossierStep", request: postDoc(step, vars{"c": hostileDossier}),
			check: func(t *testing.T, h *hostileServer, r httpReply) {
				expectRefusal(t, r.object(t), refusal{status: 200, code: "UNAUTHENTICATED"})
				if v := h.dossierVersion(t); v != 1 {
					t.Errorf("dossier at version %d after a refused step, want 1", v)
				}
			}},
		{name: "anonymous importBulletin", request: postDoc(`mutation { importBulletin(text: "Quyết định số 468/QĐ-TTg", source: "x") { dryRun } }`, nil), unchanged: true,
			want: refusal{status: 200, code: "UNAUTHENTICATED"}},
		{name: "clerk writing to another agency's dossier", request: postAs(func(k roleKeys) string { return k.otherClerk }, step, vars{"c": hostileDossier}),
			check: func(t *testing.T, h *hostileServer, r httpReply) {
				expectRefusal(t, r.object(t), refusal{status: 200, code: "FORBIDDEN", msg: agencyCode})
				if v := h.dossierVersion(t); v != 1 {
					t.Errorf("dossier at version %d after a refused step, want 1", v)
				}
			}},
		{name: "clerk receiving for another agency", request: postAs(func(k roleKeys) string { return k.otherClerk }, receiveDoc, vars{"in": vars{
			"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "IN_PERSON", "applicant": vars{"name": "B"}, "receivedAt": receivedAt}}),
			unchanged: true, want: refusal{status: 200, code: "FORBIDDEN"}},
		{name: "clerk receiving under another agency's code", request: postAs(func(k roleKeys) string { return k.otherClerk }, receiveDoc, vars{"in": vars{
			"code": agencyCode + "-210415-0002", "procedureCode": procedureCode, "agencyCode": otherAgency, "channel": "IN_PERSON",
			"applicant": vars{"name": "B"}, "receivedAt": receivedAt}}),
			unchanged: true, want: refusal{status: 200, code: "BAD_USER_INPUT", field: "code"}},
		{name: "clerk editing the registry", request: postAs(func(k roleKeys) string { return k.clerk }, createAgency, nil), unchanged: true,
			want: refusal{status: 200, code: "FORBIDDEN"}},
		{name: "editor writing a dossier", request: postAs(func(k roleKeys) string { return k.editor }, step, vars{"c": hostileDossier}),
			want: refusal{status: 200, code: "FORBIDDEN"}},
		{name: "auditor writing", request: postAs(func(k roleKeys) string { return k.auditor }, createAgency, nil), unchanged: true,
			want: refusal{status: 200, code: "FORBIDDEN"}},
		{name: "invalid API key", request: func(t *testing.T, h *hostileServer) *http.Request {
			return h.as(h.postRequest(t, createAgency, nil), "rk_"+strings.Repeat("a", 52))
		}, unchanged: true, check: func(t *testing.T, h *hostileServer, r httpReply) {
			expectRefusal(t, r.object(t), refusal{status: 401, code: "UNAUTHENTICATED", msg: "invalid API key"})
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		}},
	}
	for _, header := range []string{"Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer  " + "rk_x", "rk_x", "Bearer rk_x trailing", "Bearer \xff\xfe"} {
		cases = append(cases, hostileCase{name: "Authorization " + strconv.Quote(header), request: func(t *testing.T, h *hostileServer) *http.Request {
			req := h.postRequest(t, `{ __typename }`, nil)
			req.Header.Set("Authorization", header)
			return req
		}, check: func(t *testing.T, h *hostileServer, r httpReply) {
			expectRefusal(t, r.object(t), refusal{status: 401, code: "UNAUTHENTICATED"})
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		}})
	}
	runCases(t, h, cases)
}

// getRefused: a malformed GET is 400 with a catalogue error carrying the
// request id, like every other refusal.
func getRefused(t *testing.T, h *hostileServer, r httpReply) {
	t.Helper()
	var g gqlResponse
	_ = json.Unmarshal(r.body, &g)
	if len(g.Errors) == 1 && g.Errors[0].code() == "" {
		t.Errorf("a malformed GET is answered %d %s: an error without extensions.code or extensions.requestId "+
			"(gqlgen's transport.GET writes these refusals itself with writeJsonError, bypassing the error presenter; "+
			"internal/server/server.go graphqlOverHTTP passes such GETs through unchecked)", r.status, r.body)
		return
	}
	expectRefusal(t, r.object(t), refusal{status: 400, code: "BAD_USER_INPUT"})
}

// Regular-expression metacharacters in a search mean themselves: they never
// make a pattern, never fail, and find the text that contains them.
func TestHostileSearchMetacharacters(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	p := h.probe(h.keys.admin)
	for _, c := range []struct {
		search string
		found  int
	}{
		{".*", 1}, {"(a+)+", 1}, {"[x]", 1}, {"(a+)+ [x] .*", 1},
		{"(", 1}, {"[", 1}, {"+)+", 1}, {"a+", 1}, {"\\", 0}, {"^$", 0}, {"a{99999}", 0}, {"(?i)CUA", 0}, {"$where", 0},
		{"(a|aa)*b" + strings.Repeat("a", 150), 0}, {"\\Q.*\\E", 0}, {"mot|xyz", 0}, {"một cửa", 1},
	} {
		t.Run(c.search, func(t *testing.T) {
			r := h.call(t, "", `query($s: String) { directives(filter: {search: $s}) { totalCount edges { node { summary } } } }`, vars{"s": c.search})
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("status %d\n%s", r.Status, r.Body)
			}
			var out struct{ Directives struct{ TotalCount int } }
			r.decode(t, &out)
			if out.Directives.TotalCount != c.found {
				t.Errorf("search %q found %d, want %d", c.search, out.Directives.TotalCount, c.found)
			}
			h.alive(t)
		})
	}
	p.stop(t)
}

// ---------------------------------------------------------------------------
// Production: no introspection, no suggestions.

func TestHostileProduction(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, func(c *serveConfig) { c.production = true })
	cases := []hostileCase{
		{name: "__schema", request: postDoc(`{ __schema { types { name fields { name } } } }`, nil), check: introspectionRefused},
		{name: "__type", request: postDoc(`{ __type(name: "Dossier") { fields { name } } }`, nil), check: introspectionRefused},
		{name: "__schema under an alias and a fragment", request: postDoc(`{ ...F } fragment F on Query { s: __schema { queryType { name } } }`, nil), check: introspectionRefused},
		{name: "__schema as the administrator", request: postAs(func(k roleKeys) string { return k.admin }, `{ __schema { queryType { name } } }`, nil), check: introspectionRefused},
		{name: "misspelt field gets no suggestion", request: postDoc(`{ dossierz(code: "x") { code } }`, nil), check: func(t *testing.T, h *hostileServer, r httpReply) {
			g := r.object(t)
			expectRefusal(t, g, refusal{status: 200, code: "BAD_USER_INPUT"})
			if len(g.Errors) > 0 && strings.Contains(g.Errors[0].Message, "Did you mean") {
				t.Errorf("production suggests fields: %q", g.Errors[0].Message)
			}
		}},
	}
	runCases(t, h, cases)
}

// introspectionRefused: the answer gives nothing of the schema and says why
// with a code for a refused request, not one for a fault of the server.
func introspectionRefused(t *testing.T, h *hostileServer, r httpReply) {
	t.Helper()
	g := r.object(t)
	if bytes.Contains(g.Body, []byte("queryType")) && !bytes.Contains(g.Body, []byte(`"queryType":null`)) || bytes.Contains(g.Body, []byte(`"fields"`)) {
		t.Errorf("introspection answered in production:\n%.500s", g.Body)
	}
	if len(g.Errors) != 1 {
		t.Fatalf("%d errors, want one\n%s", len(g.Errors), g.Body)
	}
	checkRequestID(t, g)
	if c := g.Errors[0].code(); c != "FORBIDDEN" && c != "BAD_USER_INPUT" {
		t.Errorf("introspection in production: extensions.code %q (message %q); want FORBIDDEN or BAD_USER_INPUT: "+
			"a refused introspection is the client's doing, not an INTERNAL fault of the server (and it is logged as one)",
			c, g.Errors[0].Message)
	}
}

// ---------------------------------------------------------------------------
// Rate limit: the request beyond the burst is 429 with Retry-After; other
// callers keep their own buckets.

func TestHostileRateLimit(t *testing.T) {
	t.Parallel()
	const burst = 3
	// One token every 1000 s: nothing refills while the test runs.
	h := startHostile(t, true, func(c *serveConfig) { c.http.Rate, c.http.Burst = 0.001, burst })

	ok := func(t *testing.T, secret, who string) {
		t.Helper()
		if r := h.call(t, secret, typenameDoc, nil); r.Status != 200 || len(r.Errors) > 0 {
			t.Errorf("%s within its burst: status %d\n%s", who, r.Status, r.Body)
		}
	}
	limited := func(t *testing.T, req *http.Request, who string) {
		t.Helper()
		r := h.send(t, req)
		expectRefusal(t, r, refusal{status: http.StatusTooManyRequests, code: "UNAVAILABLE", msg: "Retry-After"})
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s: Retry-After %q, want a number of seconds >= 1", who, r.Header.Get("Retry-After"))
		}
	}

	for range burst {
		ok(t, "", "anonymous")
	}
	limited(t, h.as(h.postRequest(t, typenameDoc, nil), ""), "anonymous")
	// A mutation, a GET and a claimed other address count against the same bucket.
	limited(t, h.as(h.postRequest(t, `mutation { createAgency(input: {code: "000.00.08.H58", name: "x", level: PROVINCIAL}) { code } }`, nil), ""), "anonymous mutation")
	limited(t, h.as(h.getRequest(t, typenameDoc, nil), ""), "anonymous GET")
	spoofed := h.as(h.postRequest(t, typenameDoc, nil), "")
	spoofed.Header.Set("X-Forwarded-For", "203.0.113.7")
	limited(t, spoofed, "anonymous with X-Forwarded-For (not behind a proxy)")

	// Each key has its own bucket.
	ok(t, h.keys.clerk, "clerk")
	for range burst {
		ok(t, h.keys.auditor, "auditor")
	}
	limited(t, h.as(h.postRequest(t, typenameDoc, nil), h.keys.auditor), "auditor")
	ok(t, h.keys.clerk, "clerk after the auditor ran out")
	ok(t, h.keys.editor, "editor")
	// The administrator used one request for the set-up: alive uses the other two.
	h.alive(t)
	limited(t, h.as(h.postRequest(t, typenameDoc, nil), h.keys.admin), "administrator")
	ok(t, h.keys.clerk, "clerk at the end")
}

// ---------------------------------------------------------------------------
// Per-request timeout: a request whose time is up ends, promptly, with an
// UNAVAILABLE error (never an empty answer), and the server goes on
// answering.

// timedOut asserts r is the answer to a request whose time ran out: one
// UNAVAILABLE error with the request id.
func timedOut(t *testing.T, r httpReply) {
	t.Helper()
	var g gqlResponse
	_ = json.Unmarshal(r.body, &g)
	g.Status, g.Header, g.Body = r.status, r.header, r.body
	if (r.status != 200 && r.status != http.StatusServiceUnavailable) || len(g.Errors) != 1 || g.Errors[0].code() != "UNAVAILABLE" {
		t.Errorf("a request past its deadline was answered: status %d, body %.300s; want one UNAVAILABLE error "+
			"(gqlgen's executor returns a nil response when the context is already done when execution starts, "+
			"which its POST and GET transports write as the body null, status 200: no error, no code, no request id; "+
			"internal/server/middleware.go withTimeout starts the deadline before the body is read)", r.status, r.body)
		return
	}
	checkRequestID(t, &g)
}

func TestHostileTimeout(t *testing.T) {
	t.Parallel()

	t.Run("1ns", func(t *testing.T) {
		t.Parallel()
		// Every deadline has passed before any GraphQL work begins.
		h := startHostile(t, false, func(c *serveConfig) { c.http.Timeout = time.Nanosecond })
		// What still answers when every GraphQL request runs out of time.
		alive := func(t *testing.T) {
			t.Helper()
			if res, body := h.get(t, "/healthz", nil); res.StatusCode != 200 {
				t.Errorf("/healthz: status %d %s", res.StatusCode, body)
			}
			r := h.send(t, h.as(h.rawPost(t, "text/plain", strings.NewReader("{}")), ""))
			expectRefusal(t, r, refusal{status: 415, code: "BAD_USER_INPUT"})
		}
		for _, c := range []struct {
			name string
			req  func(t *testing.T) *http.Request
		}{
			{"store query", func(t *testing.T) *http.Request { return h.postRequest(t, `{ agencies { totalCount } }`, nil) }},
			{"typename", func(t *testing.T) *http.Request { return h.postRequest(t, typenameDoc, nil) }},
			{"GET", func(t *testing.T) *http.Request { return h.getRequest(t, `{ agencies { totalCount } }`, nil) }},
			{"mutation", func(t *testing.T) *http.Request {
				return h.as(h.postRequest(t, createAgencyDoc, vars{"in": vars{"code": agencyCode, "name": "x", "level": "PROVINCIAL"}}), h.keys.admin)
			}},
			{"stats.csv", func(t *testing.T) *http.Request {
				req, err := http.NewRequest(http.MethodGet, h.url+"/stats.csv?from=2021-01&to=2021-12", nil)
				if err != nil {
					t.Fatal(err)
				}
				return req
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				timedOut(t, h.exchange(t, h.as(c.req(t), "")))
				alive(t)
			})
		}
		t.Run("batch", func(t *testing.T) {
			req := h.as(h.rawPost(t, "application/json", bytes.NewReader(batchOf(3, `{"query":"{ agencies { totalCount } }"}`))), h.keys.admin)
			r := h.exchange(t, req)
			out := r.batch(t)
			if len(out) != 3 {
				t.Errorf("a batch of 3 operations past its deadline was answered with %d results (status %d, body %s): "+
					"a client matches results to operations by position, so each needs its own (UNAVAILABLE) result "+
					"(internal/server/middleware.go, batches: the loop breaks on r.Context().Err() and closes the array early)",
					len(out), r.status, r.body)
			}
			for i, g := range out {
				if len(g.Errors) != 1 || g.Errors[0].code() != "UNAVAILABLE" {
					t.Errorf("result %d: %s", i, mustJSON(g))
				}
			}
			alive(t)
		})

		// Nothing was written: a server without the tiny timeout on the
		// same database, once this one has stopped (one writer at a time),
		// finds no agency.
		_ = h.stop(t)
		cfg := defaultConfig(t)
		cfg.store.database = h.cfg.store.database
		if n := startServer(t, cfg).count(t, "agencies"); n != 0 {
			t.Errorf("%d agencies after a mutation past its deadline, want 0", n)
		}
	})

	t.Run("slow body", func(t *testing.T) {
		t.Parallel()
		// A realistic deadline, and a client that sends its body slower:
		// the deadline passes while the body is read.
		const timeout = 300 * time.Millisecond
		h := startHostile(t, true, func(c *serveConfig) { c.http.Timeout = timeout })
		p := h.probe(h.keys.admin)
		for _, c := range []struct {
			name string
			body []byte
		}{
			{"query", jsonBody(t, `{ agencies { totalCount } }`, nil, nil)},
			{"mutation", jsonBody(t, createAgencyDoc, vars{"in": vars{"code": "000.00.08.H58", "name": "x", "level": "PROVINCIAL"}}, nil)},
		} {
			t.Run(c.name, func(t *testing.T) {
				pr, pw := io.Pipe()
				go func() {
					half := len(c.body) / 2
					_, _ = pw.Write(c.body[:half])
					time.Sleep(2 * timeout)
					_, _ = pw.Write(c.body[half:])
					_ = pw.Close()
				}()
				req := h.as(h.rawPost(t, "application/json", pr), h.keys.admin)
				req.ContentLength = -1
				timedOut(t, h.exchange(t, req))
				h.alive(t)
			})
		}
		p.stop(t)
	})
}

// ---------------------------------------------------------------------------
// Trusted documents: in enforce mode only the registered documents run, sent
// whole or by hash; in log mode everything runs.

const trustedQuery = `query Trusted($c: String!) { agency(code: $c) { code name } }`

const trustedMutation = `mutation Trusted($c: String!) { recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: "Sở Xây dựng"}) { version } }`

func writeTrusted(t *testing.T, docs ...string) string {
	t.Helper()
	m := map[string]string{}
	for _, d := range docs {
		m[sha256Hex(d)] = d
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trusted.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHostileTrustedDocuments(t *testing.T) {
	t.Parallel()
	untrusted := `query Other($c: String!) { agency(code: $c) { code name } }`
	runs := func(t *testing.T, h *hostileServer, r httpReply) {
		t.Helper()
		g := r.object(t)
		if g.Status != 200 || len(g.Errors) > 0 || !strings.Contains(string(g.Data), agencyCode) {
			t.Errorf("status %d, want the agency\n%s", g.Status, g.Body)
		}
	}
	postExt := func(query string, v vars, ext map[string]any) func(t *testing.T, h *hostileServer) *http.Request {
		return func(t *testing.T, h *hostileServer) *http.Request {
			return h.rawPost(t, "application/json", bytes.NewReader(jsonBody(t, query, v, ext)))
		}
	}
	getHash := func(hash string, v vars) func(t *testing.T, h *hostileServer) *http.Request {
		return func(t *testing.T, h *hostileServer) *http.Request {
			q := url.Values{"extensions": {string(mustJSON(persistedExt(hash)))}}
			if v != nil {
				q.Set("variables", string(mustJSON(v)))
			}
			return h.rawGet(t, q.Encode())
		}
	}
	forbidden := refusal{status: 200, code: "FORBIDDEN", msg: "trusted"}
	c := vars{"c": agencyCode}

	for _, mode := range []string{"enforce", "log"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			path := writeTrusted(t, trustedQuery, trustedMutation, setUpDoc, typenameDoc, aliveDoc, versionDoc, countsDoc)
			h := startHostile(t, true, func(cfg *serveConfig) { cfg.trusted, cfg.trustedMode = path, mode })
			cases := []hostileCase{
				{name: "trusted document", request: postExt(trustedQuery, c, nil), check: runs},
				{name: "trusted hash alone", request: postExt("", c, persistedExt(sha256Hex(trustedQuery))), check: runs},
				{name: "trusted hash alone over GET", request: getHash(sha256Hex(trustedQuery), c), check: runs},
				{name: "trusted document with its hash", request: postExt(trustedQuery, c, persistedExt(sha256Hex(trustedQuery))), check: runs},
			}
			if mode == "enforce" {
				cases = append(cases,
					hostileCase{name: "untrusted document", request: postExt(untrusted, c, nil), check: func(t *testing.T, h *hostileServer, r httpReply) {
						g := r.object(t)
						expectRefusal(t, g, forbidden)
						if len(g.Errors) == 1 && g.Errors[0].Extensions["sha256"] != sha256Hex(untrusted) {
							t.Errorf("extensions.sha256 %v, want the document's hash", g.Errors[0].Extensions["sha256"])
						}
					}},
					hostileCase{name: "untrusted document under a trusted hash", request: postExt(untrusted, c, persistedExt(sha256Hex(trustedQuery))), want: forbidden},
					hostileCase{name: "trusted document changed by a space", request: postExt(trustedQuery+" ", c, nil), want: forbidden},
					hostileCase{name: "unknown hash alone", request: postExt("", c, persistedExt(sha256Hex(untrusted))), want: forbidden},
					hostileCase{name: "trusted hash in capitals", request: postExt("", c, persistedExt(strings.ToUpper(sha256Hex(trustedQuery)))), want: forbidden},
					hostileCase{name: "no document and no hash", request: postExt("", c, nil), want: forbidden},
					hostileCase{name: "introspection", request: postExt(`{ __schema { types { name } } }`, nil, nil), want: forbidden},
					hostileCase{name: "untrusted mutation by the administrator", request: func(t *testing.T, h *hostileServer) *http.Request {
						return h.as(postExt(`mutation { createAgency(input: {code: "000.00.08.H58", name: "x", level: PROVINCIAL}) { code } }`, nil, nil)(t, h), h.keys.admin)
					}, unchanged: true, want: forbidden},
					hostileCase{name: "untrusted document in a batch", request: postBody("application/json", func() []byte {
						return []byte("[" + string(jsonBody(t, trustedQuery, c, nil)) + "," + string(jsonBody(t, untrusted, c, nil)) + "]")
					}), check: func(t *testing.T, h *hostileServer, r httpReply) {
						out := r.batch(t)
						if len(out) != 2 || len(out[0].Errors) > 0 || len(out[1].Errors) != 1 || out[1].Errors[0].code() != "FORBIDDEN" {
							t.Errorf("status %d\n%s", r.status, r.body)
						}
					}},
					hostileCase{name: "trusted mutation by hash over GET", request: func(t *testing.T, h *hostileServer) *http.Request {
						return h.as(getHash(sha256Hex(trustedMutation), vars{"c": hostileDossier})(t, h), h.keys.admin)
					}, check: mutationOverGETRefused},
				)
			} else {
				cases = append(cases,
					hostileCase{name: "untrusted document runs and is logged", request: postExt(untrusted, c, nil), check: func(t *testing.T, h *hostileServer, r httpReply) {
						runs(t, h, r)
						if !strings.Contains(h.logs.String(), sha256Hex(untrusted)) {
							t.Errorf("the untrusted operation %s is not in the log", sha256Hex(untrusted))
						}
					}},
					hostileCase{name: "unknown hash alone", request: postExt("", c, persistedExt(sha256Hex(untrusted))),
						want: refusal{status: 200, code: "BAD_USER_INPUT", msg: "PersistedQueryNotFound"}},
				)
			}
			runCases(t, h, cases)
		})
	}
}

// mutationOverGETRefused: a mutation named by hash over GET is refused like
// any mutation over GET (405, a catalogue code, the request id), and the
// dossier is not changed.
func mutationOverGETRefused(t *testing.T, h *hostileServer, r httpReply) {
	t.Helper()
	var g gqlResponse
	_ = json.Unmarshal(r.body, &g)
	g.Status, g.Header, g.Body = r.status, r.header, r.body
	if r.status != http.StatusMethodNotAllowed || len(g.Errors) != 1 || g.Errors[0].code() != "BAD_USER_INPUT" ||
		g.Errors[0].Extensions["requestId"] != r.header.Get(server.RequestIDHeader) {
		t.Errorf("a mutation sent by hash over GET: status %d, body %s; want 405 with extensions.code BAD_USER_INPUT and "+
			"extensions.requestId like every mutation over GET (internal/server/server.go, readOnly looks only at the query "+
			"parameter, so gqlgen's GET transport refuses it with 406 and an error without extensions)", r.status, r.body)
	}
	if v := h.dossierVersion(t); v != 1 {
		t.Errorf("dossier at version %d after a mutation over GET, want 1", v)
	}
}

// ---------------------------------------------------------------------------
// Automatic persisted queries (no trusted documents).

func TestHostilePersistedQueries(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	p := h.probe(h.keys.admin)
	postExt := func(t *testing.T, secret, query string, v vars, ext map[string]any) *gqlResponse {
		t.Helper()
		return h.send(t, h.as(h.rawPost(t, "application/json", bytes.NewReader(jsonBody(t, query, v, ext))), secret))
	}
	notFound := func(t *testing.T, r *gqlResponse) {
		t.Helper()
		expectRefusal(t, r, refusal{status: 200, code: "BAD_USER_INPUT", msg: "PersistedQueryNotFound"})
		if len(r.Errors) == 1 && r.Errors[0].Extensions["reason"] != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("extensions.reason %v, want PERSISTED_QUERY_NOT_FOUND", r.Errors[0].Extensions["reason"])
		}
	}
	ran := func(t *testing.T, r *gqlResponse) {
		t.Helper()
		if r.Status != 200 || len(r.Errors) > 0 || !strings.Contains(string(r.Data), agencyCode) {
			t.Errorf("status %d, want the agency\n%s", r.Status, r.Body)
		}
	}
	doc := `query Apq($c: String!) { agency(code: $c) { code } }`
	c := vars{"c": agencyCode}

	t.Run("register then use", func(t *testing.T) {
		notFound(t, postExt(t, "", "", c, persistedExt(sha256Hex(doc))))
		ran(t, postExt(t, "", doc, c, persistedExt(sha256Hex(doc))))
		ran(t, postExt(t, "", "", c, persistedExt(sha256Hex(doc))))
		q := url.Values{"extensions": {string(mustJSON(persistedExt(sha256Hex(doc))))}, "variables": {string(mustJSON(c))}}
		r := h.send(t, h.as(h.rawGet(t, q.Encode()), ""))
		ran(t, r)
		h.alive(t)
	})
	t.Run("a document under another's hash is refused and not registered", func(t *testing.T) {
		victim := `query Victim { __typename }`
		r := postExt(t, "", `{ agencies { totalCount } }`, nil, persistedExt(sha256Hex(victim)))
		expectRefusal(t, r, refusal{status: 200, code: "BAD_USER_INPUT", msg: "hash does not match"})
		notFound(t, postExt(t, "", "", nil, persistedExt(sha256Hex(victim))))
		h.alive(t)
	})
	t.Run("malformed extension", func(t *testing.T) {
		expectRefusal(t, postExt(t, "", doc, c, map[string]any{"persistedQuery": "x"}), refusal{status: 200, code: "BAD_USER_INPUT"})
		expectRefusal(t, postExt(t, "", doc, c, map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": sha256Hex(doc)}}),
			refusal{status: 200, code: "BAD_USER_INPUT", msg: "version"})
		expectRefusal(t, postExt(t, "", "", c, map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": map[string]any{"$ne": ""}}}),
			refusal{status: 200, code: "BAD_USER_INPUT"})
		h.alive(t)
	})
	t.Run("a document that does not parse is not registered", func(t *testing.T) {
		// Registered, such documents would let anyone fill the 1000-entry
		// cache with bodies of up to MaxBody each (1 GiB by default).
		junk := strings.Repeat("x", 200<<10)
		r := postExt(t, "", junk, nil, persistedExt(sha256Hex(junk)))
		if len(r.Errors) != 1 || r.Errors[0].code() != "BAD_USER_INPUT" {
			t.Errorf("junk document: %.500s", r.Body)
		}
		r = postExt(t, "", "", nil, persistedExt(sha256Hex(junk)))
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "PersistedQueryNotFound") {
			t.Errorf("a 200 KB document that does not parse was kept in the persisted-query cache: its hash alone now answers %.300s; "+
				"want PersistedQueryNotFound (graph/handler.go registers extension.AutomaticPersistedQuery, which caches the text "+
				"before it is parsed, in an LRU bounded by count only: 1000 entries of up to --max-body each)", r.Body)
		}
		h.alive(t)
	})
	t.Run("mutation registered then sent by hash over GET", func(t *testing.T) {
		// The registration itself is a mutation over POST that the
		// anonymous caller may not make: it fails, but is registered.
		reg := postExt(t, "", trustedMutation, vars{"c": hostileDossier}, persistedExt(sha256Hex(trustedMutation)))
		if len(reg.Errors) != 1 || reg.Errors[0].code() != "UNAUTHENTICATED" {
			t.Fatalf("registration: %s", reg.Body)
		}
		q := url.Values{"extensions": {string(mustJSON(persistedExt(sha256Hex(trustedMutation))))}, "variables": {string(mustJSON(vars{"c": hostileDossier}))}}
		req := h.as(h.rawGet(t, q.Encode()), h.keys.admin)
		mutationOverGETRefused(t, h, h.exchange(t, req))
		h.alive(t)
	})
	p.stop(t)
}

// ---------------------------------------------------------------------------
// Personal data and small statistics groups are for key holders only.

func TestHostilePersonalDataAndStatistics(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	id := globalIDOf("Dossier", hostileDossier)
	const applicantDoc = `query($c: String!, $id: ID!) {
  dossier(code: $c) { applicant { name idNumber phone } }
  dossiers(first: 10) { edges { node { applicant { name idNumber phone } } } }
  node(id: $id) { ... on Dossier { applicant { name idNumber phone } } }
}`
	type applicant struct{ Name, IDNumber, Phone *string }
	type view struct {
		Dossier  struct{ Applicant applicant }
		Dossiers struct {
			Edges []struct{ Node struct{ Applicant applicant } }
		}
		Node struct{ Applicant applicant }
	}
	for _, c := range []struct {
		name   string
		secret func(roleKeys) string
		sees   bool
	}{
		{"anonymous", noKey, false},
		{"auditor", func(k roleKeys) string { return k.auditor }, true},
		{"clerk of the agency", func(k roleKeys) string { return k.clerk }, true},
		// Editors keep reference data; every role and path: visibility_test.go.
		{"editor", func(k roleKeys) string { return k.editor }, false},
	} {
		t.Run("applicant as "+c.name, func(t *testing.T) {
			r := h.call(t, c.secret(h.keys), applicantDoc, vars{"c": hostileDossier, "id": id})
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("status %d\n%s", r.Status, r.Body)
			}
			var out view
			r.decode(t, &out)
			if len(out.Dossiers.Edges) != 1 {
				t.Fatalf("dossiers: %s", r.Data)
			}
			for where, a := range map[string]applicant{"dossier": out.Dossier.Applicant, "dossiers": out.Dossiers.Edges[0].Node.Applicant, "node": out.Node.Applicant} {
				if c.sees {
					if a.Name == nil || *a.Name != applicantName || a.IDNumber == nil || *a.IDNumber != applicantID {
						t.Errorf("%s: %s does not see the applicant: %s", where, c.name, r.Data)
					}
				} else if a.Name != nil || a.IDNumber != nil || a.Phone != nil {
					t.Errorf("%s: %s sees personal data: %s", where, c.name, r.Data)
				}
			}
			if !c.sees && (strings.Contains(string(r.Body), applicantID) || strings.Contains(string(r.Body), applicantName)) {
				t.Errorf("the answer to %s contains personal data: %s", c.name, r.Body)
			}
			h.alive(t)
		})
	}

	const statsDoc = `{ dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [AGENCY]) {
  suppressed total { received { new } } groups { agencyCode received { new } } } }`
	for _, c := range []struct {
		name   string
		secret func(roleKeys) string
		groups int
	}{
		{"anonymous", noKey, 0},
		{"auditor", func(k roleKeys) string { return k.auditor }, 1},
		{"clerk of another agency", func(k roleKeys) string { return k.otherClerk }, 1},
	} {
		t.Run("statistics as "+c.name, func(t *testing.T) {
			r := h.call(t, c.secret(h.keys), statsDoc, nil)
			if c.groups == 0 {
				// The whole total is below the minimum: a total that small
				// would tell what a withheld group hides, so nothing is
				// published, in GraphQL or CSV.
				if r.Status != 200 || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "FORBIDDEN" {
					t.Fatalf("anonymous statistics under the minimum: status %d, want one FORBIDDEN error\n%s", r.Status, r.Body)
				}
				req, err := http.NewRequest(http.MethodGet, h.url+"/stats.csv?from=2021-01&to=2021-12&groupBy=agency", nil)
				if err != nil {
					t.Fatal(err)
				}
				if res := h.exchange(t, req); res.status != http.StatusForbidden || strings.Contains(string(res.body), agencyCode) {
					t.Fatalf("/stats.csv as anonymous: status %d, want 403 without the agency\n%s", res.status, res.body)
				}
				h.alive(t)
				return
			}
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("status %d\n%s", r.Status, r.Body)
			}
			var out struct {
				DossierStats struct {
					Suppressed int
					Groups     []struct{ AgencyCode string }
				}
			}
			r.decode(t, &out)
			s := out.DossierStats
			if len(s.Groups) != c.groups || (c.groups == 0) != (s.Suppressed > 0) {
				t.Errorf("%s: %d groups, %d suppressed; want %d groups and suppressed > 0 exactly when groups are withheld\n%s",
					c.name, len(s.Groups), s.Suppressed, c.groups, r.Data)
			}
			if c.groups == 1 && len(s.Groups) == 1 && s.Groups[0].AgencyCode != agencyCode {
				t.Errorf("group %q, want %s", s.Groups[0].AgencyCode, agencyCode)
			}

			req, err := http.NewRequest(http.MethodGet, h.url+"/stats.csv?from=2021-01&to=2021-12&groupBy=agency", nil)
			if err != nil {
				t.Fatal(err)
			}
			res := h.exchange(t, h.as(req, c.secret(h.keys)))
			if res.status != 200 {
				t.Fatalf("/stats.csv: status %d\n%s", res.status, res.body)
			}
			if got := strings.Contains(string(res.body), agencyCode); got != (c.groups == 1) {
				t.Errorf("/stats.csv as %s names the agency: %v, want %v\n%s", c.name, got, c.groups == 1, res.body)
			}
			h.alive(t)
		})
	}
}

// globalIDOf is the API's global id of a record (graph/node.go).
func globalIDOf(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

// ---------------------------------------------------------------------------
// The audit log records every attempted change; auditors read it, clerks not.

func TestHostileAuditLog(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	withID := func(req *http.Request, id string) *http.Request {
		req.Header.Set(server.RequestIDHeader, id)
		return req
	}
	step := `mutation($c: String!) { recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: "Sở Xây dựng"}) { version } }`

	// The clerk of the agency receives a dossier.
	r := h.send(t, withID(h.as(h.postRequest(t, receiveDoc, vars{"in": vars{"procedureCode": procedureCode, "agencyCode": agencyCode,
		"channel": "IN_PERSON", "applicant": vars{"name": "Trần Thị Bình"}, "receivedAt": receivedAt}}), h.keys.clerk), "audit-receive"))
	var rec struct{ ReceiveDossier struct{ Code string } }
	if len(r.Errors) > 0 {
		t.Fatalf("clerk receiving: %s", r.Body)
	}
	r.decode(t, &rec)
	code := rec.ReceiveDossier.Code
	// Another agency's clerk tries a step on it, an anonymous caller tries
	// to create an agency, the administrator records a step.
	expectRefusal(t, h.send(t, withID(h.as(h.postRequest(t, step, vars{"c": code}), h.keys.otherClerk), "audit-forbidden")),
		refusal{status: 200, code: "FORBIDDEN"})
	expectRefusal(t, h.send(t, withID(h.as(h.postRequest(t, `mutation { createAgency(input: {code: "000.00.08.H58", name: "x", level: PROVINCIAL}) { code } }`, nil), ""), "audit-anonymous")),
		refusal{status: 200, code: "UNAUTHENTICATED"})
	if r := h.send(t, withID(h.as(h.postRequest(t, step, vars{"c": code}), h.keys.admin), "audit-step")); len(r.Errors) > 0 {
		t.Fatalf("administrator's step: %s", r.Body)
	}

	const auditDoc = `query($who: String) { auditLog(first: 100, filter: {who: $who}) {
  totalCount edges { node { id at who role keyId operation target result requestId } } } }`
	type entry struct {
		Who, Operation, Result string
		Role, KeyID, Target    *string
		RequestID              *string
	}
	var out struct {
		AuditLog struct {
			TotalCount int
			Edges      []struct{ Node entry }
		}
	}
	r = h.call(t, h.keys.auditor, auditDoc, nil)
	if r.Status != 200 || len(r.Errors) > 0 {
		t.Fatalf("auditor reading the log: status %d\n%s", r.Status, r.Body)
	}
	r.decode(t, &out)
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, w := range []struct {
		who, role, op, target, result, requestID string
		keyed                                    bool
	}{
		{keyNames.admin, "ADMIN", "createAgency", agencyCode, "OK", "", true},
		{keyNames.admin, "ADMIN", "receiveDossier", hostileDossier, "OK", "", true},
		{keyNames.clerk, "CLERK", "receiveDossier", code, "OK", "audit-receive", true},
		{keyNames.otherClerk, "CLERK", "recordDossierStep", code + " TRANSFER", "FORBIDDEN", "audit-forbidden", true},
		{"anonymous", "ANONYMOUS", "createAgency", "000.00.08.H58", "UNAUTHENTICATED", "audit-anonymous", false},
		{keyNames.admin, "ADMIN", "recordDossierStep", code + " TRANSFER", "OK", "audit-step", true},
	} {
		found := false
		for _, e := range out.AuditLog.Edges {
			n := e.Node
			if n.Who == w.who && n.Operation == w.op && str(n.Target) == w.target && n.Result == w.result &&
				(w.requestID == "" || str(n.RequestID) == w.requestID) {
				found = true
				if str(n.Role) != w.role {
					t.Errorf("%s %s: role %q, want %q", w.who, w.op, str(n.Role), w.role)
				}
				if (str(n.KeyID) != "") != w.keyed {
					t.Errorf("%s %s: keyId %q", w.who, w.op, str(n.KeyID))
				}
			}
		}
		if !found {
			t.Errorf("no audit entry {who %s, operation %s, target %q, result %s, requestId %q} in\n%s",
				w.who, w.op, w.target, w.result, w.requestID, r.Data)
		}
	}
	if strings.Contains(string(r.Body), h.keys.clerk) || strings.Contains(string(r.Body), h.keys.admin) {
		t.Error("the audit log contains a secret")
	}

	// Filters are values, never operators.
	r = h.call(t, h.keys.auditor, auditDoc, vars{"who": keyNames.otherClerk})
	r.decode(t, &out)
	if len(r.Errors) > 0 || out.AuditLog.TotalCount != 1 {
		t.Errorf("filter who=%s: %s", keyNames.otherClerk, r.Body)
	}
	for _, v := range []any{map[string]any{"$ne": ""}, map[string]any{"$regex": ".*"}, []string{"a"}} {
		r := h.call(t, h.keys.auditor, auditDoc, vars{"who": v})
		if len(r.Errors) != 1 || r.Errors[0].code() != "BAD_USER_INPUT" {
			t.Errorf("filter who=%v: %s", v, r.Body)
		}
	}
	r = h.call(t, h.keys.auditor, auditDoc, vars{"who": `{"$ne": ""}`})
	r.decode(t, &out)
	if len(r.Errors) > 0 || out.AuditLog.TotalCount != 0 {
		t.Errorf("filter who as operator text: %s", r.Body)
	}

	for _, c := range []struct {
		name, secret, code string
	}{
		{"clerk", h.keys.clerk, "FORBIDDEN"},
		{"clerk of another agency", h.keys.otherClerk, "FORBIDDEN"},
		{"editor", h.keys.editor, "FORBIDDEN"},
		{"anonymous", "", "UNAUTHENTICATED"},
	} {
		t.Run("read by "+c.name, func(t *testing.T) {
			r := h.call(t, c.secret, auditDoc, nil)
			expectRefusal(t, r, refusal{status: 200, code: c.code, msg: "audit log"})
			if strings.Contains(string(r.Body), "createAgency") {
				t.Errorf("%s read audit entries: %s", c.name, r.Body)
			}
			h.alive(t)
		})
	}
}

// ---------------------------------------------------------------------------
// Request ids: echoed when sane, replaced when not, in the header and in
// every error.

func TestHostileRequestID(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, c := range []struct {
		name, sent string
		echoed     bool
	}{
		{"sane", "req-42.a_B", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"65 characters", strings.Repeat("a", 65), false},
		{"spaces", "a b", false},
		{"markup", "<script>alert(1)</script>", false},
		{"path", "../../etc/passwd", false},
		{"log injection", "x\" level=ERROR msg=\"forged", false},
		{"non-ASCII", "mã-số-1", false},
		{"absent", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, req := range []*http.Request{
				h.postRequest(t, `{ dossiers(first: 101) { totalCount } }`, nil), // a resolver error
				h.postRequest(t, `{ nope }`, nil),                                // a validation error
				h.rawPost(t, "text/plain", strings.NewReader("{}")),              // refused before GraphQL
			} {
				if c.sent != "" {
					req.Header.Set(server.RequestIDHeader, c.sent)
				}
				r := h.send(t, req)
				id := r.Header.Get(server.RequestIDHeader)
				if c.echoed && id != c.sent {
					t.Errorf("%s sent %q, answered %q", server.RequestIDHeader, c.sent, id)
				}
				if !c.echoed && !generated.MatchString(id) {
					t.Errorf("%s sent %q, answered %q; want a generated id", server.RequestIDHeader, c.sent, id)
				}
				if len(r.Errors) == 0 {
					t.Errorf("no error: %s", r.Body)
				}
				checkRequestID(t, r)
			}
		})
	}
	// Each operation of a batch reports the batch's id.
	req := h.rawPost(t, "application/json", bytes.NewReader(batchOf(2, `{"query":"{ dossiers(first: 101) { totalCount } }"}`)))
	req.Header.Set(server.RequestIDHeader, "batch-1")
	for i, g := range h.exchange(t, req).batch(t) {
		if len(g.Errors) != 1 || g.Errors[0].Extensions["requestId"] != "batch-1" {
			t.Errorf("batch result %d: %s", i, mustJSON(g))
		}
	}
	h.alive(t)
}

// TestHostileInvalidKeyAudited: a request refused for its API key (401,
// before GraphQL runs) is a security event in the audit log, as a change
// attempted without a key is: who "invalid key", result UNAUTHENTICATED.
func TestHostileInvalidKeyAudited(t *testing.T) {
	t.Parallel()
	h := startHostile(t, false, nil)
	r := h.call(t, "not-a-key-of-this-server", `mutation { createAgency(input: {code: "000.00.08.H56", name: "X", level: PROVINCIAL}) { code } }`, nil)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("invalid key: status %d, want 401\n%s", r.Status, r.Body)
	}
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Who, Operation, Target, Result, RequestID string }
			}
		}
	}
	h.call(t, h.keys.auditor, `{ auditLog(filter: {who: "invalid key"}) { edges { node { who operation target result requestId } } } }`, nil).decode(t, &out)
	if len(out.AuditLog.Edges) != 1 {
		t.Fatalf("audit entries for the invalid key: %+v, want 1", out.AuditLog.Edges)
	}
	if e := out.AuditLog.Edges[0].Node; e.Result != "UNAUTHENTICATED" || e.Operation != "createAgency" || e.Target != "000.00.08.H56" || e.RequestID == "" {
		t.Errorf("audit entry %+v, want result UNAUTHENTICATED for createAgency 000.00.08.H56 with its request id", e)
	}
}
