package playground

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// requireAssets fails loudly instead of skipping: a binary built without the
// bundles would serve only the 503 page.
func requireAssets(t *testing.T) {
	t.Helper()
	for _, name := range bundles {
		if _, err := fs.Stat(embedded, "assets/"+name); err != nil {
			t.Fatalf("assets/%s is not embedded: run `make assets` before `go test`", name)
		}
	}
}

func get(t *testing.T, h http.Handler, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func TestIndexIsSameOrigin(t *testing.T) {
	requireAssets(t)
	res, body := get(t, Handler("/graphql"), http.MethodGet, "/", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, bad := range []string{"http://", "https://", "//cdn"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{
		"<title>Vietnam administrative registry — GraphQL</title>",
		`data-endpoint="/graphql"`,
		"GraphiQL.createFetcher(",
		"subscriptionUrl",
		"defaultTabs", "query DossierHistory", "query Reconciliation",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// What the page loads (scripts, styles), not the links it offers.
	refs := regexp.MustCompile(`(?:src|<link[^>]*href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(refs) == 0 {
		t.Fatal("page references no assets")
	}
	for _, m := range refs {
		if u := m[1]; u != "data:," && (!strings.HasPrefix(u, "/playground/") || strings.HasPrefix(u, "//")) {
			t.Errorf("reference %q is not under /playground/", u)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}

func TestAssets(t *testing.T) {
	requireAssets(t)
	h := Handler("/graphql")
	_, page := get(t, h, http.MethodGet, "/", nil)
	want := map[string]string{
		"react.production.min.js":     "text/javascript; charset=utf-8",
		"react-dom.production.min.js": "text/javascript; charset=utf-8",
		"graphiql.min.js":             "text/javascript; charset=utf-8",
		"graphiql.min.css":            "text/css; charset=utf-8",
	}
	for name, ct := range want {
		t.Run(name, func(t *testing.T) {
			url := regexp.MustCompile(`"(/playground/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
			if url == nil {
				t.Fatalf("page does not reference %s with a content hash", name)
			}
			res, body := get(t, h, http.MethodGet, url[1], nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if got := res.Header.Get("Content-Type"); got != ct {
				t.Errorf("Content-Type %q, want %q", got, ct)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control %q", cc)
			}
			if len(body) < 1000 {
				t.Errorf("body is only %d bytes", len(body))
			}
			etag := res.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			res, _ = get(t, h, http.MethodGet, url[1], http.Header{"If-None-Match": {etag}})
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GET status %d, want 304", res.StatusCode)
			}
			res, body = get(t, h, http.MethodHead, url[1], nil)
			if res.StatusCode != http.StatusOK || body != "" {
				t.Errorf("HEAD status %d with %d body bytes", res.StatusCode, len(body))
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	requireAssets(t)
	h := Handler("/graphql")
	for _, path := range []string{"/playground/", "/playground/README.md", "/playground/nope.js", "/playground/../playground.go", "/elsewhere"} {
		if res, _ := get(t, h, http.MethodGet, path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	requireAssets(t)
	h := Handler("/graphql")
	for _, path := range []string{"/", "/playground/graphiql.min.js"} {
		res, _ := get(t, h, http.MethodPost, path, nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: status %d, want 405", path, res.StatusCode)
		}
		if allow := res.Header.Get("Allow"); allow != "GET, HEAD" {
			t.Errorf("POST %s: Allow %q", path, allow)
		}
	}
}

func TestUnbuiltAssetsAnswer503(t *testing.T) {
	h := newHandler("/graphql", fstest.MapFS{"assets/README.md": {Data: []byte("built by `make assets`")}})
	res, body := get(t, h, http.MethodGet, "/", nil)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || !strings.Contains(body, "make assets") {
		t.Errorf("want a plain-text hint to run `make assets`, got %q: %q", res.Header.Get("Content-Type"), body)
	}
}
