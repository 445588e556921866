package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/auth"
)

// TestFairnessBoundsEachCaller: a caller's requests beyond its bound wait,
// then are refused 429 like the rate limit's; another caller is served
// meanwhile; a freed slot serves the next; nothing is remembered once a
// caller's requests end; WebSockets take no slot.
func TestFairnessBoundsEachCaller(t *testing.T) {
	f := newFairness(2, false)
	f.wait = 50 * time.Millisecond
	release := make(chan struct{})
	entered := make(chan string, 10)
	h := f.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.RemoteAddr
		if r.URL.Path == "/slow" {
			<-release
		}
	}))
	serve := func(path, addr, upgrade string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, nil)
		r.RemoteAddr = addr
		if upgrade != "" {
			r.Header.Set("Upgrade", upgrade)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}

	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { serve("/slow", "192.0.2.1:1000", "") })
		<-entered
	}
	rec := serve("/fast", "192.0.2.1:1001", "")
	var body struct {
		Errors []struct{ Extensions map[string]any }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" ||
		len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Errorf("third request of a caller with two running: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec := serve("/fast", "192.0.2.2:1000", ""); rec.Code != http.StatusOK {
		t.Errorf("another caller: %d %s", rec.Code, rec.Body)
	}
	if rec := serve("/fast", "192.0.2.1:1002", "websocket"); rec.Code != http.StatusOK {
		t.Errorf("a WebSocket of the busy caller: %d %s", rec.Code, rec.Body)
	}

	// A request waiting when a slot frees is served.
	waited := make(chan int)
	go func() { waited <- serve("/fast", "192.0.2.1:1003", "").Code }()
	time.Sleep(10 * time.Millisecond)
	release <- struct{}{}
	if code := <-waited; code != http.StatusOK {
		t.Errorf("the request waiting for the freed slot: %d", code)
	}
	close(release)
	wg.Wait()
	if n := len(f.callers); n != 0 {
		t.Errorf("%d callers remembered after their requests ended", n)
	}
}

// TestCallerKey: a caller with an API key is its key wherever it calls
// from; one without is its address.
func TestCallerKey(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "192.0.2.1:1000"
	if k := callerKey(r, false); k != "ip:192.0.2.1" {
		t.Errorf("anonymous: %q", k)
	}
	r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Name: "x", KeyID: "k1"}))
	if k := callerKey(r, false); k != "key:k1" {
		t.Errorf("with a key: %q", k)
	}
}
