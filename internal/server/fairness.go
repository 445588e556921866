package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/limits"
	"github.com/vnregistry/registry/internal/registry"
)

// DefaultConcurrency is how many requests one caller may have running at
// once unless configured otherwise: enough for a page's parallel reads, and
// few enough that one caller cannot hold every core.
const DefaultConcurrency = 4

// queueWait is how long a request beyond its caller's concurrency waits for
// one of the caller's requests to end before it is refused.
const queueWait = 2 * time.Second

// fairness bounds the requests each caller (an API key, or a client address
// without one, as the rate limit counts them) has running at once. The rate
// limit bounds how often a caller may start a request, not how much of the
// server its requests hold: a few costly ones at a time from one anonymous
// client were enough to slow every other client's reads a thousandfold.
type fairness struct {
	per     int
	proxied bool
	wait    time.Duration // queueWait; shorter in tests
	mu      sync.Mutex
	callers map[string]*caller // only callers with requests running or waiting
}

type caller struct {
	slots chan struct{}
	users int // requests running or waiting
}

// newFairness bounds each caller to per requests at once (<= 0: the
// default).
func newFairness(per int, proxied bool) *fairness {
	if per <= 0 {
		per = DefaultConcurrency
	}
	return &fairness{per: per, proxied: proxied, wait: queueWait, callers: map[string]*caller{}}
}

// middleware runs a request once its caller has a free slot, waiting up to
// queueWait for one, and answers 429 with Retry-After otherwise, as the
// rate limit does. The request also gets the cost budget that the
// operations of a batch share (limits.WithBudget). WebSocket subscriptions,
// which live on, take no slot.
func (f *fairness) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		key := callerKey(r, f.proxied)
		c := f.join(key)
		defer f.leave(key, c)
		if !c.acquire(r, f.wait) {
			if r.Context().Err() == nil {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.wait.Seconds()))))
				refuse(w, r, http.StatusTooManyRequests, registry.CodeUnavailable,
					"too many requests at once: at most "+strconv.Itoa(f.per)+" per caller; retry after the time in Retry-After")
			}
			return
		}
		defer func() { <-c.slots }()
		next.ServeHTTP(w, r.WithContext(limits.WithBudget(r.Context())))
	})
}

// acquire takes a slot, waiting up to wait, or until the client leaves.
func (c *caller) acquire(r *http.Request, wait time.Duration) bool {
	select {
	case c.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	return false
}

func (f *fairness) join(key string) *caller {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.callers[key]
	if c == nil {
		c = &caller{slots: make(chan struct{}, f.per)}
		f.callers[key] = c
	}
	c.users++
	return c
}

// leave forgets a caller with nothing running or waiting, so the map holds
// no more callers than there are requests.
func (f *fairness) leave(key string, c *caller) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.users--; c.users == 0 {
		delete(f.callers, key)
	}
}

// callerKey names the caller as the rate limit does: its API key, or its
// client address.
func callerKey(r *http.Request, proxied bool) string {
	if p := auth.FromContext(r.Context()); p.KeyID != "" {
		return "key:" + p.KeyID
	}
	return "ip:" + clientIP(r, proxied)
}
