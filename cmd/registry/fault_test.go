package main

// Fault-injection tests: the store unreachable when the server starts, and
// lost while it serves — the embedded engine stopped and started under the
// server, and an external FerretDB process killed and restarted. Everything
// runs on loopback. Waits are bounded loops whose deadlines only turn a hang
// into a failure; the times measured are logged, never asserted.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/storetest"
)

// faultEngineEnv, when set to "dir|addr", makes the test binary an external
// FerretDB: it serves dir on addr, prints "ready", and runs until killed or
// until its stdin closes. init runs before TestMain, so such a process never
// starts the shared test engine nor runs a test.
const faultEngineEnv = "REGISTRY_FAULT_ENGINE"

func init() {
	spec, ok := os.LookupEnv(faultEngineEnv)
	if !ok {
		return
	}
	dir, addr, ok := strings.Cut(spec, "|")
	if !ok {
		fmt.Fprintf(os.Stderr, "%s=%q: want dir|addr\n", faultEngineEnv, spec)
		os.Exit(2)
	}
	eng, err := engine.StartAt(dir, addr, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault engine:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	// The parent holds our stdin: if it goes away, so do we.
	_, _ = io.Copy(io.Discard, os.Stdin)
	eng.Stop()
	os.Exit(0)
}

// freeAddr returns a loopback address nothing listens on (at the time of the call).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// faultConfig is a server on a fixed loopback address using the MongoDB
// server at storeAddr, with a fresh database name.
func faultConfig(t *testing.T, storeAddr string) *serveConfig {
	t.Helper()
	return &serveConfig{
		store: storeConfig{mongoURI: "mongodb://" + storeAddr + "/", database: storetest.Database(t)},
		addr:  freeAddr(t),
		http:  server.Config{Rate: 10000, Burst: 10000, Concurrency: 10000},
	}
}

// startUnready runs runServer with cfg (whose addr must be fixed) without
// waiting for the store: the returned server may still answer with its
// starting handler. logs is the buffer the server logs into; watches on it
// may be set before the call.
func startUnready(t *testing.T, cfg *serveConfig, logs *syncBuffer) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1) // buffered: nobody needs to read it
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, cfg, log, log, ready) }()
	s := &testServer{cfg: cfg, addr: cfg.addr, url: "http://" + cfg.addr, logs: logs, cancel: cancel, done: done,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: hangGuard}}
	t.Cleanup(func() {
		if err := s.stop(t); err != nil {
			t.Errorf("runServer returned %v at the end of the test, want nil", err)
		}
		if t.Failed() {
			t.Logf("server log (%s):\n%s", s.addr, logs)
		}
	})
	return s
}

