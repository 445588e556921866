package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// TestGraphQLOverHTTPRules: what the server enforces around the GraphQL
// handler, with a stand-in handler that answers as gqlgen does for a
// request error (422 under application/json, "data": null).
func TestGraphQLOverHTTPRules(t *testing.T) {
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := "application/json"
		if strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json") {
			ct = "application/graphql-response+json"
		}
		w.Header().Set("Content-Type", ct)
		status := http.StatusUnprocessableEntity
		if ct != "application/json" {
			status = http.StatusBadRequest
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"errors":[{"message":"Expected Name"}],"data":null}`))
	})
	h, err := Handler(gql, http.NotFoundHandler(), func(context.Context) error { return nil }, nil, Config{MaxBody: 64})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method, path, ct, accept, body string, header ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, c := range []struct {
		name                     string
		method, ct, accept, body string
		header                   []string
		status                   int
		has, lacks               string
	}{
		{name: "request error under application/json is 200", method: "POST", ct: "application/json", accept: "application/json", body: `{"query":"{"}`, status: 200, has: `"errors"`},
		{name: "request error under graphql-response+json is 400 without data", method: "POST", ct: "application/json", accept: "application/graphql-response+json", body: `{"query":"{"}`, status: 400, has: `"errors"`, lacks: `"data"`},
		{name: "a POST body that is not JSON", method: "POST", ct: "text/plain", body: `{}`, status: 415},
		{name: "another method", method: "PUT", ct: "application/json", body: `{}`, status: 405},
		{name: "a GET without the preflight header", method: "GET", status: 400, has: "GraphQL-Require-Preflight"},
		{name: "a mutation over GET", method: "GET", header: []string{PreflightHeader, "1"}, status: 405},
		{name: "a body over the limit", method: "POST", ct: "application/json", body: `{"query":"` + strings.Repeat("x", 100) + `"}`, status: 413},
	} {
		path := "/graphql"
		if c.name == "a mutation over GET" {
			path += "?query=" + url.QueryEscape("mutation { x }")
		}
		status, body := do(c.method, path, c.ct, c.accept, c.body, c.header...)
		if status != c.status || (c.has != "" && !strings.Contains(body, c.has)) || (c.lacks != "" && strings.Contains(body, c.lacks)) {
			t.Errorf("%s: status %d, body %s; want %d with %q and without %q", c.name, status, body, c.status, c.has, c.lacks)
		}
	}
}
