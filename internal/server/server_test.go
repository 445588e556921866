package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/telemetry"
)

// TestPanicAnswersInternal: a handler's panic answers INTERNAL with the
// request id, is logged with its stack and counted, and the server goes on
// serving.
func TestPanicAnswersInternal(t *testing.T) {
	var logged bytes.Buffer
	counted := map[string]int{}
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	h, err := Handler(boom, boom, func(context.Context) error { return nil }, nil, Config{
		Logger:   slog.New(telemetry.LogRequestIDs(slog.NewJSONHandler(&logged, nil))),
		Panicked: func(where string) { counted[where]++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, srv.URL+"/", nil),
		httptest.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`)),
	} {
		req.RequestURI = ""
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(RequestIDHeader, "panic-test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]string
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusInternalServerError || len(body.Errors) != 1 ||
			body.Errors[0].Extensions["code"] != "INTERNAL" || body.Errors[0].Extensions["requestId"] != "panic-test" ||
			strings.Contains(body.Errors[0].Message, "boom") {
			t.Errorf("%s %s: status %d, body %+v (%v); want 500, INTERNAL with the request id, the panic not shown",
				req.Method, req.URL.Path, resp.StatusCode, body, err)
		}
	}
	if counted["http"] != 2 {
		t.Errorf("panics counted: %v, want 2 at http", counted)
	}
	if log := logged.String(); !strings.Contains(log, `"panic":"boom"`) || !strings.Contains(log, "panic-test") || !strings.Contains(log, "server_test.go") {
		t.Errorf("log %s: want the panic, the request id and the stack", log)
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after the panics: %v, %v", resp, err)
	}
	resp.Body.Close()
}
