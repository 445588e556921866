package main

// Helpers of the end-to-end tests: a real server started with runServer on a
// loopback port, and small GraphQL-over-HTTP clients so the tests read like
// the documents they send.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/storetest"
)

// hangGuard bounds every wait of a test. It is never an assertion about
// speed: it only turns a hang into a failure with a message.
const hangGuard = 2 * time.Minute

// vars are a request's GraphQL variables.
type vars = map[string]any

// testServer is one runServer on 127.0.0.1:0.
type testServer struct {
	cfg    *serveConfig
	addr   string // host:port
	url    string // http://host:port
	client *http.Client
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error // receives runServer's result once
	result *error     // set once done has been read
}

// syncBuffer collects the server's log; it is printed when a test fails.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	watch []logWatch
}

type logWatch struct {
	substr string
	ch     chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line := string(p)
	kept := b.watch[:0]
	for _, w := range b.watch {
		if strings.Contains(line, w.substr) {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	b.watch = kept
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// when returns a channel closed once a log line containing substr is written
// after this call.
func (b *syncBuffer) when(substr string) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan struct{})
	b.watch = append(b.watch, logWatch{substr, ch})
	return ch
}

// defaultConfig is the configuration of a server on the test engine with a
// fresh database. The rate and concurrency limits are raised: these tests
// send bursts of concurrent requests from one address on purpose.
func defaultConfig(t *testing.T) *serveConfig {
	t.Helper()
	return &serveConfig{
		store: storeConfig{mongoURI: storetest.URI(), database: storetest.Database(t)},
		addr:  "127.0.0.1:0",
		http:  server.Config{Rate: 10000, Burst: 10000, Concurrency: 10000},
	}
}

// startServer runs runServer with cfg (defaultConfig when nil) until the test
// ends or stop is called.
func startServer(t *testing.T, cfg *serveConfig) *testServer {
	t.Helper()
	s, err := tryStartServer(t, cfg)
	if err != nil {
		t.Fatalf("runServer returned before serving: %v", err)
	}
	return s
}

// tryStartServer is startServer returning runServer's error when it fails
// before serving.
func tryStartServer(t *testing.T, cfg *serveConfig) (*testServer, error) {
	t.Helper()
	if cfg == nil {
		cfg = defaultConfig(t)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	engineLog := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError})).With("component", "ferretdb")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, cfg, log, engineLog, ready) }()
	s := &testServer{cfg: cfg, logs: logs, cancel: cancel, done: done}
	select {
	case s.addr = <-ready:
	case err := <-done:
		cancel()
		t.Logf("server log:\n%s", logs)
		return nil, err
	case <-time.After(hangGuard):
		cancel()
		t.Fatalf("runServer did not report its address within %v\nlog:\n%s", hangGuard, logs)
	}
	s.url = "http://" + s.addr
	s.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: hangGuard}
	t.Cleanup(func() {
		if err := s.stop(t); err != nil {
			t.Errorf("runServer returned %v at the end of the test, want nil", err)
		}
		if t.Failed() {
			t.Logf("server log (%s):\n%s", s.addr, logs)
		}
	})
	return s, nil
}

