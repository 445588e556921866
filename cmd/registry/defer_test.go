package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// deferHistoryDoc defers a dossier's history, the heavy part of a dossier.
const deferHistoryDoc = `query($code: String!) {
  dossier(code: $code) { code status ... @defer(label: "history") { history { seq action } } }
}`

// TestDeferMultipart: with Accept: multipart/mixed a deferred dossier history
// and deferred statistics groups arrive in a later part than the rest.
func TestDeferMultipart(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")
	parts := s.deferParts(t, deferHistoryDoc, vars{"code": code})
	first := string(parts[0]["data"])
	// gqlgen holds a deferred field's place with null.
	if !strings.Contains(first, code) || strings.Contains(first, `"seq"`) {
		t.Errorf("first part %s, want the dossier without its history", first)
	}
	later := jsonText(parts[1:])
	if !strings.Contains(later, `"history":[{"seq":1,"action":"RECEIVE"}]`) || !strings.Contains(later, `"label":"history"`) {
		t.Errorf("later parts %s, want the history labelled history", later)
	}
	parts = s.deferParts(t, `{ dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH], asOf: "2021-12-31") {
		total { received { total } } ... @defer { groups { period { label } } } } }`, nil)
	if first, later := string(parts[0]["data"]), jsonText(parts[1:]); strings.Contains(first, "label") || !strings.Contains(later, `"groups":[{"period":{"label":`) {
		t.Errorf("first part %s, later %s: want the groups later", first, later)
	}
}

// deferParts posts query asking for multipart/mixed and returns the parts of
// the answer, checking it is streamed and has at least two.
func (s *testServer) deferParts(t *testing.T, query string, v vars) []map[string]json.RawMessage {
	t.Helper()
	req := s.postRequest(t, query, v)
	req.Header.Set("Accept", "multipart/mixed; deferSpec=20220824, application/json")
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d, Content-Type %q, want multipart/mixed\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// Streamed: a buffered answer would come whole, with its length.
	if len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %v, Content-Length %d: want the parts streamed (chunked)", res.TransferEncoding, res.ContentLength)
	}
	var parts []map[string]json.RawMessage
	r := multipart.NewReader(res.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		var part map[string]json.RawMessage
		if err := json.NewDecoder(p).Decode(&part); err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		parts = append(parts, part)
	}
	if len(parts) < 2 {
		t.Fatalf("got %d parts, want the rest then what was deferred: %s", len(parts), jsonText(parts))
	}
	return parts
}

// TestDeferApolloClient runs the real Apollo Client's @defer support against
// the server: the client first sees the dossier without its history, then
// settles on a result that merges the deferred history in.
func TestDeferApolloClient(t *testing.T) {
	t.Parallel()
	node := nodeTests(t)
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")
	cmd := exec.CommandContext(t.Context(), node, "testdata/node/defer.mjs", s.url+"/graphql", deferHistoryDoc, code)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("defer.mjs: %v\n%s%s", err, out, stderr.String())
	}
	type result struct {
		Dossier struct {
			Code, Status string
			History      []struct {
				Seq    int
				Action string
			}
		}
	}
	var got struct{ First, Last result }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("defer.mjs output: %v\n%s", err, out)
	}
	if f := got.First.Dossier; f.Code != code || f.History != nil {
		t.Errorf("Apollo Client first saw %s, want dossier %s without its history", out, code)
	}
	d := got.Last.Dossier
	if d.Code != code || d.Status == "" || len(d.History) != 1 || d.History[0].Action != "RECEIVE" {
		t.Errorf("Apollo Client settled on %s, want dossier %s with its one RECEIVE step", out, code)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestDeferWithoutMultipart: a client that does not ask for multipart/mixed
// gets the deferred fields in its one answer, as if not deferred.
func TestDeferWithoutMultipart(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")
	for _, req := range []*http.Request{s.postRequest(t, deferHistoryDoc, vars{"code": code}), s.getRequest(t, deferHistoryDoc, vars{"code": code})} {
		r := s.send(t, req)
		if body := string(r.Body); !strings.Contains(body, `"history":[{"seq":1,"action":"RECEIVE"}]`) || strings.Contains(body, "hasNext") {
			t.Errorf("%s: %s, want the history in the one answer", req.Method, body)
		}
	}
}
