package explore

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestServesThePageAndItsFiles(t *testing.T) {
	h := Handler()
	for _, c := range []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"GET", "/explore", 200, "text/html"},
		{"GET", "/explore/", 200, "text/html"},
		{"GET", "/explore/explore.js", 200, "text/javascript"},
		{"GET", "/explore/vi.json", 200, "application/json"},
		{"GET", "/explore/vendor/uPlot.iife.min.js", 200, "text/javascript"},
		{"GET", "/explore/nothing.js", 404, ""},
		{"POST", "/explore", 405, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code == http.StatusServiceUnavailable {
			t.Fatal("assets not built: run `make assets`")
		}
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.contentType) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, rec.Code, rec.Header().Get("Content-Type"), c.status, c.contentType)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); c.status == 200 && !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q, want the page kept to its origin", c.path, csp)
		}
	}
}

func TestWithoutItsLibrarySaysHowToBuild(t *testing.T) {
	h := newHandler(fstest.MapFS{"assets/index.html": {Data: []byte("<html>")}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/explore", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make assets") {
		t.Errorf("without uPlot: %d %q, want 503 saying to run make assets", rec.Code, rec.Body.String())
	}
}