// status performs GET path and returns its status, or 0 when the request
// could not be made (nothing listening yet).
func (s *testServer) status(path string) int {
	res, err := s.client.Get(s.url + path)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// waitStatus polls GET path until it answers want; the deadline is a hang guard.
func (s *testServer) waitStatus(t *testing.T, path string, want int) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(hangGuard)
	last := 0
	for {
		if last = s.status(path); last == want {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s still answers %d after %v, want %d", path, last, hangGuard, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantReadyz asserts one /readyz answer.
func (s *testServer) wantReadyz(t *testing.T, want int, when string) {
	t.Helper()
	if got := s.status("/readyz"); got != want {
		t.Errorf("%s: GET /readyz = %d, want %d", when, got, want)
	}
}

// answer is one GraphQL POST's outcome, gathered without failing the test
// so that it may run on any goroutine.
type answer struct {
	status int
	resp   gqlResponse
	raw    []byte
	took   time.Duration
	err    error // transport or decoding
}

// code is the only error's code, or a description of what came instead.
func (a answer) code() string {
	switch {
	case a.err != nil:
		return "error: " + a.err.Error()
	case len(a.resp.Errors) != 1:
		return fmt.Sprintf("%d errors", len(a.resp.Errors))
	}
	return a.resp.Errors[0].code()
}

// postAnswer posts query; the client's timeout is the hang guard.
func (s *testServer) postAnswer(query string, v vars) answer {
	var a answer
	body, err := json.Marshal(map[string]any{"query": query, "variables": v})
	if err != nil {
		a.err = err
		return a
	}
	start := time.Now()
	res, err := s.client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		a.err = err
		return a
	}
	defer res.Body.Close()
	a.raw, a.err = io.ReadAll(res.Body)
	a.took, a.status = time.Since(start), res.StatusCode
	if a.err == nil {
		a.err = json.Unmarshal(a.raw, &a.resp)
	}
	return a
}

// wantUnavailable posts query and asserts that it came back with 200 and
// exactly one UNAVAILABLE error. It may run on any goroutine.
func (s *testServer) wantUnavailable(t *testing.T, what, query string, v vars) {
	t.Helper()
	a := s.postAnswer(query, v)
	t.Logf("%s with the store away: answered %d %s in %v", what, a.status, a.code(), a.took.Round(time.Millisecond))
	if a.status != http.StatusOK || a.code() != "UNAVAILABLE" {
		t.Errorf("%s with the store away: want 200 with exactly one UNAVAILABLE error, got status %d (%s)\n%s", what, a.status, a.code(), a.raw)
	}
	checkErrors(t, a.resp.Errors)
}

const dossierDoc = `query($c: String!) { dossier(code: $c) { code version status history { seq action statusAfter note } } }`

// storeReadDoc needs the store: on FerretDB the gateway answers lists,
// reference data and recently used dossiers from memory (it is their only
// writer), so those are answered while the store is away; the audit log is
// read from the store on every engine.
const storeReadDoc = `{ auditLog(first: 5) { totalCount edges { node { operation } } } }`

type faultDossier struct {
	Code, Status string
	Version      int
	History      []struct {
		Seq                       int
		Action, StatusAfter, Note string
	}
}

func (s *testServer) dossier(t *testing.T, code string) faultDossier {
	t.Helper()
	var out struct{ Dossier *faultDossier }
	s.do(t, dossierDoc, vars{"c": code}, &out)
	if out.Dossier == nil {
		t.Fatalf("dossier %s not found", code)
	}
	return *out.Dossier
}

// wantHistory asserts the dossier's steps, in order, and a version consistent with them.
func wantHistory(t *testing.T, when string, d faultDossier, actions ...string) {
	t.Helper()
	var got []string
	for i, h := range d.History {
		got = append(got, h.Action)
		if h.Seq != i+1 {
			t.Errorf("%s: history[%d].seq = %d, want %d", when, i, h.Seq, i+1)
		}
	}
	if strings.Join(got, ",") != strings.Join(actions, ",") {
		t.Errorf("%s: history %v, want %v", when, got, actions)
	}
	if d.Version != len(actions) {
		t.Errorf("%s: version %d, want %d (one per step)", when, d.Version, len(actions))
	}
}

const supplementNote = "Thiếu bản sao giấy chứng sinh"

var supplementStep = vars{"action": "REQUEST_SUPPLEMENT", "at": "2021-04-16T10:00:00+07:00", "note": supplementNote}

// writeBeforeFault seeds the agency and procedure, receives a dossier and
// records a TRANSFER; it returns the dossier's code.
func (s *testServer) writeBeforeFault(t *testing.T) string {
	t.Helper()
	s.seed(t)
	code := s.receive(t, "")
	d := s.step(t, code, vars{"action": "TRANSFER", "at": "2021-04-15T10:00:00+07:00", "toUnit": "Phòng Hộ tịch"}, nil)
	if d.Version != 2 || d.Status != "IN_PROCESS" {
		t.Fatalf("after TRANSFER: version %d status %s, want 2 IN_PROCESS", d.Version, d.Status)
	}
	return code
}

// checkWhileAway asserts what the server answers while the store is away: a
// query and a step fail with UNAVAILABLE; /readyz is 503; /healthz is 200.
func (s *testServer) checkWhileAway(t *testing.T, code string) {
	t.Helper()
	// One read alone first: it meets the broken pooled connection. Then a
	// write and the readiness probe at once. (Many requests at once right
	// after the loss are TestFaultConcurrentRequestsAfterLoss's subject.)
	s.wantUnavailable(t, "query the audit log", storeReadDoc, nil)
	var wg sync.WaitGroup
	wg.Go(func() { s.wantUnavailable(t, "recordDossierStep", stepDoc, vars{"code": code, "in": supplementStep}) })
	wg.Go(func() { s.wantReadyz(t, http.StatusServiceUnavailable, "store away") })
	wg.Wait()
	if got := s.status("/healthz"); got != http.StatusOK {
		t.Errorf("store away: GET /healthz = %d, want 200 (the process is alive)", got)
	}
}

// checkRecovered asserts, once /readyz is 200 again without a server
// restart, that what was written before the fault is intact, that nothing
// of the failed writes was stored, and that writes work again.
func (s *testServer) checkRecovered(t *testing.T, code string) {
	t.Helper()
	took := s.waitStatus(t, "/readyz", http.StatusOK)
	t.Logf("/readyz 200 again %v after the store came back", took.Round(time.Millisecond))

	d := s.dossier(t, code)
	wantHistory(t, "after recovery, before any new step", d, "RECEIVE", "TRANSFER")
	if d.Status != "IN_PROCESS" {
		t.Errorf("after recovery: status %s, want IN_PROCESS", d.Status)
	}
	if n := s.count(t, "agencies"); n != 1 {
		t.Errorf("after recovery: %d agencies, want 1", n)
	}
	if n := s.count(t, "dossiers"); n != 1 {
		t.Errorf("after recovery: %d dossiers, want 1", n)
	}

	two := 2
	got := s.step(t, code, supplementStep, &two)
	if got.Version != 3 || got.Status != "SUPPLEMENT_REQUESTED" {
		t.Errorf("step after recovery: version %d status %s, want 3 SUPPLEMENT_REQUESTED", got.Version, got.Status)
	}
	d = s.dossier(t, code)
	wantHistory(t, "after recovery and the retried step", d, "RECEIVE", "TRANSFER", "REQUEST_SUPPLEMENT")
	if len(d.History) == 3 && d.History[2].Note != supplementNote {
		t.Errorf("retried step note = %q, want %q", d.History[2].Note, supplementNote)
	}
	// A new dossier gets the next code of the day's sequence.
	if next := s.receive(t, ""); next == code || next == "" {
		t.Errorf("dossier received after recovery has code %q (first was %q)", next, code)
	}
}

// The store is not there when the server starts: the server listens at once,
// is alive but not ready, logs why and retries, and serves once the store
// comes.
func TestFaultStoreUnreachableAtStartup(t *testing.T) {
	t.Parallel()
	storeAddr := freeAddr(t)
	// Stopped after the server (cleanups run last-registered first).
	var eng *engine.Engine
	t.Cleanup(func() {
		if eng != nil {
			eng.Stop()
		}
	})
	cfg := faultConfig(t, storeAddr)
	logs := &syncBuffer{}
	retrying := logs.when("store unreachable; /readyz answers 503 until it is; retrying")
	serving := logs.when(`msg=serving`)
	s := startUnready(t, cfg, logs)

	s.waitStatus(t, "/healthz", http.StatusOK)
	s.wantReadyz(t, http.StatusServiceUnavailable, "before the store is reachable")
	r := s.send(t, s.postRequest(t, `{ __typename }`, nil))
	if r.Status != http.StatusServiceUnavailable || len(r.Errors) != 1 || r.Errors[0].code() != "UNAVAILABLE" {
		t.Errorf("GraphQL POST before the store is reachable: status %d, want 503 with one UNAVAILABLE error\n%s", r.Status, r.Body)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("GraphQL POST before the store is reachable: no Retry-After header")
	}

	start := time.Now()
	select {
	case <-retrying:
		t.Logf("retry line logged %v after the first requests", time.Since(start).Round(time.Millisecond))
	case err := <-s.done:
		s.result = &err
		t.Fatalf("runServer returned %v while the store was unreachable, want it to retry", err)
	case <-time.After(hangGuard):
		t.Fatalf("no retry line logged within %v", hangGuard)
	}
	line := ""
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, "store unreachable") {
			line = l
			break
		}
	}
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "in=500ms") || !strings.Contains(line, "err=") {
		t.Errorf("retry line %q: want level ERROR, the first wait in=500ms and the cause err=", line)
	}
	s.wantReadyz(t, http.StatusServiceUnavailable, "while retrying")

	var err error
	if eng, err = engine.StartAt(t.TempDir(), storeAddr, nil); err != nil {
		t.Fatalf("start the engine on %s: %v", storeAddr, err)
	}
	took := s.waitStatus(t, "/readyz", http.StatusOK)
	t.Logf("/readyz 200 %v after the engine started", took.Round(time.Millisecond))
	select {
	case <-serving:
	case <-time.After(hangGuard):
		t.Errorf("no \"serving\" line logged although /readyz is 200")
	}

	s.seed(t)
	code := s.receive(t, "")
	d := s.dossier(t, code)
	wantHistory(t, "dossier received once the store came", d, "RECEIVE")
	if n := s.count(t, "procedures"); n != 1 {
		t.Errorf("%d procedures, want 1", n)
	}
}