// stop cancels the server's context and returns what runServer returned.
// Calling it again returns the same result.
func (s *testServer) stop(t *testing.T) error {
	t.Helper()
	if s.result != nil {
		return *s.result
	}
	s.cancel()
	select {
	case err := <-s.done:
		s.result = &err
	case <-time.After(hangGuard):
		t.Fatalf("runServer did not return within %v of its context ending", hangGuard)
	}
	s.client.CloseIdleConnections()
	return *s.result
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string  { s, _ := e.Extensions["code"].(string); return s }
func (e gqlError) field() string { s, _ := e.Extensions["field"].(string); return s }

// gqlResponse is a decoded GraphQL response with its HTTP envelope.
type gqlResponse struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// decode decodes data into out.
func (r *gqlResponse) decode(t *testing.T, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// leaks are fragments of driver, engine or runtime text that must never reach
// a client.
var leaks = []string{
	"mongo", "ferret", "sqlite", "E11000", "duplicate key", "UNIQUE constraint",
	"bson", "server selection", "connection(", "write exception", "context deadline",
	"goroutine", "panic", "runtime error", "nil pointer", ".go:",
}

// checkErrors asserts what every error must carry: a code from the catalogue
// and no internal text.
func checkErrors(t *testing.T, errs []gqlError) {
	t.Helper()
	catalogue := []string{"BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "UNAUTHENTICATED", "FORBIDDEN",
		"COMPLEXITY_LIMIT_EXCEEDED", "UNAVAILABLE", "INTERNAL"}
	for _, e := range errs {
		if !slices.Contains(catalogue, e.code()) {
			t.Errorf("error %q has extensions.code %q, not one of the catalogue %v", e.Message, e.code(), catalogue)
		}
		lower := strings.ToLower(e.Message)
		for _, l := range leaks {
			if strings.Contains(lower, strings.ToLower(l)) {
				t.Errorf("error message %q contains internal text %q", e.Message, l)
			}
		}
	}
}

// send performs req and decodes a GraphQL response from it, whatever the status.
func (s *testServer) send(t *testing.T, req *http.Request) *gqlResponse {
	t.Helper()
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	r := &gqlResponse{Status: res.StatusCode, Header: res.Header, Body: body}
	if err := json.Unmarshal(body, r); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %v\n%s", req.Method, req.URL, res.StatusCode, err, body)
	}
	checkErrors(t, r.Errors)
	return r
}

// postRequest is a GraphQL POST of query and variables.
func (s *testServer) postRequest(t *testing.T, query string, v vars) *http.Request {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": v})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// getRequest is a GraphQL GET of query and variables, with the header that
// shows it is not a cross-site request.
func (s *testServer) getRequest(t *testing.T, query string, v vars) *http.Request {
	t.Helper()
	q := url.Values{"query": {query}}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("variables", string(b))
	}
	req, err := http.NewRequest(http.MethodGet, s.url+"/graphql?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(server.PreflightHeader, "1")
	return req
}

// post sends query over POST application/json and expects 200 application/json.
func (s *testServer) post(t *testing.T, query string, v vars) *gqlResponse {
	t.Helper()
	r := s.send(t, s.postRequest(t, query, v))
	if r.Status != http.StatusOK {
		t.Fatalf("POST %s: status %d, want 200\n%s", firstLine(query), r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("POST: Content-Type %q, want application/json", ct)
	}
	return r
}

// do posts query, fails the test on any error, and decodes data into out (when not nil).
func (s *testServer) do(t *testing.T, query string, v vars, out any) {
	t.Helper()
	r := s.post(t, query, v)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: unexpected errors: %s", firstLine(query), r.Body)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// fail posts query and returns its only error, which must have code and,
// when field is not empty, extensions.field.
func (s *testServer) fail(t *testing.T, query string, v vars, code, field string) gqlError {
	t.Helper()
	r := s.post(t, query, v)
	return wantError(t, r, code, field)
}

func wantError(t *testing.T, r *gqlResponse, code, field string) gqlError {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("got %d errors, want exactly one %s:\n%s", len(r.Errors), code, r.Body)
	}
	e := r.Errors[0]
	if e.code() != code {
		t.Errorf("extensions.code = %q, want %q (message %q)", e.code(), code, e.Message)
	}
	if field != "" && e.field() != field {
		t.Errorf("extensions.field = %q, want %q (message %q)", e.field(), field, e.Message)
	}
	return e
}

// get performs a plain GET on path and returns the response with its body read.
func (s *testServer) get(t *testing.T, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

// waitClosed returns once nothing accepts connections on addr any more.
func waitClosed(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections %v after shutdown began", addr, hangGuard)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Fixtures: the records of the walkthrough in the brief.
const (
	agencyCode    = "000.00.06.H56"
	procedureCode = "1.001612"
	decree        = "61/2018/NĐ-CP"
	receivedAt    = "2021-04-15T09:00:00+07:00"
)

const createAgencyDoc = `mutation($in: CreateAgencyInput!) {
  createAgency(input: $in) { id code name abbreviation level parent { code } provenance { source caller recorded } }
}`

const createProcedureDoc = `mutation($in: CreateProcedureInput!) {
  createProcedure(input: $in) { id code name processingDays level agency { code } legalBases { symbol directives { id } } }
}`

const createDirectiveDoc = `mutation($in: CreateDirectiveInput!) {
  createDirective(input: $in) { id symbol { text number year type issuer unit } typeCode typeName issuerCode year issuedOn summary }
}`

const receiveDoc = `mutation($in: ReceiveDossierInput!) {
  receiveDossier(input: $in) { id code status statusCode version receivedAt processingDays dueDate appointmentDate }
}`

func (s *testServer) createAgency(t *testing.T, code string) {
	t.Helper()
	s.do(t, createAgencyDoc, vars{"in": vars{"code": code, "name": "Ủy ban nhân dân tỉnh " + code, "level": "PROVINCIAL"}}, nil)
}

func (s *testServer) createProcedure(t *testing.T) {
	t.Helper()
	s.do(t, createProcedureDoc, vars{"in": vars{
		"code": procedureCode, "name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "PROVINCIAL",
		"agencyCode": agencyCode, "processingDays": 5, "legalBases": []string{decree},
	}}, nil)
}

// seed creates the agency and the procedure dossiers need.
func (s *testServer) seed(t *testing.T) {
	t.Helper()
	s.createAgency(t, agencyCode)
	s.createProcedure(t)
}

// receive receives a dossier of the seeded procedure and returns its code.
func (s *testServer) receive(t *testing.T, code string) string {
	t.Helper()
	in := vars{
		"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "IN_PERSON",
		"applicant": vars{"name": "Nguyễn Văn An"}, "receivedAt": receivedAt,
	}
	if code != "" {
		in["code"] = code
	}
	var out struct{ ReceiveDossier struct{ Code string } }
	s.do(t, receiveDoc, vars{"in": in}, &out)
	return out.ReceiveDossier.Code
}

// count returns totalCount of the connection field of a query such as `dossiers`.
func (s *testServer) count(t *testing.T, connection string) int {
	t.Helper()
	var out map[string]struct{ TotalCount int }
	s.do(t, fmt.Sprintf(`{ c: %s { totalCount } }`, connection), nil, &out)
	return out["c"].TotalCount
}

// isNull reports whether a raw JSON value is null (and not "", which optional
// fields must never be).
func isNull(raw json.RawMessage) bool { return string(raw) == "null" }
