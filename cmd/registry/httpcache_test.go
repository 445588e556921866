package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/server"
)

// TestHTTPCachingOverHTTP: through the server on the embedded engine, a GET
// query's answer has an ETag that answers 304 without a body when sent
// back, and a new one after a mutation; anonymous, editor and auditor
// callers get tags of their own, public or private caching and Vary; a
// persisted query's GET has one too; POST answers have none.
func TestHTTPCachingOverHTTP(t *testing.T) {
	cfg := defaultConfig(t)
	path, keys := writeKeys(t)
	cfg.keys = path
	s := startServer(t, cfg)
	const query = `{ agencies(first: 5) { edges { node { code } } } }`
	get := func(rawQuery, secret, ifNoneMatch string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.url+"/graphql?"+rawQuery, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(server.PreflightHeader, "1")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	plain := url.Values{"query": {query}}.Encode()

	res, body := get(plain, "", "")
	tag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || tag == "" || strings.Contains(body, `"errors"`) {
		t.Fatalf("GET: status %d, ETag %q, body %s; want 200 with an ETag", res.StatusCode, tag, body)
	}
	if res, body := get(plain, "", tag); res.StatusCode != http.StatusNotModified || body != "" || res.Header.Get("ETag") != tag {
		t.Errorf("GET with If-None-Match: status %d, ETag %q, body %q; want 304, the same tag, no body", res.StatusCode, res.Header.Get("ETag"), body)
	}

	create := s.postRequest(t, createAgencyDoc, vars{"in": vars{"code": agencyCode, "name": "Ủy ban nhân dân tỉnh", "level": "PROVINCIAL"}})
	create.Header.Set("Authorization", "Bearer "+keys.editor)
	if r := s.send(t, create); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("createAgency: status %d, %s", r.Status, r.Body)
	}
	if r := s.send(t, s.postRequest(t, query, nil)); r.Status != http.StatusOK || r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "" {
		t.Errorf("POST: status %d, ETag %q, Cache-Control %q; want 200 without either", r.Status, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
	}
	res, body = get(plain, "", tag)
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == tag || res.Header.Get("ETag") == "" || !strings.Contains(body, agencyCode) {
		t.Errorf("GET after a mutation: status %d, ETag %q (was %q), body %s; want 200, a new tag, the new agency",
			res.StatusCode, res.Header.Get("ETag"), tag, body)
	}

	seen := map[string]string{}
	for _, c := range []struct{ who, secret, cache string }{
		{"anonymous", "", "public, max-age=60"},
		{"editor", keys.editor, "private, max-age=0, must-revalidate"},
		{"auditor", keys.auditor, "private, max-age=0, must-revalidate"},
	} {
		res, _ := get(plain, c.secret, "")
		tag, vary := res.Header.Get("ETag"), strings.Join(res.Header.Values("Vary"), ", ")
		if tag == "" || seen[tag] != "" || res.Header.Get("Cache-Control") != c.cache ||
			!strings.Contains(vary, "Authorization") || !strings.Contains(vary, "Accept") {
			t.Errorf("%s: ETag %q (also %q's), Cache-Control %q, Vary %q; want its own tag, %q, Vary with Authorization and Accept",
				c.who, tag, seen[tag], res.Header.Get("Cache-Control"), vary, c.cache)
		}
		seen[tag] = c.who
	}

	// Automatic persisted queries: the query with its hash, then the hash alone.
	sum := sha256.Sum256([]byte(query))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	if res, body := get(url.Values{"query": {query}, "extensions": {ext}}.Encode(), "", ""); res.StatusCode != http.StatusOK {
		t.Fatalf("registering the persisted query: status %d, %s", res.StatusCode, body)
	}
	hashOnly := url.Values{"extensions": {ext}}.Encode()
	res, body = get(hashOnly, "", "")
	ptag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || ptag == "" || !strings.Contains(body, agencyCode) {
		t.Fatalf("persisted query by hash: status %d, ETag %q, body %s; want 200 with an ETag", res.StatusCode, ptag, body)
	}
	if res, _ := get(hashOnly, "", ptag); res.StatusCode != http.StatusNotModified {
		t.Errorf("persisted query with If-None-Match: status %d, want 304", res.StatusCode)
	}
	if seen[ptag] != "" {
		t.Errorf("persisted query's tag %q is %s's", ptag, seen[ptag])
	}
}