// The embedded engine stops under a serving server and starts again on the
// same directory and address.
func TestFaultEngineLostWhileServing(t *testing.T) {
	t.Parallel()
	dir, storeAddr := t.TempDir(), freeAddr(t)
	var mu sync.Mutex
	var eng *engine.Engine
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if eng != nil {
			eng.Stop()
		}
	})
	startEngine := func() {
		t.Helper()
		e, err := engine.StartAt(dir, storeAddr, nil)
		if err != nil {
			t.Fatalf("start the engine on %s: %v", storeAddr, err)
		}
		mu.Lock()
		eng = e
		mu.Unlock()
	}
	startEngine()
	cfg := faultConfig(t, storeAddr)
	cfg.addr = "127.0.0.1:0"
	s := startServer(t, cfg)
	code := s.writeBeforeFault(t)
	s.wantReadyz(t, http.StatusOK, "engine running")

	mu.Lock()
	eng.Stop()
	eng = nil
	mu.Unlock()
	s.checkWhileAway(t, code)

	startEngine()
	s.checkRecovered(t, code)
}

// An external FerretDB process is killed (SIGKILL) under a serving server
// and started again on the same directory and address.
func TestFaultExternalEngineKilled(t *testing.T) {
	t.Parallel()
	dir, storeAddr := t.TempDir(), freeAddr(t)
	proc := startEngineProcess(t, dir, storeAddr)
	cfg := faultConfig(t, storeAddr)
	cfg.addr = "127.0.0.1:0"
	s := startServer(t, cfg)
	code := s.writeBeforeFault(t)
	s.wantReadyz(t, http.StatusOK, "engine process running")

	proc.kill(t)
	s.checkWhileAway(t, code)

	startEngineProcess(t, dir, storeAddr)
	s.checkRecovered(t, code)
}

