package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// noOTLP keeps a developer's OTLP settings from reaching tests that expect none.
func noOTLP(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
}

func newTelemetry(t *testing.T, cfg Config) *Telemetry {
	t.Helper()
	if cfg.TracerProvider == nil {
		noOTLP(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tel, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return tel
}

func TestMetrics(t *testing.T) {
	tel := newTelemetry(t, Config{Version: "1.2.3"})
	var inFlight float64
	resolvers := testResolvers()
	resolvers["dossier"] = func(context.Context, graphql.CollectedField) (any, error) {
		inFlight = testutil.ToFloat64(tel.inFlight)
		return "ok", nil
	}
	srv := newServer(tel, resolvers)

	post(t, srv, "r1", `query GetDossier($c: String!) { dossier(code: $c) }`, map[string]any{"c": "X"})
	post(t, srv, "r2", `query GetDossier { dossier(code: "Y") }`, nil)
	post(t, srv, "r3", `{ missing broken }`, nil)
	post(t, srv, "r4", `mutation Touch { touch }`, nil)
	post(t, srv, "r5", `query Bad { nope }`, nil) // fails validation: never dispatched
	tel.SetRollupLag(0)

	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"GetDossier", testutil.ToFloat64(tel.requests.WithLabelValues("query", "GetDossier")), 2},
		{"anonymous", testutil.ToFloat64(tel.requests.WithLabelValues("query", "anonymous")), 1},
		{"Touch", testutil.ToFloat64(tel.requests.WithLabelValues("mutation", "Touch")), 1},
		{"rejected", testutil.ToFloat64(tel.requests.WithLabelValues("unknown", "unknown")), 1},
		{"NOT_FOUND", testutil.ToFloat64(tel.errors.WithLabelValues("NOT_FOUND")), 1},
		{"INTERNAL", testutil.ToFloat64(tel.errors.WithLabelValues("INTERNAL")), 1},
		{"GRAPHQL_VALIDATION_FAILED", testutil.ToFloat64(tel.errors.WithLabelValues("GRAPHQL_VALIDATION_FAILED")), 1},
		{"in flight during resolver", inFlight, 1},
		{"in flight after", testutil.ToFloat64(tel.inFlight), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	assertContains(t, scrape(t, tel),
		`registry_build_info{goversion="`+runtime.Version()+`",version="1.2.3"} 1`,
		`registry_graphql_requests_total{name="GetDossier",type="query"} 2`,
		`registry_graphql_request_duration_seconds_count{type="query"} 3`,
		`registry_graphql_request_duration_seconds_count{type="mutation"} 1`,
		`registry_graphql_request_duration_seconds_bucket{type="query",le="0.005"}`,
		`registry_graphql_errors_total{code="NOT_FOUND"} 1`,
		`registry_graphql_in_flight 0`,
		`registry_rollup_lag_seconds 0`,
		"go_goroutines ",
		"process_start_time_seconds ",
	)
}

func TestOperationNameFolding(t *testing.T) {
	s := newNameSet(2)
	long := strings.Repeat("a", maxNameLength)
	for _, c := range []struct{ in, want string }{
		{"", "anonymous"},
		{"First", "First"},
		{"bad-name", "invalid"},
		{long + "a", "invalid"},
		{"Second_2", "Second_2"},
		{"Third", "other"},
		{"First", "First"},
		{long, "other"},
	} {
		if got := s.label(c.in); got != c.want {
			t.Errorf("label(%q) = %q, want %q", c.in, got, c.want)
		}
	}

	tel := newTelemetry(t, Config{MaxOperationNames: 1})
	srv := newServer(tel, testResolvers())
	post(t, srv, "", `query First { dossier(code: "A") }`, nil)
	post(t, srv, "", `query Second { dossier(code: "A") }`, nil)
	post(t, srv, "", `query Third { dossier(code: "A") }`, nil)
	if got := testutil.CollectAndCount(tel.requests); got != 2 {
		t.Errorf("%d request series, want 2 (First, other)", got)
	}
	if got := testutil.ToFloat64(tel.requests.WithLabelValues("query", "other")); got != 2 {
		t.Errorf("other: %v, want 2", got)
	}
}

func TestLogLine(t *testing.T) {
	var buf bytes.Buffer
	tel := newTelemetry(t, Config{Logger: slog.New(LogRequestIDs(slog.NewJSONHandler(&buf, nil)))})
	srv := newServer(tel, testResolvers())

	post(t, srv, "req-42", `query Find($c: String!) { dossier(code: $c) missing broken }`,
		map[string]any{"c": "SECRET-VARIABLE"})
	post(t, srv, "req-43", `query Inline { dossier(code: "SECRET-LITERAL") }`, nil)

	out := buf.String()
	for _, secret := range []string{"SECRET-VARIABLE", "SECRET-LITERAL", "dossier("} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), out)
	}
	var line struct {
		Level         string   `json:"level"`
		RequestID     string   `json:"request_id"`
		OperationType string   `json:"operation_type"`
		OperationName string   `json:"operation_name"`
		Duration      *int64   `json:"duration"`
		ErrorCodes    []string `json:"error_codes"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line.Level != "ERROR" || line.RequestID != "req-42" || line.OperationType != "query" ||
		line.OperationName != "Find" || line.Duration == nil ||
		strings.Join(line.ErrorCodes, ",") != "INTERNAL,NOT_FOUND" {
		t.Errorf("unexpected line: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"level":"INFO"`) || !strings.Contains(lines[1], `"error_codes":[]`) {
		t.Errorf("unexpected line: %s", lines[1])
	}
}

