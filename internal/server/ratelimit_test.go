package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestRateLimitHeaders: every answer tells the caller its quota in the
// IETF draft's headers, readable by a browser client (CORS); the request
// beyond the burst is 429 with Retry-After and Remaining 0.
func TestRateLimitHeaders(t *testing.T) {
	gql := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"__typename":"Query"}}`))
	})
	const origin = "https://app.example"
	// One token every 1000 s: nothing refills while the test runs.
	h, err := Handler(gql, gql, func(context.Context) error { return nil }, nil,
		Config{Rate: 0.001, Burst: 3, CORSOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	post := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i, want := range []struct{ remaining, reset string }{{"2", "1000"}, {"1", "2000"}, {"0", "3000"}} {
		rec := post()
		got := rec.Header()
		if rec.Code != http.StatusOK || got.Get("RateLimit-Limit") != "3" ||
			got.Get("RateLimit-Remaining") != want.remaining || got.Get("RateLimit-Reset") != want.reset {
			t.Errorf("request %d: status %d, RateLimit-Limit %q, -Remaining %q, -Reset %q; want 200, 3, %s, %s",
				i+1, rec.Code, got.Get("RateLimit-Limit"), got.Get("RateLimit-Remaining"), got.Get("RateLimit-Reset"),
				want.remaining, want.reset)
		}
		exposed := strings.ToLower(got.Get("Access-Control-Expose-Headers"))
		for _, name := range []string{"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"} {
			if !strings.Contains(exposed, name) {
				t.Errorf("request %d: Access-Control-Expose-Headers %q lacks %s", i+1, exposed, name)
			}
		}
	}
	rec := post()
	got := rec.Header()
	retry, err := strconv.Atoi(got.Get("Retry-After"))
	reset, _ := strconv.Atoi(got.Get("RateLimit-Reset"))
	if rec.Code != http.StatusTooManyRequests || err != nil || retry < 999 || retry > 1000 ||
		got.Get("RateLimit-Limit") != "3" || got.Get("RateLimit-Remaining") != "0" || reset < retry {
		t.Errorf("beyond the burst: status %d, Retry-After %q, RateLimit-Limit %q, -Remaining %q, -Reset %q; "+
			"want 429, about 1000 s for one token, 3, 0, and the full refill no sooner",
			rec.Code, got.Get("Retry-After"), got.Get("RateLimit-Limit"), got.Get("RateLimit-Remaining"), got.Get("RateLimit-Reset"))
	}
}