// engineProcess is the test binary re-executed as an external FerretDB.
type engineProcess struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	stderr *syncBuffer
	once   sync.Once
	err    error
}

// startEngineProcess starts the process and returns once it prints "ready";
// it is killed when the test ends, if it has not been before.
func startEngineProcess(t *testing.T, dir, addr string) *engineProcess {
	t.Helper()
	p := &engineProcess{stderr: &syncBuffer{}}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), faultEngineEnv+"="+dir+"|"+addr)
	p.cmd.Stderr = p.stderr
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start the engine process: %v", err)
	}
	t.Cleanup(func() { p.kill(t) })
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		line := ""
		if sc.Scan() {
			line = sc.Text()
		}
		first <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		if line != "ready" {
			t.Fatalf("engine process on %s said %q, want \"ready\"; stderr:\n%s", addr, line, p.stderr)
		}
	case <-time.After(hangGuard):
		t.Fatalf("engine process on %s not ready within %v; stderr:\n%s", addr, hangGuard, p.stderr)
	}
	return p
}

// kill sends SIGKILL and reaps the process; later calls do nothing.
func (p *engineProcess) kill(t *testing.T) {
	t.Helper()
	p.once.Do(func() {
		_ = p.cmd.Process.Kill()
		p.err = p.cmd.Wait()
		_ = p.stdin.Close()
	})
	if p.cmd.ProcessState == nil || p.cmd.ProcessState.Success() {
		t.Errorf("engine process: %v (state %v), want it killed", p.err, p.cmd.ProcessState)
	}
}

