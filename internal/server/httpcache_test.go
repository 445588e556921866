package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/auth"
)

// cacheServer serves a stand-in GraphQL handler whose answers depend on a
// store version and the caller's role, with keys for an editor and an
// auditor; version is what CacheVersion reports.
func cacheServer(t *testing.T, version *atomic.Int64, versioned bool) (*httptest.Server, map[string]string) {
	t.Helper()
	secrets, entries := map[string]string{}, []auth.KeyEntry{}
	for _, role := range []auth.Role{auth.RoleEditor, auth.RoleAuditor} {
		secret, entry, err := auth.NewKey(strings.ToLower(string(role)), role, "")
		if err != nil {
			t.Fatal(err)
		}
		secrets[string(role)], entries = secret, append(entries, entry)
	}
	data, _ := json.Marshal(map[string]any{"keys": entries})
	keys, err := auth.ParseKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query().Get("query")
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			q = string(body)
		}
		if strings.Contains(q, "fail") {
			fmt.Fprint(w, `{"errors":[{"message":"no"}],"data":null}`)
			return
		}
		fmt.Fprintf(w, `{"data":{"n":%d,"role":%q}}`, version.Load(), auth.FromContext(r.Context()).Role)
	})
	cfg := Config{Keys: keys, CacheMaxAge: 90 * time.Second}
	if versioned {
		cfg.CacheVersion = func(context.Context) (string, bool) { return strconv.FormatInt(version.Load(), 10), true }
	}
	h, err := Handler(gql, http.NotFoundHandler(), func(context.Context) error { return nil }, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, secrets
}

func cacheGET(t *testing.T, srv *httptest.Server, query, secret string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?"+url.Values{"query": {query}}.Encode(), nil)
	req.Header.Set(PreflightHeader, "1")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestHTTPCacheRoundTrip: a GET answer has an ETag; the same GET with it in
// If-None-Match is 304 without a body (also as a weak or strong tag among
// others, and with *); a change of version gives 200 and another tag.
func TestHTTPCacheRoundTrip(t *testing.T) {
	var version atomic.Int64
	srv, _ := cacheServer(t, &version, true)
	resp, body := cacheGET(t, srv, "{ n }", "")
	tag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(tag, `W/"`) || body == "" {
		t.Fatalf("GET: status %d, ETag %q, body %q; want 200 with a weak ETag", resp.StatusCode, tag, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=90" {
		t.Errorf("anonymous GET: Cache-Control %q, want public, max-age=90", cc)
	}
	opaque := strings.TrimPrefix(tag, "W/")
	for _, inm := range []string{tag, opaque, `"other", ` + tag, `W/"x",` + opaque, "*"} {
		resp, body := cacheGET(t, srv, "{ n }", "", "If-None-Match", inm)
		if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != tag ||
			resp.Header.Get("Cache-Control") == "" || !slices.Contains(resp.Header.Values("Vary"), cacheVary) {
			t.Errorf("If-None-Match %s: status %d, body %q, headers %v; want 304, no body, the tag, Cache-Control and Vary",
				inm, resp.StatusCode, body, resp.Header)
		}
	}
	if resp, _ := cacheGET(t, srv, "{ n }", "", "If-None-Match", `"other"`); resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match of another tag: status %d, want 200", resp.StatusCode)
	}
	version.Add(1)
	resp, _ = cacheGET(t, srv, "{ n }", "", "If-None-Match", tag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == tag || resp.Header.Get("ETag") == "" {
		t.Errorf("after a change: status %d, ETag %q (was %q); want 200 with a new tag", resp.StatusCode, resp.Header.Get("ETag"), tag)
	}
}

// TestHTTPCacheRoles: anonymous and two keyed roles get three tags, public
// or private caching, and Vary naming Authorization and Accept; one role's
// tag is no validator for another.
func TestHTTPCacheRoles(t *testing.T) {
	var version atomic.Int64
	srv, secrets := cacheServer(t, &version, true)
	tags := map[string]bool{}
	for _, who := range []string{"", "EDITOR", "AUDITOR"} {
		resp, _ := cacheGET(t, srv, "{ n }", secrets[who])
		tag, cc, vary := resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), strings.Join(resp.Header.Values("Vary"), ", ")
		want := "private, max-age=0, must-revalidate"
		if who == "" {
			want = "public, max-age=90"
		}
		if tag == "" || tags[tag] || cc != want || !strings.Contains(vary, "Authorization") || !strings.Contains(vary, "Accept") {
			t.Errorf("%q: ETag %q (seen: %v), Cache-Control %q, Vary %q; want a tag of its own, %q, Vary with Authorization and Accept",
				who, tag, tags[tag], cc, vary, want)
		}
		tags[tag] = true
		for other := range tags {
			if other == tag {
				continue
			}
			if resp, _ := cacheGET(t, srv, "{ n }", secrets[who], "If-None-Match", other); resp.StatusCode != http.StatusOK {
				t.Errorf("%q with another role's tag: status %d, want 200", who, resp.StatusCode)
			}
		}
	}
}

// TestHTTPCacheNone: answers with errors, POST answers, and a store without
// a version carry no ETag.
func TestHTTPCacheNone(t *testing.T) {
	var version atomic.Int64
	srv, _ := cacheServer(t, &version, true)
	if resp, _ := cacheGET(t, srv, "{ fail }", ""); resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET answered with errors: ETag %q, Cache-Control %q; want none, no-store", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
	if resp, _ := cacheGET(t, srv, "{ fail }", "", "If-None-Match", "*"); resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match * on an error: status %d, want 200", resp.StatusCode)
	}
	resp, err := srv.Client().Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ n }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "" {
		t.Errorf("POST: status %d, ETag %q, Cache-Control %q; want 200, none", resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
	unversioned, _ := cacheServer(t, &version, false)
	if resp, _ := cacheGET(t, unversioned, "{ n }", ""); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != "" {
		t.Errorf("GET without a store version: status %d, ETag %q; want 200 without one", resp.StatusCode, resp.Header.Get("ETag"))
	}
}

// TestIfNoneMatchParsing: RFC 9110's list syntax, weak tags, * and junk.
func TestIfNoneMatchParsing(t *testing.T) {
	for _, c := range []struct {
		in   []string
		star bool
		tags []string
	}{
		{[]string{`"a"`}, false, []string{"a"}},
		{[]string{`W/"a", "b,c"`, ` "d" `}, false, []string{"a", "b,c", "d"}},
		{[]string{`*`}, true, nil},
		{[]string{`junk, "a"`, `"unterminated`}, false, []string{"a"}},
	} {
		star, tags := ifNoneMatch(c.in)
		if star != c.star || !slices.Equal(tags, c.tags) {
			t.Errorf("ifNoneMatch(%q) = %v, %q; want %v, %q", c.in, star, tags, c.star, c.tags)
		}
	}
}

// TestCacheMaxAgeBound: more than ten minutes is refused.
func TestCacheMaxAgeBound(t *testing.T) {
	_, err := Handler(http.NotFoundHandler(), http.NotFoundHandler(), nil, nil, Config{CacheMaxAge: 11 * time.Minute})
	if err == nil || !strings.Contains(err.Error(), "max-age") {
		t.Errorf("CacheMaxAge 11m: %v; want an error naming the max-age", err)
	}
}