// storeCall is a resolver that issues a driver command the way the store would.
func storeCall(monitor *event.CommandMonitor) resolver {
	return func(ctx context.Context, _ graphql.CollectedField) (any, error) {
		monitor.Started(ctx, &event.CommandStartedEvent{
			CommandName: "find", DatabaseName: "registry", RequestID: 7, ConnectionID: "c1",
		})
		monitor.Succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{
			CommandName: "find", DatabaseName: "registry", RequestID: 7, ConnectionID: "c1", Duration: time.Millisecond,
		}})
		return "ok", nil
	}
}

func spansByName(spans []sdktrace.ReadOnlySpan) map[string]sdktrace.ReadOnlySpan {
	m := make(map[string]sdktrace.ReadOnlySpan)
	for _, s := range spans {
		m[s.Name()] = s
	}
	return m
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := make(map[attribute.Key]string)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.Emit()
	}
	return m
}

func TestOperationTrace(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tel := newTelemetry(t, Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))})
	resolvers := testResolvers()
	resolvers["dossier"] = storeCall(tel.MongoMonitor())
	srv := newServer(tel, resolvers)

	post(t, srv, "", `query GetDossier { dossier(code: "A") broken }`, nil)

	spans := spansByName(recorder.Ended())
	op, field, cmd, broken := spans["query"], spans["Query.dossier"], spans["mongo.find"], spans["Query.broken"]
	if op == nil || field == nil || cmd == nil || broken == nil || len(spans) != 4 {
		t.Fatalf("spans: %v", spans)
	}
	if got := attrs(op); got["graphql.operation.name"] != "GetDossier" || got["graphql.operation.type"] != "query" {
		t.Errorf("operation span attributes: %v", got)
	}
	if op.SpanKind() != trace.SpanKindServer || op.Parent().IsValid() {
		t.Errorf("operation span: kind %v, parent %v", op.SpanKind(), op.Parent())
	}
	if field.Parent().SpanID() != op.SpanContext().SpanID() || broken.Parent().SpanID() != op.SpanContext().SpanID() {
		t.Error("resolver spans are not children of the operation span")
	}
	if cmd.Parent().SpanID() != field.SpanContext().SpanID() {
		t.Error("command span is not a child of its resolver's span")
	}
	if field.Status().Code != codes.Unset || broken.Status().Code != codes.Error || op.Status().Code != codes.Error {
		t.Errorf("statuses: dossier %v, broken %v, operation %v", field.Status(), broken.Status(), op.Status())
	}

	recorder.Reset()
	post(t, srv, "", `mutation { touch }`, nil)
	spans = spansByName(recorder.Ended())
	if spans["mutation"] == nil || spans["Mutation.touch"] == nil {
		t.Errorf("mutation spans: %v", spans)
	}
	if _, named := attrs(spans["mutation"])["graphql.operation.name"]; named {
		t.Error("anonymous operation has a name attribute")
	}
}