// Many requests at once right after the store is lost — reads and writes,
// as a busy desk sends them — must all answer UNAVAILABLE, and fail fast:
// no later than the request timeout the server itself imposes
// (server.Config.Timeout). Nothing of the refused writes is stored.
func TestFaultConcurrentRequestsAfterLoss(t *testing.T) {
	t.Parallel()
	dir, storeAddr := t.TempDir(), freeAddr(t)
	eng, err := engine.StartAt(dir, storeAddr, nil)
	if err != nil {
		t.Fatalf("start the engine on %s: %v", storeAddr, err)
	}
	t.Cleanup(eng.Stop) // stopping twice is harmless
	const timeout = 6 * time.Second
	cfg := faultConfig(t, storeAddr)
	cfg.addr, cfg.http.Timeout = "127.0.0.1:0", timeout
	s := startServer(t, cfg)
	code := s.writeBeforeFault(t)
	// The driver's pool now holds one or two idle connections: requests
	// beyond those wait for new ones when the store goes.
	eng.Stop()

	const reads, writes = 8, 4
	answers := make([]answer, reads+writes)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			if i < reads {
				answers[i] = s.postAnswer(storeReadDoc, nil)
			} else {
				answers[i] = s.postAnswer(stepDoc, vars{"code": code, "in": supplementStep})
			}
		})
	}
	wg.Wait()
	var internal, slow []string
	var summary strings.Builder
	for i, a := range answers {
		what := "read"
		if i >= reads {
			what = "write"
		}
		fmt.Fprintf(&summary, "\n  %s %d: %d %s after %v", what, i, a.status, a.code(), a.took.Round(time.Millisecond))
		switch {
		case a.code() == "INTERNAL":
			internal = append(internal, fmt.Sprintf("%s %d", what, i))
		case a.status != http.StatusOK || a.code() != "UNAVAILABLE":
			t.Errorf("%s %d with the store away: want 200 with one UNAVAILABLE error, got %d %s\n%s", what, i, a.status, a.code(), a.raw)
		}
		if a.took > timeout+time.Second {
			slow = append(slow, fmt.Sprintf("%s %d after %v", what, i, a.took.Round(time.Millisecond)))
		}
	}
	t.Logf("%d reads and %d writes at once right after the store was lost (request timeout %v):%s", reads, writes, timeout, summary.String())
	if len(internal) > 0 {
		t.Errorf("BUG: %v answered INTERNAL (\"internal error\"), not UNAVAILABLE, with the store away. The server log shows the "+
			"cause: the driver's \"connection pool for … was cleared because another operation failed with: … EOF\" (a "+
			"mongo.CommandError labelled TransientTransactionError wrapping topology.poolClearedError, a "+
			"driver.RetryablePoolError) — mongostore.classify (internal/mongostore/store.go) recognises only timeouts, "+
			"NetworkError-labelled errors and ErrClientDisconnected, so an operation that checks a connection out of the "+
			"pool another operation just cleared is reported as an internal error", internal)
	}
	if len(slow) > 0 {
		t.Errorf("BUG: with the store away, %v answered later than the server's own request timeout %v: the writes "+
			"queue on the store's one-slot writer (memstore.write, internal/memstore/memory.go), each holding it for a whole 3 s "+
			"server selection, and every failed write then queues its audit entry (service.audit, internal/service/audit.go) "+
			"on the same slot under a context detached from the request's deadline (WithoutCancel + 5 s); requests do "+
			"not fail fast", slow, timeout)
	}

	// Nothing of the refused steps was stored.
	eng, err = engine.StartAt(dir, storeAddr, nil)
	if err != nil {
		t.Fatalf("restart the engine on %s: %v", storeAddr, err)
	}
	t.Cleanup(eng.Stop)
	s.waitStatus(t, "/readyz", http.StatusOK)
	wantHistory(t, "after refused concurrent steps", s.dossier(t, code), "RECEIVE", "TRANSFER")
}