func TestMongoMonitor(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	tel := newTelemetry(t, Config{TracerProvider: tp})
	monitor := tel.MongoMonitor()

	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	started := func(id int64, cmd string) {
		monitor.Started(ctx, &event.CommandStartedEvent{
			CommandName: cmd, DatabaseName: "registry", RequestID: id, ConnectionID: "c1",
			Command: []byte("SECRET-DOCUMENT"),
		})
	}
	finished := func(id int64, cmd string) event.CommandFinishedEvent {
		return event.CommandFinishedEvent{CommandName: cmd, DatabaseName: "registry", RequestID: id, ConnectionID: "c1", Duration: 2 * time.Millisecond}
	}
	started(1, "find")
	started(2, "insert")
	monitor.Succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: finished(1, "find")})
	monitor.Failed(ctx, &event.CommandFailedEvent{CommandFinishedEvent: finished(2, "insert"), Failure: io.ErrUnexpectedEOF})
	parent.End()

	spans := spansByName(recorder.Ended())
	find, insert := spans["mongo.find"], spans["mongo.insert"]
	if find == nil || insert == nil {
		t.Fatalf("spans: %v", spans)
	}
	for _, s := range []sdktrace.ReadOnlySpan{find, insert} {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: parent %v, kind %v", s.Name(), s.Parent(), s.SpanKind())
		}
		a := attrs(s)
		if a["db.system"] != "mongodb" || a["db.operation.name"] != strings.TrimPrefix(s.Name(), "mongo.") || len(a) != 3 {
			t.Errorf("%s attributes: %v", s.Name(), a)
		}
	}
	if find.Status().Code != codes.Unset || insert.Status().Code != codes.Error || len(insert.Events()) != 0 {
		t.Errorf("statuses: find %v, insert %v %v", find.Status(), insert.Status(), insert.Events())
	}

	assertContains(t, scrape(t, tel),
		`registry_store_command_duration_seconds_count{command="find"} 1`,
		`registry_store_command_duration_seconds_count{command="insert"} 1`,
		`registry_store_command_duration_seconds_bucket{command="find",le="0.0025"} 1`,
		`registry_store_command_errors_total{command="insert"} 1`,
	)
	if strings.Contains(scrape(t, tel), `registry_store_command_errors_total{command="find"}`) {
		t.Error("successful command counted as an error")
	}
}

func TestNoTracingWithoutEndpoint(t *testing.T) {
	tel := newTelemetry(t, Config{})
	if tel.shutdown != nil {
		t.Error("an exporter was built without OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	monitor := tel.MongoMonitor()
	storeCall(monitor)(context.Background(), graphql.CollectedField{})
	tel.commands.Range(func(k, _ any) bool {
		t.Errorf("span kept for %v without tracing", k)
		return true
	})
}

// TestOTLPExport points the exporter at a collector on a loopback port.
func TestOTLPExport(t *testing.T) {
	var (
		mu       sync.Mutex
		requests []*collectortrace.ExportTraceServiceRequest
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := new(collectortrace.ExportTraceServiceRequest)
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		requests = append(requests, req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")

	tel, err := New(Config{Version: "1.2.3", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	post(t, newServer(tel, testResolvers()), "", `query GetDossier { dossier(code: "A") }`, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	names := map[string]bool{}
	service := ""
	for _, req := range requests {
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					service = kv.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names[s.Name] = true
				}
			}
		}
	}
	if service != "registry" || !names["query"] || !names["Query.dossier"] {
		t.Errorf("exported service %q, spans %v", service, names)
	}
}
